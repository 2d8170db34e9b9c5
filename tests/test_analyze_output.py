"""`batchkit cost` writes the contract's analytics tables: batch_anomalies and quality_cost (section 6)."""

from __future__ import annotations

import json

import pandas as pd

from tests.test_analyze_stats import plant
from tests.test_cli import batchkit

ANOMALIES = ["batch_id", "item_id", "product_line", "period", "unit_cost", "reference_unit_cost", "deviation_pct",
             "robust_z", "rules", "top_driver", "top_driver_share"]
QUALITY = ["batch_id", "qty_tested", "qty_failed", "defect_rate", "scrap_cost", "rework_cost", "abnormal_scrap_cost",
           "flagged"]


def test_cost_writes_batch_anomalies_and_quality_cost(make_data, tmp_path):
    tables = plant()
    tables["inspections"] = "batch_id,test,result,qty_tested,qty_failed,date\nX6,leak,fail,50,2,2026-06-19"
    out = tmp_path / "out"
    proc = batchkit("cost", str(make_data(base={}, **tables)), "--period", "2026-06", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    a = pd.read_csv(out / "batch_anomalies.csv", dtype={"batch_id": str})
    assert list(a.columns[:len(ANOMALIES)]) == ANOMALIES
    assert a[["batch_id", "rules", "top_driver"]].values.tolist() == [
        ["W5", "deviation;robust_z;control", "material_price"], ["X6", "deviation;robust_z", "material_price"],
        ["Y6", "control", "material_price"]]
    q = pd.read_parquet(out / "quality_cost.parquet")
    assert list(q.columns[:len(QUALITY)]) == QUALITY
    # X6: 104 started, 4 scrapped, total 1089.00 -> scrap 1089 x 4 / 104 = 41.88; abnormal (4 - 2.08) / 104 -> 20.10
    assert q[QUALITY].to_dict("records") == [
        {"batch_id": "X6", "qty_tested": 50.0, "qty_failed": 2.0, "defect_rate": 0.04, "scrap_cost": 41.88,
         "rework_cost": 0.0, "abnormal_scrap_cost": 20.10, "flagged": False}]
    names = {e.get("table") for e in json.loads((out / "manifest.json").read_text())["outputs"]}  # snapshot: none
    assert {"batch_anomalies", "quality_cost"} <= names


def test_both_tables_are_written_empty_when_the_data_has_nothing_to_say(make_data, tmp_path):
    out = tmp_path / "out"
    proc = batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    for table, columns in (("batch_anomalies", ANOMALIES), ("quality_cost", QUALITY)):
        frame = pd.read_csv(out / f"{table}.csv")
        assert frame.empty and list(frame.columns[:len(columns)]) == columns
