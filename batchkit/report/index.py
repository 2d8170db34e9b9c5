"""`index.html` of a report pack: every report, its files and its status, in the pack's language."""

from __future__ import annotations

import html
from pathlib import Path

from .execute import TEMPLATES
from .i18n import Translator
from .jobs import ReportPlan, ReportStatus


def write_index(path: Path, reports: list[tuple[ReportPlan, ReportStatus]], *, period: str, t: Translator,
                manifest_hash: str) -> None:
    css = (TEMPLATES / "batchkit" / "static" / "report.css").read_text(encoding="utf-8")
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
    body = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body class="bk-page"><header class="bk-header"><div class="bk-brand">batchkit</div><h1>{title}</h1>
<div class="bk-meta"><span><b>{html.escape(t("meta.manifest"))}</b> {html.escape(manifest_hash)}</span></div></header>
<main><table class="bk-table"><thead><tr><th>{html.escape(t("index.report"))}</th>
<th>{html.escape(t("index.files"))}</th><th>{html.escape(t("index.status"))}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="bk-note"><a href="tables/">{html.escape(t("index.tables"))}</a> ·
<a href="notebooks/">{html.escape(t("index.notebooks"))}</a></p></main></body></html>
"""
    path.write_text(body, encoding="utf-8")
