"""Loaders: encodings, header maps, ID text, Excel and Parquet, ID normalization."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import batchkit
from batchkit.core.errors import DataError
from batchkit.core.params import Params
from tests.conftest import BASE, findings_of, run_cost, write_tables

BATCHES_ZH = "批次号,物料号,产品线,工厂,开工日期,完工日期,投产数量,合格数量,报废数量\n" \
    "S1,SUB-A,导管,SZ,2026-01-02,2026-01-10,100,90,10\n" \
    "F1,CATH-1,导管,SZ,2026-01-12,2026-01-25,50,48,2\n" \
    "F2,CATH-1,导管,SZ,2026-01-15,,40,0,0\n"
ZH_MAP = {"批次号": "batch_id", "物料号": "item_id", "产品线": "product_line", "工厂": "site",
          "开工日期": "start_date", "完工日期": "end_date", "投产数量": "qty_started", "合格数量": "qty_good",
          "报废数量": "qty_scrap"}


def _data_without_batches(make_data):
    return make_data(batches=None)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_headers_in_any_common_encoding(make_data, encoding):
    folder = _data_without_batches(make_data)
    (folder / "批次.csv").write_bytes(BATCHES_ZH.encode(encoding))
    params = Params.model_validate({"sources": {"batches": {"file": "批次.csv", "columns": ZH_MAP}}})
    ds = batchkit.load_dataset(folder, params)
    assert ds.sources["batches"]["encoding"] == ("utf-8" if encoding == "utf-8" else
                                                 "utf-8-sig" if encoding == "utf-8-sig" else "gb18030")
    assert list(ds["batches"]["product_line"]) == ["导管"] * 3
    # the same figures as the base plant (S1 = 525.00), whatever the encoding
    assert run_cost(folder, params=params).batch_summary.set_index("batch_id").loc["S1", "total_cost"] == 525.0


def test_ids_stay_text_with_leading_zeros(make_data):
    folder = make_data(batches="""
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        00123,0042,L,S,2026-01-02,2026-01-10,10,10,0
    """, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date
        00123,007,0001,1,1,2026-01-02
    """, operations=None, cost_pools=None)
    ds = batchkit.load_dataset(folder, Params())
    assert ds["batches"].loc[0, "batch_id"] == "00123"
    assert ds["batches"].loc[0, "item_id"] == "0042"
    assert ds["material_issues"].loc[0, "lot_id"] == "0001"


def test_excel_source_with_date_cells(make_data, tmp_path):
    folder = _data_without_batches(make_data)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["batch_id", "item_id", "product_line", "site", "start_date", "end_date", "qty_started",
               "qty_good", "qty_scrap"])
    ws.append(["S1", "SUB-A", "catheters", "SZ", dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 10), 100, 90, 10])
    ws.append(["F1", "CATH-1", "catheters", "SZ", dt.datetime(2026, 1, 12), dt.datetime(2026, 1, 25), 50, 48, 2])
    ws.append(["F2", "CATH-1", "catheters", "SZ", dt.datetime(2026, 1, 15), None, 40, 0, 0])
    book.save(folder / "batches.xlsx")
    ds = batchkit.load_dataset(folder, Params())
    assert ds["batches"]["start_date"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-12"),
                                                    pd.Timestamp("2026-01-15")]
    assert ds["batches"]["qty_good"].tolist() == [90.0, 48.0, 0.0]
    assert run_cost(folder).batch_summary.set_index("batch_id").loc["F1", "total_cost"] == 468.75


def test_excel_merged_header_cells_are_refused(make_data):
    folder = _data_without_batches(make_data)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["batch_id", "item_id", "", "site"])
    ws.merge_cells("B1:C1")
    book.save(folder / "batches.xlsx")
    found = batchkit.validate(batchkit.load_dataset(folder, Params()))
    first = found[found["severity"] == "error"].iloc[0]
    assert first["check"] == "merged_header"
    assert first["message"] == ("batches.xlsx row 1: header cells B1:C1 are merged; "
                                "give every column its own header cell")


def test_parquet_source(make_data):
    folder = _data_without_batches(make_data)
    pq.write_table(pa.table({
        "batch_id": ["S1", "F1", "F2"], "item_id": ["SUB-A", "CATH-1", "CATH-1"],
        "product_line": ["catheters"] * 3, "site": ["SZ"] * 3,
        "start_date": pa.array([dt.date(2026, 1, 2), dt.date(2026, 1, 12), dt.date(2026, 1, 15)]),
        "end_date": pa.array([dt.date(2026, 1, 10), dt.date(2026, 1, 25), None]),
        "qty_started": [100.0, 50.0, 40.0], "qty_good": [90, 48, 0], "qty_scrap": [10.0, 2.0, 0.0],
    }), folder / "batches.parquet")
    assert run_cost(folder).batch_summary.set_index("batch_id").loc["S1", "total_cost"] == 525.0


def test_two_files_for_one_table_is_an_error(make_data):
    folder = make_data()
    (folder / "batches.parquet").write_bytes(b"")
    found = findings_of(batchkit.load_dataset(folder, Params()), "ambiguous_table")
    assert found.loc[0, "message"].startswith("batches: more than one file for this table (batches.csv, "
                                              "batches.parquet)")


def test_batch_ids_are_normalized_everywhere_and_every_change_reported(make_data):
    folder = make_data(material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        s1 ,RESIN,L-1,10,12.5,2026-01-02,D1
        F-1,SUB-A,s-1,45,,2026-01-12,D2
        F1,TUBE,L-2,50,0.125,2026-01-12,D3
        F2,SUB-A,S1,30,,2026-01-15,D4
    """)
    ds = batchkit.load_dataset(folder, Params())
    found = findings_of(ds, "id_normalized")
    assert found[["table", "row", "column", "value"]].to_dict("records") == [
        {"table": "material_issues", "row": 3, "column": "batch_id", "value": "F-1"},
        {"table": "material_issues", "row": 2, "column": "batch_id", "value": "s1 "},
        {"table": "material_issues", "row": 3, "column": "lot_id", "value": "s-1"},
    ]
    assert found.loc[1, "message"] == "material_issues.csv row 2 column batch_id: ID 's1 ' normalized to 'S1'"
    # supplier lots are not batch IDs: L-1 keeps its dash
    assert ds["material_issues"]["lot_id"].tolist() == ["L-1", "S1", "L-2", "S1"]
    # costs are identical to the clean base plant
    assert run_cost(folder).batch_summary.set_index("batch_id").loc["F1", "total_cost"] == 468.75


def test_ids_failing_the_pattern_are_errors(make_data):
    folder = make_data(batches="""
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        S1/A,SUB-A,catheters,SZ,2026-01-02,2026-01-10,100,90,10
    """)
    found = findings_of(batchkit.load_dataset(folder, Params()), "invalid_id")
    assert found.loc[0, ["severity", "table", "row", "column", "value"]].tolist() == [
        "error", "batches", 2, "batch_id", "S1/A"]


def test_semicolon_files_are_read_with_a_warning(make_data):
    folder = make_data()
    text = (folder / "rates.csv").read_text().replace(",", ";")
    (folder / "rates.csv").write_text(text)
    ds = batchkit.load_dataset(folder, Params())
    assert ds["rates"]["labor_rate"].tolist() == [50.0, 40.0]
    assert findings_of(ds, "delimiter").loc[0, "severity"] == "warning"


def test_thousands_separators_and_full_width_digits_are_read_with_warnings(make_data):
    folder = make_data(cost_pools="""
        pool_id,cost_element,period,amount
        P-OH,overhead,2026-01,"1,000.00"
        P-X,overhead,2026-01,１００
    """)
    ds = batchkit.load_dataset(folder, Params())
    assert ds["cost_pools"]["amount"].tolist() == [1000.0, 100.0]
    found = findings_of(ds, "number_format")
    assert found["row"].tolist() == [2, 3]
    assert found.loc[0, "message"] == ("cost_pools.csv row 2 column amount: '1,000.00' thousands separators removed: "
                                       "read as 1000")


def test_a_short_row_is_reported_with_its_row_number(make_data):
    folder = make_data()
    with open(folder / "operations.csv", "a") as fh:
        fh.write("F2,assemble,WC2\n")
    found = findings_of(batchkit.load_dataset(folder, Params()), "malformed_row")
    assert found.loc[0, ["severity", "table", "row"]].tolist() == ["error", "operations", 5]
    assert found.loc[0, "message"].startswith("operations.csv row 5: 3 fields where the header has 6")


def test_undecodable_file_names_the_encoding_to_set(make_data):
    folder = make_data()
    (folder / "rates.csv").write_bytes("work_center,labor_rate,machine_rate\nWC1,50,80\nCafé,1,1\n"
                                       .encode("latin-1"))
    found = findings_of(batchkit.load_dataset(folder, Params()), "encoding")
    assert found.loc[0, "message"].startswith("rates.csv: neither UTF-8 nor GB18030")
    assert "set `encoding:`" in found.loc[0, "message"]


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="data folder not found"):
        batchkit.load_dataset(tmp_path / "nope", Params())


def test_base_fixture_is_clean(tmp_path):
    ds = batchkit.load_dataset(write_tables(tmp_path / "d", BASE), Params())
    assert batchkit.validate(ds).empty


def test_rows_after_blank_lines_keep_their_numbers(make_data):
    folder = make_data(operations="""
        batch_id,operation,work_center,labor_hours,machine_hours,date

        S1,mold,WC1,2,3,2026-01-03
        ,,,,,
        F1,assemble,WC2,x,1,2026-01-13
    """)
    found = batchkit.validate(batchkit.load_dataset(folder, Params()))
    assert found[["severity", "check", "row", "column"]].to_dict("records") == [
        {"severity": "error", "check": "non_numeric", "row": 5, "column": "labor_hours"},
        {"severity": "warning", "check": "blank_rows", "row": 2, "column": ""},
    ]
    assert found.loc[1, "message"] == "operations.csv rows 2, 4: empty rows skipped"


def test_excel_rows_after_an_empty_row_keep_their_numbers(make_data):
    folder = _data_without_batches(make_data)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["batch_id", "item_id", "product_line", "site", "start_date", "end_date", "qty_started", "qty_good"])
    ws.append(["S1", "SUB-A", "catheters", "SZ", dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 10), 100, 90])
    ws.append([None] * 8)
    ws.append(["F1", "CATH-1", "catheters", "SZ", dt.datetime(2026, 1, 12), dt.datetime(2026, 1, 25), 50, "lots"])
    ws.append(["F2", "CATH-1", "catheters", "SZ", dt.datetime(2026, 1, 15), None, 40, 0])
    ws["A20"] = " "  # a formatted, empty cell far below: trailing rows are not findings
    book.save(folder / "batches.xlsx")
    found = batchkit.validate(batchkit.load_dataset(folder, Params()))
    first = found.iloc[0]
    assert (first["check"], first["row"], first["column"]) == ("non_numeric", 4, "qty_good")
    assert findings_of(found, "blank_rows")["row"].tolist() == [3]


def test_gbk_lines_then_utf8_lines_are_refused_not_read_as_mojibake(make_data):
    """GB18030 decodes nearly any bytes, so a UTF-8 line after GBK ones would silently turn into mojibake."""
    folder = make_data()
    lines = BATCHES_ZH.splitlines()
    data = b"".join((line.encode("utf-8") if i == 3 else line.encode("gbk")) + b"\n" for i, line in enumerate(lines))
    (folder / "batches.csv").write_bytes(data)
    params = Params.model_validate({"sources": {"batches": {"columns": ZH_MAP}}})
    found = findings_of(batchkit.load_dataset(folder, params), "mixed_encoding")
    assert found.loc[0, ["severity", "table", "row"]].tolist() == ["error", "batches", 4]
    assert found.loc[0, "message"].startswith("batches.csv line 4: UTF-8, while line 1 is not UTF-8: the file mixes")
    # all GBK is still fine, and so is all GBK when said explicitly
    (folder / "batches.csv").write_bytes(BATCHES_ZH.encode("gbk"))
    assert batchkit.load_dataset(folder, params)["batches"]["product_line"].tolist() == ["导管"] * 3


def test_parquet_timestamps_with_milliseconds_and_float_ids(make_data):
    """Found by fuzzing: sub-second timestamps used to crash the date cast; big or NaN float IDs became garbage."""
    folder = _data_without_batches(make_data)
    pq.write_table(pa.table({
        "batch_id": ["S1", "F1", "F2"], "item_id": pa.array([1e20, float("nan"), 4711.5]),
        "product_line": ["catheters"] * 3,
        "start_date": pa.array([dt.datetime(2026, 1, 2, 0, 0, 0, 1000), dt.datetime(2026, 1, 12, 23, 59, 59, 999000),
                                dt.datetime(2026, 1, 15)], pa.timestamp("ms")),
        "qty_started": [100, 50, 40], "qty_good": [90, 48, 0],
    }), folder / "batches.parquet")
    b = batchkit.load_dataset(folder, Params())["batches"]
    assert b["start_date"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-12"),
                                        pd.Timestamp("2026-01-15")]
    assert b["item_id"].iloc[0] == "1e+20" and pd.isna(b["item_id"].iloc[1]) and b["item_id"].iloc[2] == "4711.5"


def test_parquet_text_read_as_dictionaries_loads_exactly_as_plain_text(make_data, monkeypatch):
    """Long Parquet columns that repeat are read with the file's dictionary codes (readers.REPEAT_ROWS);
    every cell must come out as the plain read gives it: trimmed, blank -> missing, batch IDs
    normalized and reported, blank rows skipped with their numbers, dates and numbers stored as text."""
    from batchkit.ingest.readers import parquet as readers

    folder = make_data()
    n = 40
    columns = {
        # repeats (3 distinct values in 40 rows): batch IDs with a space and lower case, blanks, nulls
        "batch_id": (["F1", " f1", "S1", None] * 10)[:n],
        "material_id": (["RESIN", "TUBE ", "", None] * 10)[:n],
        "lot_id": (["L-1", "L-2"] * 20)[:n],
        "qty": [1.0] * n,
        "unit_cost": [0.5] * n,
        "date": (["2026-01-02", "2026/01/03"] * 20)[:n],  # a date column stored as (repeating) text
        "doc_id": [f"D{i}" for i in range(n)],  # unique: stays plain
        "note": (["x", " "] * 20)[:n],  # a column outside the contract
    }
    for values in columns.values():  # row 8 (Parquet rows count from 1, no header) is empty everywhere
        values[7] = None
    pq.write_table(pa.table(columns), folder / "material_issues.parquet")
    (folder / "material_issues.csv").unlink()
    frames, findings = [], []
    for threshold in (10**12, 0):  # plain strings, then dictionaries for every repeating column
        monkeypatch.setattr(readers, "REPEAT_ROWS", threshold)
        ds = batchkit.load_dataset(folder, Params())
        frames.append(ds["material_issues"])
        findings.append(ds.findings)
    assert readers._repeating_text_columns(folder / "material_issues.parquet") == \
        ["batch_id", "material_id", "lot_id", "date", "note"]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(findings[0], findings[1])
    # and the figures the plain path gives, by hand: row 3 (" f1") normalized to F1; TUBE trimmed; "" missing
    mi = frames[1]
    assert len(mi) == n - 1 and 8 not in mi["_row"].tolist()
    assert findings[1].query("check == 'blank_rows'")["row"].tolist() == [8]
    assert mi["batch_id"].tolist()[:3] == ["F1", "F1", "S1"] and pd.isna(mi["batch_id"].iloc[3])
    assert mi["material_id"].tolist()[:2] == ["RESIN", "TUBE"] and mi["material_id"].iloc[2:4].isna().all()
    assert mi["date"].iloc[1] == pd.Timestamp("2026-01-03")


DAY_FIRST = """
    batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
    S1,SUB-A,catheters,SZ,02.01.2026,10.01.2026,100,90,10
    F1,CATH-1,catheters,SZ,12/01/2026,25-01-2026,50,48,2
    F2,CATH-1,catheters,SZ,2026-01-15,,40,0,0
"""


def test_day_first_dates_read_in_the_declared_order(make_data):
    folder = make_data(batches=DAY_FIRST)
    refused = batchkit.load_dataset(folder, Params())
    ambiguous = findings_of(refused.findings, "bad_date")
    assert ambiguous["message"][0] == ("batches.csv row 2 column start_date: '02.01.2026' is ambiguous (day/month "
                                       "or month/day?); write dates as YYYY-MM-DD, or declare the order in params: "
                                       "dates: {order: DMY} (or MDY)")
    ds = batchkit.load_dataset(folder, Params.model_validate({"dates": {"order": "DMY"}}))
    b = ds.tables["batches"].set_index("batch_id")
    assert [str(d)[:10] for d in b["start_date"]] == ["2026-01-02", "2026-01-12", "2026-01-15"]
    assert str(b.loc["F1", "end_date"])[:10] == "2026-01-25"  # 25-01-2026, day first
    assert findings_of(ds.findings, "bad_date").empty and findings_of(ds.findings, "date_format").empty


def test_month_first_dates_and_impossible_days(make_data):
    text = DAY_FIRST.replace("02.01.2026", "01.02.2026").replace("10.01.2026", "01.10.2026") \
        .replace("12/01/2026", "01/12/2026").replace("25-01-2026", "01-32-2026")
    ds = batchkit.load_dataset(make_data(batches=text), Params.model_validate({"dates": {"order": "MDY"}}))
    b = ds.tables["batches"].set_index("batch_id")
    assert str(b.loc["S1", "start_date"])[:10] == "2026-01-02" and str(b.loc["F1", "start_date"])[:10] == "2026-01-12"
    bad = findings_of(ds.findings, "bad_date")
    assert bad["message"].tolist() == ["batches.csv row 3 column end_date: '01-32-2026' is not a date "
                                       "(expected YYYY-MM-DD)"]
