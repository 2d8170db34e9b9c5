"""Master data of the demo plant: items, bills of materials, routings, rates, lots and batches.

Everything is integer-coded numpy/pandas (item, line, work center and batch
indices; days counted from 2026-01-01) so the transaction generators in
`demo_flows` and `demo_costs` can stay vectorized; names are attached only
when the tables are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import periods
from .catalog import (
    FG_STEPS,
    FIRST_OP_TYPE,
    L1_STEPS,
    L2_STEPS,
    LINES,
    MATERIALS,
    RATE_RANGES,
    SITES,
    SUB_TIME,
    SUPPLIERS,
    WORK_CENTERS,
    Line,
)

FIRST_DAY = "2026-01-01"  # day 0 of the plant's calendar
EPOCH_DAY = 20454  # 2026-01-01 as days since 1970-01-01 (date32)
LAST_DAY = 180  # 2026-06-30, the end of the last period
MONTH_START = np.array([0, 31, 59, 90, 120, 151, 181])
PERIODS = tuple(f"2026-{m:02d}" for m in range(1, 7))
RAISE_DAY = 90  # 2026-04-01: the yearly wage round changes labor rates
WIP_FROM = 171  # batches started from 2026-06-21 on are still open at the end of June
VARIANT_FACTOR = (0.85, 1.0, 1.15, 1.3)  # bulk material and time per unit of the i-th item of a line
STD_YIELD = 0.965  # standards carry a scrap allowance, as standard costs in the industry do


def month_of(day: np.ndarray) -> np.ndarray:
    """Month index 0..5 of a day number (-1 before the plant's first month, 6 after its last)."""
    months = periods.month_numbers(np.datetime64(FIRST_DAY, "D") + np.asarray(day).astype("timedelta64[D]"))
    return np.clip(months - periods.period_number(FIRST_DAY[:7]), -1, len(MONTH_START) - 1)


def day_text(day: int) -> str:
    return str(np.datetime64(FIRST_DAY) + np.timedelta64(int(day), "D"))


@dataclass
class Plant:
    """The static plant: what is made where, from what, on which work centers."""

    lines: tuple[Line, ...]
    items: pd.DataFrame  # item_id, line, level (0 = level-1 sub-assembly, 1 = level-2, 2 = finished), variant
    bom: pd.DataFrame  # item, mat (material index, -1), sub (item index, -1), qpu
    steps: pd.DataFrame  # item, pos, n, operation, wc_type, labor_share, machine_share
    materials: pd.DataFrame  # material_id, uom, cost, group, counted, used
    work_centers: pd.DataFrame  # work_center, site, type
    wc_of: np.ndarray  # [line, site, step type] -> work center index
    wc_types: tuple[str, ...]


def _parse_bom(text: str, variant: int) -> list[tuple[str, float]]:
    """`A|B:2 C:0.5` -> the variant's alternative of each token with its qty per unit."""
    out = []
    for token in text.split():
        alts = token.split("|")
        default = alts[-1].partition(":")[2]
        name, _, qty = alts[variant % len(alts)].partition(":")
        out.append((name, float(qty or default)))
    return out


def build_plant(rng: np.random.Generator, n_lines: int) -> Plant:
    """Items, BOMs and routings of the first `n_lines` product lines; each makes 2-4 finished items."""
    lines = LINES[:n_lines]
    materials = pd.DataFrame(MATERIALS, columns=["material_id", "uom", "cost", "group"])
    materials["counted"] = materials["uom"] == "pcs"
    mat_index = {m: i for i, m in enumerate(materials["material_id"])}
    items: list[tuple[str, int, int, int]] = []
    bom: list[tuple[int, int, int, float]] = []
    steps: list[tuple[int, str, str, float, float]] = []
    for li, line in enumerate(lines):
        l1, l2 = len(items), len(items) + 1
        items += [(line.l1[0], li, 0, 0), (line.l2[0], li, 1, 0)]
        bom += [(l1, mat_index[m], -1, q) for m, q in _parse_bom(line.l1[2], 0)]
        bom += [(l2, mat_index[m], -1, q) for m, q in _parse_bom(line.l2[1], 0)] + [(l2, -1, l1, 1.0)]
        first = line.l1[1]
        steps += [(l1, op.format(first=first), t.format(type=FIRST_OP_TYPE[first]), ls, ms) for op, t, ls, ms in
                  L1_STEPS]
        steps += [(l2, op, t, ls, ms) for op, t, ls, ms in L2_STEPS]
        n_fg = int(rng.integers(2, len(line.items) + 1))
        fg_steps = [FG_STEPS[c] for c in line.ops]
        for v, item_id in enumerate(line.items[:n_fg]):
            fg = len(items)
            items.append((item_id, li, 2, v))
            for m, q in _parse_bom(line.bom, v):
                counted = materials["counted"].iat[mat_index[m]]
                bom.append((fg, mat_index[m], -1, q if counted else q * VARIANT_FACTOR[v]))
            bom.append((fg, -1, l2, 1.0))
            if line.fg_l1:
                bom.append((fg, -1, l1, float(line.fg_l1)))
            steps += [(fg, op, t, ls, ms) for op, t, ls, ms in fg_steps]
    items_df = pd.DataFrame(items, columns=["item_id", "line", "level", "variant"])
    bom_df = pd.DataFrame(bom, columns=["item", "mat", "sub", "qpu"])
    materials["used"] = materials.index.isin(bom_df["mat"])
    steps_df = _normalized_steps(pd.DataFrame(steps, columns=["item", "operation", "wc_type", "labor_share",
                                                             "machine_share"]))
    wcs = pd.DataFrame(WORK_CENTERS, columns=["work_center", "site"])
    wcs["type"] = wcs["work_center"].str[:4]
    types = tuple(sorted(wcs["type"].unique()))
    wc_of = np.zeros((n_lines, len(SITES), len(types)), dtype=np.int64)
    for si, site in enumerate(SITES):
        for ti, t in enumerate(types):
            choices = np.flatnonzero((wcs["site"] == site).to_numpy() & (wcs["type"] == t).to_numpy())
            wc_of[:, si, ti] = choices[np.arange(n_lines) % len(choices)]
    return Plant(lines, items_df, bom_df, steps_df, materials, wcs, wc_of, types)


def _normalized_steps(steps: pd.DataFrame) -> pd.DataFrame:
    """Shares of time per item sum to 1; pos/n place each step in the batch's life."""
    g = steps.groupby("item", sort=False)
    steps["labor_share"] /= g["labor_share"].transform("sum")
    steps["machine_share"] /= g["machine_share"].transform("sum")
    steps["pos"] = g.cumcount()
    steps["n"] = g["item"].transform("size")
    return steps.sort_values(["item", "pos"], kind="stable").reset_index(drop=True)


def item_minutes(plant: Plant) -> tuple[np.ndarray, np.ndarray]:
    """Planned labor and machine minutes per unit of every item."""
    it = plant.items
    labor = np.array([plant.lines[li].labor_min for li in it["line"]])
    machine = np.array([plant.lines[li].machine_min for li in it["line"]])
    lvl = it["level"].to_numpy()
    factor = np.array(VARIANT_FACTOR)[it["variant"].to_numpy()]
    lab_share = np.where(lvl == 0, SUB_TIME[0][0], np.where(lvl == 1, SUB_TIME[1][0], factor))
    mac_share = np.where(lvl == 0, SUB_TIME[0][1], np.where(lvl == 1, SUB_TIME[1][1], factor))
    return labor * lab_share, machine * mac_share


# ------------------------------------------------------------------ work-center rates


def build_rates(rng: np.random.Generator, plant: Plant) -> pd.DataFrame:
    """Rates per work center: the yearly raise on 2026-04-01, a new press on MOLD01 from 2026-05-18.

    Days are relative to 2026-01-01; None means an open end (valid_from or valid_to empty).
    """
    wcs = plant.work_centers
    rows: list[tuple[int, float, float, int | None, int | None]] = []
    for i, (wc, site, t) in enumerate(wcs[["work_center", "site", "type"]].itertuples(index=False)):
        (l_lo, l_hi), (m_lo, m_hi) = RATE_RANGES[t]
        labor = max(45.0, rng.uniform(l_lo, l_hi) * (0.92 if site == "CD" else 1.0))
        machine = rng.uniform(m_lo, m_hi)
        if wc == "STPR02":  # one work center never changed its rate: both dates empty
            rows.append((i, labor, machine, None, None))
            continue
        since = None if t == "INSP" else -184  # 2025-07-01
        raised = labor * rng.uniform(1.03, 1.06)
        rows.append((i, labor, machine, since, RAISE_DAY - 1))
        if wc == "MOLD01":
            rows.append((i, raised, machine, RAISE_DAY, 136))
            rows.append((i, raised, machine * 1.12, 137, None))
        else:
            rows.append((i, raised, machine * rng.choice([1.0, 1.0, 1.04]), RAISE_DAY, None))
    rates = pd.DataFrame(rows, columns=["wc", "labor_rate", "machine_rate", "valid_from", "valid_to"])
    rates[["labor_rate", "machine_rate"]] = rates[["labor_rate", "machine_rate"]].round(2)
    return rates


def rate_on(rates: pd.DataFrame, wc: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labor and machine rate in force for each (work center, day); rows of a work center never overlap."""
    frm = rates["valid_from"].fillna(-10_000).to_numpy(dtype=np.int64)
    key = rates["wc"].to_numpy(dtype=np.int64) * 100_000 + frm + 50_000
    order = np.argsort(key, kind="stable")
    pos = order[np.searchsorted(key[order], np.asarray(wc) * 100_000 + np.asarray(day) + 50_000, "right") - 1]
    return rates["labor_rate"].to_numpy()[pos], rates["machine_rate"].to_numpy()[pos]


# ------------------------------------------------------------------ purchased lots


def build_lots(rng: np.random.Generator, plant: Plant, n_batches: int) -> pd.DataFrame:
    """Several lots per used material over the half year (the first in December), price drift within 5 %."""
    rows = []
    per_material = min(40, 4 + n_batches // 1500)
    for m in np.flatnonzero(plant.materials["used"].to_numpy()):
        mat = plant.materials.iloc[m]
        k = per_material + int(rng.integers(0, 3))
        days = np.sort(np.concatenate([[-int(rng.integers(10, 31))],
                                       np.linspace(0, 172, k - 1).astype(int) + rng.integers(-5, 6, k - 1)]))
        days = np.clip(days, -30, 178)
        drift = np.clip(np.cumsum(rng.normal(0, 0.015, k)), -0.05, 0.05)
        cost = np.maximum(np.round(mat["cost"] * (1 + drift), 4), 0.0001)
        group = SUPPLIERS[mat["group"]]
        n_sup = min(len(group), 2 + int(m) % 2)
        sups = [group[(m + j) % len(group)] for j in range(n_sup)]
        pick = rng.integers(0, n_sup, k)
        for d, c, s in zip(days, cost, pick, strict=True):
            rows.append((m, int(d), float(c), sups[s]))
    lots = pd.DataFrame(rows, columns=["mat", "day", "unit_cost", "supplier"])
    lots["opening"] = False
    return lots.sort_values(["mat", "day"], kind="stable").reset_index(drop=True)


def lot_ids(lots: pd.DataFrame, names: np.ndarray) -> list[str]:
    """`L-RESPP-260105-01`: material, receipt date, sequence that day."""
    seq = lots.groupby(["mat", "day"]).cumcount().to_numpy() + 1
    dates = (np.datetime64(FIRST_DAY) + lots["day"].to_numpy().astype("timedelta64[D]")).astype(str)
    return [f"L-{names[m].replace('-', '')}-{d[2:4]}{d[5:7]}{d[8:10]}-{s:02d}"
            for m, d, s in zip(lots["mat"], dates, seq, strict=True)]


# ------------------------------------------------------------------ batches


def _start_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Start days over the half year: fewer on Sundays, hardly any over Chinese New Year (Feb 15-23)."""
    w = np.ones(LAST_DAY + 1)
    w[(np.arange(LAST_DAY + 1) + 3) % 7 == 6] = 0.5  # 2026-01-01 is a Thursday
    w[45:54] = 0.1
    return rng.choice(LAST_DAY + 1, size=n, p=w / w.sum())


def build_batches(rng: np.random.Generator, plant: Plant, n: int) -> pd.DataFrame:
    """The batch master, integer-coded, in ID order (ID order = start order)."""
    it = plant.items
    n_lines = len(plant.lines)
    w = rng.uniform(0.6, 1.4, n_lines)
    line = rng.choice(n_lines, size=n, p=w / w.sum())
    level = rng.choice(3, size=n, p=[0.11, 0.11, 0.78])
    l1_of = np.flatnonzero((it["level"] == 0).to_numpy())  # per line: level-1, level-2, then finished items
    fg_count = np.bincount(it["line"][it["level"] == 2], minlength=n_lines)
    pick = np.floor(rng.random(n) ** 1.3 * fg_count[line]).astype(np.int64)
    item = l1_of[line] + np.where(level == 2, 2 + pick, level)
    home = np.array([SITES.index(ln.site) for ln in plant.lines])
    site = np.where(rng.random(n) < 0.9, home[line], 1 - home[line])
    start = _start_days(rng, n)
    dur = rng.integers(3, 13, n)
    planned_end = start + dur
    wip = (start >= WIP_FROM) | (planned_end > LAST_DAY)
    stalled = ~wip & (level == 2) & (start >= RAISE_DAY) & (rng.random(n) < 0.012)
    cutoff = np.where(stalled, start + dur // 2, np.minimum(planned_end, LAST_DAY))
    wip |= stalled
    b = pd.DataFrame({"line": line, "level": level, "item": item, "site": site, "start": start, "dur": dur,
                      "end": np.where(wip, -1, planned_end), "cutoff": cutoff, "wip": wip})
    b["qs"] = _sizes(rng, plant, b)
    _outcomes(rng, b)
    order = np.lexsort((rng.random(n), start))
    return b.iloc[order].reset_index(drop=True)


def _sizes(rng: np.random.Generator, plant: Plant, b: pd.DataFrame) -> np.ndarray:
    """Finished batches by the line's size range; sub-assembly batches sized to feed them (35 % spare)."""
    n_lines = len(plant.lines)
    line_lo = np.array([ln.size[0] for ln in plant.lines], dtype=float)
    lo = line_lo[b["line"]]
    hi = np.array([ln.size[1] for ln in plant.lines], dtype=float)[b["line"]]
    step = np.where(lo >= 10_000, 100, 10)
    qs = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi))) / step) * step
    line, level = b["line"].to_numpy(), b["level"].to_numpy()
    fg_l1 = np.array([ln.fg_l1 for ln in plant.lines], dtype=float)
    for lvl in (1, 0):
        consumers = level == 2 if lvl == 1 else level >= 1
        per_unit = np.where(level == 2, fg_l1[line], 1.0) if lvl == 0 else np.ones(len(b))
        demand = np.bincount(line[consumers], qs[consumers] * per_unit[consumers], minlength=n_lines)
        count = np.bincount(line[level == lvl], minlength=n_lines)
        size = demand * 1.35 / np.maximum(count, 1)
        size = np.where(size > 0, size, 5 * line_lo)
        mine = level == lvl
        qs[mine] = np.maximum(np.round(size[line[mine]] * rng.uniform(0.8, 1.2, mine.sum()) / 100) * 100, 100)
    return np.asarray(qs)


def _outcomes(rng: np.random.Generator, b: pd.DataFrame) -> None:
    """Yield, scrap, status and the ~1 % abnormal batches (1 high scrap, 2 over-usage, 3 costly rework)."""
    n = len(b)
    wip = b["wip"].to_numpy()
    abnormal = np.where(~wip & (rng.random(n) < 0.01), rng.integers(1, 4, n), 0)
    y = 0.99 - 0.09 * rng.beta(1.5, 4, n)
    y = np.where(abnormal == 1, 1 - rng.uniform(0.10, 0.25, n), y)
    qs = b["qs"].to_numpy()
    good = np.where(wip, 0, np.floor(qs * y))
    held = np.where(rng.random(n) < 0.2, rng.integers(1, 4, n), 0)  # retained samples: neither good nor scrap
    scrap = np.where(wip, 0, np.maximum(qs - good - held, 0))
    u = rng.random(n)
    status = np.where(u < 0.05, "quarantined", np.where(u < 0.058, "rejected", "released"))
    status = np.where((abnormal == 1) & (u < 0.5), "rejected", status)
    b["good"], b["scrap"], b["abnormal"] = good, scrap, abnormal
    b["status"] = np.where(wip, np.full(n, None, dtype=object), status)
