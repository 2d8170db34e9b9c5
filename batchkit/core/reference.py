"""Reference pages generated from the code, so that they cannot drift from it.

`python -m batchkit.core.reference` rewrites them under docs/; a test checks
that the committed files equal what this module renders.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .check_codes import CODES
from .contract_rules import RULES, SUMMARY
from .kpi_codes import KPIS
from .schema import COLUMN_DOCS, CONTRACT_VERSION, TABLES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def checks_page() -> str:
    """docs/CHECKS.md: every check code with its severity, stage, description and titles (en, zh-CN)."""
    lines = [
        "# Check codes",
        "",
        "Generated from `batchkit/core/check_codes.py` (`python -m batchkit.core.reference`); a test keeps it in "
        "sync.",
        "Every finding in `batchkit validate`, the `data_quality` table and the data-quality report names one of "
        "these codes in its `check` column. An `error` blocks costing; a `warning` is reported and costing goes on.",
        "Stages: `ingest` (reading and typing the inputs), `checks` (rows, keys and links between tables), "
        "`tracing` (a trace).",
        "",
        "| code | severity | stage | what is checked | title | 标题 |",
        "|---|---|---|---|---|---|",
    ]
    for c in CODES.values():
        lines.append(f"| `{c.code}` | {' or '.join(c.severity)} | {c.stage} | {_cell(c.description)} | "
                     f"{_cell(c.title_en)} | {_cell(c.title_zh)} |")
    return "\n".join(lines) + "\n"


KIND_WORDS = {"id": "text (ID)", "str": "text", "num": "number", "date": "date", "period": "YYYY-MM"}
SIGN_WORDS = {"any": "", "nonneg": " >= 0", "positive": " > 0"}


def data_format_page() -> str:
    """docs/DATA-FORMAT.md: every input table and column (type, required, meaning), the costing rules, the kpis."""
    lines = [
        "# Data format reference",
        "",
        "Generated from `batchkit/core/schema.py`, `core/contract_rules.py` and `core/kpi_codes.py` "
        "(`python -m batchkit.core.reference`); a test keeps it in sync with the code. "
        f"Data contract version {CONTRACT_VERSION}.",
        "",
        "## Conventions",
        "",
        "- Each table is one file in the data folder named after the table: `batches.csv`, `batches.parquet` or "
        "`batches.xlsx` (first sheet unless params `sources.TABLE.sheet` names one), or a SQL query (params "
        "`sources:`). Only `batches` and `material_issues` are required; a capability that needs a missing "
        "table says so.",
        "- Column names are the names below; params `sources.TABLE.columns` map a source's own headers onto "
        "them (`批次号: batch_id`). Other columns are kept as text and ignored.",
        "- Text (ID) columns are read as text, never as numbers (`00123` stays `00123`). Batch IDs (every "
        "`batch_id`, and a `lot_id` that names a batch) are normalized by params `batch_id:` (strip, upper "
        "case, drop `-_ `, pattern `^[A-Z0-9]+$`); every changed or invalid ID is reported.",
        "- Numbers are decimal numbers, read exactly as written (no float rounding); thousands separators and "
        "full-width digits are accepted with a warning. Money is in the dataset's one currency "
        "(params `currency:`, default CNY).",
        "- Dates are `YYYY-MM-DD` or Excel date cells; `2026/01/05`, `20260105` are read with a warning. "
        "Day- or month-first dates (`25.01.2026`, `01/25/2026`) are read only when params declare the order: "
        "`dates: {order: DMY}` or `MDY` (default `YMD` refuses `05/01/2026` as ambiguous).",
        "- Periods are calendar months `YYYY-MM`; a transaction belongs to the period of its date.",
        "- CSV is UTF-8 (with or without BOM) or GB18030/GBK (`encoding: auto`). Row numbers in messages are "
        "spreadsheet rows: the header is row 1.",
        "",
        "## Input tables",
        "",
    ]
    for table in TABLES.values():
        docs = COLUMN_DOCS.get(table.name, {})
        need = "required" if table.required else "optional"
        key = f"; unique: `{'`, `'.join(table.key)}`" if table.key else ""
        lines += [f"### {table.name} ({need})", "", f"{table.doc[:1].upper()}{table.doc[1:]}{key}.", "",
                  "| column | type | required | meaning |", "|---|---|---|---|"]
        for col in table.columns:
            kind = KIND_WORDS[col.kind] + SIGN_WORDS[col.sign]
            lines.append(f"| `{col.name}` | {kind} | {'yes' if col.required else 'no'} | "
                         f"{_cell(docs.get(col.name, ''))} |")
        lines.append("")
    lines += ["## Costing rules", "", *[f"- {_cell(s)}" for s in SUMMARY], "", "### Precise rules", ""]
    lines += [f"- **{title}.** {text}" for title, text in RULES]
    lines += ["", "## Headline figures (`kpis` table)", "",
              "Written by `batchkit cost` into every cost folder (`kpis.csv`, `kpis.parquet`), one row per scope "
              "(`plant`, then each product line as the batch master writes it) and figure: columns `scope`, `kpi`, "
              "`value`, `unit` (the currency, `%`, `batches`, `units` or `days`). Money figures are exact sums "
              "of cents; a line's money and counts add up to the plant's. Every report's headline cards read "
              "this table and show these definitions as footnotes.", "",
              "| kpi | unit | definition | 定义 |", "|---|---|---|---|"]
    for k in KPIS.values():
        unit = {"money": "currency", "pct": "%", "count": "batches", "units": "units", "days": "days"}[k.kind]
        lines.append(f"| `{k.name}` | {unit} | {_cell(k.definition_en)} | {_cell(k.definition_zh)} |")
    return "\n".join(lines + _engine_params()) + "\n"


def _engine_params() -> list[str]:
    """The params `engine:` section, from its pydantic model (defaults and descriptions)."""
    from .params import EngineSettings

    lines = ["", "## Params: `engine:`", "", _cell(" ".join((EngineSettings.__doc__ or "").split())), "",
             "| key | default | meaning | 说明 |", "|---|---|---|---|"]
    for name, field in EngineSettings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = "all cores" if field.default is None else f"`{field.default}`"
        lines.append(f"| `engine.{name}` | {default} | {_cell(field.description or '')} | "
                     f"{_cell(str(extra.get('zh', '')))} |")
    return lines


PAGES: dict[str, Callable[[], str]] = {"CHECKS.md": checks_page, "DATA-FORMAT.md": data_format_page}


def write_all(folder: Path = DOCS) -> list[Path]:
    written = []
    for name, render in PAGES.items():
        path = folder / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}", file=sys.stderr)
