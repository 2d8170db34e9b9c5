"""Compare the SQL cost model (batchkit.sqlmodel, DuckDB) with today's numpy engine, file for file.

    python bench/sqlmodel_compare.py demo-csv smoke-parquet x1-parquet
    python bench/sqlmodel_compare.py x16-parquet --threads 1,2 --numpy-cold

For each dataset (a folder under --data) every engine run happens in a fresh
Python process, one after the other: it loads the folder with today's loader
and params (params/default.yaml unless --params), validates, runs the cost
step alone under a clock, writes the contract's cost tables (batch_costs,
batch_summary, allocation_ledger, variances, reconciliation) with
`batchkit.output.write_tables` into a temporary folder, and reports the
sha256 of every file, its timings and the process's peak RSS. The parent
compares the files of both engines with each other and with the reference
folder (--ref/<name>.sha256, today's `batchkit cost` output) and prints one
table per dataset plus a JSON line (--json FILE keeps them all).

The numpy engine's cost step, as `batchkit cost` runs it, reuses the priced
rows and the allocation that validation computed and cached; --numpy-cold
also times it with that cache emptied (pricing and allocation included),
which is the work the SQL step does. Peak RSS is the child's ru_maxrss (load,
validation and writing included); `cost_rss_mb` is how far the cost step
raised it. --repeat N runs each cost step N times in its process and keeps
the fastest (the machine is shared: single runs vary by a factor of two).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("batch_costs", "batch_summary", "allocation_ledger", "variances", "reconciliation")
PERIOD = "2026-06"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------ one engine run (child process)


def child(data: str, engine: str, period: str, params_path: str | None, threads: int | None,
          memory_limit: str, repeat: int = 1) -> dict[str, Any]:
    """Load, validate, cost with one engine, write the tables; timings, peak memory and file hashes."""
    sys.path.insert(0, str(ROOT))
    from batchkit.checks.run import validate
    from batchkit.core.params import load_params
    from batchkit.ingest.load import load_dataset
    from batchkit.store.tables import write_tables

    out: dict[str, Any] = {"engine": engine, "threads": threads}
    params = load_params(params_path)
    t0 = time.perf_counter()
    ds = load_dataset(data, params)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    findings = validate(ds)
    out["validate_s"] = round(time.perf_counter() - t0, 3)
    out["errors"] = int((findings["severity"] == "error").sum())
    before = _peak_mb()
    with tempfile.TemporaryDirectory(prefix="sqlmodel-") as tmp:
        walls: list[float] = []
        for _ in range(repeat):  # the fastest of `repeat` runs of the cost step alone (a busy machine varies)
            tables = None
            t0, c0 = time.perf_counter(), time.process_time()
            if engine == "sql":
                from batchkit.costing import sql as sqlmodel

                eng = sqlmodel.Engine(memory_limit=memory_limit, threads=threads, temp_directory=Path(tmp) / "spill")
                t0, c0 = time.perf_counter(), time.process_time()
                tables = sqlmodel.cost_tables(ds, period, params, engine=eng)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                session = sqlmodel.open_session(ds, eng)
                steps: dict[str, float] = {}
                for st in eng.log:
                    steps[st.step] = steps.get(st.step, 0.0) + st.seconds
                detail = {"phases_s": {k: round(v, 3) for k, v in session.timings.items()},
                          "wide_steps": session.wide_steps, "statements": len(eng.log),
                          "top_statements_s": {k: round(v, 3) for k, v in
                                               sorted(steps.items(), key=lambda kv: -kv[1])[:8]}}
                ds.cache.pop(("sqlmodel", id(eng)), None)
                eng.close()
            else:
                from batchkit.costing.engine import cost

                if engine == "numpy-cold":  # validation's priced rows and allocation thrown away: from scratch
                    ds.cache = {"findings": ds.cache["findings"]}
                t0, c0 = time.perf_counter(), time.process_time()
                result = cost(ds, period, params)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                tables = {name: result.tables[name] for name in TABLES}
                detail = {}
                del result
            walls.append(wall)
            if wall <= min(walls):
                out.update(cost_s=round(wall, 3), cost_cpu_s=round(cpu, 3), **detail)
        out["cost_runs_s"] = [round(w, 3) for w in walls]
        out["cost_rss_mb"] = round(max(0.0, _peak_mb() - before), 1)
        folder = Path(tmp) / "out"
        folder.mkdir()
        t0 = time.perf_counter()
        write_tables(folder, tables)
        out["write_s"] = round(time.perf_counter() - t0, 3)
        out["files"] = {p.name: _sha256(p) for p in sorted(folder.iterdir())}
        out["rows"] = {name: len(frame) for name, frame in tables.items()}
    out["peak_rss_mb"] = round(_peak_mb(), 1)
    return out


# ------------------------------------------------------------------ parent


def reference(ref_root: Path, name: str) -> dict[str, str]:
    listing = ref_root / f"{name}.sha256"
    if not listing.exists():
        return {}
    pairs = (line.split() for line in listing.read_text().splitlines() if line.strip())
    return {file: digest for digest, file in pairs if file.split(".")[0] in TABLES}


def run_child(args: argparse.Namespace, data: Path, engine: str, threads: int | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(data), "--engine", engine, "--period", args.period,
           "--memory-limit", args.memory_limit, "--repeat", str(args.repeat)]
    if threads:
        cmd += ["--child-threads", str(threads)]
    if args.params:
        cmd += ["--params", args.params]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise SystemExit(f"{engine} on {data} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(args: argparse.Namespace, name: str) -> dict[str, Any]:
    data = Path(args.data) / name
    runs = [run_child(args, data, "numpy", None)]
    if args.numpy_cold:
        runs.append(run_child(args, data, "numpy-cold", None))
    runs += [run_child(args, data, "sql", t) for t in args.threads]
    ref = reference(Path(args.ref), name)
    base = runs[0]["files"]
    files = sorted(set(base) | set(ref))
    print(f"\n== {name} ({data})")
    header = f"{'file':30s} {'reference':>10s} " + " ".join(f"{_label(r):>12s}" for r in runs[1:])
    print(header)
    identical = True
    for f in files:
        cells = []
        for r in runs[1:]:
            same = r["files"].get(f) == base.get(f)
            identical &= same
            cells.append(f"{'same' if same else 'DIFFERS':>12s}")
        ref_cell = "-" if f not in ref else ("same" if ref[f] == base.get(f) else "DIFFERS")
        identical &= ref_cell in ("same", "-")
        print(f"{f:30s} {ref_cell:>10s} " + " ".join(cells))
    print("(numpy engine vs reference; each other run vs the numpy engine)")
    print(f"{'engine':14s} {'cost s':>8s} {'cpu s':>8s} {'validate s':>10s} {'peak RSS MB':>12s} {'cost RSS MB':>12s}")
    for r in runs:
        print(f"{_label(r):14s} {r['cost_s']:8.2f} {r['cost_cpu_s']:8.2f} {r['validate_s']:10.2f} "
              f"{r['peak_rss_mb']:12.0f} {r['cost_rss_mb']:12.0f}   runs {r['cost_runs_s']}")
        if r["engine"] == "sql":
            print(f"{'':14s} phases {r['phases_s']}  wide: {r['wide_steps'] or 'none'}")
    print(f"all identical: {identical}")
    return {"dataset": name, "identical": identical, "runs": runs, "reference": bool(ref)}


def _label(run: dict[str, Any]) -> str:
    return f"sql {run['threads'] or 'all'}t" if run["engine"] == "sql" else run["engine"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="dataset folders under --data")
    ap.add_argument("--data", default="/work/data")
    ap.add_argument("--ref", default="/work/ref", help="folder with <name>.sha256 listings of today's output")
    ap.add_argument("--period", default=PERIOD)
    ap.add_argument("--params", default=None, help="params YAML (default: params/default.yaml)")
    ap.add_argument("--threads", default="2", help="DuckDB threads per SQL run, comma-separated (0: all cores)")
    ap.add_argument("--memory-limit", default="75%")
    ap.add_argument("--numpy-cold", action="store_true", help="also time numpy with validation's cache emptied")
    ap.add_argument("--repeat", type=int, default=1, help="run each cost step this often, report the fastest")
    ap.add_argument("--json", default=None, help="append one JSON line per dataset to this file")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="sql", help=argparse.SUPPRESS)
    ap.add_argument("--child-threads", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.engine, args.period, args.params, args.child_threads,
                               args.memory_limit, args.repeat)))
        return
    args.threads = [int(t) or None for t in args.threads.split(",")]
    results = [compare(args, name) for name in args.names]
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            for r in results:
                fh.write(json.dumps(r) + "\n")
    sys.exit(0 if all(r["identical"] for r in results) else 1)


if __name__ == "__main__":
    main()
