"""Benchmark: what the audit trail costs (a plain script, not a test).

    python bench/audit_bench.py /work/data/x1-parquet /work/data/x16-parquet --repeat 3 --out /tmp/audit-bench

For each dataset folder it runs whole `batchkit cost` processes, alternating
with the input snapshot on (the default) and off (`--set
audit.snapshot_inputs=false`), `--repeat` times each, and reports the fastest
wall time of each, the CPU time (user + system) and the peak memory of that
process (os.wait4), the snapshot's size per table, and the time of `batchkit
diff --json` against a rerun with one late posting (a copy of the dataset with
one more material issue). Writes into `--out` (not the dataset folders), and
prints one JSON object per dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-06"


def _run(args: list[str], stdout: Any = subprocess.DEVNULL) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system) and peak MB of one batchkit process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "batchkit", *args], cwd=ROOT, stdout=stdout,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"batchkit {' '.join(args)} failed: {err}")
    return {"wall": round(wall, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 0)}


def _late_posting(data: Path, copy: Path) -> None:
    """A copy of `data` with one more material issue: the first row again, under a new doc_id, dated in PERIOD."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy)
    path = copy / "material_issues.parquet"
    table = pq.read_table(path)
    row = table.slice(0, 1).to_pylist()[0]
    row["doc_id"] = "LATE-POSTING-1"
    if "date" in row:
        import datetime as dt

        row["date"] = dt.date(2026, 6, 30) if isinstance(row["date"], dt.date) else "2026-06-30"
    late = pa.Table.from_pylist([row], schema=table.schema)
    pq.write_table(pa.concat_tables([table, late]), path, compression="zstd")


def bench(data: Path, out: Path, repeat: int) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    on, off = out / "on" / PERIOD, out / "off" / PERIOD
    runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for _ in range(repeat):
        for mode, target in (("off", off), ("on", on)):
            extra = ["--set", "audit.snapshot_inputs=false"] if mode == "off" else []
            runs[mode].append(_run(["cost", str(data), "--period", PERIOD, "--out", str(target), *extra]))
    best = {m: min(r, key=lambda x: x["wall"]) for m, r in runs.items()}
    snapshot = {p.stem: p.stat().st_size for p in sorted((on / "snapshot").glob("*.parquet"))}
    inputs = sum(p.stat().st_size for p in data.iterdir() if p.is_file())
    late = out / "late-data"
    _late_posting(data, late)
    _run(["cost", str(late), "--period", PERIOD, "--out", str(out / "late" / PERIOD)])
    with open(out / "diff.json", "wb") as fh:
        diff = _run(["diff", str(on), str(out / "late" / PERIOD), "--json"], stdout=fh)
    found = json.loads((out / "diff.json").read_text())
    return {
        "data": str(data), "repeat": repeat,
        "cost_snapshot_on": best["on"], "cost_snapshot_off": best["off"],
        "added_wall_s": round(best["on"]["wall"] - best["off"]["wall"], 2),
        "added_cpu_s": round(best["on"]["cpu"] - best["off"]["cpu"], 2),
        "all_walls": {m: [r["wall"] for r in rs] for m, rs in runs.items()},
        "snapshot_mb": round(sum(snapshot.values()) / 1e6, 1), "inputs_mb": round(inputs / 1e6, 1),
        "snapshot_tables_mb": {k: round(v / 1e6, 2) for k, v in snapshot.items()},
        "diff_late_posting": diff,
        "diff_found": {"inputs": [(i["table"], i["change"], i["key"]) for i in found["inputs"]],
                       "batches_changed": found["summary"]["batches_changed"]},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+", type=Path, help="dataset folders (Parquet or CSV)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/batchkit-audit-bench"), help="where to write")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each mode; the fastest is reported")
    args = ap.parse_args()
    for data in args.data:
        print(json.dumps(bench(data.resolve(), args.out / data.name, args.repeat)), flush=True)


if __name__ == "__main__":
    main()
