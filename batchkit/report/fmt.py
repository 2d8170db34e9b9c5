"""Formatting of figures and tables for people: thousands separators, currency, escaped text.

Every value that came from data is HTML-escaped here, so a product line
named `<script>` prints as text. Money comes in as exact cents/100 floats
and is shown with two decimals; unit costs with up to four.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from ..core.money import is_money
from .i18n import Translator

FRACTION_COLUMNS = {"defect_rate", "scrap_rate", "yield", "share", "top_driver_share", "margin_rate"}
UNIT_COLUMNS = {"unit_cost", "reference_unit_cost", "unit_cost_a", "unit_cost_b", "unit_cost_delta"}


def kinds_of(frame: pd.DataFrame, numeric: str | dict[str, str] | None = None) -> list[str]:
    """The kind of every column. `numeric` is one kind for every number column (wide tables) or
    a map column -> kind for some of them."""
    out = []
    for c in frame.columns:
        kind = kind_of(str(c), frame[c])
        if isinstance(numeric, dict):
            kind = numeric.get(str(c), kind)
        elif numeric and kind in ("money", "unit", "qty", "int", "pct", "pct_points"):
            kind = numeric
        out.append(kind)
    return out


def kind_of(column: str, series: pd.Series) -> str:
    """How a column is shown: money, unit (4 decimals), pct, qty, int, date or text."""
    if column.endswith("_pct"):
        return "pct_points"
    if column in FRACTION_COLUMNS:
        return "pct"
    if column in UNIT_COLUMNS or column.startswith("unit_cost"):
        return "unit"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if is_money(column):
        return "money"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "qty"
    return "text"


def number(value: Any, kind: str) -> str:
    """One figure as text; empty for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "unit":
        return f"{value:,.4f}"
    if kind == "pct":  # a fraction: 0.042 -> 4.2 %
        return f"{value * 100:,.1f} %"
    if kind == "pct_points":  # already in percent: 4.2 -> +4.2 %
        return f"{value:+,.1f} %"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "qty":
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if kind == "date":
        return str(value)[:10]
    return str(value)


def money(value: float, currency: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.2f}"
    return f"{currency} {text}" if currency else text


def html_table(
    frame: pd.DataFrame,
    t: Translator,
    *,
    currency: str = "",
    max_rows: int | None = None,
    css_class: str = "bk-table",
    highlight: pd.Series | None = None,
    numeric: str | dict[str, str] | None = None,
) -> str:
    """An escaped HTML table with translated headers; numbers right-aligned and formatted."""
    shown = frame if max_rows is None else frame.head(max_rows)
    kinds = dict(zip(frame.columns, kinds_of(frame, numeric), strict=True))
    head = []
    for c in frame.columns:
        label = t.column(str(c))
        if kinds[c] in ("money", "unit") and currency:
            label = f"{label} ({currency})"
        cls = _num_class(kinds[c])
        head.append(f"<th{cls}>{html.escape(label)}</th>")
    rows = []
    values = {c: shown[c].to_numpy() for c in shown.columns}
    flags = None if highlight is None else highlight.reindex(shown.index).fillna(False).to_numpy(dtype=bool)
    for i in range(len(shown)):
        cells = []
        for c in shown.columns:
            v = values[c][i]
            if isinstance(v, np.generic):
                v = v.item()
            text = html.escape(number(v, kinds[c]) if kinds[c] != "text" else ("" if _missing(v) else str(v)))
            cells.append(f"<td{_num_class(kinds[c])}>{text}</td>")
        row_cls = ' class="flag"' if flags is not None and flags[i] else ""
        rows.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<p class="bk-more">{html.escape(t("table.more", shown=max_rows, total=f"{len(frame):,}"))}</p>'
    return (f'<table class="{css_class}"><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


def _num_class(kind: str) -> str:
    return "" if kind in ("text", "date") else ' class="num"'


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
