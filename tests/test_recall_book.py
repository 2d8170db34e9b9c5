"""One recall workbook: `batchkit recall` and `batchkit trace --out` write the same one, and verify checks it.

Plant: tests/test_report.PLANT. Lot L-2 (tube) went into F1 and K1. F1 is completed with 48 good units,
none issued on: cost at risk 460.42 (its whole cost, see test_report's docstring); K1 126.66; total 587.08.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import write_tables
from tests.test_report import PLANT

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PARAMS = str(ROOT / "tests" / "data" / "contract_defaults.yaml")


def batchkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchkit", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def cells(path: Path) -> dict[str, list[list[tuple[object, str]]]]:
    """Every sheet's cells as (value, number format), row by row."""
    book = openpyxl.load_workbook(path)
    return {ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()] for ws in book}


@pytest.fixture(scope="module")
def recall(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("recall")
    data = write_tables(tmp / "data", PLANT)
    out = tmp / "outputs" / "recall-L-2"
    proc = batchkit("recall", "L-2", "--data", str(data), "--out", str(out), "--params", PARAMS)
    assert proc.returncode == 0, proc.stderr
    return data, out


def test_trace_out_writes_the_recall_reports_workbook(recall, tmp_path):
    data, out = recall
    book = tmp_path / "trace.xlsx"
    proc = batchkit("trace", "L-2", "--data", str(data), "--out", str(book), "--params", PARAMS)
    assert proc.returncode == 0, proc.stderr
    assert cells(book) == cells(out / "recall.xlsx")
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Summary", "Shipments by customer", "Batches", "Shipments", "Lots"]
    header = [c.value for c in wb["Batches"][1]]
    assert header[:3] == ["Batch", "Item", "Level"]  # translated, not snake_case
    summary = {r[0].value: r[1] for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["cost at risk (CNY)"].value == 587.08  # 460.42 + 126.66
    assert summary["cost at risk (CNY)"].number_format == "#,##0.00"
    assert summary["affected batches"].value == 2
    lots = list(wb["Lots"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in lots] == ["L-2"]  # the traced lot itself, level 0


def test_chinese_trace_workbook_has_chinese_sheets_and_headers(recall, tmp_path):
    data, _ = recall
    book = tmp_path / "zh.xlsx"
    proc = batchkit("trace", "L-2", "--data", str(data), "--out", str(book), "--params", PARAMS,
                    "--set", "language=zh-CN")
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["摘要", "按客户发货", "受影响批次", "发货记录", "采购批号"]
    assert wb["摘要"]["A1"].value == "字段"


def test_verify_checks_a_recall_folder(recall):
    _, out = recall
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "recall" and manifest["trace"]["cost_at_risk"] == 587.08
    assert {e["file"] for e in manifest["outputs"]} >= {"recall.html", "recall.xlsx", "notebooks/recall.ipynb"}
    assert {e["table"] for e in manifest["inputs"]} >= {"batches", "material_issues", "shipments"}
    ok = batchkit("verify", str(out))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok         manifest manifest.json: as recorded in run.log" in ok.stdout
    (out / "recall.html").write_text("tampered", encoding="utf-8")
    bad = batchkit("verify", str(out))
    assert bad.returncode == 1 and bad.stderr.startswith("error: output recall.html changed: expected ")
