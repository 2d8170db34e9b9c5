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

import datetime as dt
import decimal
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
HEADER_COLOUR = "#1F3A5F"
CHART_SIZE = {"width": 680, "height": 302}  # pixels: 18 x 8 cm


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    chart: dict[str, Any] | None = None  # {"type": "bar"|"line", "x": col, "y": [cols], "title": str}
    numeric: str | dict[str, str] | None = None  # kinds for number columns, see fmt.kinds_of
    row_kinds: tuple[str, ...] | None = None  # a label/value sheet: the kind of each row's value


def safe_text(value: str) -> tuple[str, bool]:
    """`value` as cell text, and whether it needs Excel's quote prefix (it looks like a formula).

    Characters XML cannot hold become `?`, except the GS separator of a scanned UDI, shown as `<GS>`.
    """
    value = ILLEGAL_CHARACTERS_RE.sub("?", value.replace("\x1d", "<GS>"))
    return value, value.startswith(FORMULA_START)


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


class _Formats:
    """The workbook's cell formats, made once each: one per number format, the header, the quote prefix."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[str, Any] = {}
        self.header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_COLOUR,
                                       "pattern": 1, "valign": "vcenter", "text_wrap": True})
        self.quoted = book.add_format({"quote_prefix": True})

    def __call__(self, kind: str | None) -> Any:
        if kind not in FORMATS:
            return None
        if kind not in self.made:
            self.made[kind] = self.book.add_format({"num_format": FORMATS[kind]})
        return self.made[kind]


def write_sheet(ws: Any, sheet: Sheet, t: Translator, currency: str, formats: _Formats) -> None:
    """One table on one sheet: the header row, every value by its kind (text stays text), widths, frozen header,
    filter, page setup and the chart, if any."""
    frame = sheet.frame
    kinds = kinds_of(frame, sheet.numeric)
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, safe_text(header(str(col), kinds[j], t, currency))[0], formats.header)
    widths = [max(10, min(40, len(t.column(str(c))) + 2)) for c in frame.columns]
    yes, no = t("bool.yes"), t("bool.no")
    date_format = formats("date")
    for j, values in enumerate(_column_values(frame[c]) for c in frame.columns):
        column_format = formats(kinds[j])
        for i, value in enumerate(values):
            kind = kinds[j] if sheet.row_kinds is None else sheet.row_kinds[i]
            if value is None:  # an empty cell keeps its column's format, for a value typed in later
                if kind in FORMATS:
                    ws.write_blank(i + 1, j, None, formats(kind))
                continue
            if isinstance(value, bool) or kind == "bool":
                value = yes if value else no
            if value == "":  # an empty text is an empty cell, as it reads back
                continue
            if not isinstance(value, (dt.date, int, float, decimal.Decimal)):  # text, or any other value
                text, quoted = safe_text(str(value))
                ws.write_string(i + 1, j, text, formats.quoted if quoted else None)
                widths[j] = max(widths[j], min(60, len(text) + 2))
            elif isinstance(value, dt.date):
                ws.write_datetime(i + 1, j, value, date_format)
            elif isinstance(value, float) and not math.isfinite(value):  # Excel has no infinity: say it in text
                ws.write_string(i + 1, j, "inf" if value > 0 else "-inf")
            else:
                ws.write_number(i + 1, j, float(value) if isinstance(value, decimal.Decimal) else value,
                                column_format if sheet.row_kinds is None else formats(kind))
                if kind in MONEY_KINDS:
                    widths[j] = max(widths[j], min(24, len(f"{value:,.2f}") + 3))
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.freeze_panes(1, 0)
    if len(frame.columns):
        ws.autofilter(0, 0, max(1, len(frame)), len(frame.columns) - 1)
    _page_setup(ws)
    if sheet.chart and len(frame):
        _add_chart(ws, sheet, formats.book)


def _page_setup(ws: Any) -> None:
    """A4 landscape, one page wide (as many long as it takes), the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.5)
    ws.set_footer("&C&P / &N")


def _add_chart(ws: Any, sheet: Sheet, book: Any) -> None:
    spec = sheet.chart or {}
    cols = list(sheet.frame.columns)
    x = cols.index(spec["x"])
    n = min(len(sheet.frame), spec.get("max_points", 40))
    chart = book.add_chart({"type": "line" if spec.get("type") == "line" else "column"})
    for y_col in spec["y"]:
        y = cols.index(y_col)
        chart.add_series({"name": [ws.name, 0, y], "categories": [ws.name, 1, x, n, x],
                          "values": [ws.name, 1, y, n, y]})
    if spec.get("title"):
        chart.set_title({"name": spec["title"]})
    if spec.get("y_title"):
        chart.set_y_axis({"name": spec["y_title"]})
    chart.set_size(CHART_SIZE)
    # below the table, from a page of its own: printed whole, never cut across two pages
    below = len(sheet.frame) + 3
    ws.set_h_pagebreaks([below - 1])
    ws.insert_chart(f"A{below}", chart)


def write_workbook(path: Path, sheets: list[Sheet], t: Translator, currency: str = "") -> None:
    """Write `sheets` to an .xlsx at `path` (the caller writes into a temporary folder).

    XlsxWriter, not openpyxl: it writes each cell's XML as it goes, where openpyxl built a cell object and an
    lxml element per cell, half of every report workbook's time. Values are written by type, never through
    XlsxWriter's guessing `write` (which would make "=..." a formula and "1e5" a number)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "default_date_format": FORMATS["date"],
                                           "remove_timezone": True})
    formats = _Formats(book)
    used: set[str] = set()
    for sheet in sheets:
        write_sheet(book.add_worksheet(sheet_name(sheet.title, used)), sheet, t, currency, formats)
    if not sheets:
        book.add_worksheet("-")
    book.close()
