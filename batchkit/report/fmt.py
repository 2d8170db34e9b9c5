"""How each kind of number is shown, in HTML and (through `excel.FORMATS`) in Excel: one rule per kind.

A column's kind comes from its name and values (`kinds_of`): money (two
decimals, the currency in the header; `core.money.format_money`), unit costs
(four decimals, the currency in the header), rates in % (fractions and
percentages), counts and whole quantities as integers, other quantities with
three decimals, days with one, dates as YYYY-MM-DD, booleans as translated
yes/no, never True/False. Every value that came from data is HTML-escaped
here, so a product line named `<script>` prints as text.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from ..core.kpi_codes import KpiCode
from ..core.money import format_money, is_money
from .i18n import Translator

# columns holding a fraction (0.042 -> 4.2 %)
FRACTION_COLUMNS = {"defect_rate", "reference_defect_rate", "scrap_rate", "yield", "share", "top_driver_share",
                    "margin_rate"}
UNIT_COLUMNS = {"unit_cost", "reference_unit_cost", "unit_cost_a", "unit_cost_b", "unit_cost_delta",
                "base_unit_cost", "per_unit", "deviation_per_unit"}
# money the output tables' naming rule (core.money.is_money) does not catch
MONEY_COLUMNS = {"cost_of_sales", "variance_total", "revenue_without_margin", "cost_of_shipped", "output_cost",
                 "transferred_cost", "gross_margin", "quality_cost", "variable_cost_of_sales", "contribution_margin"}
SIGNED_PCT = {"deviation_pct", "change_pct"}  # a change, shown with its sign (+4.2 %)
DAY_COLUMNS = {"avg_wip_days", "value_weighted_days", "wip_days"}
SCORE_COLUMNS = {"robust_z", "defect_p_value"}
NUMBER_KINDS = ("money", "unit", "qty", "int", "pct", "pct_points", "pct_value", "days", "score")
MONEY_KINDS = ("money", "unit")  # headers carry the currency


def kinds_of(frame: pd.DataFrame, numeric: str | dict[str, str] | None = None) -> list[str]:
    """The kind of every column. `numeric` is one kind for every number column (wide tables) or
    a map column -> kind for some of them."""
    out = []
    for c in frame.columns:
        kind = kind_of(str(c), frame[c])
        if isinstance(numeric, dict):
            kind = numeric.get(str(c), kind)
        elif numeric and kind in NUMBER_KINDS:
            kind = numeric
        out.append(kind)
    return out


def kind_of(column: str, series: pd.Series) -> str:
    """How a column is shown: money, unit, pct, pct_points, pct_value, int, qty, days, score, date, bool or text."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if column in SIGNED_PCT or column.startswith(("change_pct", "Δ%")):
        return "pct_points"
    if column.endswith("_pct"):
        return "pct_value"
    if column in FRACTION_COLUMNS:
        return "pct"
    if column in UNIT_COLUMNS or column.startswith("unit_cost"):
        return "unit"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if not pd.api.types.is_numeric_dtype(series):
        return "text"
    if is_money(column) or column in MONEY_COLUMNS:
        return "money"
    if column in DAY_COLUMNS:
        return "days"
    if column in SCORE_COLUMNS:
        return "score"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    values = values[np.isfinite(values)]
    return "int" if np.all(values == np.round(values)) else "qty"


def number(value: Any, kind: str, t: Translator | None = None) -> str:
    """One figure as text; empty for missing values."""
    if _missing(value):
        return ""
    if kind == "bool":
        return (t or Translator())("bool.yes" if value else "bool.no")
    if kind == "money":
        return format_money(value)
    if kind == "unit":
        return f"{value:,.4f}"
    if kind == "pct":  # a fraction: 0.042 -> 4.2 %
        return f"{value * 100:,.1f} %"
    if kind == "pct_points":  # already in percent: 4.2 -> +4.2 %
        return f"{value:+,.1f} %"
    if kind == "pct_value":  # already in percent, not a change: 4.2 -> 4.2 %
        return f"{value:,.1f} %"
    if kind == "int":
        return f"{round(value):,}"
    if kind == "qty":
        return f"{value:,.3f}"
    if kind == "days":
        return f"{value:,.1f}"
    if kind == "score":
        return f"{value:,.2f}"
    if kind == "date":
        return str(value)[:10]
    return str(value)


def money(value: float | None, currency: str = "") -> str:
    """A headline money figure with its currency (`CNY 1,234.50`)."""
    if _missing(value):
        return ""
    return format_money(value, currency)  # type: ignore[arg-type]


def kpi_value(value: float, code: KpiCode, currency: str, t: Translator) -> str:
    """A headline figure as a card shows it: money with the currency, rates in %, counts as integers."""
    if _missing(value):
        return "–"
    if code.kind == "money":
        return format_money(value, currency)
    if code.kind == "pct":
        return f"{value:,.1f} %"
    if code.kind == "days":
        return f"{value:,.1f} {t('unit.days')}"
    if code.kind == "units" and value != round(value):
        return f"{value:,.3f}"
    return f"{round(value):,}"


def kpi_change(value: float, before: float, code: KpiCode, t: Translator) -> tuple[str, int]:
    """The change of a headline figure against the previous period, and its direction (+1, 0, -1).

    Money, counts and units change in % of the previous figure; rates in percentage points (pp); days in
    days. No previous figure (or a previous 0 for a relative change): "–"."""
    if _missing(value) or _missing(before):
        return "–", 0
    diff = value - before
    sign = (diff > 0) - (diff < 0)
    if code.kind == "pct":
        return f"{diff:+,.1f} {t('unit.pp')}", sign
    if code.kind == "days":
        return f"{diff:+,.1f} {t('unit.days')}", sign
    if before == 0:
        return ("–", sign) if diff else ("±0 %", 0)
    return f"{100.0 * diff / abs(before):+,.1f} %", sign


def header(column: str, kind: str, t: Translator, currency: str) -> str:
    """A column header in the report's language; money and unit costs say their currency."""
    label = t.column(column)
    return f"{label} ({currency})" if kind in MONEY_KINDS and currency else label


def html_table(
    frame: pd.DataFrame,
    t: Translator,
    *,
    currency: str = "",
    max_rows: int | None = None,
    css_class: str = "bk-table",
    highlight: pd.Series | None = None,
    numeric: str | dict[str, str] | None = None,
    max_cols: int = 12,
    workbook: bool = True,
) -> str:
    """An escaped HTML table with translated headers; numbers right-aligned and formatted by kind.

    A table wider than `max_cols` is split into several tables, each repeating the first column, so
    that it fits a printed A4 landscape page instead of running off its edge. `workbook` says whether
    the rows not shown are in a workbook (the note under a cut table says so only then).
    """
    shown = frame if max_rows is None else frame.head(max_rows)
    kinds = dict(zip(frame.columns, kinds_of(frame, numeric), strict=True))
    flags = None if highlight is None else highlight.reindex(shown.index).fillna(False).to_numpy(dtype=bool)
    columns = list(frame.columns)
    parts = []
    if len(columns) > max_cols:
        key, rest = columns[:1], columns[1:]
        step = max_cols - 1
        parts = [key + rest[i:i + step] for i in range(0, len(rest), step)]
    else:
        parts = [columns]
    body = "".join(_one_table(shown, cols, kinds, t, currency, css_class + (" bk-cont" if n else ""), flags)
                   for n, cols in enumerate(parts))
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        note = "table.more" if workbook else "table.more_no_workbook"
        more = f'<p class="bk-more">{html.escape(t(note, shown=max_rows, total=f"{len(frame):,}"))}</p>'
    return body + more


def _one_table(shown: pd.DataFrame, cols: list[Any], kinds: dict[Any, str], t: Translator, currency: str,
               css_class: str, flags: np.ndarray | None) -> str:
    head = "".join(f"<th{_num_class(kinds[c])}>{html.escape(header(str(c), kinds[c], t, currency))}</th>"
                   for c in cols)
    values = {c: shown[c].to_numpy() for c in cols}
    rows = []
    for i in range(len(shown)):
        cells = []
        for c in cols:
            v = values[c][i]
            if isinstance(v, np.generic):
                v = v.item()
            kind = kinds[c]
            text = html.escape(number(v, kind, t) if kind != "text" else ("" if _missing(v) else str(v)))
            cells.append(f"<td{_num_class(kind)}>{text}</td>")
        row_cls = ' class="flag"' if flags is not None and flags[i] else ""
        rows.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _num_class(kind: str) -> str:
    return "" if kind in ("text", "date", "bool") else ' class="num"'


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)
