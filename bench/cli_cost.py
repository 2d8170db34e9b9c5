"""Whole processes, as a user waits for them: `batchkit cost` (Parquet and CSV), `batchkit run`, and the floors.

    python bench/cli_cost.py /work/data/x1-parquet [--csv /work/data/x1-csv] [--run] [--repeat 3] [--one-thread]

Each command is a fresh process (interpreter start and imports included: what
`batchkit cost` costs a scheduler or an analyst), its wall time from launch to
exit and its peak RSS from the kernel (`os.wait4`, this process's child only).
Every repeat runs the commands in turn, so the floors share the machine's load
of the moment with batchkit: on a shared machine the ratio is steadier than
either time. The floors (bench/floor.py): a minimal exact DuckDB costing (price
issues and operations in exact cents, allocate pools by largest remainder,
write two Parquet tables) and the lower floor, one DuckDB group-by in doubles.
The fastest run of each command is reported, and the largest peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-06"
FLOOR = Path(__file__).resolve().parent / "floor.py"


def batchkit_bin() -> list[str]:
    """The batchkit console script next to this interpreter (what a user types), else `python -m batchkit`."""
    script = Path(sys.executable).parent / "batchkit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "batchkit"]


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one process; raises if it fails.

    A PYTHONPATH in `env` is also the working directory: `python -m` puts the working directory first on
    sys.path, ahead of PYTHONPATH, so from the checkout it would import this checkout's batchkit."""
    t0 = time.perf_counter()
    cwd = (env or {}).get("PYTHONPATH", ROOT)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed (exit {proc.returncode}):\n{out[-2000:]}{err[-2000:]}")
    return {"s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(usage.ru_maxrss / 1024.0, 1), "stdout": out}


def commands(parquet: Path, csv: Path | None, run: bool, tmp: Path, before: Path | None = None,
             one_thread: bool = False) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (command, extra environment)."""
    bk = batchkit_bin()
    cmds: dict[str, tuple[list[str], dict[str, str]]] = {
        "cost_parquet": ([*bk, "cost", str(parquet), "--period", PERIOD, "--out", str(tmp / "cost-parquet")], {}),
        "floor_exact": ([sys.executable, str(FLOOR), str(parquet), str(tmp / "floor")], {}),
        "floor_groupby": ([sys.executable, str(FLOOR), str(parquet), str(tmp / "floor-lower"), "--lower"], {}),
    }
    if one_thread:  # DuckDB on one thread (params engine.threads); the checks still overlap it on the other core
        cmds["cost_1thread"] = ([*bk, "cost", str(parquet), "--period", PERIOD, "--out", str(tmp / "cost-1t"),
                                 "--set", "engine.threads=1"], {})
    if csv is not None:
        cmds["cost_csv"] = ([*bk, "cost", str(csv), "--period", PERIOD, "--out", str(tmp / "cost-csv")], {})
    if run:
        cmds["run"] = ([*bk, "run", "--data", str(parquet), "--period", PERIOD, "--out", str(tmp / "packs"),
                        "--jobs", "2"], {})
    if before is not None:  # another checkout's batchkit package (e.g. `git archive REV batchkit | tar -x`)
        cmds["cost_before"] = ([sys.executable, "-m", "batchkit", "cost", str(parquet), "--period", PERIOD,
                                "--out", str(tmp / "cost-before")], {"PYTHONPATH": str(before)})
    return cmds


def measure(parquet: Path, csv: Path | None = None, run: bool = False, repeat: int = 1,
            before: Path | None = None, one_thread: bool = False) -> dict[str, Any]:
    """Each command `repeat` times, in turn; the fastest wall time, its CPU time, the largest peak RSS; ratios."""
    tmp = Path(tempfile.mkdtemp(prefix="batchkit-bench-"))
    try:
        cmds = commands(parquet, csv, run, tmp, before, one_thread)
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in cmds}
        for _ in range(max(1, repeat)):
            for name, (cmd, env) in cmds.items():
                runs[name].append(timed(cmd, env))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, Any] = {"data": str(parquet), "runs": max(1, repeat), "load_average": round(os.getloadavg()[0], 2)}
    for name, rs in runs.items():
        best = min(rs, key=lambda r: r["s"])
        out[name] = best["s"]
        out[f"{name}_cpu"] = best["cpu_s"]
        out[f"{name}_peak_mb"] = max(r["peak_mb"] for r in rs)
        out[f"{name}_all"] = [r["s"] for r in rs]
        if name.startswith("floor"):
            line = next((x for x in best["stdout"].splitlines() if x.startswith("FLOOR ")), None)
            out[f"{name}_parts"] = json.loads(line[len("FLOOR "):]) if line else {}
    out["ratio_cost_floor"] = round(out["cost_parquet"] / out["floor_exact"], 2)
    out["ratio_cost_groupby"] = round(out["cost_parquet"] / out["floor_groupby"], 1)
    # CPU seconds, less sensitive to a busy machine than wall time (DuckDB's threads all count)
    out["ratio_cpu_floor"] = round(out["cost_parquet_cpu"] / max(out["floor_exact_cpu"], 1e-3), 2)
    if "cost_csv" in out:
        out["ratio_csv_floor"] = round(out["cost_csv"] / out["floor_exact"], 2)
    return out


ROWS = (("cost_before", "cost, --before"), ("cost_parquet", "batchkit cost (Parquet)"),
        ("cost_1thread", "cost, engine.threads=1"),
        ("cost_csv", "batchkit cost (CSV)"), ("run", "batchkit run"),
        ("floor_exact", "floor: minimal exact DuckDB"), ("floor_groupby", "floor: DuckDB group-by"))


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="whole processes: fastest wall s (CPU s) / peak RSS MB; ratio = batchkit cost / floor")
    t.add_column("data")
    for _, label in ROWS:
        t.add_column(label, justify="right")
    t.add_column("ratio exact", justify="right")
    t.add_column("ratio group-by", justify="right")
    t.add_column("CPU ratio exact", justify="right")
    t.add_column("load avg", justify="right")
    for r in results:
        cells = [f"{r[k]:.2f} ({r[k + '_cpu']:.1f}) / {r[k + '_peak_mb']:,.0f}" if k in r else "-" for k, _ in ROWS]
        t.add_row(Path(r["data"]).name, *cells, f"{r['ratio_cost_floor']:.2f}", f"{r['ratio_cost_groupby']:.1f}",
                  f"{r['ratio_cpu_floor']:.2f}", f"{r['load_average']:.1f}")
    Console(width=220).print(t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("parquet", nargs="+", help="Parquet demo folders")
    ap.add_argument("--csv", action="append", default=[], help="a CSV folder of the same data (as many as given)")
    ap.add_argument("--run", action="store_true", help="also the whole `batchkit run` (report pack)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", help="JSON file")
    ap.add_argument("--before", help="a folder holding another revision's `batchkit` package, timed alongside")
    ap.add_argument("--one-thread", action="store_true", help="also `batchkit cost` with engine.threads=1")
    args = ap.parse_args()
    csvs = [Path(c) for c in args.csv] + [None] * (len(args.parquet) - len(args.csv))
    before = Path(args.before) if args.before else None
    results = [measure(Path(p), c, args.run, args.repeat, before, args.one_thread)
               for p, c in zip(args.parquet, csvs, strict=False)]
    print_table(results)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
