"""Benchmark: `batchkit trace` and `batchkit --version` as whole processes, next to floors run alongside.

    python bench/trace_cli.py DATA [DATA ...]            # each a data folder (it gets a trace cache)
    python bench/trace_cli.py /tmp/x16 --repeat 7 --cold-repeat 2 --out bench/results/trace-cli.json

What a user waits for is the process, interpreter start and imports included; on this shared VM a
process's wall time varies up to 2x with the load, so every command runs `--repeat` times,
interleaved with its floors, and the best run of each is compared (the median is shown too, and the
best CPU time, user + system, which the load inflates far less):

  floor_pass      python -c pass                      the interpreter alone
  floor_pyarrow   python -c "import pyarrow"          what any Arrow-reading command must import
  version         batchkit --version
  trace_cold      batchkit trace LOT --data DATA      after removing DATA/.batchkit-cache: loads,
                                                      costs and indexes the data, writes the cache
  trace_lot       the same command again              cached: the most used purchased lot, forward
                                                      (the largest trace of the dataset)
  trace_batch     batchkit trace BATCH --direction backward --data DATA    cached, a finished batch
  trace_id        batchkit trace ID --data DATA       cached, the ID given with --id (when given)

Ratios: version / floor_pass, cached traces / floor_pyarrow. Each process's peak RSS comes from
wait4. bench/run.py calls `measure` for each size it benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _batchkit() -> list[str]:
    """The console script users run, next to this interpreter (else `python -m batchkit`)."""
    script = Path(sys.executable).with_name("batchkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "batchkit"]


# Each command is started and timed by a small launcher process: a child's peak RSS counts the pages of the
# process it was forked from (Linux keeps the high-water mark across exec), and this driver may be large.
_LAUNCH = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps([time.perf_counter() - t0, os.waitstatus_to_exitcode(status), usage.ru_maxrss,
                  usage.ru_utime + usage.ru_stime]))
"""


def _run(cmd: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds) of one process; its output is discarded, a failure is fatal."""
    env = {k: v for k, v in os.environ.items() if k != "BATCHKIT_NO_CACHE"}
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], cwd=ROOT, env=env, capture_output=True, text=True)
    wall, code, rss_kb, cpu = json.loads(proc.stdout) if proc.returncode == 0 else (0.0, proc.returncode, 0, 0.0)
    if code != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed (exit {code}): {proc.stderr[-2000:]}")
    return float(wall), rss_kb / 1024.0, float(cpu)


def pick_ids(data: Path) -> tuple[str, str]:
    """(the purchased lot consumed by the most batches, a completed batch with shipments), from the files."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def read(name: str, columns: list[str]) -> pa.Table:
        if (data / f"{name}.parquet").exists():
            import pyarrow.parquet as pq

            return pq.read_table(data / f"{name}.parquet", columns=columns)
        import pyarrow.csv as pv

        return pv.read_csv(data / f"{name}.csv", convert_options=pv.ConvertOptions(
            include_columns=columns, column_types=dict.fromkeys(columns, pa.string())))

    issues = read("material_issues", ["batch_id", "lot_id"])
    lots = read("material_lots", ["lot_id"]).column("lot_id")
    bought = issues.filter(pc.is_in(issues.column("lot_id"), value_set=lots.combine_chunks()))
    pairs = bought.group_by(["lot_id", "batch_id"]).aggregate([])
    counts = pairs.group_by("lot_id").aggregate([("batch_id", "count")]).sort_by([("batch_id_count", "descending"),
                                                                                   ("lot_id", "ascending")])
    shipped = read("shipments", ["batch_id"]).column("batch_id")
    return str(counts.column("lot_id")[0]), str(shipped[len(shipped) // 2])


def measure(data: Path, repeat: int = 5, cold_repeat: int = 1, say: Any = None, trace_id: str | None = None
            ) -> dict[str, Any]:
    """Best and median wall time, peak RSS and ratios of each command (module doc) on one data folder."""
    picked = subprocess.run([sys.executable, __file__, "--pick", str(data)], capture_output=True, text=True, check=True)
    lot, batch = json.loads(picked.stdout)
    bk = _batchkit()
    commands = {
        "floor_pass": [sys.executable, "-c", "pass"],
        "floor_pyarrow": [sys.executable, "-c", "import pyarrow"],
        "version": [*bk, "--version"],
        "trace_lot": [*bk, "trace", lot, "--data", str(data)],
        "trace_batch": [*bk, "trace", batch, "--direction", "backward", "--data", str(data)],
    }
    if trace_id:
        commands["trace_id"] = [*bk, "trace", trace_id, "--data", str(data)]
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in ["trace_cold", *commands]}
    for i in range(cold_repeat):
        if say:
            say(f"{data.name}: trace cold {i + 1}/{cold_repeat}")
        shutil.rmtree(data / ".batchkit-cache", ignore_errors=True)
        runs["trace_cold"].append(_run(commands["trace_lot"]))
    if not cold_repeat:  # the cache as it is (built now if missing, untimed)
        del runs["trace_cold"]
        _run(commands["trace_lot"])
    for i in range(repeat):
        if say:
            say(f"{data.name}: cached trace, --version and floors {i + 1}/{repeat}")
        for name, cmd in commands.items():
            runs[name].append(_run(cmd))
    out: dict[str, Any] = {"data": str(data), "lot": lot, "batch": batch, "id": trace_id, "repeat": repeat,
                           "cold_repeat": cold_repeat, "load_avg": [round(x, 2) for x in os.getloadavg()]}
    for name, values in runs.items():
        walls = [w for w, _, _ in values]
        out[name] = round(min(walls), 3)
        out[f"{name}_median"] = round(statistics.median(walls), 3)
        out[f"{name}_peak_mb"] = round(max(m for _, m, _ in values), 1)
        out[f"{name}_cpu"] = round(min(c for _, _, c in values), 3)
    out["ratio_version"] = round(out["version"] / out["floor_pass"], 1)
    for name in ("trace_lot", "trace_batch", "trace_id"):
        if name not in out:
            continue
        out[f"ratio_{name}"] = round(out[name] / out["floor_pyarrow"], 2)
    out["above_floor_trace_lot"] = round(out["trace_lot"] - out["floor_pyarrow"], 3)
    return out


COLUMNS = [("floor_pass", "python -c pass"), ("floor_pyarrow", "import pyarrow"), ("version", "--version"),
           ("ratio_version", "÷ pass"), ("trace_cold", "trace cold"), ("trace_lot", "trace lot"),
           ("ratio_trace_lot", "÷ pyarrow"), ("trace_batch", "trace batch"), ("ratio_trace_batch", "÷ pyarrow"),
           ("trace_id", "trace --id"), ("ratio_trace_id", "÷ pyarrow")]


def print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="whole processes, best of N wall seconds (median below); ratios to the floors run alongside")
    t.add_column("data")
    for _, label in COLUMNS:
        t.add_column(label, justify="right")
    t.add_column("peak MB cold / cached", justify="right")
    for r in rows:
        t.add_row(Path(r["data"]).name, *(f"{r[k]:.2f}" if k in r else "-" for k, _ in COLUMNS),
                  f"{r.get('trace_cold_peak_mb', 0):,.0f} / {r['trace_lot_peak_mb']:,.0f}")
        t.add_row("  median", *(f"{r[k + '_median']:.2f}" if k + "_median" in r else "" for k, _ in COLUMNS), "")
        t.add_row("  CPU s, best", *(f"{r[k + '_cpu']:.2f}" if k + "_cpu" in r else "" for k, _ in COLUMNS), "")
    Console(width=200).print(t)


def main() -> None:
    if sys.argv[1:2] == ["--pick"]:
        print(json.dumps(pick_ids(Path(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+", type=Path, help="data folders (their trace cache is rebuilt)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each cached command and floor")
    ap.add_argument("--cold-repeat", type=int, default=1,
                    help="runs of the first (uncached) trace; 0 keeps the cache as it is and times cached runs only")
    ap.add_argument("--id", help="also time a cached trace of this ID (forward)")
    ap.add_argument("--out", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    rows = [measure(d, max(1, args.repeat), max(0, args.cold_repeat), say, args.id) for d in args.data]
    print_table(rows)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(),
                                        "rows": rows}, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
