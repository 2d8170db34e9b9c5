"""Money and quality records of the demo plant: direct costs, drivers, pools, standards, shipments, QA.

Pools are sized from the generated activity (about a third of total cost)
and only created where some batch can take them; standards are derived
from the same activity, so variances come out small but not zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import CUSTOMERS, DEFECTS, N_DISTRIBUTORS, SITES, TESTS, VENDORS
from .flows import expand
from .plant import LAST_DAY, STD_YIELD, Plant, item_minutes, month_of, rate_on

# share of the period's pools per cost element, and how each element is split over its scopes
ELEMENTS = {"overhead": 0.30, "depreciation": 0.22, "energy": 0.13, "quality": 0.12, "cleanroom": 0.15,
            "sterilization_overhead": 0.08}
DIRECT_ELEMENTS = ("sterilization", "outsourcing", "inspection", "packaging", "transport", "rework")
STERILIZER_M3 = 12.0  # EO chamber load


def estimated_unit_cost(plant: Plant, lot_cost: np.ndarray) -> np.ndarray:
    """A rough cost per unit of every item (materials at average lot cost, time at typical rates)."""
    lab, mac = item_minutes(plant)
    est = (lab * 65 + mac * 150) / 60
    bom = plant.bom
    for level in (0, 1, 2):  # sub-assemblies first, so consumers can use their estimate
        rows = plant.items["level"].to_numpy()[bom["item"]] == level
        sub = bom[rows]
        part = np.where(sub["mat"] >= 0, lot_cost[np.maximum(sub["mat"], 0)], est[np.maximum(sub["sub"], 0)])
        est = est + np.bincount(sub["item"], sub["qpu"].to_numpy() * part, minlength=len(est))
    return np.asarray(est)


def sterilized(rng: np.random.Generator, b: pd.DataFrame, plant: Plant) -> pd.DataFrame:
    """Finished batches completed by June: sterilization day and EO load volume (m3)."""
    fg = np.flatnonzero((b["level"].to_numpy() == 2) & ~b["wip"].to_numpy())
    end, start = b["end"].to_numpy()[fg], b["start"].to_numpy()[fg]
    m3_unit = np.array([ln.m3_per_unit for ln in plant.lines])[b["line"].to_numpy()[fg]]
    m3 = np.maximum(np.round(b["good"].to_numpy()[fg] * m3_unit * rng.uniform(0.95, 1.05, fg.size), 3), 0.001)
    return pd.DataFrame({"batch": fg, "day": np.maximum(end - rng.integers(0, 3, fg.size), start), "m3": m3})


def direct_costs(rng: np.random.Generator, b: pd.DataFrame, ster: pd.DataFrame, est: np.ndarray) -> pd.DataFrame:
    """External sterilization, lab tests, outsourced processing, packaging, freight and rework."""
    n = len(b)
    value = b["qs"].to_numpy() * est[b["item"].to_numpy()]
    life = np.minimum(b["cutoff"].to_numpy(), b["start"].to_numpy() + b["dur"].to_numpy())
    start = b["start"].to_numpy()
    done_fg = np.flatnonzero((b["level"].to_numpy() == 2) & ~b["wip"].to_numpy())
    parts = []

    def add(element: str, batch: np.ndarray, amount: np.ndarray, day: np.ndarray) -> None:
        vendors = VENDORS[element]
        parts.append(pd.DataFrame({"batch": batch, "element": DIRECT_ELEMENTS.index(element),
                                   "amount": np.round(amount, 2), "day": day,
                                   "vendor": rng.integers(0, len(vendors), batch.size)}))

    def anywhere(batch: np.ndarray) -> np.ndarray:
        return np.asarray(start[batch] + np.floor(rng.random(batch.size) * (life[batch] - start[batch] + 1))
                          .astype(np.int64))

    out = ster[rng.random(len(ster)) < 0.4]  # in-house chamber full: sent to a contract sterilizer
    add("sterilization", out["batch"].to_numpy(), np.ceil(out["m3"].to_numpy() / STERILIZER_M3)
        * rng.uniform(3800, 5200, len(out)), out["day"].to_numpy())
    lab = done_fg[rng.random(done_fg.size) < 0.25]
    add("inspection", lab, rng.uniform(600, 3500, lab.size), np.maximum(b["end"].to_numpy()[lab] - 2, start[lab]))
    sub = np.flatnonzero(rng.random(n) < 0.08)
    add("outsourcing", sub, np.maximum(value[sub] * rng.uniform(0.02, 0.06, sub.size), 200), anywhere(sub))
    pack = done_fg[rng.random(done_fg.size) < 0.06]
    add("packaging", pack, np.maximum(value[pack] * rng.uniform(0.01, 0.03, pack.size), 150), anywhere(pack))
    freight = np.flatnonzero(rng.random(n) < 0.15)
    add("transport", freight, rng.uniform(300, 3000, freight.size), anywhere(freight))
    rework = np.flatnonzero(b["abnormal"].to_numpy() == 3)
    add("rework", rework, value[rework] * rng.uniform(0.15, 0.35, rework.size), anywhere(rework))
    dc = pd.concat(parts, ignore_index=True)
    dc = dc[dc["amount"].to_numpy() > 0]
    return dc.iloc[np.lexsort((dc["element"].to_numpy(), dc["batch"].to_numpy(), dc["day"].to_numpy()))]


def drivers(b: pd.DataFrame, ster: pd.DataFrame, ops: pd.DataFrame, insp: pd.DataFrame,
            rng: np.random.Generator) -> pd.DataFrame:
    """sterilization_load_m3 (the allocation driver), setups per batch start month, inspections per month."""
    parts = [pd.DataFrame({"batch": ster["batch"], "driver": "sterilization_load_m3",
                           "month": month_of(ster["day"].to_numpy()), "value": ster["m3"]})]
    first = ops.groupby("batch", sort=True)["day"].min()
    parts.append(pd.DataFrame({"batch": first.index, "driver": "setups", "month": month_of(first.to_numpy()),
                               "value": 1.0 + rng.poisson(0.8, len(first))}))
    n_insp = insp.assign(month=month_of(insp["day"].to_numpy())).groupby(["batch", "month"]).size()
    parts.append(pd.DataFrame({"batch": n_insp.index.get_level_values(0), "driver": "inspections",
                               "month": n_insp.index.get_level_values(1), "value": n_insp.to_numpy(float)}))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------ pools


def _monthly(month: np.ndarray, key: np.ndarray, value: np.ndarray, n_keys: int) -> np.ndarray:
    """Sum of value per (month, key) as a 6 x n_keys array."""
    return np.bincount(month * n_keys + key, value, minlength=6 * n_keys).reshape(6, n_keys)


def cost_pools(rng: np.random.Generator, plant: Plant, b: pd.DataFrame, ops: pd.DataFrame, base: np.ndarray,
               drv: pd.DataFrame) -> pd.DataFrame:
    """Pools of every scope per month, sized to about 35 % of total cost and split by activity.

    Each scope's weight is zero where no batch in the scope has the basis the default params use, so
    every pool written can be taken by some batch. `base` is the period's traced cost (6 values).
    """
    wcs = plant.work_centers
    n_wc, n_lines = len(wcs), len(plant.lines)
    om = month_of(ops["day"].to_numpy())
    batch = ops["batch"].to_numpy()
    site = b["site"].to_numpy()[batch]
    wc = ops["wc"].to_numpy()
    labor_cost, machine_cost = ops["labor_cost"].to_numpy(), ops["machine_cost"].to_numpy()
    has_hours = (ops["labor"].to_numpy() + ops["machine"].to_numpy()) > 0
    start, end = b["start"].to_numpy(), b["end"].to_numpy()
    months = np.arange(6)
    first_day = np.array([0, 31, 59, 90, 120, 151])
    last_day = np.array([30, 58, 89, 119, 150, 180])
    active = (start[None, :] <= last_day[:, None]) & ((end[None, :] < 0) | (end[None, :] >= first_day[:, None]))
    done = (end[None, :] >= first_day[:, None]) & (end[None, :] <= last_day[:, None])
    site_b, line_b = b["site"].to_numpy(), b["line"].to_numpy()
    line_value = np.bincount(b["line"].to_numpy()[batch], labor_cost + machine_cost, minlength=n_lines) + 1
    site_base = _monthly(om, site, labor_cost + machine_cost, 2)
    dm = drv[drv["driver"] == "sterilization_load_m3"]
    is_assy = (wcs["type"] == "ASSY").to_numpy()
    heavy = wcs["type"].isin(["MOLD", "EXTR", "COAT"]).to_numpy()
    one = np.ones((6, 1))
    scopes = [  # element, share of element, scope kind, names, weights (6 x n)
        ("overhead", 0.5, "ALL", ["ALL"], one * (_monthly(om, site, ops["labor"].to_numpy(), 2).sum(1, keepdims=True)
                                               > 0)),
        ("overhead", 0.5, "site", list(SITES), _monthly(om, site, labor_cost, 2) * (_monthly(
            om, site, ops["labor"].to_numpy(), 2) > 0)),
        ("depreciation", 0.5, "site", list(SITES), _monthly(om, site, machine_cost, 2)),
        ("depreciation", 0.5, "wc", list(wcs["work_center"]), _monthly(om, wc, machine_cost, n_wc) * heavy),
        ("energy", 1.0, "wc", list(wcs["work_center"]), _monthly(om, wc, machine_cost, n_wc)),
        ("quality", 0.4, "ALL", ["ALL"], one * done.any(1, keepdims=True)),
        ("quality", 0.6, "line", [ln.code for ln in plant.lines],
         np.stack([np.bincount(line_b[done[m]], minlength=n_lines) > 0 for m in months]) * line_value),
        ("cleanroom", 0.7, "site", list(SITES),
         np.stack([np.bincount(site_b[active[m]], minlength=2) > 0 for m in months]) * (site_base + 1)),
        ("cleanroom", 0.3, "wc", list(wcs["work_center"]),
         (_monthly(om, wc, has_hours.astype(float), n_wc) > 0) * (_monthly(om, wc, labor_cost, n_wc) + 1)
         * is_assy),
        ("sterilization_overhead", 1.0, "site", list(SITES),
         _monthly(dm["month"].to_numpy(), site_b[dm["batch"]], dm["value"].to_numpy(), 2)),
    ]
    ratio = rng.uniform(0.50, 0.62, 6)
    rows = []
    for element, share, kind, names, weight in scopes:
        total = base * ratio * ELEMENTS[element] * share
        w = weight * rng.uniform(0.9, 1.1, weight.shape)
        amount = np.round(total[:, None] * w / np.maximum(w.sum(1, keepdims=True), 1e-12), 2)
        for m, i in zip(*np.nonzero(amount >= 1), strict=True):
            rows.append((m, element, kind, names[i], amount[m, i]))
    return pd.DataFrame(rows, columns=["month", "element", "kind", "scope", "amount"])


# ------------------------------------------------------------------ standards


def standards(rng: np.random.Generator, plant: Plant, b: pd.DataFrame, ops: pd.DataFrame, rates: pd.DataFrame,
              lots: pd.DataFrame, pools: pd.DataFrame, dc: pd.DataFrame, drv: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Standard BOM, routing and overhead per item, near the actual averages; item totals per unit."""
    n_items = len(plant.items)
    purchased = lots[~lots["opening"]]
    mat_std = np.round(purchased.groupby("mat")["unit_cost"].mean().reindex(range(len(plant.materials))), 4)
    lab_min, mac_min = item_minutes(plant)
    st = plant.steps
    line = plant.items["line"].to_numpy()[st["item"]]
    home = np.array([SITES.index(ln.site) for ln in plant.lines])[line]
    wc = plant.wc_of[line, home, np.searchsorted(plant.wc_types, st["wc_type"].to_numpy())]
    lr, mr = rate_on(rates, wc, np.zeros(len(st), dtype=np.int64))
    routing = pd.DataFrame({"item": st["item"], "operation": st["operation"], "wc": wc,
                            "lh": np.round(lab_min[st["item"]] / 60 * st["labor_share"] / STD_YIELD, 6),
                            "mh": np.round(mac_min[st["item"]] / 60 * st["machine_share"] / STD_YIELD, 6),
                            "lr": lr, "mr": mr})
    overhead = _std_overhead(plant, b, ops, pools, dc, drv)
    overhead["cost"] = np.round(overhead["cost"] * rng.uniform(0.95, 1.05, n_items)[overhead["item"]], 6)  # set ahead
    per_unit = np.bincount(routing["item"], routing["lh"] * routing["lr"] + routing["mh"] * routing["mr"],
                           minlength=n_items) + np.bincount(overhead["item"], overhead["cost"], minlength=n_items)
    bom = plant.bom.copy()
    bom["std_qpu"] = np.round(bom["qpu"] / STD_YIELD, 6)
    bom["std_cost"] = np.nan
    for level in (0, 1, 2):  # a sub-assembly's standard is known before its consumers need it
        rows = (plant.items["level"].to_numpy()[bom["item"]] == level)
        mat, sub = bom["mat"].to_numpy(), bom["sub"].to_numpy()
        cost = np.where(mat >= 0, mat_std.to_numpy()[np.maximum(mat, 0)], np.round(per_unit[np.maximum(sub, 0)], 4))
        bom.loc[rows, "std_cost"] = cost[rows]
        this = bom[rows]
        per_unit += np.bincount(this["item"], this["std_qpu"] * this["std_cost"], minlength=n_items)
    return {"bom": bom, "routing": routing, "overhead": overhead, "per_unit": pd.Series(per_unit)}


def _std_overhead(plant: Plant, b: pd.DataFrame, ops: pd.DataFrame, pools: pd.DataFrame, dc: pd.DataFrame,
                  drv: pd.DataFrame) -> pd.DataFrame:
    """Standard overhead per good unit and cost element: the half year's pool shares and direct costs."""
    n_items = len(plant.items)
    item = b["item"].to_numpy()
    done = ~b["wip"].to_numpy()
    good = np.bincount(item[done], b["good"].to_numpy()[done], minlength=n_items)
    shares = _pool_shares(plant, b, ops, pools, drv)
    dc = pd.DataFrame({"batch": dc["batch"], "element": np.array(DIRECT_ELEMENTS, dtype=object)[dc["element"]],
                       "amount": dc["amount"]})
    spent = pd.concat([shares, dc], ignore_index=True)
    spent = spent[done[spent["batch"].to_numpy()]]
    spent["item"] = item[spent["batch"].to_numpy()]
    per = spent.groupby(["item", "element"], as_index=False)["amount"].sum()
    per["cost"] = np.round(per["amount"] / np.maximum(good[per["item"]], 1), 6)
    return per[per["cost"] > 0][["item", "element", "cost"]].reset_index(drop=True)


def _pool_shares(plant: Plant, b: pd.DataFrame, ops: pd.DataFrame, pools: pd.DataFrame,
                 drv: pd.DataFrame) -> pd.DataFrame:
    """Each pool spread over the batches in its scope by the default params' basis (floats, for standards)."""
    agg = pd.DataFrame({"batch": ops["batch"], "month": month_of(ops["day"].to_numpy()), "wc": ops["wc"],
                        "labor": ops["labor"], "machine": ops["machine"]})
    agg = agg.groupby(["batch", "month", "wc"], as_index=False).sum()
    bm = agg.groupby(["batch", "month"], as_index=False)[["labor", "machine"]].sum()
    sites, wcs = np.array(SITES, dtype=object), plant.work_centers["work_center"].to_numpy(dtype=object)
    site, line, qs = b["site"].to_numpy(), b["line"].to_numpy(), b["qs"].to_numpy()
    codes = np.array([ln.code for ln in plant.lines], dtype=object)
    done = np.flatnonzero(~b["wip"].to_numpy())
    comp = pd.DataFrame({"batch": done, "month": month_of(b["end"].to_numpy()[done]), "w": b["good"].to_numpy()[done]})
    first = month_of(b["start"].to_numpy())
    last = month_of(np.where(b["end"].to_numpy() >= 0, b["end"].to_numpy(), LAST_DAY))
    grp, pos = expand(last - first + 1)
    act = pd.DataFrame({"batch": grp, "month": first[grp] + pos, "w": qs[grp]})
    on_wc = agg[(agg["labor"] + agg["machine"]).to_numpy() > 0]
    m3 = drv[drv["driver"] == "sterilization_load_m3"]
    m3 = pd.DataFrame({"batch": m3["batch"], "month": m3["month"], "w": m3["value"]})

    def part(element: str, kind: str, frame: pd.DataFrame, weight: str, scope: np.ndarray | str) -> pd.DataFrame:
        return pd.DataFrame({"element": element, "kind": kind, "scope": scope, "batch": frame["batch"].to_numpy(),
                             "month": frame["month"].to_numpy(), "w": frame[weight].to_numpy(dtype=float)})

    long = pd.concat([
        part("overhead", "ALL", bm, "labor", "ALL"),
        part("overhead", "site", bm, "labor", sites[site[bm["batch"]]]),
        part("depreciation", "site", bm, "machine", sites[site[bm["batch"]]]),
        part("depreciation", "wc", agg, "machine", wcs[agg["wc"]]),
        part("energy", "wc", agg, "machine", wcs[agg["wc"]]),
        part("quality", "ALL", comp, "w", "ALL"),
        part("quality", "line", comp, "w", codes[line[comp["batch"]]]),
        part("cleanroom", "site", act, "w", sites[site[act["batch"]]]),
        part("cleanroom", "wc", on_wc.assign(w=qs[on_wc["batch"]]), "w", wcs[on_wc["wc"]]),
        part("sterilization_overhead", "site", m3, "w", sites[site[m3["batch"]]]),
    ], ignore_index=True)
    keys = ["month", "element", "kind", "scope"]
    m = long[long["w"].to_numpy() > 0].merge(pools[[*keys, "amount"]], on=keys, how="inner")
    m["amount"] = m["amount"] * m["w"] / m.groupby(keys)["w"].transform("sum")
    return m[["batch", "element", "amount"]]


# ------------------------------------------------------------------ shipments and quality


def shipments(rng: np.random.Generator, b: pd.DataFrame, price: np.ndarray, n_customers: int) -> pd.DataFrame:
    """1-4 shipments of each released finished batch after its end, 60-100 % of its good units in all."""
    fg = np.flatnonzero((b["level"].to_numpy() == 2) & (b["status"].to_numpy() == "released")
                        & (b["end"].to_numpy() >= 0) & (b["end"].to_numpy() < LAST_DAY))
    total = np.floor(b["good"].to_numpy()[fg] * rng.uniform(0.6, 1.0, fg.size)).astype(np.int64)
    k = np.minimum(rng.integers(1, 5, fg.size), np.maximum(total, 1))
    grp, pos = expand(k)
    w = rng.uniform(0.5, 1.5, grp.size)
    cs = np.cumsum(w)
    first = np.cumsum(k) - k
    frac = (cs - (cs[first] - w[first])[grp]) / np.bincount(grp, w)[grp]
    upto = np.floor(total[grp] * np.minimum(frac, 1.0))
    qty = upto - np.where(pos > 0, np.concatenate([[0.0], upto[:-1]]), 0.0)
    batch = fg[grp]
    end = b["end"].to_numpy()[batch]
    span = np.minimum(30, LAST_DAY - end)
    day = end + 1 + np.floor(rng.random(grp.size) * span).astype(np.int64)
    cust = np.minimum((rng.pareto(1.2, grp.size) * n_customers / 6).astype(np.int64), n_customers - 1)
    s = pd.DataFrame({"batch": batch, "customer": cust, "day": day, "qty": qty})
    s = s[s["qty"].to_numpy() > 0]
    factor = np.where(s["customer"].to_numpy() < _distributors(n_customers),
                      rng.uniform(0.85, 0.92, len(s)), rng.uniform(1.0, 1.08, len(s)))
    s["revenue"] = np.round(s["qty"].to_numpy() * price[b["item"].to_numpy()[s["batch"]]] * factor, 2)
    return s.iloc[np.lexsort((s["batch"].to_numpy(), s["day"].to_numpy()))]


def customers(rng: np.random.Generator, n_batches: int) -> list[str]:
    """20-60 customers, distributors first (they get lower prices)."""
    n = int(np.clip(20 + n_batches // 5000, 20, len(CUSTOMERS)))
    dist = rng.choice(N_DISTRIBUTORS, size=_distributors(n), replace=False)
    hosp = N_DISTRIBUTORS + rng.choice(len(CUSTOMERS) - N_DISTRIBUTORS, size=n - dist.size, replace=False)
    return [CUSTOMERS[i] for i in np.concatenate([np.sort(dist), np.sort(hosp)])]


def _distributors(n_customers: int) -> int:
    return min(N_DISTRIBUTORS, n_customers // 3)


_AQL = (np.array([500, 1200, 3200, 10_000, 35_000, 150_000, 500_000]), np.array([13, 20, 32, 50, 80, 125, 200, 315]))


def inspections(rng: np.random.Generator, b: pd.DataFrame) -> pd.DataFrame:
    """1-3 tests per batch (AQL sample sizes), failures mostly on abnormal batches."""
    parts = []
    for level, tests in TESTS.items():
        sel = np.flatnonzero(b["level"].to_numpy() == level)
        k = rng.integers(1, 4, sel.size)
        grp, _ = expand(np.full(sel.size, len(tests)))
        key = rng.random(grp.size)
        order = np.lexsort((key, grp))
        rank = np.empty(grp.size, dtype=np.int64)
        rank[order] = np.arange(grp.size) - np.repeat(np.arange(sel.size) * len(tests), len(tests))
        take = rank < k[grp]
        test = np.tile(np.arange(len(tests)), sel.size)[take]
        parts.append(pd.DataFrame({"batch": sel[grp[take]], "test": np.array(tests, dtype=object)[test]}))
    t = pd.concat(parts, ignore_index=True)
    batch = t["batch"].to_numpy()
    abnormal = b["abnormal"].to_numpy()[batch] > 0
    sample = _AQL[1][np.searchsorted(_AQL[0], b["qs"].to_numpy()[batch])]
    test = t["test"].to_numpy()
    t["tested"] = np.where(test == "sterility", 20, np.where(test == "bioburden", 10, sample)).astype(float)
    failed = rng.poisson(np.where(abnormal, 2.0, 0.12))
    t["failed"] = np.where(test == "sterility", 0, np.minimum(failed, t["tested"])).astype(float)
    t["result"] = np.where(t["failed"] > np.where(np.isin(test, ["visual", "dimensional"]), 1, 0), "fail", "pass")
    dur = b["dur"].to_numpy()[batch]
    late = np.isin(test, ["sterility", "bioburden"])
    t["day"] = b["start"].to_numpy()[batch] + np.where(late, dur, np.floor(rng.random(len(t)) * (dur + 1))).astype(
        np.int64)
    t = t[t["day"].to_numpy() <= b["cutoff"].to_numpy()[batch]]
    return t.iloc[np.lexsort((t["batch"].to_numpy(), t["day"].to_numpy()))]


def nonconformances(rng: np.random.Generator, b: pd.DataFrame, est: np.ndarray) -> pd.DataFrame:
    """NCRs on ~5 % of batches and on every abnormal one; the disposition follows the abnormality."""
    n = len(b)
    abnormal = b["abnormal"].to_numpy()
    sel = np.flatnonzero((rng.random(n) < 0.045) | (abnormal > 0))
    disp = rng.choice(["scrap", "rework", "use_as_is", "return"], size=sel.size, p=[0.4, 0.3, 0.2, 0.1])
    disp = np.where(abnormal[sel] == 1, "scrap", np.where(abnormal[sel] == 3, "rework", disp))
    qs = b["qs"].to_numpy()[sel]
    qty = np.maximum(np.rint(qs * rng.uniform(0.005, 0.03, sel.size)), 1)
    qty = np.where(abnormal[sel] == 1, b["scrap"].to_numpy()[sel], qty)
    level = b["level"].to_numpy()[sel]
    defect = np.empty(sel.size, dtype=object)
    for lv, names in DEFECTS.items():
        mine = level == lv
        defect[mine] = np.array(names, dtype=object)[rng.integers(0, len(names), mine.sum())]
    unit = est[b["item"].to_numpy()[sel]]
    cost = qty * unit * np.select([disp == "scrap", disp == "rework"], [1.0, 0.3], 0.05)
    cost = np.where(rng.random(sel.size) < 0.6, np.round(cost, 2), np.nan)
    life = np.maximum(b["cutoff"].to_numpy()[sel] - b["start"].to_numpy()[sel], 0)
    day = b["start"].to_numpy()[sel] + np.floor(rng.random(sel.size) * (life + 1)).astype(np.int64)
    nc = pd.DataFrame({"batch": sel, "defect": defect, "disposition": disp, "qty": qty, "day": day, "cost": cost})
    return nc.iloc[np.argsort(nc["day"].to_numpy(), kind="stable")].reset_index(drop=True)
