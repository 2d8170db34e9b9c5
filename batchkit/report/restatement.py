"""The restatement report: a cost folder against an earlier one (`batchkit run --compare-to DIR`, a reopen).

What a controller signs and an auditor reads when a closed period is rerun:
the two runs compared, the cost in batches before and after, the change by
cost element, the batches that moved (by element), and why: the input rows
added, removed or changed, the params keys changed, the pools whose
allocation moved and what moved them. The figures come from `store.diff`
(computed once by `run` into the pack's `restatement/` folder); these views
only choose, order and translate them, and the sections show them through
`Report`, which also records every table, all rows, for the workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..store.diff import CostDiff, diff_folders
from . import charts
from .data import RunData
from .fmt import money
from .page import Report

FOLDER = "restatement"  # in a report pack


def open_report(*, name: str, run_dir: str = "", old_dir: str = "", new_dir: str = "", language: str = "en",
                output_dir: str = "") -> Report:
    """From the notebook's parameters: a pack's restatement (run_dir), or two folders compared now."""
    if run_dir:
        diff = CostDiff.from_folder(Path(run_dir) / FOLDER)
        run = RunData.from_folder(Path(run_dir) / "tables")
    else:
        diff = diff_folders(old_dir, new_dir)
        tables = Path(new_dir) / "tables" if (Path(new_dir) / "tables" / "manifest.json").is_file() else Path(new_dir)
        run = RunData.from_folder(tables)
    rep = Report(name=name, data=run, language=language, out_dir=Path(output_dir) if output_dir else None)
    rep.restatement = diff
    return rep


# ------------------------------------------------------------------ views (what each section shows)


def compared(d: CostDiff, t: Any) -> pd.DataFrame:
    """Label/value rows: each folder, its period, run time and manifest, and who closed it (when it was)."""
    rows: list[tuple[str, Any]] = []
    for side in ("old", "new"):
        info = getattr(d, side)
        rows += [(t(f"restatement.{side}_folder"), info.get("folder")),
                 (t("restatement.run_time"), info.get("run_time")),
                 (t("meta.period"), info.get("period")),
                 (t("meta.manifest"), str(info.get("manifest_sha256") or "")[:12])]
        closed = info.get("closed")
        if closed:
            rows.append((t("restatement.closed"), t("restatement.closed_by", when=closed.get("closed_at"),
                                                    user=closed.get("user"), reason=closed.get("reason") or "")))
        if not info.get("snapshot"):
            rows.append((t("restatement.no_snapshot"), ""))
    return pd.DataFrame({"field": [r[0] for r in rows], "value": pd.Series([r[1] for r in rows], dtype=object)})


def elements(d: CostDiff, t: Any) -> pd.DataFrame:
    """Change by cost element, largest first, elements translated."""
    e = d.elements
    order = e["delta_amount"].abs().sort_values(ascending=False, kind="stable").index
    return e.loc[order].assign(cost_element=e.loc[order, "cost_element"].map(t.element)).reset_index(drop=True)


def batch_totals(d: CostDiff, t: Any) -> pd.DataFrame:
    bt = d.batch_totals
    return bt.assign(change=bt["change"].map(lambda c: t(f"change.{c}")))


def batch_elements(d: CostDiff, t: Any) -> pd.DataFrame:
    b = d.batches
    return b.assign(cost_element=b["cost_element"].map(t.element))


ROW_KINDS = {"old_row": "int", "new_row": "int"}


def input_rows(d: CostDiff, t: Any) -> pd.DataFrame:
    """The changed input rows; source row numbers as numbers (empty where the row is only on one side)."""
    rows = d.inputs
    return rows.assign(change=rows["change"].map(lambda c: t(f"change.{c}")),
                       old_row=rows["old_row"].astype("float64"), new_row=rows["new_row"].astype("float64"))


def input_tables(d: CostDiff, t: Any) -> pd.DataFrame:
    it = d.input_tables
    shown = it.assign(compared=it["compared"].map(lambda c: t(f"compared.{c}")))
    return shown.astype({c: "float64" for c in ("old_rows", "new_rows")})


def pools(d: CostDiff, t: Any) -> pd.DataFrame:
    p = d.pools
    why = p["reasons"].map(lambda r: ", ".join(t(f"pool_reason.{x}") for x in str(r).split(";") if x))
    return p.assign(reasons=why, cost_element=p["cost_element"].map(lambda e: t.element(e) if isinstance(e, str)
                                                                     else ""))


# ------------------------------------------------------------------ sections


def summary(rep: Report) -> None:
    """What was compared, and the headline figures of the restatement."""
    d = rep.restatement
    s = d.summary()
    cur = rep.data.currency
    rep.text("text.restatement_intro", old=d.old.get("folder", ""), new=d.new.get("folder", ""),
             period=d.new.get("period", ""))
    if not d.changed:
        rep.text("text.restatement_none")
    rep.kpis([
        ("kpi.batches_changed", f"{s['batches_changed']:,}"),
        ("kpi.old_costed", money(s["old_costed_amount"], cur)),
        ("kpi.new_costed", money(s["new_costed_amount"], cur)),
        ("kpi.delta_costed", money(s["delta_costed_amount"], cur)),
        ("kpi.input_rows", f"+{s['input_rows_added']:,} / -{s['input_rows_removed']:,} / ~{s['input_rows_changed']:,}"),
        ("kpi.params_changed", f"{s['params_changed']:,}"),
        ("kpi.pools_moved", f"{s['pools_moved']:,}"),
    ])
    frame = compared(d, rep.t)
    rep.table("section.restatement_compared", frame, max_rows=None, row_kinds=("text",) * len(frame),
              sheet=rep.t("sheet.summary"))
    for note in d.notes:
        rep.note(note)


def by_element(rep: Report) -> None:
    d = rep.restatement
    table = elements(d, rep.t)
    if (table["delta_amount"] != 0).any():
        ct = rep.chart_t  # English labels when no CJK font is installed
        series = pd.Series(table["delta_amount"].to_numpy(), index=elements(d, ct)["cost_element"].to_numpy())
        rep.chart(charts.bars(series, title=ct("chart.restatement_elements"), xlabel=rep.data.currency,
                              highlight=[x > 0 for x in series]), "chart.restatement_elements")
    rep.table("section.restatement_elements", table, max_rows=None)


def batches(rep: Report, max_rows: int = 60) -> None:
    d = rep.restatement
    rep.table("section.restatement_batches", batch_totals(d, rep.t), max_rows=max_rows)
    rep.table("section.restatement_batch_elements", batch_elements(d, rep.t), max_rows=max_rows)


def inputs(rep: Report, max_rows: int = 100) -> None:
    d = rep.restatement
    rep.table("section.restatement_input_tables", input_tables(d, rep.t), max_rows=None,
              numeric={"old_rows": "int", "new_rows": "int"})
    rep.table("section.restatement_inputs", input_rows(d, rep.t), max_rows=max_rows, numeric=ROW_KINDS)


def params(rep: Report) -> None:
    rep.table("section.restatement_params", rep.restatement.params, max_rows=None)


def allocation(rep: Report, max_rows: int = 60) -> None:
    d = rep.restatement
    rep.table("section.restatement_pools", pools(d, rep.t), max_rows=None)
    rep.table("section.restatement_allocations", d.allocations, max_rows=max_rows)


SHOWN_RECONCILIATION = ["cost_element", "old_input_amount", "new_input_amount", "delta_input_amount",
                        "old_costed_amount", "new_costed_amount", "delta_costed_amount", "delta_unallocated_amount",
                        "delta_excluded_amount"]


def reconciliation(rep: Report) -> None:
    """Input and costed amounts before and after (the page); every column in the workbook."""
    rec = rep.restatement.reconciliation
    rec = rec.assign(cost_element=rec["cost_element"].map(rep.t.element))
    shown = rec[[c for c in SHOWN_RECONCILIATION if c in rec.columns]]
    rep.table("section.restatement_reconciliation", shown, max_rows=None, excel=False)
    rep.table("section.restatement_reconciliation", rec, show=False)
