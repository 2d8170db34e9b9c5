"""The audit-log workbook (`batchkit audit-log --out FILE.xlsx`): a summary sheet and every run.log line.

Written through the one Excel writer (report/excel.py: formula-safe cells,
translated headers), so a reason typed as `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .excel import Sheet, write_workbook
from .i18n import Translator


def write_audit_workbook(path: str | Path, frame: pd.DataFrame, summary: list[tuple[str, Any]],
                         language: str = "en") -> Path:
    """Write the summary (label key, value) and the log's rows to `path`, atomically (a temporary file, then a
    rename)."""
    path = Path(path)
    t = Translator(language)
    labels = pd.DataFrame({"field": [t(k) for k, _ in summary],
                           "value": pd.Series([v for _, v in summary], dtype=object)})
    kinds = tuple("int" if isinstance(v, int) else "text" for _, v in summary)
    sheets = [Sheet(t("sheet.audit_summary"), labels, row_kinds=kinds), Sheet(t("sheet.audit_log"), frame)]
    tmp = path.with_name(f".{path.name}.tmp")
    write_workbook(tmp, sheets, t)
    os.replace(tmp, path)
    return path
