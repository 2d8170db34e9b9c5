"""Shop-floor transactions of the demo plant: material issues (with genealogy) and operations.

Rows are made by expanding batches by their item's BOM or routing and then
by a random number of postings per line, all with numpy repeat/cumsum; no
loop runs over batches or rows. Sub-assemblies are matched to consumers
first-in-first-out per sub-assembly item (a loop over a few dozen items).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .plant import Plant, item_minutes

ISSUE_ROWS_PER_BATCH = 48
OPERATION_ROWS_PER_BATCH = 10
_KEPT = 0.975  # share of planned postings dated by the cutoff (WIP batches lose their late ones)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: each expanded row's group and its position within the group."""
    counts = np.asarray(counts, dtype=np.int64)
    group = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return group, np.arange(group.size) - starts[group]


def _per_item(frame: pd.DataFrame, batch_item: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(batch of each row, row of `frame`) for every batch x every row of its item; frame sorted by item."""
    counts = np.bincount(frame["item"], minlength=n_items)
    first = np.cumsum(counts) - counts
    batch, pos = expand(counts[batch_item])
    return batch, first[batch_item[batch]] + pos


def _split(rng: np.random.Generator, total: np.ndarray, counts: np.ndarray, counted: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Split each total into `counts` random parts: whole units for counted materials, else 3 decimals."""
    group, _ = expand(counts)
    w = rng.uniform(0.5, 1.5, group.size)
    q = total[group] * w / np.bincount(group, w)[group]
    c = counted[group]
    return group, np.where(c, np.maximum(np.rint(q), 1), np.maximum(np.round(q, 3), 0.001))


def _in_life(rng: np.random.Generator, b: pd.DataFrame, batch: np.ndarray, share: float = 1.0) -> np.ndarray:
    """A day within the first `share` of each batch's planned life."""
    dur = b["dur"].to_numpy()[batch]
    days = np.floor(rng.random(batch.size) * (dur * share + 1)).astype(np.int64)
    return np.asarray(b["start"].to_numpy()[batch] + days)


def material_issues(rng: np.random.Generator, plant: Plant, b: pd.DataFrame, lots: pd.DataFrame,
                    opening_lot: np.ndarray) -> pd.DataFrame:
    """Issues of purchased lots, returns, and sub-assembly batches (or their opening stock).

    Columns: batch, mat (material index; sub-assemblies n_materials + item), lot (lot row, -1 when a
    batch), lot_batch (batch row, -1 when a lot), qty, unit_cost (NaN = leave empty), day.
    """
    n_mat = len(plant.materials)
    batch, row = _per_item(plant.bom, b["item"].to_numpy(), len(plant.items))
    bom = plant.bom.iloc[row]
    over = np.where(b["abnormal"].to_numpy() == 2, rng.uniform(1.2, 1.4, len(b)), 1.0)
    need = bom["qpu"].to_numpy() * b["qs"].to_numpy()[batch] * rng.normal(1, 0.015, batch.size) * over[batch]
    bought = bom["mat"].to_numpy() >= 0
    n_subs = int((~bought).sum())
    lam = max(0.1, (ISSUE_ROWS_PER_BATCH / 1.02 / _KEPT * len(b) - 1.3 * n_subs) / max(bought.sum(), 1) - 1)
    counts = 1 + rng.poisson(lam, int(bought.sum()))
    mat_of_req = bom["mat"].to_numpy()[bought]
    grp, qty = _split(rng, need[bought], counts, plant.materials["counted"].to_numpy()[mat_of_req])
    p = pd.DataFrame({"batch": batch[bought][grp], "mat": mat_of_req[grp], "qty": qty})
    p["day"] = _in_life(rng, b, p["batch"].to_numpy())
    p = p[p["day"].to_numpy() <= b["cutoff"].to_numpy()[p["batch"]]]
    p["lot"] = _pick_lots(rng, lots, p["mat"].to_numpy(), p["day"].to_numpy())
    cost = lots["unit_cost"].to_numpy()[p["lot"]]
    p["unit_cost"] = np.where(rng.random(len(p)) < 0.1, np.nan, cost)
    p["lot_batch"] = -1
    subs = _sub_issues(rng, b, batch[~bought], bom["sub"].to_numpy()[~bought], need[~bought])
    subs["mat"] = n_mat + subs["item"]
    subs["lot"] = np.where(subs["lot_batch"] < 0, opening_lot[subs["item"]], -1)
    subs["unit_cost"] = np.nan  # opening-stock rows get theirs once standards are known
    cols = ["batch", "mat", "lot", "lot_batch", "qty", "unit_cost", "day"]
    out = pd.concat([p[cols], _returns(rng, b, p[cols], plant), subs[cols]], ignore_index=True)
    order = np.lexsort((out["qty"].to_numpy() < 0, out["mat"].to_numpy(), out["batch"].to_numpy(),
                        out["day"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def _pick_lots(rng: np.random.Generator, lots: pd.DataFrame, mat: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The lot received last on or before the day; 30 % of the time the one before (older stock first)."""
    purchased = lots[~lots["opening"]]
    key = purchased["mat"].to_numpy() * 1000 + purchased["day"].to_numpy() + 100
    pos = np.searchsorted(key, mat * 1000 + day + 100, side="right") - 1
    first = np.searchsorted(purchased["mat"].to_numpy(), mat, side="left")
    older = (rng.random(mat.size) < 0.3) & (pos - 1 >= first)
    return np.asarray(purchased.index.to_numpy()[pos - older])


def _returns(rng: np.random.Generator, b: pd.DataFrame, p: pd.DataFrame, plant: Plant) -> pd.DataFrame:
    """About 2 % of issue rows give part of their quantity back, so each batch-lot net stays >= 0."""
    counted = plant.materials["counted"].to_numpy()[p["mat"]]
    qty = p["qty"].to_numpy()
    pick = (rng.random(len(p)) < 0.021) & np.where(counted, qty >= 2, qty >= 0.01)
    r = p[pick].copy()
    f = rng.uniform(0.05, 0.4, len(r))
    q = r["qty"].to_numpy()
    r["qty"] = -np.where(counted[pick], np.maximum(np.floor(q * f), 1), np.maximum(np.floor(q * f * 1000) / 1000,
                                                                                 0.001))
    r["day"] = np.minimum(r["day"].to_numpy() + rng.integers(0, 3, len(r)), b["cutoff"].to_numpy()[r["batch"]])
    return r


def _sub_issues(rng: np.random.Generator, b: pd.DataFrame, consumer: np.ndarray, item: np.ndarray,
                need: np.ndarray) -> pd.DataFrame:
    """Consumers take sub-assembly batches first-in-first-out, only batches finished by the issue day.

    Per sub-assembly item: the supply is the released batches sorted by end day, each offering 75-95 %
    of its good units; demand runs in date order. Where finished supply is short, opening stock (a
    purchased lot of the sub-assembly) covers the rest, so the batches' cumulative use never overtakes
    what was finished by that day and never exceeds a batch's qty_good.
    """
    d = pd.DataFrame({"batch": consumer, "item": item, "qty": np.maximum(np.rint(need), 1).astype(np.int64)})
    d["day"] = _in_life(rng, b, consumer, share=0.5)
    d = d[d["day"].to_numpy() <= b["cutoff"].to_numpy()[d["batch"]]]
    d = d.iloc[np.lexsort((d["batch"].to_numpy(), d["day"].to_numpy(), d["item"].to_numpy()))]
    ok = ~b["wip"].to_numpy() & (b["status"].to_numpy() == "released") & (b["good"].to_numpy() > 0)
    cap = np.floor(b["good"].to_numpy() * rng.uniform(0.75, 0.95, len(b))).astype(np.int64)
    end = b["end"].to_numpy()
    parts = []
    for x in np.unique(d["item"].to_numpy()):
        dx = d[d["item"].to_numpy() == x]
        sup = np.flatnonzero(ok & (b["item"].to_numpy() == x))
        sup = sup[np.argsort(end[sup], kind="stable")]
        parts.append(_fifo(dx, sup, end[sup], np.cumsum(cap[sup])))
    cols = ["batch", "item", "lot_batch", "qty", "day"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols, dtype=np.int64)


def _fifo(d: pd.DataFrame, sup: np.ndarray, ends: np.ndarray, cum_s: np.ndarray) -> pd.DataFrame:
    day = d["day"].to_numpy()
    k = np.searchsorted(ends, day, side="right") - 1
    avail = np.where(k >= 0, cum_s[np.maximum(k, 0)] if len(cum_s) else 0, 0)
    cum_d = np.cumsum(d["qty"].to_numpy())
    short = np.maximum.accumulate(np.maximum(cum_d - avail, 0))
    opening = np.diff(short, prepend=0)
    served = cum_d - short  # cumulative units taken from batches: always <= avail
    cuts = np.unique(np.concatenate([[0], served, cum_s[cum_s < served[-1]]]))
    a, e = cuts[:-1], cuts[1:]
    dem = np.searchsorted(served, a, side="right")
    src = np.searchsorted(cum_s, a, side="right")
    from_batches = pd.DataFrame({"dem": dem, "lot_batch": sup[src] if len(sup) else src, "qty": e - a})
    from_stock = pd.DataFrame({"dem": np.flatnonzero(opening > 0), "lot_batch": -1, "qty": opening[opening > 0]})
    out = pd.concat([from_batches, from_stock], ignore_index=True)
    dem = out["dem"].to_numpy()
    return pd.DataFrame({"batch": d["batch"].to_numpy()[dem], "item": d["item"].to_numpy()[dem],
                         "lot_batch": out["lot_batch"].to_numpy(), "qty": out["qty"].to_numpy().astype(float),
                         "day": day[dem]})


def operations(rng: np.random.Generator, plant: Plant, b: pd.DataFrame, n_operators: int) -> pd.DataFrame:
    """Hours booked per routing step, in one or more bookings spread over the step's share of the batch life.

    Columns: batch, step (row of plant.steps), wc, labor, machine, day, machine_no, operator.
    """
    batch, step = _per_item(plant.steps, b["item"].to_numpy(), len(plant.items))
    st = plant.steps.iloc[step]
    lab_min, mac_min = item_minutes(plant)
    item = b["item"].to_numpy()
    extra = np.where(b["abnormal"].to_numpy() == 3, 1.15, 1.0)  # a costly rework also takes time
    noise = np.clip(rng.normal(1, 0.06, len(b)), 0.8, 1.25) * extra
    labor_h = b["qs"].to_numpy() * lab_min[item] / 60 * noise
    machine_h = b["qs"].to_numpy() * mac_min[item] / 60 * noise * rng.uniform(0.95, 1.05, len(b))
    lam = max(0.1, OPERATION_ROWS_PER_BATCH / _KEPT * len(b) / max(len(st), 1) - 1)
    grp, _ = expand(1 + rng.poisson(lam, len(st)))
    w = rng.uniform(0.6, 1.4, grp.size)
    share = w / np.bincount(grp, w)[grp]
    rb = batch[grp]
    o = pd.DataFrame({"batch": rb, "step": step[grp]})
    o["labor"] = np.round(labor_h[rb] * st["labor_share"].to_numpy()[grp] * share, 2)
    o["machine"] = np.round(machine_h[rb] * st["machine_share"].to_numpy()[grp] * share, 2)
    pos, n = st["pos"].to_numpy()[grp], st["n"].to_numpy()[grp]
    life = b["dur"].to_numpy()[rb] + 1
    o["day"] = b["start"].to_numpy()[rb] + np.floor((pos + rng.random(grp.size)) / n * life).astype(np.int64)
    t = np.searchsorted(plant.wc_types, st["wc_type"].to_numpy()[grp])
    o["wc"] = plant.wc_of[b["line"].to_numpy()[rb], b["site"].to_numpy()[rb], t]
    o["machine_no"] = rng.integers(1, 4, grp.size)
    o["operator"] = b["site"].to_numpy()[rb] * 10_000 + rng.integers(0, n_operators, grp.size)
    keep = (o["day"].to_numpy() <= b["cutoff"].to_numpy()[rb]) & ((o["labor"] > 0) | (o["machine"] > 0)).to_numpy()
    o = o[keep]
    order = np.lexsort((o["step"].to_numpy(), o["batch"].to_numpy(), o["day"].to_numpy()))
    return o.iloc[order].reset_index(drop=True)
