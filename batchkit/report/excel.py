"""Excel workbooks for people: one sheet per table, frozen headers, number formats, filters, charts, print setup.

Number formats follow the same kinds as the HTML (`fmt.kinds_of`): money with
two decimals and the currency in the header, rates in %, counts as integers,
booleans as translated yes/no. Every sheet prints on A4 landscape, fitted to
one page wide, with its header row repeated on every page; a chart sits below
its table, on a page of its own.

Data values are never trusted: a text cell that starts with =, +, -, @ (or a
tab or carriage return) is stored as a literal string with Excel's quote
prefix, so it can never become a formula.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from .fmt import MONEY_KINDS, header, kinds_of
from .i18n import Translator

FORMATS = {
    "money": "#,##0.00",
    "unit": "#,##0.0000",
    "pct": "0.0%",
    "pct_points": '+0.0" %";-0.0" %";0.0" %"',
    "pct_value": '0.0" %"',
    "int": "#,##0",
    "qty": "#,##0.000",
    "days": "#,##0.0",
    "score": "0.00",
    "date": "yyyy-mm-dd",
}
SHEET_NAME_MAX = 31  # Excel's limit
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    chart: dict[str, Any] | None = None  # {"type": "bar"|"line", "x": col, "y": [cols], "title": str}
    numeric: str | dict[str, str] | None = None  # kinds for number columns, see fmt.kinds_of
    row_kinds: tuple[str, ...] | None = None  # a label/value sheet: the kind of each row's value


def safe_text(cell: Any, value: str) -> None:
    """Store `value` as text; a formula-looking value gets the quote prefix and string type.

    Characters XML cannot hold become `?`, except the GS separator of a scanned UDI, shown as `<GS>`.
    """
    value = ILLEGAL_CHARACTERS_RE.sub("?", value.replace("\x1d", "<GS>"))
    cell.value = value
    if value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def sheet_name(title: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters, cut at a word where it must be cut, no trailing space."""
    base = _fit(_BAD_SHEET_CHARS.sub(" ", title).strip().strip("'"), SHEET_NAME_MAX) or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _fit(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, at the last space when there is one in the second half."""
    if len(text) <= width:
        return text
    cut = text[:width]
    space = cut.rfind(" ")
    return (cut[:space] if space >= width // 2 else cut).rstrip(" -:,(")


def _cell_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    return value


def _column_values(column: pd.Series) -> list[Any]:
    """A column's cell values: Python numbers, text and dates, None for missing. Numbers and text convert in
    one step (a fifth of the sheet's time went to converting cell by cell); dates and mixed objects by cell."""
    if (isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf") or isinstance(column.dtype, pd.StringDtype):
        return list(column.to_numpy(dtype=object, na_value=None).tolist())  # list(): tolist() is typed Any
    return [_cell_value(v) for v in column.to_numpy()]


class _Styles:
    """One style array per number format, built once per sheet; each cell's constructor copies its kind's array,
    instead of the format being looked up in the workbook's table cell by cell (most of writing a sheet)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.arrays: dict[str, Any] = {}

    def __call__(self, kind: str) -> Any:
        if kind not in FORMATS:
            return None
        if kind not in self.arrays:
            proto = Cell(self.ws)
            proto.number_format = FORMATS[kind]
            self.arrays[kind] = proto._style
        return self.arrays[kind]


def write_sheet(ws: Any, sheet: Sheet, t: Translator, currency: str) -> None:
    frame = sheet.frame
    kinds = kinds_of(frame, sheet.numeric)
    for j, col in enumerate(frame.columns, start=1):
        cell = ws.cell(row=1, column=j)
        safe_text(cell, header(str(col), kinds[j - 1], t, currency))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    columns = [_column_values(frame[c]) for c in frame.columns]
    widths = [max(10, min(40, len(t.column(str(c))) + 2)) for c in frame.columns]
    yes, no = t("bool.yes"), t("bool.no")
    style = _Styles(ws)
    column_styles = [style(k) for k in kinds]
    for i, values in enumerate(zip(*columns, strict=True)):
        row_kind = None if sheet.row_kinds is None else sheet.row_kinds[i]
        cells = []
        for j, value in enumerate(values):
            kind = kinds[j] if row_kind is None else row_kind
            if isinstance(value, bool) or (kind == "bool" and value is not None):
                value = yes if value else no
            if isinstance(value, str):
                cell = Cell(ws)
                safe_text(cell, value)
                widths[j] = max(widths[j], min(60, len(value) + 2))
            else:
                cell = Cell(ws, value=value,
                            style_array=column_styles[j] if row_kind is None else style(row_kind))
                if kind in MONEY_KINDS and value is not None:
                    widths[j] = max(widths[j], min(24, len(f"{value:,.2f}") + 3))
            cells.append(cell)
        ws.append(cells)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(1, len(frame) + 1)}"
    _page_setup(ws)
    if sheet.chart and len(frame):
        _add_chart(ws, sheet, t)


def _page_setup(ws: Any) -> None:
    """A4 landscape, one page wide (as many long as it takes), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "&P / &N"


def _add_chart(ws: Any, sheet: Sheet, t: Translator) -> None:
    spec = sheet.chart or {}
    cols = list(sheet.frame.columns)
    x = cols.index(spec["x"]) + 1
    n = min(len(sheet.frame), spec.get("max_points", 40))
    chart = LineChart() if spec.get("type") == "line" else BarChart()
    chart.title = spec.get("title", "")
    chart.height, chart.width = 8, 18
    for y_col in spec["y"]:
        y = cols.index(y_col) + 1
        data = Reference(ws, min_col=y, min_row=1, max_row=n + 1)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=x, min_row=2, max_row=n + 1))
    chart.y_axis.title = spec.get("y_title", "")
    # below the table, from a page of its own: printed whole, never cut across two pages
    below = len(sheet.frame) + 3
    ws.row_breaks.append(Break(id=below - 1))
    ws.add_chart(chart, f"A{below}")


def write_workbook(path: Path, sheets: list[Sheet], t: Translator, currency: str = "") -> None:
    """Write `sheets` to an .xlsx at `path` (the caller writes into a temporary folder)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(sheet_name(sheet.title, used))
        write_sheet(ws, sheet, t, currency)
    if not sheets:
        book.create_sheet("-")
    book.save(path)
