"""The run log as a table an inspector can read: every line with its place in the hash chain.

`batchkit audit-log` prints it and exports it (report/audit_book.py writes
the workbook): one row per line of run.log, oldest first, with who, where,
when, why and how it ended, the line's own sha256 and its `prev_sha256`,
and whether the chain holds there. A damaged line is exported too (an
inspector must see it), whatever `--since` says.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import BatchkitError
from ..core.hashing import sha256_file
from .runlog import LOG_NAME, ChainCheck, check_chain

COLUMNS = ["line", "start", "end", "command", "period", "status", "exit_code", "user", "os_user", "host", "reason",
           "out", "data", "manifest_sha256", "message", "details", "line_sha256", "prev_sha256", "chain"]
_SHOWN = set(COLUMNS) | {"seconds", "batchkit_version", "data_quality"}


def find_log(path: str | Path) -> Path:
    """A run.log, or the folder holding one (`outputs`); BatchkitError when there is none."""
    p = Path(path).resolve()
    log = p / LOG_NAME if p.is_dir() else p
    if not log.is_file():
        raise BatchkitError(f"no {LOG_NAME} at {log} (give the run.log, or the folder that holds it: --log outputs)")
    return log


def parse_since(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BatchkitError(f"--since: expected a date YYYY-MM-DD, got {text!r}") from None


def log_frame(check: ChainCheck, since: dt.date | None = None) -> pd.DataFrame:
    """One row per line (those started on or after `since`, a UTC date, and every damaged line)."""
    rows: list[dict[str, Any]] = []
    for line in check.lines:
        e = line.entry
        if e is None:
            rows.append({"line": line.number, "message": line.raw.decode("utf-8", "replace")[:500],
                         "line_sha256": line.sha256, "chain": line.chain})
            continue
        if since is not None and str(e.get("start") or "")[:10] < since.isoformat():
            continue
        extra = {k: v for k, v in e.items() if k not in _SHOWN}
        rows.append({
            **{c: e.get(c) for c in COLUMNS if c in e},
            "line": line.number,
            "details": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
            "line_sha256": line.sha256, "prev_sha256": e.get("prev_sha256"), "chain": line.chain,
        })
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    frame = frame.where(frame.notna(), None)
    return frame.astype({"line": "Int64", "exit_code": "Int64"})


def log_summary(check: ChainCheck, shown: int, since: dt.date | None, who: dict[str, str]) -> list[tuple[str, Any]]:
    """(label key, value) rows of the export's summary sheet: which log, its hash, the chain, who exported it."""
    return [
        ("audit.log_file", str(check.path)),
        ("audit.log_sha256", sha256_file(check.path)),
        ("audit.lines", len(check.lines)),
        ("audit.exported", shown),
        ("audit.since", since.isoformat() if since else ""),
        ("audit.chain", check.summary()),
        ("audit.head", check.head_sha256 or ""),
        ("audit.exported_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ("audit.exported_by", f"{who['user']} ({who['os_user']}@{who['host']})"),
    ]


def load(path: str | Path) -> ChainCheck:
    return check_chain(find_log(path))
