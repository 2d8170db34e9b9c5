"""Benchmark: load + forward trace of the most used purchased lot (a plain script, not a test).

    python bench/trace_bench.py DATA            # time trace on an existing dataset folder
    python bench/trace_bench.py DATA --make N   # first write a synthetic plant of N batches into DATA

It times, each in a fresh process so nothing is shared but the disk cache:
  1. cold: no cache (the genealogy index and the costs are built from the files),
  2. warm: the cached index is reused (the normal case after the first trace),
and prints one line per run plus the size of the trace. `batchkit demo-data`
is the realistic generator; `--make` is a small vectorized stand-in for when
it is not available: three levels (components -> sub-assemblies -> finished
goods), each batch using the current lot of its materials, shipments to a few
hundred customers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

ROOT = Path(__file__).resolve().parent.parent
DAY0 = np.datetime64("2026-01-01")
DAYS = 180


def _days(offsets: np.ndarray) -> np.ndarray:
    return (DAY0 + offsets.astype("timedelta64[D]")).astype(str)


def _write(folder: Path, name: str, columns: dict[str, np.ndarray]) -> None:
    """One CSV table; scalar columns are repeated to the length of the first column."""
    n = len(next(iter(columns.values())))
    arrays = {k: pa.array(np.broadcast_to(v, n) if np.ndim(v) == 0 else v) for k, v in columns.items()}
    pv.write_csv(pa.table(arrays), folder / f"{name}.csv")


def _pick_suppliers(rng: np.random.Generator, sup_end: np.ndarray, starts: np.ndarray, k: int) -> np.ndarray:
    """For each consumer start day, one of the ~k supplier batches finished just before it."""
    order = np.argsort(sup_end, kind="stable")
    pos = np.searchsorted(sup_end[order], starts, side="left")
    pick = pos - 1 - rng.integers(0, k, len(starts))
    return order[np.clip(pick, 0, len(order) - 1)]


def make_plant(folder: Path, n: int, seed: int = 11) -> None:
    """Write a synthetic three-level plant of n batches (CSV) into folder."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_comp, n_sub = n // 4, n // 4
    n_fin = n - n_comp - n_sub
    level = np.repeat([0, 1, 2], [n_comp, n_sub, n_fin])
    start = np.concatenate([rng.integers(0, DAYS - 40, n_comp), rng.integers(15, DAYS - 20, n_sub),
                            rng.integers(30, DAYS - 3, n_fin)])
    end = start + rng.integers(1, 4, n)
    wip = (level == 2) & (rng.random(n) < 0.03)
    started = np.where(level == 0, 1000, np.where(level == 1, 400, 200))
    good = np.where(wip, 0, started - rng.integers(0, 10, n))
    ids = np.char.add(np.array(["C", "S", "F"])[level], np.char.zfill(np.arange(n).astype(str), 7))
    items = np.char.add(np.array(["COMP-", "SUBA-", "FIN-"])[level], (np.arange(n) % 40).astype(str))
    _write(folder, "batches", {
        "batch_id": ids, "item_id": items, "product_line": np.array(["catheters", "stents"])[np.arange(n) % 2],
        "site": np.array(["SZ", "SH"])[(np.arange(n) // 2) % 2], "start_date": _days(start),
        "end_date": np.where(wip, "", _days(end)), "qty_started": started, "qty_good": good,
        "qty_scrap": np.where(wip, 0, started - good),
    })
    # purchased lots: 60 materials, a new lot every ~4 days each; material 0 (packaging) goes into every batch
    n_mat, per_mat = 60, DAYS // 4
    lot_mat = np.repeat(np.arange(n_mat), per_mat)
    lot_day = np.tile(np.arange(per_mat) * 4, n_mat)
    lot_ids = np.char.add("L-", np.char.zfill(np.arange(len(lot_mat)).astype(str), 5))
    _write(folder, "material_lots", {
        "lot_id": lot_ids, "material_id": np.char.add("MAT", lot_mat.astype(str)),
        "supplier": np.char.add("Supplier ", (lot_mat % 25).astype(str)), "received_date": _days(lot_day),
        "unit_cost": np.round(rng.uniform(0.05, 20, len(lot_mat)), 4), "qty_received": 100000,
    })

    def purchased(batch: np.ndarray, mats: np.ndarray) -> dict[str, np.ndarray]:
        lot = mats * per_mat + np.minimum(start[batch] // 4, per_mat - 1)
        return {"batch_id": ids[batch], "material_id": np.char.add("MAT", mats.astype(str)), "lot_id": lot_ids[lot],
                "qty": rng.integers(1, 50, len(batch)).astype(float), "date": _days(start[batch])}

    comp, sub, fin = (np.flatnonzero(level == lv) for lv in range(3))
    parts = [purchased(np.repeat(comp, 2), rng.integers(1, n_mat, 2 * n_comp)),
             purchased(comp, np.zeros(n_comp, dtype=np.int64)),
             purchased(sub, rng.integers(1, n_mat, n_sub)),
             purchased(fin, np.zeros(n_fin, dtype=np.int64)),
             purchased(fin, rng.integers(1, n_mat, n_fin))]
    for consumers, suppliers, qty in ((np.repeat(sub, 2), comp, 150.0), (np.repeat(fin, 2), sub, 60.0)):
        chosen = suppliers[_pick_suppliers(rng, end[suppliers], start[consumers], 3000)]
        parts.append({"batch_id": ids[consumers], "material_id": items[chosen], "lot_id": ids[chosen],
                      "qty": np.full(len(consumers), qty), "date": _days(start[consumers])})
    issues = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    issues["unit_cost"] = np.full(len(issues["qty"]), "", dtype=object)
    issues["doc_id"] = np.char.add("MI", np.arange(len(issues["qty"])).astype(str))
    _write(folder, "material_issues", issues)
    wc = rng.integers(0, 6, 2 * n)
    _write(folder, "operations", {
        "batch_id": np.repeat(ids, 2), "operation": np.tile(["prepare", "assemble"], n),
        "work_center": np.char.add("WC", wc.astype(str)), "labor_hours": np.round(rng.uniform(0.5, 8, 2 * n), 2),
        "machine_hours": np.round(rng.uniform(0, 6, 2 * n), 2), "date": _days(np.repeat(start, 2)),
    })
    _write(folder, "rates", {"work_center": np.char.add("WC", np.arange(6).astype(str)),
                             "labor_rate": np.full(6, 45.0), "machine_rate": np.arange(6) * 10.0 + 20})
    months = np.arange(6)
    _write(folder, "cost_pools", {
        "pool_id": np.char.add("OH-", months.astype(str)), "cost_element": np.full(6, "overhead"),
        "period": np.array([f"2026-{m + 1:02d}" for m in months]), "amount": np.full(6, 250000.0),
    })
    shipped = fin[~wip[fin]]
    ship = np.repeat(shipped, 2)
    _write(folder, "shipments", {
        "batch_id": ids[ship], "customer": np.char.add("Hospital ", rng.integers(0, 300, len(ship)).astype(str)),
        "ship_date": _days(np.minimum(end[ship] + rng.integers(1, 5, len(ship)), DAYS - 1)),
        "qty": np.tile([100.0, 50.0], len(shipped)),
    })


def most_used_lot(folder: Path) -> str:
    """The purchased lot consumed by the most batches."""
    issues = pv.read_csv(folder / "material_issues.csv", convert_options=pv.ConvertOptions(
        include_columns=["batch_id", "lot_id"], column_types={"batch_id": pa.string(), "lot_id": pa.string()}))
    lots = pv.read_csv(folder / "material_lots.csv", convert_options=pv.ConvertOptions(
        include_columns=["lot_id"], column_types={"lot_id": pa.string()}))
    frame = issues.to_pandas()
    frame = frame[frame["lot_id"].isin(set(lots.column("lot_id").to_pylist()))]
    return str(frame.drop_duplicates().groupby("lot_id").size().idxmax())


def timed_trace(folder: Path, lot: str) -> tuple[float, dict]:
    """Load + forward trace in a fresh Python process (imports excluded), as the library would run it."""
    code = (
        "import json, sys, time; import batchkit; t = time.perf_counter(); "
        "r = batchkit.trace(sys.argv[1], sys.argv[2], params=batchkit.load_params(None)); "
        "print(json.dumps({'s': time.perf_counter() - t, 'batches': len(r.batches), "
        "'shipments': len(r.shipments), 'levels': int(r.batches['level'].max()), "
        "'cost_at_risk': r.cost_at_risk, 'warnings': r.warnings}))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(folder), lot], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    info = json.loads(proc.stdout)
    return info.pop("s"), info


def timed_cli(folder: Path, lot: str) -> float:
    """The whole command, interpreter start and imports included."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "batchkit", "trace", lot, "--data", str(folder), "--json"], cwd=ROOT,
                   capture_output=True, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--make", type=int, metavar="N", help="write a synthetic plant of N batches first")
    args = ap.parse_args()
    if args.make:
        t = time.perf_counter()
        make_plant(args.data, args.make)
        print(f"wrote a {args.make:,}-batch plant to {args.data} in {time.perf_counter() - t:.1f} s")
    lot = most_used_lot(args.data)
    shutil.rmtree(args.data / ".batchkit-cache", ignore_errors=True)
    cold, info = timed_trace(args.data, lot)
    warm, _ = timed_trace(args.data, lot)
    warm2, _ = timed_trace(args.data, lot)
    cli = timed_cli(args.data, lot)
    print(f"lot {lot}: {info}")
    print(f"cold (no cache: load, index, cost):  {cold:7.2f} s")
    print(f"warm (cached index), library call:   {min(warm, warm2):7.2f} s")
    print(f"warm, whole CLI process (--json):    {cli:7.2f} s")


if __name__ == "__main__":
    main()
