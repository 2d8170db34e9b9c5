"""The recall workbook: one Excel file a recall coordinator can act on.

Sheets: Summary (what was traced, totals, cost at risk, warnings), Batches,
Shipments, By customer and Lots; each with a bold frozen header, an
autofilter, number formats and column widths. Text from the data is never
a formula: a cell starting with `=`, `+`, `-`, `@` (or a tab / CR) is
stored as a literal string with Excel's quote prefix, so a customer named
`=cmd|' /C calc'!A0` cannot run anything when the file is opened. Control
characters Excel cannot hold (such as the GS of a scanned UDI) are shown
as `<GS>`/`?`. Written to a temporary file, then moved into place.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..tracing.walk import TraceResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY = "#,##0.00"
QTY = "#,##0.000"  # "#,##0.###" would show whole numbers as "20." in Excel
WHOLE = "#,##0"
UNIT = "#,##0.0000"
DATE = "yyyy-mm-dd"
MONEY_COLUMNS = {"total_cost", "cost_at_risk"}
FORMATS = {"unit_cost": UNIT, "level": "0", "shipments": "0", "batches": "0"}


def _plain(value: Any) -> Any:
    """A cell value openpyxl can write: NaN/NaT empty, numpy scalars as Python, dates as dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("?", value.replace("\x1d", "<GS>"))
    return value


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> None:
    """Write one cell; text that Excel would read as a formula stays literal text."""
    cell = ws.cell(row=row, column=col, value=_plain(value))
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(cell.value, dt.date):
        cell.number_format = DATE
    elif number_format and isinstance(cell.value, int | float):
        cell.number_format = number_format


def _format_of(column: str, values: pd.Series) -> str:
    if column in MONEY_COLUMNS:
        return MONEY
    if column in FORMATS:
        return FORMATS[column]
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return WHOLE if (numbers == numbers.round()).all() else QTY


def write_sheet(wb: Workbook, title: str, frame: pd.DataFrame) -> Worksheet:
    """A data sheet: bold frozen header, autofilter, per-column formats, widths from the content."""
    ws = wb.create_sheet(title)
    for j, col in enumerate(frame.columns, start=1):
        put(ws, 1, j, col)
        ws.cell(row=1, column=j).font = Font(bold=True)
        fmt = _format_of(col, frame[col])
        values = frame[col].tolist()
        for i, value in enumerate(values, start=2):
            put(ws, i, j, value, fmt)
        shown = [len(str(_plain(v) or "")) for v in values[:500]]
        ws.column_dimensions[get_column_letter(j)].width = min(max([len(col), *shown]) + 2, 50)
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(len(frame) + 1, 1)}"
    return ws


def _summary(wb: Workbook, r: TraceResult, currency: str) -> None:
    ws = wb.active
    ws.title = "Summary"
    u = r.udi or {}  # only the UDI fields the label had
    rows: list[tuple[str, Any, str | None]] = [
        ("traced", r.id, None), ("as asked", r.query, None), ("kind", r.kind, None),
        ("direction", r.direction, None), ("costs as of the end of", r.period, None),
        *[(f"UDI {k}", u[k], None) for k in ("gtin", "lot", "expiry", "serial") if u.get(k)],
        ("batches", len(r.batches), "0"), ("WIP batches", int((r.batches["status"] == "wip").sum()), "0"),
        ("purchased lots", len(r.lots), "0"), ("shipments", len(r.shipments), "0"),
        ("customers", r.shipments["customer"].nunique(), "0"),
        ("units shipped", r.shipments["qty"].sum(), _format_of("qty", r.shipments["qty"])),
        (f"cost at risk ({currency})" if currency else "cost at risk", r.cost_at_risk, MONEY),
    ]
    rows += [("warning", w, None) for w in r.warnings]
    put(ws, 1, 1, "recall trace")
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for i, (label, value, fmt) in enumerate(rows, start=3):
        put(ws, i, 1, label)
        ws.cell(row=i, column=1).font = Font(bold=True)
        put(ws, i, 2, value, fmt)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 60


def write_recall_workbook(r: TraceResult, path: str | Path, currency: str = "") -> Path:
    """Write the recall workbook for a trace to `path` (.xlsx), atomically."""
    path = Path(path)
    wb = Workbook()
    _summary(wb, r, currency)
    write_sheet(wb, "Batches", r.batches)
    write_sheet(wb, "Shipments", r.shipments)
    write_sheet(wb, "By customer", r.customers)
    write_sheet(wb, "Lots", r.lots)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
