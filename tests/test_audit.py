"""Reproducible runs and the audit trail: byte-identical tables, `verify`, run.log."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from batchkit._version import __version__
from batchkit.core.hashing import sha256_file
from batchkit.store.cost_folder import OUTPUT_TABLES
from tests.bigplant import write_big_plant
from tests.test_cli import batchkit

WARNINGS = {
    # a few findings, so data_quality is not empty either
    "shipments": "batch_id,customer,ship_date,qty\nZZ,H,2026-01-28,1\nF1,\"Clinic, \"\"North\"\"\",2026-01-28,3\n",
    "cost_pools": "pool_id,cost_element,period,amount\nP-OH,overhead,2026-01,\"1,000.00\"\nP-X,overhead,2026-01,-5\n",
}


def _cost(data: Path, out: Path) -> dict:
    proc = batchkit("cost", str(data), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize("plant", ["base with warnings", "2,000 batches"])
def test_two_runs_give_byte_identical_tables_and_manifests_differing_only_in_run_time(make_data, tmp_path, plant):
    data = make_data(**WARNINGS) if plant == "base with warnings" else \
        write_big_plant(tmp_path / "big", batches=2000, issues_per_batch=5)
    first = _cost(data, tmp_path / "a" / "2026-01")
    time.sleep(1.1)  # the run time has a one-second resolution: make it differ
    second = _cost(data, tmp_path / "b" / "2026-01")
    a, b = tmp_path / "a" / "2026-01", tmp_path / "b" / "2026-01"
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert {Path(f).suffix for f in files} == {".csv", ".parquet", ".json"}
    snapshot = {f"snapshot/{entry['table']}.parquet" for entry in first["inputs"]}  # every input table, typed
    assert len(files) == 2 * len(OUTPUT_TABLES) + 1 + len(snapshot)
    assert snapshot <= set(files)
    for name in files:
        if name != "manifest.json":
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert first.pop("run_time") != second.pop("run_time")
    assert first == second
    # what an auditor needs in the manifest
    assert first["batchkit_version"] == __version__ and first["contract_version"] == "1"
    assert first["params"]["period"] == "2026-01" and first["params"]["allocation"]["default_basis"] == \
        "machine_hours"
    for entry in first["inputs"]:
        assert entry["sha256"] == sha256_file(Path(entry["path"])) and entry["rows"] > 0
    if plant == "base with warnings":
        assert first["data_quality"] == {"error": 0, "warning": 3}  # orphan, number format, negative pool


@pytest.fixture
def costed(make_data, tmp_path):
    data = make_data()
    out = tmp_path / "outputs" / "2026-01"
    _cost(data, out)
    return data, out


def test_verify_passes_on_an_untouched_folder(costed):
    _, out = costed
    proc = batchkit("verify", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    sha = sha256_file(out / "manifest.json")
    assert lines[0].startswith(f"verifying {out} against manifest {sha[:12]} (cost 2026-01, run ")
    assert lines[1].startswith("  ok         manifest manifest.json: as recorded in run.log (run ended ")
    assert "  ok         output batch_summary.csv" in lines
    n = 2 * len(OUTPUT_TABLES) + 6  # and the snapshot of the 6 input tables
    assert "  ok         output snapshot/material_issues.parquet" in lines
    assert lines[-2].startswith("  ok         log run.log: 1 line, chain intact; last line ")
    assert lines[-1] == f"{n} outputs: {n} ok; 6 inputs: 6 ok; run.log: ok"


def test_verify_names_a_tampered_output(costed):
    _, out = costed
    path = out / "batch_summary.csv"
    expected = sha256_file(path)
    data = bytearray(path.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")  # one digit of the last figure
    path.write_bytes(bytes(data))
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == (f"error: output batch_summary.csv changed: expected {expected[:12]}, "
                           f"actual {sha256_file(path)[:12]}\n")
    assert f"  CHANGED    output batch_summary.csv: expected {expected[:12]}" in proc.stdout


def test_verify_names_missing_and_unlisted_outputs(costed):
    _, out = costed
    (out / "variances.parquet").unlink()
    (out / "batch_summary_fixed.csv").write_text("batch_id\n")
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: output variances.parquet missing: ")
    assert proc.stderr.rstrip().endswith("(and 1 more difference)")
    assert "  EXTRA      output batch_summary_fixed.csv: not listed in the manifest" in proc.stdout


def test_verify_says_when_an_input_changed(costed):
    data, out = costed
    rates = data / "rates.csv"
    expected = sha256_file(rates)
    rates.write_text(rates.read_text().replace("WC1,50", "WC1,55"))
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == (f"error: input rates changed: {rates}: expected {expected[:12]}, "
                           f"actual {sha256_file(rates)[:12]}\n")
    (data / "cost_pools.csv").unlink()
    assert f"  MISSING    input cost_pools: {data / 'cost_pools.csv'}: " in batchkit("verify", str(out)).stdout


def test_verify_catches_a_manifest_edited_to_match_a_tampered_output(costed):
    """Whoever edits a table and fixes its hash in the manifest is caught by run.log's record of the manifest."""
    _, out = costed
    path = out / "batch_summary.csv"
    assert b",525.00," in path.read_bytes()
    path.write_bytes(path.read_bytes().replace(b",525.00,", b",520.00,"))
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        if entry["file"] == "batch_summary.csv":
            entry["sha256"] = sha256_file(path)
    original = sha256_file(out / "manifest.json")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: manifest manifest.json changed: expected {original[:12]} (run.log, "
                                  "run ended ")


def test_verify_without_a_manifest_is_a_clear_error(tmp_path):
    proc = batchkit("verify", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {tmp_path}: no manifest.json, so nothing to verify against (not a batchkit "
                           "output folder, or not a complete one)\n")


def test_run_log_has_one_line_per_run_ok_or_not(make_data, tmp_path):
    out = tmp_path / "outputs" / "2026-01"
    data = make_data()
    _cost(data, out)
    bad = make_data(rates="work_center,labor_rate\nWC1,50\n")
    assert batchkit("cost", str(bad), "--period", "2026-01", "--out", str(out)).returncode == 1
    assert batchkit("cost", str(data), "--period", "2026-13", "--out", str(out)).returncode == 1
    lines = [json.loads(line) for line in (tmp_path / "outputs" / "run.log").read_text().splitlines()]
    assert [(r["status"], r["exit_code"], r["period"]) for r in lines] == [
        ("ok", 0, "2026-01"), ("data_error", 1, "2026-01"), ("error", 1, "2026-13")]
    ok, bad_run, params_error = lines
    assert set(ok) == {"command", "period", "start", "end", "seconds", "status", "exit_code", "data_quality", "out",
                       "data", "manifest_sha256", "batchkit_version", "user", "os_user", "host", "reason",
                       "prev_sha256"}
    assert ok["command"] == "cost" and ok["out"] == str(out) and ok["data"] == str(data)
    assert ok["manifest_sha256"] == sha256_file(out / "manifest.json")
    assert ok["data_quality"] == {"error": 0, "warning": 0}
    assert ok["start"].endswith("+00:00") and ok["start"] <= ok["end"] and 0 <= ok["seconds"] < 60
    assert bad_run["message"] == ("rates.csv row 1: required column 'machine_rate' is missing "
                                  "(columns are: work_center, labor_rate) (and 2 more errors: run `batchkit "
                                  "validate` to list them)")
    assert bad_run["data_quality"] == {"error": 3, "warning": 0} and bad_run["manifest_sha256"] is None
    assert params_error["message"].endswith("period: period must be YYYY-MM, got '2026-13'")
