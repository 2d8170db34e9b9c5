"""Report sections: each reads figures from `views` and shows them through a `Report`.

A notebook is a sequence of these calls with narrative around them, so the
figures a report shows are computed in tested library code, never in cells.
"""

from __future__ import annotations

import math

import pandas as pd

from ..core.check_codes import title as check_title
from . import charts, views
from .fmt import money
from .page import Report
from .recall_book import recall_tables


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def _fmt_pct(x: float) -> str:
    return "" if math.isnan(x) else f"{x * 100:,.1f} %"


def kpis(rep: Report) -> None:
    k = views.kpis(rep.data, rep.line)
    cur = rep.data.currency
    rep.kpis([
        ("kpi.output_cost", money(k["output_cost"], cur)),
        ("kpi.batches_completed", _fmt_int(k["batches_completed"])),
        ("kpi.good_units", _fmt_int(k["good_units"])),
        ("kpi.yield", _fmt_pct(k["yield"])),
        ("kpi.scrap_cost", money(k["scrap_cost"], cur)),
        ("kpi.wip_value", money(k["wip_value"], cur)),
        ("kpi.wip_batches", _fmt_int(k["wip_batches"])),
        ("kpi.wip_days", f"{k['wip_days']:,.1f}"),
    ])


def cost_by_line(rep: Report) -> None:
    """Stacked bars of the period's output cost by line and element, and the element totals."""
    table = views.cost_by_line_and_element(rep.data, rep.line)
    ct = rep.chart_t
    if not table.empty:
        shown = views.top_columns(table, 7, "other").rename(columns=ct.element)
        rep.chart(charts.stacked_bars(shown, title=ct("chart.cost_by_line"), ylabel=rep.data.currency,
                                      horizontal=len(shown) > 6), "chart.cost_by_line")
    totals = views.element_totals(rep.data, rep.line)
    totals["cost_element"] = totals["cost_element"].map(rep.t.element)
    rep.table("section.element_totals", totals, chart={"type": "bar", "x": "cost_element", "y": ["amount"],
                                                        "title": rep.t("section.element_totals")})
    if not table.empty and rep.line in (None, "", "all"):
        wide = table.rename(columns=rep.t.element).reset_index()
        rep.table("section.cost_by_line", wide, max_rows=None, numeric="money")


def unit_cost_trend(rep: Report) -> None:
    trend = views.unit_cost_trend(rep.data, rep.line)
    if trend.empty:
        rep.note(rep.t("table.empty"))
        return
    ct = rep.chart_t
    rep.chart(charts.lines(views.as_index(trend), title=ct("chart.unit_cost_trend"), ylabel=ct("chart.index"),
                           xlabel=ct("col.period"), reference=100.0), "chart.unit_cost_trend")
    rep.table("section.unit_cost_trend", trend.reset_index().rename(columns={"end_date": "period"}),
              max_rows=None, numeric="unit")


def reconciliation(rep: Report) -> None:
    rec = rep.data["reconciliation"].copy()
    balanced = bool((rec["difference"] == 0).all()) if not rec.empty else True
    rep.text("text.reconciled" if balanced else "text.not_reconciled")
    rec["cost_element"] = rec["cost_element"].map(rep.t.element)
    rep.table("section.reconciliation", rec, max_rows=None)


def quality_summary(rep: Report) -> None:
    counts = views.quality_counts(rep.data)
    errors = int(counts.loc[counts["severity"] == "error", "count"].sum()) if len(counts) else 0
    warnings = int(counts.loc[counts["severity"] == "warning", "count"].sum()) if len(counts) else 0
    rep.text("text.quality_counts", errors=f"{errors:,}", warnings=f"{warnings:,}")
    if len(counts):
        ct = rep.chart_t
        by_check = counts.groupby("check", sort=False)["count"].sum().sort_values(ascending=False).head(15)
        errs = set(counts.loc[counts["severity"] == "error", "check"])
        rep.chart(charts.bars(by_check, title=ct("chart.findings"), xlabel=ct("col.count"), integer=True,
                              highlight=[c in errs for c in by_check.index]), "chart.findings")
    shown = counts.assign(severity=counts["severity"].map(lambda x: rep.t(f"severity.{x}")))
    shown.insert(2, "check_title", counts["check"].map(lambda c: check_title(c, rep.t.language)))
    rep.table("section.quality_counts", shown, max_rows=None)


def quality_details(rep: Report, per_check: int = 200) -> None:
    """Every finding, grouped by check: the rows to fix (all of them in the workbook)."""
    dq = rep.data["data_quality"]
    if dq.empty:
        rep.text("text.no_findings")
        return
    for (severity, check), group in dq.groupby(["severity", "check"], sort=False):
        rows = group[["table", "row", "column", "value", "message"]].reset_index(drop=True)
        rep.table("section.quality_check", rows, max_rows=per_check, sheet=f"{severity} {check}",
                  check=f"{check_title(check, rep.t.language)} ({check})", severity=rep.t(f"severity.{severity}"),
                  n=f"{len(rows):,}")


def batch_table(rep: Report) -> None:
    table = views.batch_table(rep.data, rep.line)
    rep.table("section.batches", table, max_rows=60)


def variances(rep: Report) -> None:
    v = views.variance_by_type(rep.data, rep.line)
    if v.empty:
        rep.note(rep.t("text.no_variances"))
        return
    ct = rep.chart_t
    series = pd.Series(v["amount"].to_numpy(), index=[ct(f"variance.{x}") for x in v["variance_type"]])
    rep.chart(charts.bars(series, title=ct("chart.variances"), xlabel=rep.data.currency,
                          highlight=[a > 0 for a in series]), "chart.variances")
    shown = v.assign(variance_type=v["variance_type"].map(lambda x: rep.t(f"variance.{x}")))
    rep.table("section.variances", shown, max_rows=None)


def wip(rep: Report) -> None:
    table = views.wip(rep.data, rep.line)
    rep.table("section.wip", table, max_rows=40)


def anomalies(rep: Report, max_rows: int = 25) -> None:
    table = views.anomalies(rep.data, rep.line)
    if table.empty:
        rep.note(rep.t("text.no_anomalies"))
        return
    rep.text("text.anomalies", n=f"{len(table):,}", threshold=f"{rep.data.threshold_pct:g}")
    shown = table.assign(top_driver=table["top_driver"].map(rep.t.driver))
    if rep.line not in (None, "", "all"):
        shown = shown.drop(columns="product_line")
    rep.table("section.anomalies", shown, max_rows=max_rows)


def control_charts(rep: Report, top: int = 3) -> None:
    ct = rep.chart_t
    for chart in views.control_items(rep.data, rep.line, top):
        png = charts.control_chart(chart["values"], chart["labels"], center=chart["center"], ucl=chart["ucl"],
                                   lcl=chart["lcl"], flagged=chart["flagged"],
                                   title=ct("section.control_chart", item=chart["item"]),
                                   ylabel=f"{ct('col.unit_cost')} ({rep.data.currency})",
                                   legend=[ct("chart.value"), ct("chart.center"), ct("chart.limits"),
                                           ct("chart.flagged")])
        rep.chart(png, "section.control_chart", item=chart["item"])


def worst_batches(rep: Report, n: int = 3) -> None:
    """Waterfalls from the reference unit cost to the actual one, driver by driver."""
    table = views.anomalies(rep.data, rep.line)
    if table.empty or rep.data["attribution"].empty:
        return
    ct = rep.chart_t
    for batch in table["batch_id"].head(n):
        reference, parts, actual = views.waterfall(rep.data, batch)
        parts.index = [ct.driver(str(d)) for d in parts.index]
        rep.chart(charts.waterfall(parts, start_label=ct("chart.reference"), end_label=ct("chart.actual"),
                                   start=reference, end=actual, title=ct("chart.waterfall", batch=batch),
                                   ylabel=f"{ct('col.unit_cost')} ({rep.data.currency})"),
                  "chart.waterfall", batch=batch)


def quality_cost(rep: Report) -> None:
    table = views.quality(rep.data, rep.line)
    rep.table("section.quality_cost", table, max_rows=30, highlight=table.get("flagged"))


def margin(rep: Report) -> None:
    by_customer = views.margin(rep.data, "customer", rep.line)
    if not by_customer.empty:
        ct = rep.chart_t
        top = by_customer.head(15).set_index("customer")["margin"]
        rep.chart(charts.bars(top, title=ct("chart.margin_customer"), xlabel=rep.data.currency),
                  "chart.margin_customer")
    rep.table("section.margin_customer", by_customer, max_rows=30)
    if rep.line in (None, "", "all"):
        rep.table("section.margin", views.margin(rep.data, "product_line"), max_rows=None)


def wip_days(rep: Report) -> None:
    days = rep.data["wip_days_by_line"]
    if days.empty:
        return
    ct = rep.chart_t
    series = days.set_index("product_line")["avg_wip_days"].sort_values(ascending=False)
    rep.chart(charts.bars(series, title=ct("chart.wip_days"), xlabel=ct("col.days_open")), "chart.wip_days")
    rep.table("section.wip_days", days, max_rows=None)


# ------------------------------------------------------------------ recall


def _recall_table(rep: Report, key: str) -> None:
    """Show one of the recall workbook's tables (`recall_book`), under its sheet name in the workbook."""
    item = recall_tables(rep.trace, rep.t, rep.data.currency)[key]
    rep.table(item.title_key, item.frame, max_rows=60, sheet=rep.t(item.sheet_key), show=item.show,
              row_kinds=item.row_kinds)


def recall_summary(rep: Report) -> None:
    """What was traced, the UDI it came from, and the headline figures of the recall."""
    tr = rep.trace
    cur = rep.data.currency
    at_risk = "" if tr.cost_at_risk is None else money(tr.cost_at_risk, cur)
    rep.text("text.recall_intro", kind=rep.t(f"recall.kind_{tr.kind}"), id=tr.id,
             direction=rep.t(f"recall.{tr.direction}"), period=tr.period)
    if tr.udi:
        udi = pd.DataFrame({"field": list(tr.udi.keys()), "value": [str(v) for v in tr.udi.values()]})
        rep.table("section.udi", udi, max_rows=None, excel=False)  # its fields are in the summary sheet
    rep.kpis([
        ("kpi.cost_at_risk", at_risk or "-"),
        ("kpi.affected_batches", _fmt_int(len(tr.batches))),
        ("kpi.customers", _fmt_int(tr.shipments["customer"].nunique() if len(tr.shipments) else 0)),
        ("kpi.units_shipped", _fmt_int(float(tr.shipments["qty"].sum()) if len(tr.shipments) else 0)),
    ])
    for warning in tr.warnings:
        rep.note(warning)
    _recall_table(rep, "summary")


def recall_customers(rep: Report) -> None:
    customers = rep.trace.customers
    if customers.empty:
        rep.note(rep.t("text.no_shipments"))
    else:
        ct = rep.chart_t
        top = customers.sort_values("qty", ascending=False).head(15).set_index("customer")["qty"]
        rep.chart(charts.bars(top, title=ct("chart.recall_customers"), xlabel=ct("col.qty"), integer=True),
                  "chart.recall_customers")
    _recall_table(rep, "customers")


def recall_batches(rep: Report) -> None:
    _recall_table(rep, "batches")
    _recall_table(rep, "shipments")


def recall_lots(rep: Report) -> None:
    _recall_table(rep, "lots")


# ------------------------------------------------------------------ allocation what-if


def whatif_items(rep: Report) -> None:
    """Unit cost of each item's good output under each configuration, and the change vs the baseline."""
    wi = rep.whatif
    names = list(wi.configs)
    items = wi.items
    pct_cols = [f"change_pct_{n}" for n in names[1:]]
    if pct_cols:
        order = items[pct_cols].abs().max(axis=1).sort_values(ascending=False).index
        moved = items.loc[order].head(12).set_index("item_id")[pct_cols]
        moved.columns = names[1:]
        ct = rep.chart_t
        rep.chart(charts.grouped_bars(moved, title=ct("chart.whatif_items"), ylabel=ct("col.change_pct")),
                  "chart.whatif_items")
        items = items.loc[order]
    rep.text("text.whatif_intro", baseline=names[0], n=f"{len(names) - 1}")
    shown = items.rename(columns={**{f"change_{n}": f"Δ {n}" for n in names[1:]},
                                  **{f"change_pct_{n}": f"Δ% {n}" for n in names[1:]}})
    kinds = {**{n: "unit" for n in names}, **{f"Δ {n}": "unit" for n in names[1:]},
             **{f"Δ% {n}": "pct_points" for n in names[1:]}}
    rep.table("section.whatif_items", shown.reset_index(drop=True), max_rows=40, numeric=kinds)


def whatif_movers(rep: Report) -> None:
    movers = rep.whatif.movers
    rep.table("section.whatif_movers", movers[movers["rank_abs"] <= 15].drop(columns=["rank_abs", "rank_pct"]),
              max_rows=45)


def whatif_pools(rep: Report) -> None:
    """Which batches gain or lose in each pool (the largest shifts)."""
    sens = rep.whatif.sensitivity
    change_cols = [c for c in sens.columns if c.startswith("change_")]
    if sens.empty or not change_cols:
        return
    order = sens[change_cols].abs().max(axis=1).sort_values(ascending=False).index
    rep.table("section.whatif_pools", sens.loc[order].head(200).reset_index(drop=True), max_rows=30,
              numeric="money")
