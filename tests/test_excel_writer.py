"""The workbook writer's cells, read back with openpyxl: each value, its number format and its text safety.

`write_sheet` gives every cell a copy of its kind's style array instead of setting the format cell by cell;
these tests check that every cell still carries its own kind's format (a shared array mutated in place would
give every cell the last format set), and that formula-looking text keeps its quote prefix."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl import load_workbook

from batchkit.report.excel import FORMATS, Sheet, write_workbook
from batchkit.report.i18n import Translator


def test_each_cell_has_its_kinds_format_and_text_stays_text(tmp_path):
    frame = pd.DataFrame({
        "batch_id": ["B1", "=HYPERLINK(\"x\")", "-5", None],
        "total_cost": [1234.5, 0.01, None, 7.0],
        "yield_pct": [0.5, 0.975, 1.0, None],
        "good_qty": [10, 0, 3, 4],
        "flagged": [True, False, True, False],
        "completed_on": pd.to_datetime(["2026-06-01", "2026-06-30", None, "2026-06-15"]),
    })
    path = tmp_path / "w.xlsx"
    write_workbook(path, [Sheet("Batches", frame, numeric={"total_cost": "money", "yield_pct": "pct",
                                                           "good_qty": "int"})], Translator("en"), "CNY")
    ws = load_workbook(path)["Batches"]
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    assert len(rows) == 4
    # values as written: text, money, rate, count, yes/no, date (a missing value is an empty cell)
    assert [c.value for c in rows[0]] == ["B1", 1234.5, 0.5, 10, "yes", dt.datetime(2026, 6, 1)]
    assert [c.value for c in rows[3]][:4] == [None, 7.0, None, 4]
    # formats by column kind, on every row (the shared style arrays are copies, not one array)
    for row in rows:
        assert row[1].number_format == FORMATS["money"]
        assert row[2].number_format == FORMATS["pct"]
        assert row[3].number_format == FORMATS["int"]
    assert rows[0][5].number_format == FORMATS["date"]
    # text never becomes a formula: the quote prefix and string type are kept
    assert rows[1][0].value == '=HYPERLINK("x")' and rows[1][0].data_type == "s" and rows[1][0].quotePrefix
    assert rows[2][0].value == "-5" and rows[2][0].quotePrefix
    assert not rows[0][0].quotePrefix


def test_a_label_value_sheet_formats_each_row_by_its_own_kind(tmp_path):
    frame = pd.DataFrame({"kpi": ["output cost", "yield", "batches"], "value": [1000.25, 0.9, 12]})
    path = tmp_path / "k.xlsx"
    write_workbook(path, [Sheet("KPIs", frame, row_kinds=("money", "pct", "int"))], Translator("en"), "CNY")
    ws = load_workbook(path)["KPIs"]
    assert [(ws.cell(r, 2).value, ws.cell(r, 2).number_format) for r in (2, 3, 4)] == [
        (1000.25, FORMATS["money"]), (0.9, FORMATS["pct"]), (12, FORMATS["int"])]


def test_values_excel_cannot_hold_are_written_not_refused(tmp_path):
    import math

    frame = pd.DataFrame({"ratio": [math.inf, -math.inf, 1.5], "note": ["x", "", "=1+1"],
                          "at": [dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)] * 3})
    path = tmp_path / "v.xlsx"
    write_workbook(path, [Sheet("Values", frame)], Translator("en"), "CNY")
    rows = [[c.value for c in r] for r in load_workbook(path)["Values"].iter_rows(min_row=2)]
    # infinity as text, an empty text as an empty cell, a formula-looking text as text; a zoned timestamp is
    # written as its date, like every date the reports show (openpyxl reads a date cell back as midnight)
    day = dt.datetime(2026, 1, 1)
    assert rows == [["inf", "x", day], ["-inf", None, day], [1.5, "=1+1", day]]
