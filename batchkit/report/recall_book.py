"""The recall workbook: what a trace's tables are, once, for `batchkit recall` and `batchkit trace --out` alike.

The recall notebook shows these tables (and records them for its workbook
through `Report.table`); `trace --out` writes the same list through the same
Excel writer, so both give the same workbook for the same lot: a summary,
shipments by customer, the affected batches level by level, their shipments
and the purchased lots, with translated headers and formula-safe cells.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..tracing.result import TraceResult
from .excel import Sheet, write_workbook
from .i18n import Translator


@dataclass(frozen=True)
class BookTable:
    """One table of the recall report: its section title, its sheet name and the rows (all of them)."""

    title_key: str
    sheet_key: str
    frame: pd.DataFrame
    row_kinds: tuple[str, ...] | None = None  # a label/value table formats each row's value by its kind
    show: bool = True  # False: in the workbook only (the page shows the same figures as cards)


def summary(trace: TraceResult, t: Translator, currency: str) -> BookTable:
    """What was traced and the recall's headline figures, as label/value rows."""
    u = trace.udi or {}  # only the UDI fields the label had
    shipped = trace.shipments
    rows: list[tuple[str, object, str]] = [
        (t("recall.summary.traced"), trace.id, "text"),
        (t("recall.summary.asked"), trace.query.replace("\x1d", "<GS>"), "text"),
        (t("recall.summary.kind"), t(f"recall.kind_{trace.kind}"), "text"),
        (t("recall.summary.direction"), t(f"recall.{trace.direction}"), "text"),
        (t("recall.summary.period"), trace.period, "text"),
        *[(t("recall.summary.udi", field=k), u[k], "text") for k in ("gtin", "lot", "expiry", "serial") if u.get(k)],
        (t("kpi.affected_batches"), len(trace.batches), "int"),
        (t("recall.summary.wip_batches"), int((trace.batches["status"] == "wip").sum()), "int"),
        (t("recall.summary.lots"), len(trace.lots), "int"),
        (t("recall.summary.shipments"), len(shipped), "int"),
        (t("kpi.customers"), int(shipped["customer"].nunique()), "int"),
        (t("kpi.units_shipped"), float(shipped["qty"].sum()), "qty"),
        (t("recall.summary.cost_at_risk", currency=currency) if currency else t("kpi.cost_at_risk"),
         trace.cost_at_risk, "money"),
        *[(t("recall.summary.warning"), w, "text") for w in trace.warnings],
    ]
    frame = pd.DataFrame({"field": [r[0] for r in rows], "value": pd.Series([r[1] for r in rows], dtype=object)})
    return BookTable("section.recall_summary", "sheet.summary", frame, tuple(r[2] for r in rows), show=False)


def recall_tables(trace: TraceResult, t: Translator, currency: str) -> dict[str, BookTable]:
    """The recall report's tables in workbook order."""
    return {
        "summary": summary(trace, t, currency),
        "customers": BookTable("section.recall_customers", "sheet.recall_customers",
                               trace.customers.sort_values("qty", ascending=False, kind="stable")
                               .reset_index(drop=True)),
        "batches": BookTable("section.recall_batches", "sheet.recall_batches", trace.batches),
        "shipments": BookTable("section.recall_shipments", "sheet.recall_shipments", trace.shipments),
        "lots": BookTable("section.recall_lots", "sheet.recall_lots", trace.lots),
    }


def sheet_of(table: BookTable, t: Translator) -> Sheet:
    return Sheet(t(table.sheet_key), table.frame.reset_index(drop=True), row_kinds=table.row_kinds)


def write_recall_workbook(trace: TraceResult, path: str | Path, currency: str = "", language: str = "en") -> Path:
    """Write the recall workbook of a trace to `path` (.xlsx), atomically (a temporary file, then a rename)."""
    path = Path(path)
    t = Translator(language)
    sheets = [sheet_of(table, t) for table in recall_tables(trace, t, currency).values()]
    tmp = path.with_name(f".{path.name}.tmp")
    write_workbook(tmp, sheets, t, currency)
    os.replace(tmp, path)
    return path
