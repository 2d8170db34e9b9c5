"""Time the analytics on a synthetic plant: `python bench/analyze_bench.py [--batches 20000]`.

Uses `batchkit demo-data` when the demo module exists; otherwise writes a
synthetic plant in the data contract (sub-assemblies, standards, pools of
several bases, shipments, inspections, nonconformances) under --dir.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import batchkit
from batchkit import analyze
from batchkit.core.params import load_params

PERIODS = [str(np.datetime64("2025-07") + i) for i in range(12)]
LINES = ["catheters", "stents", "sutures", "ivsets"]
ELEMENTS = ["overhead", "energy", "depreciation", "quality", "cleanroom"]


def synthetic(folder: Path, n: int, seed: int = 7) -> None:
    """A plant of n batches over 12 months; about 20 % are sub-assemblies consumed by later batches."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_items = 60
    items = np.array([f"IT{i:03d}" for i in range(n_items)])
    item_line = np.array(LINES)[np.arange(n_items) % len(LINES)]
    is_sub_item = np.arange(n_items) >= 48  # items 48..59 are sub-assemblies
    day0 = np.datetime64("2025-07-01")
    span = 365
    item = rng.integers(0, n_items, n)
    start = day0 + rng.integers(0, span - 5, n)
    dur = rng.integers(2, 20, n)
    end = start + dur
    open_ = end > np.datetime64("2026-06-30")
    started = rng.integers(200, 2000, n).astype(float)
    scrap = np.floor(started * rng.beta(2, 80, n))
    good = np.where(open_, 0, started - scrap)
    ids = np.array([f"B{i:06d}" for i in range(n)])
    batches = pd.DataFrame({
        "batch_id": ids, "item_id": items[item], "product_line": item_line[item], "site": "SZ",
        "start_date": start.astype(str), "end_date": np.where(open_, "", end.astype(str)),
        "qty_started": started, "qty_good": good, "qty_scrap": np.where(open_, 0, scrap)})
    # purchased materials: 4 per batch from a 200-material catalogue, 3 lots each with its own price
    n_mat = 200
    base_price = np.round(rng.lognormal(0, 1, n_mat), 4)
    lot_mat = np.repeat(np.arange(n_mat), 3)
    lot_price = np.round(base_price[lot_mat] * rng.normal(1, 0.03, len(lot_mat)), 4)
    lots = pd.DataFrame({"lot_id": [f"L{i:05d}" for i in range(len(lot_mat))],
                         "material_id": [f"M{m:03d}" for m in lot_mat],
                         "supplier": np.array(["Acme", "Bolt", "Cora", "Dyna"])[lot_mat % 4],
                         "received_date": "2025-06-01", "unit_cost": lot_price, "qty_received": 1e6})
    k = 4
    rb = np.repeat(np.arange(n), k)
    mat = (item[rb] * 7 + np.tile(np.arange(k), n) * 13) % n_mat
    lot = mat * 3 + rng.integers(0, 3, len(rb))
    qty = np.round(started[rb] * (0.5 + (mat % 5) * 0.2) * rng.normal(1, 0.02, len(rb)), 3)
    issues = pd.DataFrame({"batch_id": ids[rb], "material_id": lots["material_id"].to_numpy()[lot],
                           "lot_id": lots["lot_id"].to_numpy()[lot], "qty": qty, "unit_cost": np.nan,
                           "date": start[rb].astype(str)})
    # sub-assembly issues: finished batches consume a completed sub-assembly batch that ended before they start
    sub_batches = np.flatnonzero(is_sub_item[item] & ~open_)
    fg = np.flatnonzero(~is_sub_item[item])
    order = np.argsort(end[sub_batches])
    sub_sorted = sub_batches[order]
    pos = np.searchsorted(end[sub_sorted], start[fg], side="left") - 1
    has = pos >= 0
    fg, pos = fg[has], pos[has]
    pick = sub_sorted[rng.integers(0, pos + 1)]
    take = np.floor(good[pick] * 0.05)
    ok = take > 0
    subs = pd.DataFrame({"batch_id": ids[fg[ok]], "material_id": items[item[pick[ok]]], "lot_id": ids[pick[ok]],
                         "qty": take[ok], "unit_cost": np.nan, "date": start[fg[ok]].astype(str)})
    issues = pd.concat([issues, subs], ignore_index=True)
    # operations: 3 per batch on 6 work centers
    ob = np.repeat(np.arange(n), 3)
    wc = (item[ob] + np.tile(np.arange(3), n)) % 6
    steps = np.array(["mold", "assemble", "pack"])[np.tile(np.arange(3), n)]
    ops = pd.DataFrame({"batch_id": ids[ob], "operation": steps,
                        "work_center": [f"WC{w}" for w in wc],
                        "labor_hours": np.round(started[ob] * 0.01 * rng.normal(1, 0.05, len(ob)), 2),
                        "machine_hours": np.round(started[ob] * 0.005 * rng.normal(1, 0.05, len(ob)), 2),
                        "date": (start[ob] + 1).astype(str)})
    rates = pd.DataFrame({"work_center": [f"WC{w}" for w in range(6)], "labor_rate": 45 + np.arange(6),
                          "machine_rate": 80 + 5 * np.arange(6)})
    direct = pd.DataFrame({"batch_id": ids, "cost_element": np.where(rng.random(n) < 0.1, "rework", "sterilization"),
                           "amount": np.round(started * 0.2, 2), "date": end.astype(str)})
    direct = direct[~open_]
    pools = pd.DataFrame([{"pool_id": f"P-{e[:3].upper()}-{p}", "cost_element": e, "period": p,
                           "amount": round(float(rng.uniform(50_000, 200_000)), 2)}
                          for p in PERIODS for e in ELEMENTS])
    drivers = pd.DataFrame({"batch_id": ids, "driver": "sterilization_load_m3",
                            "value": np.round(started / 100, 1), "period": start.astype("datetime64[M]").astype(str)})
    done = np.flatnonzero(~open_ & ~is_sub_item[item])
    sb = np.repeat(done, 2)
    sqty = np.floor(good[sb] / 2)
    ship = pd.DataFrame({"batch_id": ids[sb], "customer": np.array(["Hosp-A", "Hosp-B", "Dist-C", "Dist-D"])[
        rng.integers(0, 4, len(sb))], "ship_date": (end[sb] + 3).astype(str), "qty": sqty,
        "revenue": np.round(sqty * 25.0, 2)})
    ship = ship[ship["qty"] > 0]
    ib = np.repeat(np.arange(n), 2)
    tested = np.full(len(ib), 50.0)
    failed = rng.binomial(50, 0.02, len(ib)).astype(float)
    insp = pd.DataFrame({"batch_id": ids[ib], "test": np.tile(["leak", "tensile"], n),
                         "result": np.where(failed > 0, "fail", "pass"), "qty_tested": tested,
                         "qty_failed": failed, "date": (start[ib] + 2).astype(str)})
    nb = np.flatnonzero(rng.random(n) < 0.1)
    ncr = pd.DataFrame({"ncr_id": [f"N{i:06d}" for i in range(len(nb))], "batch_id": ids[nb], "defect": "burr",
                        "disposition": np.array(["scrap", "rework", "use_as_is"])[np.arange(len(nb)) % 3],
                        "qty": 5.0, "date": (start[nb] + 2).astype(str), "cost": 120.0})
    bom_rows = pd.DataFrame({"item_id": items[np.repeat(np.arange(n_items), k)],
                             "mat": (np.repeat(np.arange(n_items), k) * 7 + np.tile(np.arange(k), n_items) * 13)
                             % n_mat})
    bom = pd.DataFrame({"item_id": bom_rows["item_id"], "material_id": [f"M{m:03d}" for m in bom_rows["mat"]],
                        "qty_per_unit": np.round(0.5 + (bom_rows["mat"] % 5) * 0.2, 3) * 1.02,
                        "std_unit_cost": base_price[bom_rows["mat"]]})
    routing = pd.DataFrame({"item_id": np.repeat(items, 3), "operation": np.tile(["mold", "assemble", "pack"], n_items),
                            "work_center": [f"WC{(i + j) % 6}" for i in range(n_items) for j in range(3)],
                            "labor_hours_per_unit": 0.0105, "machine_hours_per_unit": 0.0052,
                            "std_labor_rate": 47.0, "std_machine_rate": 90.0})
    tables = {"batches": batches, "material_issues": issues, "material_lots": lots, "operations": ops,
              "rates": rates, "direct_costs": direct, "cost_pools": pools, "drivers": drivers, "shipments": ship,
              "inspections": insp, "nonconformances": ncr, "standard_bom": bom, "standard_routing": routing}
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)


def timed(label: str, fn, rows: list[tuple[str, float]]):
    t0 = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=20000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--period", default="2026-06")
    args = ap.parse_args()
    folder = Path(args.dir or f"/tmp/batchkit-bench-{args.batches}")
    if not (folder / "batches.csv").exists() and not (folder / "batches.parquet").exists():
        try:
            from batchkit.demo.write import write_demo
        except ImportError:
            synthetic(folder, args.batches)
        else:
            write_demo(folder, seed=7, batches=args.batches, fmt="csv")
    params = load_params()
    rows: list[tuple[str, float]] = []
    ds = timed("load", lambda: batchkit.load_dataset(folder, params), rows)
    result = timed("cost (incl. validate, variances)", lambda: batchkit.cost(ds, args.period, params), rows)
    timed("anomalies", lambda: analyze.anomalies(result), rows)
    timed("unit_cost_stats", lambda: analyze.unit_cost_stats(result), rows)
    timed("quality_cost", lambda: analyze.quality_cost(result), rows)
    for by in ("batch", "customer"):
        timed(f"margin by {by}", lambda by=by: analyze.margin(result, by=by), rows)
    timed("wip + wip_days_by_line", lambda: (analyze.wip(result), analyze.wip_days_by_line(result)), rows)
    alt = {"default_basis": "labor_hours", "by_cost_element": {"energy": "material_cost", "quality": "equal"}}
    configs = {"params": params.allocation, "labor": alt}
    first = timed("whatif, 2 configs (first call)", lambda: analyze.whatif(ds, configs, args.period, params), rows)
    alt2 = {"default_basis": "started_units"}
    second = timed("whatif, one new config (base cached)",
                   lambda: analyze.whatif(ds, {"params": params.allocation, "started": alt2}, args.period, params),
                   rows)
    n = len(result.batch_summary)
    print(f"{n:,} batches, {len(ds['material_issues']):,} material issues, {len(ds['operations']):,} operations, "
          f"{len(result.allocation_ledger):,} allocation rows")
    for label, secs in rows:
        print(f"  {label:<42} {secs:7.3f} s")
    for label, w in (("first what-if", first), ("second what-if", second)):
        print(f"  {label}: " + ", ".join(f"{k} {v:.3f} s" for k, v in w.timings.items()))


if __name__ == "__main__":
    main()
