"""The command line: exit codes, one-line errors without tracebacks, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_DEFAULTS = Path(__file__).resolve().parent / "data" / "contract_defaults.yaml"


def batchkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess, with contract-default params unless --params is given."""
    if "--params" not in args and args and args[0] in ("cost", "validate"):
        args = (*args, "--params", str(CONTRACT_DEFAULTS))
    return subprocess.run([sys.executable, "-m", "batchkit", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_cost_writes_every_table_and_a_manifest(make_data, tmp_path):
    out = tmp_path / "out"
    proc = batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("costed 3 batches for 2026-01 (2 completed, 1 WIP)")
    names = {p.name for p in out.iterdir()}
    for table in ("batch_costs", "batch_summary", "allocation_ledger", "variances", "reconciliation", "data_quality"):
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["contract_version"] == "1" and manifest["period"] == "2026-01"
    assert {i["table"] for i in manifest["inputs"]} == {"batches", "material_issues", "material_lots", "operations",
                                                         "rates", "cost_pools"}
    assert all(len(i["sha256"]) == 64 and i["rows"] > 0 for i in manifest["inputs"])
    # CSV and Parquet hold the same figures; money has two decimals in CSV
    csv = pd.read_csv(out / "batch_summary.csv", dtype={"batch_id": str})
    par = pd.read_parquet(out / "batch_summary.parquet")
    assert csv["total_cost"].tolist() == par["total_cost"].tolist() == [468.75, 255.0, 525.0]
    assert "468.75,9.765625,18.75" in (out / "batch_summary.csv").read_text()


BAD_INPUTS = {
    # case: (tables to replace, first line of the error)
    "missing column": (
        {"rates": "work_center,labor_rate\nWC1,50\n"},
        "error: rates.csv row 1: required column 'machine_rate' is missing (columns are: work_center, labor_rate)",
    ),
    "duplicate batch": (
        {"batches": "batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good\n"
                    "S1,SUB-A,c,2026-01-02,2026-01-10,100,90\nS1,SUB-A,c,2026-01-02,2026-01-10,100,90\n"
                    "F1,CATH-1,c,2026-01-12,2026-01-25,50,48\nF2,CATH-1,c,2026-01-15,,40,0\n"},
        "error: batches.csv row 3 column batch_id: duplicate batch_id 'S1', first in row 2",
    ),
    "non-numeric quantity": (
        {"operations": "batch_id,operation,work_center,labor_hours,machine_hours,date\n"
                       "S1,mold,WC1,two,3,2026-01-03\n"},
        "error: operations.csv row 2 column labor_hours: 'two' is not a number",
    ),
    "negative quantity": (
        {"operations": "batch_id,operation,work_center,labor_hours,machine_hours,date\n"
                       "S1,mold,WC1,-2,3,2026-01-03\n"},
        "error: operations.csv row 2 column labor_hours: -2 is negative (must be >= 0)",
    ),
    "genealogy cycle": (
        {"material_issues": "batch_id,material_id,lot_id,qty,unit_cost,date\n"
                            "S1,SUB,F1,1,,2026-01-26\nF1,SUB-A,S1,45,,2026-01-12\n"},
        "error: material_issues.csv row 2 column lot_id: genealogy cycle among batches F1 -> S1",
    ),
    "empty file": (
        {"material_lots": ""},
        "error: material_lots.csv: the file is empty (expected a header row)",
    ),
    "missing required table": (
        {"batches": None},
        "error: required table 'batches' is missing: expected batches.csv, batches.parquet or batches.xlsx",
    ),
    "unreadable encoding": (
        {"rates": b"work_center,labor_rate,machine_rate\nWC1,50,80\nWC2,40,20\nCaf\xe9,1,1\n"},
        "error: rates.csv: neither UTF-8 nor GB18030",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_1_with_one_clear_line_and_writes_nothing(make_data, tmp_path, case):
    tables, first_line = BAD_INPUTS[case]
    text_tables = {k: v for k, v in tables.items() if not isinstance(v, bytes)}
    folder = make_data(**text_tables)
    for name, raw in tables.items():
        if isinstance(raw, bytes):
            (folder / f"{name}.csv").write_bytes(raw)
        elif raw == "":
            (folder / f"{name}.csv").write_text("")
    out = tmp_path / "out"
    proc = batchkit("cost", str(folder), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0].startswith(first_line)
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())
    assert batchkit("validate", str(folder)).returncode == 1


def test_data_error_leaves_the_previous_output_untouched(make_data, tmp_path):
    out = tmp_path / "out"
    assert batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out)).returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = make_data(rates="work_center,labor_rate\nWC1,50\n")
    assert batchkit("cost", str(bad), "--period", "2026-01", "--out", str(out)).returncode == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_validate_exit_codes_and_json(make_data):
    clean = batchkit("validate", str(make_data()), "--json")
    assert clean.returncode == 0
    assert json.loads(clean.stdout) == {"errors": 0, "warnings": 0, "findings": []}
    warn = batchkit("validate", str(make_data(shipments="batch_id,customer,ship_date,qty\nZZ,H,2026-01-28,1\n")))
    assert warn.returncode == 0
    assert "warning orphan in shipments (1):" in warn.stdout
    assert "0 errors, 1 warning: no blocking errors" in warn.stdout  # was "1 warnings" (issue 15)


def test_usage_errors_exit_2(make_data, tmp_path):
    assert batchkit("cost", str(make_data())).returncode == 2  # --out missing
    proc = batchkit("cost", str(make_data()), "--out", str(tmp_path / "o"), "--period", "2026-13")
    assert proc.returncode == 1
    # blamed on the option that gave it, not on the params file (issue 15)
    assert proc.stderr.strip() == "error: --period: period must be YYYY-MM, got '2026-13'"


def test_unknown_params_key_names_the_key(make_data, tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("allocation:\n  by_cost_elment: {overhead: labor_hours}\n")
    proc = batchkit("validate", str(make_data()), "--params", str(params))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {params}: unknown key 'allocation.by_cost_elment'"


def test_set_overrides_the_params_file(make_data, tmp_path):
    out = tmp_path / "o"
    proc = batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out),
                    "--set", "allocation.default_basis=labor_hours")
    assert proc.returncode == 0, proc.stderr
    led = pd.read_csv(out / "allocation_ledger.csv")
    # labor hours S1 2, F1 4, F2 1 of 100.00: 28.571.., 57.142.., 14.285..; floors 28.57 + 57.14 + 14.28
    # = 99.99; the cent goes to the largest remainder: F2 (0.57 of a cent) -> 14.29
    assert dict(zip(led["batch_id"], led["amount"], strict=True)) == {"S1": 28.57, "F1": 57.14, "F2": 14.29}
    assert set(led["basis"]) == {"labor_hours"}


def test_a_bad_period_on_the_command_line_is_blamed_there(make_data, tmp_path):
    proc = batchkit("cost", str(make_data()), "--period", "2026/01", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: --period: period must be YYYY-MM, got '2026/01'")
    bad_set = batchkit("validate", str(make_data()), "--set", "variance.robust_z=-1")
    assert bad_set.returncode == 1
    assert bad_set.stderr.startswith("error: --set variance.robust_z: Input should be greater than 0")


def test_validate_takes_set(make_data):
    # 05.01.2026 is refused as ambiguous by default, read as 5 January with --set dates.order=DMY
    folder = make_data(batches="batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good\n"
                               "S1,SUB-A,c,02.01.2026,10.01.2026,100,90\nF1,CATH-1,c,12.01.2026,25.01.2026,50,48\n"
                               "F2,CATH-1,c,15.01.2026,,40,0\n")
    assert batchkit("validate", str(folder)).returncode == 1
    proc = batchkit("validate", str(folder), "--set", "dates.order=DMY")
    assert proc.returncode == 0, proc.stdout
    assert "batches (3 rows)" in proc.stdout


def test_counts_are_singular_for_one(make_data, tmp_path):
    folder = make_data(material_lots="lot_id,material_id,supplier,received_date,unit_cost,qty_received\n"
                                     "L-1,RESIN,Acme,2025-12-20,12.5,1000\n")
    proc = batchkit("validate", str(folder))
    assert "material_lots (1 row)" in proc.stdout and "(1 rows)" not in proc.stdout


def test_a_period_without_batches_warns_and_exits_0(make_data, tmp_path):
    # every batch of the base plant starts in 2026-01: in 2025-06 none is completed or open
    proc = batchkit("cost", str(make_data()), "--period", "2025-06", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("costed 0 batches for 2025-06")
    assert proc.stderr.startswith("warning: no batch was completed in 2025-06 and none was open at its end")
    busy = batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(tmp_path / "out2"))
    assert busy.returncode == 0 and "warning" not in busy.stderr


def test_trace_tables_never_cut_batch_ids(make_data):
    import os

    from tests.conftest import BASE

    env = {**os.environ, "COLUMNS": "80"}
    long_ids = {"S1": "B2601000123", "F1": "B2601000456", "F2": "B2601000789"}
    tables = {}
    for name, text in BASE.items():
        for short, long in long_ids.items():
            text = text.replace(f"{short},", f"{long},")
        tables[name] = text
    folder = make_data(**tables)
    proc = subprocess.run([sys.executable, "-m", "batchkit", "trace", "L-1", "--data", str(folder), "--params",
                           str(CONTRACT_DEFAULTS)], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    for batch in long_ids.values():
        assert any(f" {batch} " in line for line in proc.stdout.splitlines()), proc.stdout
    assert "B26…" not in proc.stdout and "B2601…" not in proc.stdout
    wide = subprocess.run([sys.executable, "-m", "batchkit", "trace", "L-1", "--data", str(folder), "--params",
                           str(CONTRACT_DEFAULTS)], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**env, "COLUMNS": "200"})
    assert "…" not in wide.stdout
