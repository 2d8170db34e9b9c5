"""`index.html` of a report pack: every report, its files and its status, in the pack's language."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .execute import TEMPLATES
from .i18n import Translator


def write_index(path: Path, reports: list[dict[str, Any]], *, period: str, t: Translator, manifest_hash: str) -> None:
    css = (TEMPLATES / "batchkit" / "static" / "report.css").read_text(encoding="utf-8")
    rows = []
    for r in reports:
        links = " · ".join(f'<a href="{html.escape(f)}">{html.escape(f.rsplit(".", 1)[1].upper())}</a>'
                           for f in r.get("files", []))
        status = t("index.ok") if r["ok"] else f"{t('index.failed')}: {r['error']}"
        cls = "" if r["ok"] else ' class="flag"'
        title = html.escape(r["title"])
        first = f'<a href="{html.escape(r["name"])}.html">{title}</a>' if r["ok"] and r.get("files") else title
        rows.append(f"<tr{cls}><td>{first}</td><td>{links}</td><td>{html.escape(status)}</td></tr>")
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
