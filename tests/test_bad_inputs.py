"""Malformed datasets, table-driven: each is accepted with a documented warning or refused with one clear line.

Every case starts from the base plant (tests/conftest.py BASE) and spoils it
one way. A refused case must exit 1 with exactly the expected first line on
stderr (naming table, row and column), no traceback, and no output folder.
An accepted case must exit 0, report the expected finding (check, table,
row, column and message) and show the documented interpretation in the
output tables.

docs/BAD-INPUTS.md is generated from this table and checked to be in sync:
    python -m tests.test_bad_inputs      # rewrites the doc
"""

from __future__ import annotations

import io
import signal
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from batchkit.cli import main
from tests.conftest import BASE, write_tables
from tests.test_cli import CONTRACT_DEFAULTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "BAD-INPUTS.md"
Build = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    build: Build  # spoils the base plant in the given folder
    message: str  # refused: the first line on stderr (after "error: "); accepted: the finding's message
    finding: tuple[str, str, int | None, str] | None = None  # accepted: (check, table, row, column)
    interpretation: str = ""  # accepted: what batchkit makes of it (for the doc)
    expect: Callable[[Path], None] | None = None  # accepted: the interpretation, checked in the output

    @property
    def refused(self) -> bool:
        return self.expect is None


# ------------------------------------------------------------------ builders


def csv(name: str, text: str) -> Build:
    """Replace a table by CSV text (dedented)."""
    return lambda folder: (folder / f"{name}.csv").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def raw(name: str, data: bytes, suffix: str = ".csv") -> Build:
    return lambda folder: (folder / f"{name}{suffix}").write_bytes(data)


def edit(name: str, old: str, new: str) -> Build:
    """Replace text in one of the base plant's files."""

    def build(folder: Path) -> None:
        path = folder / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return build


def append(name: str, *lines: str) -> Build:
    def build(folder: Path) -> None:
        with open(folder / f"{name}.csv", "a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))

    return build


def both(*builds: Build) -> Build:
    def build(folder: Path) -> None:
        for b in builds:
            b(folder)

    return build


def base_text(name: str) -> str:
    return textwrap.dedent(BASE[name]).strip() + "\n"


def xlsx_batches(merge: str | None = None) -> Build:
    def build(folder: Path) -> None:
        (folder / "batches.csv").unlink()
        book = openpyxl.Workbook()
        ws = book.active
        for line in base_text("batches").splitlines():
            ws.append(line.split(","))
        if merge:
            ws.merge_cells(merge)
        book.save(folder / "batches.xlsx")

    return build


def xlsx_bytes_as_csv(folder: Path) -> None:
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    (folder / "batches.csv").write_bytes(buf.getvalue())


def parquet_batches_numeric_item(folder: Path) -> None:
    (folder / "batches.csv").unlink()
    frame = pd.read_csv(io.StringIO(base_text("batches")), dtype=str, keep_default_na=False)
    table = pa.table({c: frame[c].replace("", None) for c in frame.columns if c != "item_id"})
    table = table.add_column(1, "item_id", pa.array([4711, 4712, 4712], pa.int64()))
    pq.write_table(table, folder / "batches.parquet")


def mixed_encoding_batches(folder: Path) -> None:
    lines = base_text("batches").replace("catheters", "导管").splitlines()
    data = b"".join((line.encode("gbk") if i == 2 else line.encode("utf-8")) + b"\n" for i, line in enumerate(lines))
    (folder / "batches.csv").write_bytes(data)


def huge_issues(folder: Path) -> None:
    """material_issues with 200,001 data rows; the last one (row 200,002) has a bad quantity."""
    n = 200_000 - 4
    generated = pd.DataFrame({"batch_id": "F1", "material_id": "TUBE", "lot_id": "L-2", "qty": 1, "unit_cost": 0.125,
                              "date": "2026-01-12", "doc_id": np.char.add("G", np.arange(n).astype(str))})
    with open(folder / "material_issues.csv", "a", encoding="utf-8") as fh:
        generated.to_csv(fh, header=False, index=False)
        fh.write("F2,TUBE,L-2,12x,0.125,2026-01-16,LAST\n")


# ------------------------------------------------------------------ output checks


def out_table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype={"batch_id": str, "item_id": str, "period": str},
                       keep_default_na=False, na_values=[""])


def total(batch: str, amount: float) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        s = out_table(out, "batch_summary").set_index("batch_id")
        assert s.loc[batch, "total_cost"] == amount, s.loc[batch, "total_cost"]

    return check


def element(batch: str, cost_element: str, amount: float) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        bc = out_table(out, "batch_costs").set_index(["batch_id", "cost_element"])
        assert bc.loc[(batch, cost_element), "amount"] == amount

    return check


def summary_value(batch: str, column: str, value: object) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        s = out_table(out, "batch_summary").set_index("batch_id")
        got = s.loc[batch, column]
        assert (pd.isna(got) and value is None) or got == value, got

    return check


def ledger(check_frame: Callable[[pd.DataFrame], bool]) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        frame = out_table(out, "allocation_ledger")
        assert check_frame(frame), frame

    return check


def reconciliation(cost_element: str, column: str, amount: float) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        r = out_table(out, "reconciliation").set_index("cost_element")
        assert r.loc[cost_element, column] == amount

    return check


# The base plant's figures (tests/test_cli.py): S1 525.00, F1 468.75, F2 255.00; pool P-OH 100.00 on
# machine hours S1 3, F1 1, F2 1.
BATCH_HEADER = "batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap"
UNCHANGED = total("S1", 525.0)

CASES: list[Case] = [
    # ---------------------------------------------------------- refused
    Case("truncated file (last line cut mid-field)",
         lambda f: (f / "material_issues.csv").write_text(base_text("material_issues").rstrip("\n")[:-13]),
         "material_issues.csv row 5: the file ends in the middle of this row (6 of 7 fields): truncated? "
         "export it again"),
    Case("quoted field never closed",
         edit("rates", "WC2,40,20,,", 'WC2,"40,20,,'),
         "rates.csv row 3: a quoted field opens here and is never closed (2 of 5 fields); row skipped "
         "(a stray quote?) (and 2 more errors: run `batchkit validate` to list them)"),
    Case("semicolons with decimal commas",
         csv("rates", "work_center;labor_rate;machine_rate\nWC1;50,5;80\nWC2;40;20\n"),
         "rates.csv row 2 column labor_rate: '50,5' is not a number (in a file separated by semicolons a comma may "
         "be a decimal comma or a thousands separator: write 50.5 or 505)"),
    Case("mixed encodings (UTF-8 lines, then a GBK line)", mixed_encoding_batches,
         "batches.csv line 3: not UTF-8, while line 2 is UTF-8: the file mixes encodings (UTF-8 and GBK?); save it "
         "again in one encoding (or set sources.batches.encoding if it really is all one)"),
    Case("xlsx workbook with merged header cells", xlsx_batches("B1:C1"),
         "batches.xlsx row 1: header cells B1:C1 are merged; give every column its own header cell"),
    Case("an .xlsx workbook saved under a .csv name", xlsx_bytes_as_csv,
         "batches.csv: this is an Excel workbook (or another zip file), not CSV text; name it batches.xlsx, or "
         "save it as CSV"),
    Case("day-first date 05/01/2026", edit("batches", "S1,SUB-A,catheters,SZ,2026-01-02", "S1,SUB-A,catheters,SZ,"
                                           "05/01/2026"),
         "batches.csv row 2 column start_date: '05/01/2026' is ambiguous (day/month or month/day?); write dates "
         "as YYYY-MM-DD, or declare the order in params: dates: {order: DMY} (or MDY)"),
    Case("date that does not exist (2026-02-30)", edit("material_issues", "2026-01-02,D1", "2026-02-30,D1"),
         "material_issues.csv row 2 column date: '2026-02-30' is not a calendar date (no such day)"),
    Case("NaN and inf as numbers", both(edit("operations", "S1,mold,WC1,2,3", "S1,mold,WC1,NaN,3"),
                                        edit("operations", "F1,assemble,WC2,4,1", "F1,assemble,WC2,4,-inf")),
         "operations.csv row 2 column labor_hours: 'NaN' is not a number (NaN and infinity are not amounts: "
         "leave the cell empty if the value is unknown) (and 1 more error: run `batchkit validate` to list them)"),
    Case("number too large to compute exactly", edit("cost_pools", "100.00", "1e20"),
         "cost_pools.csv row 2 column amount: 1e+20 is too large (batchkit computes amounts and quantities below "
         "10,000,000,000,000 exactly)"),
    Case("row amount too large (qty x unit cost)", edit("material_issues", "S1,RESIN,L-1,10,12.5",
                                                         "S1,RESIN,L-1,400000000,400000000"),
         "material_issues.csv row 2 column qty: qty x unit cost is too large (batchkit totals amounts below "
         "10,000,000,000,000 exactly)"),
    Case("duplicate doc_id lines", append("material_issues", "F2,TUBE,L-2,5,0.125,2026-01-16,D3"),
         "material_issues.csv row 6 column doc_id: document line 'D3' already appears in row 4 (posted twice?)"),
    Case("rate gap (no rate on a booking date)",
         csv("rates", "work_center,labor_rate,machine_rate,valid_from,valid_to\nWC1,50,80,,\n"
                      "WC2,40,20,,2026-01-12\nWC2,42,21,2026-01-14,\n"),
         "operations.csv row 3 column work_center: no rate for work center 'WC2' on 2026-01-13 (add a rates row "
         "covering that date)"),
    Case("batch issued to itself", append("material_issues", "S1,SUB-A,S1,1,,2026-01-05,D5"),
         "material_issues.csv row 6 column lot_id: batch 'S1' consumes itself (rows 6)"),
    Case("sub-assembly with no good output consumed", edit("batches", "S1,SUB-A,catheters,SZ,2026-01-02,2026-01-10,"
                                                           "100,90,10", "S1,SUB-A,catheters,SZ,2026-01-02,"
                                                           "2026-01-10,100,0,100"),
         "material_issues.csv row 3 column lot_id: issues batch 'S1', which has no good output (qty_good 0), so "
         "no unit cost (and 1 more error: run `batchkit validate` to list them)"),
    Case("batch ends before it starts", edit("batches", "2026-01-12,2026-01-25", "2026-01-12,2026-01-05"),
         "batches.csv row 3 column end_date: ends 2026-01-05, before it starts 2026-01-12"),
    Case("huge file (200,001 rows), one bad row at the end", huge_issues,
         "material_issues.csv row 200002 column qty: '12x' is not a number"),
    Case("column named twice (differently spelled)",
         csv("rates", "work_center,labor_rate,machine_rate,Labor_Rate\nWC1,50,80,50\nWC2,40,20,40\n"),
         "rates.csv row 1: column 'labor_rate' appears more than once in the header (as 'labor_rate', "
         "'Labor_Rate') (and 1 more error: run `batchkit validate` to list them)"),
    Case("required column missing", csv("rates", "work_center,labor_rate\nWC1,50\nWC2,40\n"),
         "rates.csv row 1: required column 'machine_rate' is missing (columns are: work_center, labor_rate)"),
    Case("empty file", raw("material_lots", b""),
         "material_lots.csv: the file is empty (expected a header row)"),
    # ---------------------------------------------------------- accepted
    Case("semicolon-separated file", lambda f: (f / "rates.csv").write_text(base_text("rates").replace(",", ";")),
         "rates.csv row 1: columns are separated by ';', not commas; read that way (set sources.rates.delimiter to "
         "make it explicit)",
         ("delimiter", "rates", 1, ""), "read with ';' as the delimiter", UNCHANGED),
    Case("UTF-16 tab-separated file (Excel 'Unicode text')",
         raw("rates", base_text("rates").replace(",", "\t").encode("utf-16")),
         "rates.csv row 1: columns are separated by '\\t', not commas; read that way (set sources.rates.delimiter "
         "to make it explicit)",
         ("delimiter", "rates", 1, ""), "UTF-16 read by its byte-order mark, tabs as the delimiter", UNCHANGED),
    Case("dates in three formats (ISO, 2026/01/12, 20260112)",
         both(edit("material_issues", "F1,SUB-A,S1,45,,2026-01-12", "F1,SUB-A,S1,45,,2026/01/12"),
              edit("material_issues", "F1,TUBE,L-2,50,0.125,2026-01-12", "F1,TUBE,L-2,50,0.125,20260112")),
         "material_issues.csv row 3 column date: '2026/01/12' read as 2026-01-12 (dates should be YYYY-MM-DD)",
         ("date_format", "material_issues", 3, "date"), "2026/01/12 and 20260112 read as 2026-01-12, each warned",
         total("F1", 468.75)),
    Case("thousands separators", edit("cost_pools", "100.00", '"1,000.00"'),
         "cost_pools.csv row 2 column amount: '1,000.00' thousands separators removed: read as 1000",
         ("number_format", "cost_pools", 2, "amount"), "1,000.00 read as 1000",
         ledger(lambda f: f["amount"].sum() == 1000.0)),
    Case("full-width digits", edit("operations", "S1,mold,WC1,2,3", "S1,mold,WC1,４,3"),
         "operations.csv row 2 column labor_hours: '４' full-width or special characters normalized: read as 4",
         ("number_format", "operations", 2, "labor_hours"), "４ read as 4 (S1 labor 4 h x 50 = 200.00)",
         element("S1", "labor", 200.0)),
    Case("negative pool", edit("cost_pools", "100.00", "-100.00"),
         "cost_pools.csv row 2 column amount: pool amount -100 is negative (a credit); allocated as such",
         ("negative_pool", "cost_pools", 2, "amount"), "allocated as a credit: S1 -60.00, F1 -20.00, F2 -20.00",
         ledger(lambda f: dict(zip(f["batch_id"], f["amount"], strict=True)) == {"F1": -20.0, "F2": -20.0,
                                                                                 "S1": -60.0})),
    Case("pool period outside the data (2025-06)", edit("cost_pools", "2026-01,100.00", "2025-06,100.00"),
         "cost_pools.csv row 2 column pool_id: pool 'P-OH' (2025-06, 100.00) has no batch to take it: no batch has "
         "machine_hours in 2025-06; reported as unallocated",
         ("unallocated_pool", "cost_pools", 2, "pool_id"), "not allocated; reconciliation shows it as unallocated",
         reconciliation("overhead", "unallocated_amount", 100.0)),
    Case("completed batch with 0 good units",
         both(append("batches", "F3,CATH-1,catheters,SZ,2026-01-15,2026-01-20,10,0,10"),
              append("material_issues", "F3,RESIN,L-1,1,,2026-01-15,D9")),
         "batches.csv row 5 column qty_good: completed with no good units: it has no unit cost and all its cost "
         "is scrap",
         ("zero_good_completed", "batches", 5, "qty_good"), "costed (12.50), no unit cost, all of it scrap cost",
         both(summary_value("F3", "unit_cost", None), summary_value("F3", "scrap_cost", 12.5))),
    Case("BOM and spaces around the headers",
         lambda f: (f / "batches.csv").write_text(base_text("batches").replace(BATCH_HEADER, " batch_id , item_id,"
                                                                               "product_line,site,start_date,end_date,"
                                                                               "qty_started,qty_good,qty_scrap"),
                                                  encoding="utf-8-sig"),
         "batches.csv row 1: headers read as contract columns: ' batch_id ' as 'batch_id', ' item_id' as 'item_id'",
         ("header_cleaned", "batches", 1, "batch_id"), "headers trimmed (the BOM is no problem)", UNCHANGED),
    Case("headers in another case", edit("batches", BATCH_HEADER, BATCH_HEADER.replace("batch_id", "Batch_ID")
                                         .replace("qty_good", "QTY_GOOD")),
         "batches.csv row 1: headers read as contract columns: 'Batch_ID' as 'batch_id', 'QTY_GOOD' as 'qty_good'",
         ("header_cleaned", "batches", 1, "batch_id"), "matched case-insensitively", UNCHANGED),
    Case("trailing empty lines and rows of bare commas (Excel)", append("operations", "", ",,,,,", ",,,,,", ""),
         "", None, "empty rows at the end are dropped without a finding", UNCHANGED),
    Case("empty lines inside the table", edit("operations", "\nF1,assemble", "\n\n,,,,,\nF1,assemble"),
         "operations.csv rows 3, 4: empty rows skipped", ("blank_rows", "operations", 3, ""),
         "skipped; the rows after them keep their true row numbers", UNCHANGED),
    Case("quoted field with an embedded newline, comma and quotes",
         edit("batches", "S1,SUB-A,catheters,SZ,", 'S1,SUB-A,catheters,"SZ, ""Bldg 2""\nLine 3",'),
         "", None, "read as one value", summary_value("S1", "site", 'SZ, "Bldg 2"\nLine 3')),
    Case("numeric ID column in Parquet", parquet_batches_numeric_item,
         "batches.parquet row 1 column item_id: IDs are stored as numbers (e.g. '4711') and read as text; leading "
         "zeros the source had are lost (store IDs as text)",
         ("numeric_id", "batches", 1, "item_id"), "read as text '4711'", summary_value("S1", "item_id", "4711")),
    Case("empty optional table (header only)", csv("direct_costs", "batch_id,cost_element,amount,date\n"),
         "", None, "no direct costs; no finding", UNCHANGED),
    Case("required table with a header and no rows (no final newline)",
         raw("material_issues", b"batch_id,material_id,lot_id,qty,unit_cost,date,doc_id"),
         "material_issues.csv: the table has no rows", ("empty_table", "material_issues", None, ""),
         # S1 = labor 2 h x 50 + machine 3 h x 80 + pool 3/5 x 100.00 = 100 + 240 + 60
         "nothing issued: batches cost their hours and pools only (S1 400.00)", total("S1", 400.0)),
    Case("period written 2026-1", edit("cost_pools", "2026-01,100.00", "2026-1,100.00"),
         "cost_pools.csv row 2 column period: '2026-1' read as 2026-01 (periods should be YYYY-MM)",
         ("period_format", "cost_pools", 2, "period"), "read as 2026-01",
         ledger(lambda f: set(f["period"]) == {"2026-01"})),
    Case("batch ID in lower case with a dash", edit("material_issues", "S1,RESIN", "s-1,RESIN"),
         "material_issues.csv row 2 column batch_id: ID 's-1' normalized to 'S1'",
         ("id_normalized", "material_issues", 2, "batch_id"), "normalized to S1", UNCHANGED),
    Case("transaction of an unknown batch", append("material_issues", "ZZ9,RESIN,L-1,1,,2026-01-05,D9"),
         "material_issues.csv row 6 column batch_id: batch 'ZZ9' is not in batches; its costs are excluded",
         ("orphan", "material_issues", 6, "batch_id"), "excluded; reconciliation shows 12.50 material as excluded",
         reconciliation("material", "excluded_amount", 12.5)),
]


# ------------------------------------------------------------------ running a case


@pytest.fixture
def cli_runner():
    """CliRunner in this process; the CLI's signal handlers are put back afterwards."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield CliRunner()
    for s, handler in saved.items():
        signal.signal(s, handler)


def run_case(case: Case, tmp_path: Path, runner: CliRunner):
    folder = write_tables(tmp_path / "data", BASE)
    case.build(folder)
    out = tmp_path / "out" / "2026-01"
    result = runner.invoke(main, ["cost", str(folder), "--period", "2026-01", "--out", str(out),
                                  "--params", str(CONTRACT_DEFAULTS)])
    return result, out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, cli_runner):
    result, out = run_case(case, tmp_path, cli_runner)
    if case.refused:
        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert result.stderr.splitlines()[0] == f"error: {case.message}"
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
        assert not out.exists() and [p.name for p in out.parent.iterdir()] == ["run.log"]
        return
    assert result.exit_code == 0, result.stderr
    found = pd.read_csv(out / "data_quality.csv", keep_default_na=False, dtype={"row": str})
    if not case.message:
        assert found.empty, found.to_dict("records")
    else:
        check, table, row, column = case.finding  # type: ignore[misc]
        first = found[found["check"] == check].iloc[0]
        assert (first["severity"], first["table"], first["row"], first["column"], first["message"]) == (
            "warning", table, "" if row is None else str(row), column, case.message)
        assert (found["severity"] == "warning").all()
    case.expect(out)  # type: ignore[misc]


def test_enough_cases():
    assert len(CASES) >= 22
    assert sum(c.refused for c in CASES) >= 10 and sum(not c.refused for c in CASES) >= 10


# ------------------------------------------------------------------ the doc


def refused_check(case: Case) -> str:
    """The check code a refused case is refused for: the first error `validate` finds (or the loader raises)."""
    import tempfile

    import batchkit
    from batchkit.core.errors import DataError
    from batchkit.core.params import load_params

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp) / "data", BASE)
        case.build(folder)
        try:
            findings = batchkit.validate(batchkit.load_dataset(folder, load_params(CONTRACT_DEFAULTS)))
        except DataError as exc:
            return exc.check or ""
    errors = findings[findings["severity"] == "error"]
    return str(errors.iloc[0]["check"]) if len(errors) else ""


def render_doc() -> str:
    from batchkit.core.check_codes import title

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "\\n") or "–"

    def check(code: str) -> str:
        return f"`{code}` ({title(code)})" if code else "–"

    lines = [
        "# Bad inputs: what batchkit accepts, what it refuses, and what it says",
        "",
        "Generated from `tests/test_bad_inputs.py` (`python -m tests.test_bad_inputs`); a test keeps it in sync.",
        "Each case spoils the test suite's base plant in one way and runs `batchkit cost`.",
        "",
        "- **Refused**: exit 1, the message below as the one line on stderr (`error: ...`), no traceback, and no",
        "  output folder written (a previous one is left as it was).",
        "- **Accepted**: exit 0; the finding below is in `data_quality` (severity `warning`) and the",
        "  interpretation shown is checked in the output tables. Valid-but-unusual inputs give no finding.",
        "",
        "Row numbers are spreadsheet rows: the header is row 1. `line N` (encodings) counts lines of the file.",
        "Every check code is described in [CHECKS.md](CHECKS.md).",
        "",
        "## Refused",
        "",
        "| case | check | message |",
        "|---|---|---|",
    ]
    lines += [f"| {cell(c.name)} | {check(refused_check(c))} | `` {cell(c.message)} `` |" for c in CASES if c.refused]
    lines += ["", "## Accepted", "", "| case | interpretation | finding (check, table, row, column) | message |",
              "|---|---|---|---|"]
    for c in CASES:
        if c.refused:
            continue
        where = "none" if not c.message else "{}, {}, {}, {}".format(
            check(c.finding[0]), *[x if x not in ("", None) else "–" for x in c.finding[1:]])  # type: ignore[index]
        lines.append(f"| {cell(c.name)} | {cell(c.interpretation)} | {where} | "
                     + (f"`` {cell(c.message)} ``" if c.message else "–") + " |")
    return "\n".join(lines) + "\n"


def test_doc_is_in_sync():
    assert DOC.read_text(encoding="utf-8") == render_doc(), "run: python -m tests.test_bad_inputs"


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render_doc(), encoding="utf-8")
    print(f"wrote {DOC} ({len(CASES)} cases)", file=sys.stderr)
