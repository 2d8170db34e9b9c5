"""Report sections: each reads figures from `views` and shows them through a `Report`.

A notebook is a sequence of these calls with narrative around them, so the
figures a report shows are computed in tested library code, never in cells.
"""

from __future__ import annotations

import pandas as pd

from ..core.check_codes import title as check_title
from ..core.kpi_codes import KPIS
from . import charts, messages, views
from .excel import Sheet
from .fmt import kpi_value, money
from .i18n import Translator
from .page import Report
from .recall_book import recall_tables


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def kpis(rep: Report) -> None:
    """The headline cards, read from the kpis table, each with its definition as a footnote."""
    values = views.kpi_values(rep.data, rep.line)
    if not values:
        rep.note(rep.t("text.no_kpis"))
        return
    lang, cur = rep.t.language, rep.data.currency
    shown = [KPIS[name] for name in values if name in KPIS]
    rep.cards([(c.label(lang), kpi_value(values[c.name], c, cur, rep.t)) for c in shown],
              notes=[f"{c.label(lang)}: {c.definition(lang)}" for c in shown])
    if values.get("batches_completed", 0) == 0 and values.get("wip_batches", 0) == 0:
        rep.note(rep.t("text.empty_period", period=rep.data.period))
    units = [cur if c.kind == "money" else "%" if c.kind == "pct" else rep.t(f"unit.{c.unit(cur)}") for c in shown]
    frame = pd.DataFrame({"label": [c.label(lang) for c in shown], "value": [values[c.name] for c in shown],
                          "unit": units, "definition": [c.definition(lang) for c in shown]})
    kinds = tuple({"money": "money", "pct": "pct_value", "days": "days", "units": "qty"}.get(c.kind, "int")
                  for c in shown)
    rep.tail_sheets.append(Sheet(rep.t("section.kpi_sheet"), frame, row_kinds=kinds))


def cost_by_line(rep: Report) -> None:
    """The period's output cost by line and element (each cent once), and the element totals."""
    table = views.cost_by_line_and_element(rep.data, rep.line)
    ct = rep.chart_t
    totals = views.element_totals(rep.data, rep.line)
    if not table.empty and charts.drawable(len(table)):
        shown = views.top_columns(table, 7, "other")
        rep.chart(charts.stacked_bars(shown, title=ct("chart.cost_by_line"), ylabel=rep.data.currency,
                                      colors=[charts.element_colour(str(c)) for c in shown.columns],
                                      labels=[ct.element(str(c)) for c in shown.columns],
                                      horizontal=len(shown) > 6), "chart.cost_by_line")
    elif charts.drawable(len(totals)):
        series = pd.Series(totals["amount"].to_numpy(), index=[ct.element(str(e)) for e in totals["cost_element"]])
        rep.chart(charts.bars(series, title=ct("chart.output_elements"), xlabel=rep.data.currency,
                              colors=[charts.element_colour(str(e)) for e in totals["cost_element"]]),
                  "chart.output_elements")
    rep.text("text.output_elements")
    totals["cost_element"] = totals["cost_element"].map(rep.t.element)
    rep.table("section.element_totals", totals, chart={"type": "bar", "x": "cost_element", "y": ["amount"],
                                                        "title": rep.t("section.element_totals")})
    if not table.empty and rep.line in (None, "", "all"):
        # elements down, lines across: as many columns as lines, so it fits a printed page
        wide = table.T.rename(index=rep.t.element)
        wide.index.name = "cost_element"
        rep.table("section.cost_by_line", wide.reset_index(), max_rows=None, numeric="money")


def unit_cost_trend(rep: Report) -> None:
    trend = views.unit_cost_trend(rep.data, rep.line)
    if trend.empty:
        rep.note(rep.t("table.empty"))
        return
    ct = rep.chart_t
    if charts.drawable(len(trend)):
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
    lang = rep.t.language
    if len(counts):
        ct = rep.chart_t
        by_check = counts.groupby("check", sort=False)["count"].sum().sort_values(ascending=False).head(15)
        errs = set(counts.loc[counts["severity"] == "error", "check"])
        if charts.drawable(len(by_check)):
            series = pd.Series(by_check.to_numpy(), index=[check_title(c, ct.language) for c in by_check.index])
            rep.chart(charts.bars(series, title=ct("chart.findings"), xlabel=ct("col.count"), kind="count",
                                  highlight=[c in errs for c in by_check.index]), "chart.findings")
    shown = counts.assign(severity=counts["severity"].map(lambda x: rep.t(f"severity.{x}")))
    shown.insert(2, "check_title", counts["check"].map(lambda c: check_title(c, lang)))
    rep.table("section.quality_counts", shown, max_rows=None)


def quality_details(rep: Report, per_check: int = 200) -> None:
    """Every finding, grouped by check: the rows to fix (all of them in the workbook), in the report's language."""
    dq = rep.data["data_quality"]
    if dq.empty:
        rep.text("text.no_findings")
        return
    for (severity, check), group in dq.groupby(["severity", "check"], sort=False):
        rows = group[["table", "row", "column", "value", "message"]].reset_index(drop=True)
        rows["message"] = [messages.translate(str(m), str(check), rep.t) for m in rows["message"]]
        rep.table("section.quality_check", rows, max_rows=per_check, sheet=f"{rep.t(f'severity.{severity}')} {check}",
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
    if charts.drawable(len(v)):
        series = pd.Series(v["amount"].to_numpy(), index=[ct(f"variance.{x}") for x in v["variance_type"]])
        rep.chart(charts.bars(series, title=ct("chart.variances"), xlabel=rep.data.currency,
                              highlight=[a > 0 for a in series]), "chart.variances")
    shown = v.assign(variance_type=v["variance_type"].map(lambda x: rep.t(f"variance.{x}")))
    rep.table("section.variances", shown, max_rows=None)


def wip(rep: Report) -> None:
    table = views.wip(rep.data, rep.line)
    rep.table("section.wip", table, max_rows=40)


def rules_text(rules: object, t: Translator) -> str:
    """`deviation;robust_z` -> the rules in words, in the report's language."""
    if not isinstance(rules, str) or not rules:
        return ""
    sep = "；" if t.language == "zh-CN" else "; "
    return sep.join(t(f"rule.{r}") if t.has(f"rule.{r}") else r for r in rules.split(";"))


def anomalies(rep: Report, max_rows: int = 25) -> None:
    table = views.anomalies(rep.data, rep.line)
    if table.empty:
        rep.note(rep.t("text.no_anomalies"))
        return
    rep.text("text.anomalies", n=f"{len(table):,}", threshold=f"{rep.data.threshold_pct:g}")
    shown = table.assign(top_driver=table["top_driver"].map(rep.t.driver),
                         rules=table["rules"].map(lambda r: rules_text(r, rep.t)))
    if "top_driver_detail" in shown.columns:
        shown["top_driver_detail"] = [messages.translate_detail(str(d), rep.t) if isinstance(d, str) else ""
                                      for d in shown["top_driver_detail"]]
    if rep.line not in (None, "", "all"):
        shown = shown.drop(columns="product_line")
    rep.table("section.anomalies", shown, max_rows=max_rows)
    rep.note(rep.t("text.driver_share"))


def control_charts(rep: Report, top: int = 3) -> None:
    ct = rep.chart_t
    items = [c for c in views.control_items(rep.data, rep.line, top) if charts.drawable(len(c.values))]
    if not items:
        rep.note(rep.t("table.empty"))
    for chart in items:
        fig = charts.control_chart(chart.values, chart.labels, center=chart.center, ucl=chart.ucl, lcl=chart.lcl,
                                   flagged=chart.flagged, title=ct("section.control_chart", item=chart.item),
                                   ylabel=f"{ct('col.unit_cost')} ({rep.data.currency})",
                                   legend=[ct("chart.value"), ct("chart.center"), ct("chart.limits"),
                                           ct("chart.flagged")])
        rep.chart(fig, "section.control_chart", item=chart.item)


def worst_batches(rep: Report, n: int = 3) -> None:
    """Waterfalls from the reference unit cost to the actual one, driver by driver."""
    table = views.anomalies(rep.data, rep.line)
    if table.empty or rep.data["attribution"].empty:
        return
    ct = rep.chart_t
    for batch in table["batch_id"].head(n):
        reference, parts, actual = views.waterfall(rep.data, batch)
        if parts.empty:
            continue
        parts.index = [ct.driver(str(d)) for d in parts.index]
        rep.chart(charts.waterfall(parts, start_label=ct("chart.reference"), end_label=ct("chart.actual"),
                                   start=reference, end=actual, title=ct("chart.waterfall", batch=batch),
                                   ylabel=f"{ct('col.unit_cost')} ({rep.data.currency})"),
                  "chart.waterfall", batch=batch)


def quality_cost(rep: Report) -> None:
    table = views.quality(rep.data, rep.line)
    rep.table("section.quality_cost", table, max_rows=30, highlight=table.get("flagged"))


def margin(rep: Report) -> None:
    """Gross margin of the period's shipments by customer (and by line in the overview), with contribution
    margin (revenue - variable cost of the units shipped) beside it when the run split variable and fixed cost."""
    by_customer = views.margin(rep.data, "customer", rep.line)
    ct = rep.chart_t
    if charts.drawable(len(by_customer)):
        top = by_customer.head(15).set_index("customer")["margin"]
        rep.chart(charts.bars(top, title=ct("chart.margin_customer"), xlabel=rep.data.currency),
                  "chart.margin_customer")
    rep.table("section.margin_customer", by_customer, max_rows=30)
    by_line = views.margin(rep.data, "product_line", rep.line)
    if "contribution_margin" in by_line.columns:
        rep.text("text.contribution")
        if charts.drawable(len(by_line)):
            both = by_line.set_index("product_line")[["margin", "contribution_margin"]]
            both.columns = [ct.column(str(c)) for c in both.columns]
            rep.chart(charts.grouped_bars(both, title=ct("chart.contribution_line"), ylabel=rep.data.currency),
                      "chart.contribution_line")
    if rep.line in (None, "", "all"):
        rep.table("section.margin", by_line, max_rows=None)


def _absorption_shown(table: pd.DataFrame, rep: Report) -> pd.DataFrame:
    """An absorption-like table in the report's language: elements, bases and treatments named."""
    out = table.assign(cost_element=table["cost_element"].map(rep.t.element),
                       basis=table["basis"].map(lambda b: rep.t(f"basis.{b}") if rep.t.has(f"basis.{b}") else b))
    if "treatment" in out.columns:
        out["treatment"] = out["treatment"].map(lambda x: rep.t(f"treatment.{x}"))
    return out


RATE_KINDS = {"rate": "unit", "actual_rate": "unit", "rate_difference": "unit", "basis_total": "qty"}


def absorption(rep: Report) -> None:
    """Predetermined overhead rates: the period's absorbed, actual and over/under-absorbed overhead per pool, and
    the same totals over every period up to the run's (a note when no rates are configured)."""
    trend = views.absorption_trend(rep.data)
    if trend.empty:
        rep.note(rep.t("text.no_absorption"))
        return
    ct, cur = rep.chart_t, rep.data.currency
    if charts.drawable(len(trend)):
        bars = trend.set_index("period")[["actual_amount", "absorbed_amount"]]
        bars.columns = [ct.column(str(c)) for c in bars.columns]
        rep.chart(charts.grouped_bars(bars, title=ct("chart.absorption_trend"), ylabel=cur), "chart.absorption_trend")
    now = trend[trend["period"] == rep.data.period]
    if len(now):
        row = now.iloc[0]
        rep.text("text.absorption", period=rep.data.period, absorbed=money(row["absorbed_amount"], cur),
                 actual=money(row["actual_amount"], cur), difference=money(row["difference_amount"], cur))
    rep.table("section.absorption", _absorption_shown(views.absorption(rep.data), rep), max_rows=None,
              numeric=RATE_KINDS)
    rep.table("section.absorption_trend", trend, max_rows=None)


def whatif_rates(rep: Report) -> None:
    """The baseline's predetermined rates beside the actual rates (actual amount / basis), per pool and period;
    a sentence when the params configure no rates."""
    table = rep.whatif.absorption
    if table is None or table.empty:
        rep.text("text.whatif_no_rates")
        return
    rep.text("text.whatif_rates", baseline=next(iter(rep.whatif.configs)))
    rep.table("section.whatif_rates", _absorption_shown(views.rate_comparison(table), rep), max_rows=60,
              numeric=RATE_KINDS)


def wip_days(rep: Report) -> None:
    days = rep.data["wip_days_by_line"]
    if days.empty:
        return
    ct = rep.chart_t
    series = days.set_index("product_line")["avg_wip_days"].sort_values(ascending=False)
    if charts.drawable(len(series)):
        rep.chart(charts.bars(series, title=ct("chart.wip_days"), xlabel=ct("col.days_open"), kind="days"),
                  "chart.wip_days")
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
        if charts.drawable(len(top)):
            rep.chart(charts.bars(top, title=ct("chart.recall_customers"), xlabel=ct("col.qty"), kind="count"),
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
