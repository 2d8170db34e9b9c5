"""`index.html` of a report pack: the landing page, in the pack's language.

The month at a glance (the kpis table's headline figures for the plant and each product line, each
with its change against the previous period), then every report with its files and its status.

The previous period's figures are the ones its pack reported: `OUT/<previous period>/tables/kpis`,
next to this pack, read as they were written (`previous_kpis`). They are not recomputed: a second
costing as of the earlier period end would double the run's time and could silently restate a month
that has been signed off (late postings move inception-to-date costs). No previous pack: no change
is shown, and the page says why.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..core.kpi_codes import KPIS
from ..core.periods import shift
from .execute import TEMPLATES
from .fmt import kpi_change, kpi_value
from .i18n import Translator
from .jobs import ReportPlan, ReportStatus

# the cards of the landing page, per scope (the reports show every KPI)
LANDING = ("output_cost", "batches_completed", "yield_pct", "scrap_cost", "quality_cost", "wip_value", "wip_days",
           "unit_cost_within_3pct", "gross_margin")


def previous_kpis(out_root: Path, period: str) -> pd.DataFrame | None:
    """The kpis table of the previous period's pack in `out_root`, or None when there is none."""
    folder = Path(out_root) / shift(period, -1) / "tables"
    for path, read in ((folder / "kpis.parquet", pd.read_parquet), (folder / "kpis.csv", pd.read_csv)):
        if path.is_file():
            try:
                return read(path)
            except (OSError, ValueError):
                return None
    return None


def _values(kpis: pd.DataFrame | None, scope: str) -> dict[str, float]:
    if kpis is None or kpis.empty:
        return {}
    mine = kpis[kpis["scope"].astype(str) == scope]
    return dict(zip(mine["kpi"].astype(str), mine["value"].astype("float64"), strict=True))


def _cards(values: dict[str, float], before: dict[str, float], t: Translator, currency: str, previous: str) -> str:
    out = []
    for name in LANDING:
        code = KPIS[name]
        if name not in values:
            continue
        change = ""
        if before:
            text, _ = kpi_change(values[name], before.get(name, float("nan")), code, t)
            change = f'<div class="bk-kpi-d">{html.escape(t("index.vs", period=previous, change=text))}</div>'
        out.append(f'<div class="bk-kpi" title="{html.escape(code.definition(t.language))}">'
                   f'<div class="bk-kpi-v">{html.escape(kpi_value(values[name], code, currency, t))}</div>'
                   f'<div class="bk-kpi-l">{html.escape(code.label(t.language))}</div>{change}</div>')
    return f'<div class="bk-kpis">{"".join(out)}</div>'


def write_index(path: Path, reports: list[tuple[ReportPlan, ReportStatus]], *, period: str, t: Translator,
                manifest_hash: str, kpis: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                currency: str = "") -> None:
    css = (TEMPLATES / "batchkit" / "static" / "report.css").read_text(encoding="utf-8")
    before_period = shift(period, -1)
    ok = {plan.line: plan.name for plan, status in reports if status.ok and status.files and plan.line != "all"}
    glance = []
    if kpis is not None and not kpis.empty:
        for scope in dict.fromkeys(kpis["scope"].astype(str)):
            label = t("index.plant") if scope == "plant" else scope
            heading = html.escape(label)
            if scope in ok:
                heading = f'<a href="{html.escape(ok[scope])}.html">{heading}</a>'
            glance.append(f'<h3 class="bk-line">{heading}</h3>'
                          + _cards(_values(kpis, scope), _values(previous, scope), t, currency, before_period))
        source = t("index.previous_source", period=before_period) if previous is not None else \
            t("index.no_previous", period=before_period)
        glance.append(f'<p class="bk-note">{html.escape(source)}</p>')
        notes = "".join(f"<li><b>{html.escape(KPIS[n].label(t.language))}</b>: "
                        f"{html.escape(KPIS[n].definition(t.language))}</li>" for n in LANDING)
        glance.append(f'<details class="bk-defs"><summary>{html.escape(t("text.kpi_notes"))}</summary>'
                      f"<ol>{notes}</ol></details>")
    rows = []
    for plan, status in reports:
        links = " · ".join(f'<a href="{html.escape(f)}">{html.escape(f.rsplit(".", 1)[1].upper())}</a>'
                           for f in status.files)
        said = t("index.ok") if status.ok else f"{t('index.failed')}: {status.error}"
        cls = "" if status.ok else ' class="flag"'
        title = html.escape(plan.title)
        first = f'<a href="{html.escape(plan.name)}.html">{title}</a>' if status.ok and status.files else title
        rows.append(f"<tr{cls}><td>{first}</td><td>{links}</td><td>{html.escape(said)}</td></tr>")
    title = html.escape(t("title.index", period=period))
    lang = "zh-CN" if t.language == "zh-CN" else "en"
    glance_html = (f'<h2>{html.escape(t("index.headline"))}</h2>{"".join(glance)}' if glance else "")
    body = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body class="bk-page"><header class="bk-header"><div class="bk-brand">batchkit</div><h1>{title}</h1>
<div class="bk-meta"><span><b>{html.escape(t("meta.period"))}</b> {html.escape(period)}</span>
<span><b>{html.escape(t("meta.currency"))}</b> {html.escape(currency)}</span>
<span><b>{html.escape(t("meta.manifest"))}</b> {html.escape(manifest_hash)}</span></div></header>
<main>{glance_html}<h2>{html.escape(t("index.reports"))}</h2><table class="bk-table"><thead><tr>
<th>{html.escape(t("index.report"))}</th>
<th>{html.escape(t("index.files"))}</th><th>{html.escape(t("index.status"))}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="bk-note"><a href="tables/">{html.escape(t("index.tables"))}</a> ·
<a href="notebooks/">{html.escape(t("index.notebooks"))}</a></p></main></body></html>
"""
    path.write_text(body, encoding="utf-8")
