"""The SQL cost model on Spark local[N] next to DuckDB, in the same run, file for file.

    python bench/spark_compare.py smoke-parquet x1-parquet            # folders under --data
    python bench/spark_compare.py x1-parquet --json bench/results/spark.json

For each dataset each engine runs in a fresh Python process, one after the
other: load the folder (today's loader, default params), validate, then the
cost tables (`costing.sql.cost_tables`) under a clock, write them with
`store.tables.write_tables` to a temporary folder and report every file's
sha256. Spark's time is split into the session start (JVM, ~8 s) and the
cost step; its statements' times are summed so the per-statement overhead
shows. The parent prints one row per engine and whether the files are equal.
The machine is shared: read the times next to DuckDB's of the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def child(folder: str, engine: str, period: str, master: str) -> dict[str, Any]:
    import batchkit
    from batchkit.core.params import Params
    from batchkit.costing import sql as sqlmodel
    from batchkit.store.tables import write_tables

    params = Params()
    t0 = time.perf_counter()
    ds = batchkit.load_dataset(Path(folder), params)
    batchkit.validate(ds)
    out: dict[str, Any] = {"engine": engine, "load_validate_s": time.perf_counter() - t0}
    t1 = time.perf_counter()
    if engine == "spark":
        from batchkit.engine.spark import SparkEngine

        eng: Any = SparkEngine(remote=master)
    else:
        eng = sqlmodel.Engine(threads=2)
    out["start_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    tables = sqlmodel.cost_tables(ds, period, params, engine=eng)
    out["cost_s"] = time.perf_counter() - t2
    out["statements"] = len(eng.log)
    out["statement_s"] = sum(st.seconds for st in eng.log)
    out["slowest"] = sorted(((round(st.seconds, 2), st.step) for st in eng.log), reverse=True)[:5]
    with tempfile.TemporaryDirectory() as tmp:
        write_tables(Path(tmp), tables)
        out["files"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(tmp).iterdir())}
    out["rows"] = {name: len(frame) for name, frame in tables.items()}
    out["python_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    eng.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="*")
    ap.add_argument("--data", default="/work/data")
    ap.add_argument("--period", default="2026-06")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--json")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.period, args.master)))
        return
    results = []
    for name in args.datasets:
        folder = str(Path(args.data) / name)
        runs = {}
        for engine in ("duckdb", "spark"):
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--child", folder, engine, "--period", args.period,
                                   "--master", args.master], capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                sys.exit(f"{name} {engine} failed:\n{proc.stderr[-3000:]}")
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            run["process_s"] = time.perf_counter() - t0
            runs[engine] = run
        same = runs["duckdb"]["files"] == runs["spark"]["files"]
        for engine, r in runs.items():
            print(f"{name:14} {engine:6} process {r['process_s']:6.1f} s  load+validate {r['load_validate_s']:5.1f} s"
                  f"  start {r['start_s']:5.1f} s  cost {r['cost_s']:6.1f} s  ({r['statements']} statements,"
                  f" {r['statement_s']:.1f} s)  slowest {r['slowest'][:3]}")
        ratio = runs["spark"]["cost_s"] / runs["duckdb"]["cost_s"]
        print(f"{name:14} files equal: {same} ({len(runs['spark']['files'])} files, rows {runs['spark']['rows']});"
              f" Spark cost / DuckDB cost = {ratio:.0f}x")
        results.append({"dataset": name, "files_equal": same, **{e: {k: v for k, v in r.items() if k != "files"}
                                                                  for e, r in runs.items()}})
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
