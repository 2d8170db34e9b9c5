"""Batch-to-batch statistics of unit cost per item, the flags of `batch_anomalies`, and their attribution.

The comparison window of a batch is the completed batches (with a unit cost)
of its item, and of its line with `by_line=True`, whose end_date falls in the
last `variance.window_periods` periods up to the run's period. A window of
fewer than `variance.min_batches` batches flags nothing.

Choices (the contract leaves them open):
- reference_unit_cost is the median of the whole window, the batch itself
  included: the same median as `unit_cost_stats`, the robust z and the
  attribution use. One batch moves a median of `min_batches` or more by at
  most one rank, so leaving it out changes little and costs a second median.
- robust_z = (x - median) / (1.4826 MAD). When MAD is 0 (over half the window
  costs the same), Iglewicz and Hoaglin's fallback divides by 1.253314 x the
  mean absolute deviation instead; when that is 0 too, every batch costs the
  median and z is 0.
- The individuals chart orders the window by end_date (then batch_id):
  center = mean, MR-bar = mean |x_i - x_(i-1)|, limits center +- 2.66 MR-bar;
  a point strictly outside is out of control.
- Attribution compares a batch with the window's median batch (the mean of
  the two middle ones for an even count), whose per-unit costs by element sum
  to the reference unit cost exactly. Element costs are first restated at the
  reference yield (qty_started per good unit); what the batch's own yield adds
  on top is `scrap`. Material and sub-assembly cost split into price (against
  the median price the window's batches of the item paid for each material)
  and usage. So the drivers sum to unit_cost - reference_unit_cost, up to
  float rounding.
"""

from __future__ import annotations

from typing import Literal, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.arrow import arrow_text
from ..core.model import CostResult
from ..core.periods import month_text
from ..ledger.postings import codes, post
from .issues import KINDS, material_rows, text_codes

SIGMA_PER_MAD = 1.4826
SIGMA_PER_MEAN_AD = 1.253314
E2 = 2.66  # individuals chart: 3 / d2(2)
SPLIT = ("material", "subassembly")  # elements split into price and usage

ANOMALY_COLUMNS = {
    "batch_id": "str", "item_id": "str", "product_line": "str", "period": "str", "unit_cost": "float64",
    "reference_unit_cost": "float64", "deviation_pct": "float64", "robust_z": "float64", "rules": "str",
    "top_driver": "str", "top_driver_share": "float64", "top_driver_detail": "str", "top_driver_lot": "str",
    "top_driver_material": "str", "top_driver_supplier": "str", "deviation_per_unit": "float64", "n_window": "int64",
    "lcl": "float64", "ucl": "float64",
}
ATTRIBUTION_COLUMNS = {
    "batch_id": "str", "driver": "str", "per_unit": "float64", "share": "float64", "lot_id": "str",
    "material_id": "str", "supplier": "str", "lot_per_unit": "float64", "detail": "str",
}


def _keys(by_line: bool) -> list[str]:
    return ["item_id", "product_line"] if by_line else ["item_id"]


def window(result: CostResult, by_line: bool = False, window_periods: int | None = None) -> pd.DataFrame:
    """The window's batches in chart order, each with its group's statistics, robust z and flags.

    `batchkit cost` asks twice (anomalies, KPIs): the frame is kept on the dataset's cache with the
    summary object it came from (held there, so its id cannot be reused) and the variance params it
    used, and every caller gets its own copy.
    """
    v = result.params.variance
    key = ("analyze.window", by_line, window_periods or v.window_periods, v.min_batches, v.threshold_pct,
           v.robust_z, result.period)
    ds = result.dataset
    kept = ds.cache.get(key) if ds is not None else None
    if kept is not None and kept[0] is result.batch_summary:
        return cast(pd.DataFrame, kept[1]).copy()
    w = _window(result, by_line, window_periods)
    if ds is not None:
        ds.cache[key] = (result.batch_summary, w.copy())
    return w


def _window(result: CostResult, by_line: bool, window_periods: int | None) -> pd.DataFrame:
    v = result.params.variance
    periods = window_periods or v.window_periods
    keys = _keys(by_line)
    s = result.batch_summary
    done = s[(s["status"] == "completed").to_numpy() & s["unit_cost"].notna().to_numpy()]
    period = month_text(done["end_date"])
    first = str(np.datetime64(result.period, "M") - (periods - 1))
    inside = (period >= first) & (period <= result.period)
    w = done[inside].assign(period=period[inside])
    w = w.sort_values([*keys, "end_date", "batch_id"], kind="stable").reset_index(drop=True)
    by = [w[k] for k in keys]
    x = w["unit_cost"]
    g = x.groupby(by, sort=False, dropna=False)
    med = g.transform("median")
    absdev = (x - med).abs().groupby(by, sort=False, dropna=False)
    moving_range = g.diff().abs().groupby(by, sort=False, dropna=False)
    w = w.assign(n_window=g.transform("size").astype(np.int64), median=med, mad=absdev.transform("median"),
                 mean_ad=absdev.transform("mean"), center=g.transform("mean"), mr_bar=moving_range.transform("mean"))
    w["robust_sigma"] = SIGMA_PER_MAD * w["mad"]
    w["lcl"] = w["center"] - E2 * w["mr_bar"]
    w["ucl"] = w["center"] + E2 * w["mr_bar"]
    dev = (x - med).to_numpy()
    mad, mean_ad = w["mad"].to_numpy(), w["mean_ad"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        w["robust_z"] = np.where(mad > 0, dev / (SIGMA_PER_MAD * mad),
                                 np.where(mean_ad > 0, dev / (SIGMA_PER_MEAN_AD * mean_ad), 0.0))
        w["deviation_pct"] = np.where(med > 0, 100.0 * dev / med.to_numpy(), np.nan)
    w["deviation_per_unit"] = dev
    enough = (w["n_window"] >= v.min_batches).to_numpy()
    flags = {
        "deviation": enough & (np.abs(w["deviation_pct"].to_numpy()) > v.threshold_pct),
        "robust_z": enough & (np.abs(w["robust_z"].to_numpy()) > v.robust_z),
        "control": enough & ((x > w["ucl"]) | (x < w["lcl"])).to_numpy(),
    }
    rules = pd.Series("", index=w.index, dtype=object)
    for name, flag in flags.items():
        rules = rules + np.where(flag, name + ";", "")
    w["rules"] = rules.str.rstrip(";")
    return w


def unit_cost_stats(result: CostResult, by_line: bool = False, window_periods: int | None = None) -> pd.DataFrame:
    """Per item (and line): the window's unit cost distribution, median, MAD, robust sigma and control limits."""
    w = window(result, by_line, window_periods)
    keys = _keys(by_line)
    g = w.groupby(keys, sort=True, dropna=False)["unit_cost"]
    spread = g.agg(mean="mean", min="min", q1=lambda a: a.quantile(0.25), q3=lambda a: a.quantile(0.75),
                   max="max").reset_index()
    first = w.drop_duplicates(keys)[[*keys, "n_window", "median", "mad", "robust_sigma", "center", "mr_bar", "lcl",
                                     "ucl"]].rename(columns={"n_window": "n"})
    out = first.merge(spread, on=keys, how="left")
    out["enough"] = out["n"] >= result.params.variance.min_batches
    cols = [*keys, "n", "median", "mad", "robust_sigma", "mean", "min", "q1", "q3", "max", "center", "mr_bar",
            "lcl", "ucl", "enough"]
    return out[cols].sort_values(keys, kind="stable").reset_index(drop=True)


def _median_batches(w: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per window row: the rows of its group's two middle batches by unit cost (the same one when n is odd)."""
    gid = w.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    order = np.lexsort((w["batch_id"].to_numpy(dtype=str), w["unit_cost"].to_numpy(), gid))
    sizes = np.bincount(gid)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    lo = order[starts + (sizes - 1) // 2]
    hi = order[starts + sizes // 2]
    return lo[gid], hi[gid]


def _per_unit_by_element(result: CostResult, w: pd.DataFrame) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Cost per good unit of each window batch by cost element; also each batch's code."""
    master = post(result.ds).master  # the dataset's priced rows (cached by validation)
    code = codes(w["batch_id"], arrow_text(master["batch_id"]))
    row_of = np.full(len(master), -1, dtype=np.int64)
    row_of[code] = np.arange(len(w))
    pe = result.extras["per_element"]
    row = row_of[pe["code"].to_numpy()]
    mine = row >= 0  # filtering the two columns used, not every column of the frame (its Arrow text too)
    col, elements = pd.factorize(pe["cost_element"][mine], sort=True)
    cents = np.zeros((len(w), len(elements)), dtype=np.int64)
    np.add.at(cents, (row[mine], col), pe["cents"].to_numpy(dtype=np.int64)[mine])
    return cents / 100.0 / w["qty_good"].to_numpy()[:, None], list(elements), code


def _price_rows(result: CostResult, w: pd.DataFrame, keys: list[str], code: np.ndarray, scale: np.ndarray,
                targets: np.ndarray) -> pd.DataFrame:
    """Material and sub-assembly rows of the `targets` (window rows) with each row's price effect per good unit.

    A row's price effect is (its cost - the reference price x its qty) per good
    unit at the reference yield; the reference price of a material is the
    median, over the window's batches of the item, of what each paid per unit.
    Every window batch's rows count for the reference prices; only the targets'
    rows are returned. Sums and medians run on integer keys (a batch's row, the
    kind, a material code), in the rows' order, so each sum adds the same
    numbers in the same order as grouping by the text would.
    """
    row_of_code = np.full(len(post(result.ds).master), -1, dtype=np.int64)
    row_of_code[code] = np.arange(len(w))
    mr = material_rows(result, row_of_code)
    material = arrow_text(result.ds.get("material_issues")["material_id"])
    mat = text_codes(material)[mr.position]  # the column coded once: no 9.6 M-string copy at 16x
    n_mat = int(mat.max(initial=-1)) + 2  # -1 (missing) becomes 0
    key = (mr.batch * 2 + mr.kind) * n_mat + (mat + 1)
    # pandas' sums (Kahan per group, or reduceat when groups are contiguous), as grouping by the text gave
    sums = pd.DataFrame({"amount": mr.amount, "qty": mr.qty}).groupby(key, sort=False).sum()
    batch_key, amount_sum, qty = sums.index.to_numpy(), sums["amount"].to_numpy(), sums["qty"].to_numpy()
    row, rest = np.divmod(batch_key, 2 * n_mat)
    kind, m = np.divmod(rest, n_mat)
    # a batch with a missing item (or line) or material has no reference price: grouping leaves it out
    group = w.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    keyed = w[keys].notna().all(axis=1).to_numpy()
    has = (qty > 0) & (m > 0) & keyed[row]
    price = amount_sum[has] / qty[has]
    ref_key = (group[row[has]] * 2 + kind[has]) * n_mat + m[has]
    ref = pd.Series(price).groupby(ref_key, sort=False).median()
    mine = np.zeros(len(w), dtype=bool)
    mine[targets] = True
    pick = np.flatnonzero(mine[mr.batch])
    prow, pkind, pmat = mr.batch[pick], mr.kind[pick], mat[pick]
    want = (group[prow] * 2 + pkind) * n_mat + (pmat + 1)
    ref_price = ref.reindex(want).to_numpy(copy=True)
    ref_price[~keyed[prow]] = np.nan
    amount, qty_p = mr.amount[pick], mr.qty[pick]
    effect = np.nan_to_num(amount - ref_price * qty_p, nan=0.0)
    position = pa.array(mr.position[pick])
    return pd.DataFrame({
        "row": prow,
        "kind": np.array(KINDS, dtype=object)[pkind],
        "material_id": material.take(position).to_pandas().array,
        "lot_id": arrow_text(result.ds.get("material_issues")["lot_id"]).take(position).to_pandas().array,
        "effect": effect * scale[prow] / w["qty_good"].to_numpy()[prow],
    })


def attribution(result: CostResult, batch_ids: list[str] | None = None, by_line: bool = False) -> pd.DataFrame:
    """Each driver's share of a batch's deviation from its reference unit cost.

    One row per batch x driver: per_unit (currency per good unit, signed) and
    share (per_unit / deviation_per_unit); the drivers of a batch sum to its
    deviation_per_unit. Drivers: material_price, material_usage (and the same
    for subassembly), every other cost element (labor, machine, each pool's and
    direct cost's element), and scrap. Price drivers name the lot (or
    sub-assembly batch) that pushed them most: lot_id, material_id, supplier
    and lot_per_unit, and `detail` says it in words. Default batches: the
    flagged ones of the run's period.
    """
    w = window(result, by_line)
    if batch_ids is None:
        targets = np.flatnonzero(((w["rules"] != "") & (w["period"] == result.period)).to_numpy())
    else:
        targets = np.flatnonzero(w["batch_id"].isin(batch_ids).to_numpy())
    return _attribute(result, w, _keys(by_line), targets)


def _attribute(result: CostResult, w: pd.DataFrame, keys: list[str], targets: np.ndarray) -> pd.DataFrame:
    if not len(targets):
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in ATTRIBUTION_COLUMNS.items()})
    per_unit, elements, code = _per_unit_by_element(result, w)
    lo, hi = _median_batches(w, keys)
    reference = (per_unit[lo] + per_unit[hi]) / 2.0
    started_per_good = (w["qty_started"] / w["qty_good"]).to_numpy()
    ref_k = (started_per_good[lo] + started_per_good[hi]) / 2.0
    # restating at the reference yield scales a batch's costs by ref_k / k (k = 0 would mean no qty_started)
    scale = np.where(started_per_good > 0, ref_k / np.where(started_per_good > 0, started_per_good, 1.0), 1.0)
    restated = per_unit * scale[:, None]
    prices = _price_rows(result, w, keys, code, scale, targets)
    price_sum = np.zeros((len(w), len(SPLIT)))
    np.add.at(price_sum, (prices["row"].to_numpy(), pd.Index(SPLIT).get_indexer(prices["kind"])),
              prices["effect"].to_numpy())
    drivers: dict[str, np.ndarray] = {}
    for e, name in enumerate(elements):
        diff = restated[:, e] - reference[:, e]
        if name in SPLIT:
            drivers[f"{name}_price"] = price_sum[:, SPLIT.index(name)]
            drivers[f"{name}_usage"] = diff - price_sum[:, SPLIT.index(name)]
        else:
            drivers[name] = diff
    drivers["scrap"] = w["unit_cost"].to_numpy() - restated.sum(axis=1)
    ordered = sorted(drivers, key=_driver_key)
    dev = w["deviation_per_unit"].to_numpy()
    long = pd.DataFrame({
        "row": np.repeat(targets, len(ordered)),
        "driver": np.tile(np.array(ordered, dtype=object), len(targets)),
        "per_unit": np.stack([drivers[d][targets] for d in ordered], axis=1).reshape(-1),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        long["share"] = long["per_unit"] / dev[long["row"].to_numpy()]
    long = long.join(_top_lots(result, long, prices))
    long["detail"] = _detail_text(long, started_per_good, ref_k)
    long.insert(0, "batch_id", w["batch_id"].to_numpy()[long["row"].to_numpy()])
    return long[list(ATTRIBUTION_COLUMNS)]


def _driver_key(name: str) -> tuple[int, str]:
    first = ("material_price", "material_usage", "subassembly_price", "subassembly_usage", "labor", "machine")
    return (first.index(name), name) if name in first else (len(first) + (name == "scrap"), name)


def _top_lots(result: CostResult, long: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """For each price driver: the lot (or sub-assembly batch) that pushed it most, its material and supplier."""
    out = pd.DataFrame({"lot_id": None, "material_id": None, "supplier": None, "lot_per_unit": np.nan},
                       index=long.index)
    lots = prices.groupby(["row", "kind", "lot_id", "material_id"], as_index=False, sort=False)["effect"].sum()
    for kind in SPLIT:
        mine = long[long["driver"] == f"{kind}_price"]
        cand = lots[lots["kind"] == kind].merge(mine[["row", "per_unit"]].reset_index(), on="row")
        cand = cand[(cand["effect"] * cand["per_unit"] > 0).to_numpy()]  # lots that pushed the same way
        cand = cand.assign(size=cand["effect"].abs()).sort_values(["size", "lot_id"], ascending=[False, True])
        best = cand.drop_duplicates("index").set_index("index")
        supplier = _suppliers(result).reindex(best["lot_id"]).to_numpy() if kind == "material" else None
        picked = best[["lot_id", "material_id", "effect"]].to_numpy()
        out.loc[best.index, ["lot_id", "material_id", "lot_per_unit"]] = picked
        out.loc[best.index, "supplier"] = supplier
    return out


def _detail_text(long: pd.DataFrame, k: np.ndarray, ref_k: np.ndarray) -> pd.Series:
    """Words for price drivers (the lot that moved most) and scrap (yield vs the reference's)."""
    detail = pd.Series("", index=long.index, dtype=object)
    for driver in ("material_price", "subassembly_price"):
        pick = long[(long["driver"] == driver).to_numpy() & long["lot_id"].notna().to_numpy()]
        if pick.empty:
            continue
        t = pick[["lot_id", "material_id", "supplier"]].astype(object).fillna("unknown").astype(str)
        words = ("lot " + t["lot_id"] + " of " + t["material_id"] + " from supplier " + t["supplier"]
                 if driver == "material_price" else "sub-assembly batch " + t["lot_id"] + " (" + t["material_id"] + ")")
        detail[pick.index] = (words + " (" + pick["lot_per_unit"].map("{:+.4f}".format) + "/unit)").to_numpy()
    scrap = (long["driver"] == "scrap").to_numpy()
    row = long.loc[scrap, "row"].to_numpy()
    detail[scrap] = ("yield " + pd.Series(100.0 / k[row]).map("{:.1f}".format) + " % vs "
                     + pd.Series(100.0 / ref_k[row]).map("{:.1f}".format) + " % in the reference").to_numpy()
    return detail


def _suppliers(result: CostResult) -> pd.Series:
    lots = result.ds.get("material_lots")
    lots = lots[lots["lot_id"].notna()].drop_duplicates("lot_id")
    return pd.Series(lots["supplier"].to_numpy(dtype=object), index=lots["lot_id"].to_numpy(dtype=object))


def anomalies(result: CostResult, by_line: bool = False, scope: Literal["period", "window"] = "period"
              ) -> pd.DataFrame:
    """The `batch_anomalies` table: flagged completed batches, why, and the driver that explains most.

    scope="period" judges the batches completed in the run's period (what
    `batchkit cost` writes); "window" judges every batch of the window.
    top_driver is the driver (see `attribution`) with the largest contribution
    in the direction of the deviation; top_driver_share is its part of the
    deviation per unit (1.0 = all of it; above 1 when others offset it).
    """
    w = window(result, by_line)
    flagged = (w["rules"] != "").to_numpy().copy()
    if scope == "period":
        flagged &= (w["period"] == result.period).to_numpy()
    out = w[flagged].rename(columns={"median": "reference_unit_cost"})
    if out.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in ANOMALY_COLUMNS.items()})
    att = _attribute(result, w, _keys(by_line), np.flatnonzero(flagged))
    sign = np.sign(out.set_index("batch_id")["deviation_per_unit"]).reindex(att["batch_id"]).to_numpy()
    att = att.assign(toward=att["per_unit"].to_numpy() * np.where(sign == 0, 1.0, sign))
    top = att.sort_values(["toward", "driver"], ascending=[False, True], kind="stable").drop_duplicates("batch_id")
    top = top.set_index("batch_id")
    for col, src in (("top_driver", "driver"), ("top_driver_share", "share"), ("top_driver_detail", "detail"),
                     ("top_driver_lot", "lot_id"), ("top_driver_material", "material_id"),
                     ("top_driver_supplier", "supplier")):
        out[col] = top[src].reindex(out["batch_id"]).to_numpy()
    return out[list(ANOMALY_COLUMNS)].sort_values("batch_id", kind="stable").reset_index(drop=True)
