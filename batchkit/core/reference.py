"""Reference pages generated from the code, so that they cannot drift from it.

`python -m batchkit.core.reference` rewrites them under docs/; a test checks
that the committed files equal what this module renders.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .check_codes import CODES

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


PAGES: dict[str, Callable[[], str]] = {"CHECKS.md": checks_page}


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
