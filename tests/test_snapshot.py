"""The input snapshot in a cost folder: the typed tables as read, in the manifest, covered by verify."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

import batchkit
from batchkit.core.errors import ParamsError
from batchkit.core.hashing import sha256_file
from batchkit.core.params import Params
from batchkit.store.cost_folder import cost_to_folder
from batchkit.store.snapshot import read_snapshot_table
from tests.test_cli import batchkit as cli

ODD = {
    # IDs normalized (" f-1" -> F1), a GB-style thousands separator, a blank line, a column the contract lacks
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id,comment
        S1,RESIN,L-1,10,12.5,2026-01-02,D1,first
         f-1,SUB-A,S1,45,,2026-01-12,D2,

        F1,TUBE,L-2,"1,000",0.125,2026-01-12,D3,=1+1
        F2,SUB-A,S1,30,,2026-01-15,D4,
    """,
}


def test_the_snapshot_holds_the_typed_tables_as_loaded(make_data, tmp_path):
    data = make_data(**ODD)
    out = tmp_path / "out"
    result, content = cost_to_folder(data, "2026-01", out, Params())
    ds = result.dataset
    assert sorted(p.name for p in (out / "snapshot").iterdir()) == sorted(f"{t}.parquet" for t in ds.tables)
    for name, frame in ds.tables.items():
        back = read_snapshot_table(out, name)
        pd.testing.assert_frame_equal(back, frame.reset_index(drop=True), check_dtype=True)
    issues = read_snapshot_table(out, "material_issues")
    assert issues["batch_id"].tolist() == ["S1", "F1", "F1", "F2"]  # normalized, as costed
    assert issues["_row"].tolist() == [2, 3, 5, 6]  # source rows: the blank line 4 is skipped
    assert issues["qty"].tolist() == [10.0, 45.0, 1000.0, 30.0] and issues["comment"].tolist()[2] == "=1+1"
    meta = pq.read_metadata(out / "snapshot" / "material_issues.parquet")
    assert meta.row_group(0).column(0).compression == "ZSTD"
    entries = {e["file"]: e for e in content["outputs"] if "input_table" in e}
    assert entries["snapshot/material_issues.parquet"] == {
        "file": "snapshot/material_issues.parquet", "input_table": "material_issues", "rows": 4,
        "sha256": sha256_file(out / "snapshot" / "material_issues.parquet")}
    assert set(entries) == {f"snapshot/{t}.parquet" for t in ds.tables}


def test_verify_covers_the_snapshot(make_data, tmp_path):
    out = tmp_path / "outputs" / "2026-01"
    assert cli("cost", str(make_data()), "--period", "2026-01", "--out", str(out)).returncode == 0
    path = out / "snapshot" / "material_lots.parquet"
    expected = sha256_file(path)
    table = pq.read_table(path).to_pandas()
    table.loc[0, "unit_cost"] = 11.0  # a rewritten "as read" price
    table.to_parquet(path)
    proc = cli("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == (f"error: output snapshot/material_lots.parquet changed: expected {expected[:12]}, actual "
                           f"{sha256_file(path)[:12]}\n")


def test_snapshot_inputs_false_writes_none(make_data, tmp_path):
    out = tmp_path / "out"
    _, content = cost_to_folder(make_data(), "2026-01", out, Params(audit={"snapshot_inputs": False}))
    assert not (out / "snapshot").exists()
    assert not [e for e in content["outputs"] if "input_table" in e]
    assert json.loads((out / "manifest.json").read_text())["params"]["audit"] == {"snapshot_inputs": False,
                                                                                 "require_reason": False}


def test_params_audit_keys_are_validated():
    p = batchkit.load_params(None, {"audit.require_reason": True})
    assert p.audit.require_reason and p.audit.snapshot_inputs
    with pytest.raises(ParamsError, match=r"unknown key 'audit\.snapshot'"):
        batchkit.load_params(None, {"audit.snapshot": True})
