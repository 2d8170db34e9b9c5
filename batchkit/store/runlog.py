"""run.log: one JSON line per command run, for the scheduler and the audit trail.

The log sits in the output folder's parent (`outputs/run.log` for
`--out outputs/2026-06`), so every period's runs are in one file. A line
is appended when the command ends, whether it succeeded or not: what ran,
for which period, when (UTC), how long, how it ended (`ok`, `data_error`,
`error`), the exit code, the data-quality counts and, for a successful
run, the sha256 of the manifest it wrote (which `verify` checks against).
Messages come from batchkit's own errors, which never hold a password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.errors import BatchkitError, DataError, exit_code_of
from ..core.findings import counts

LOG_NAME = "run.log"


def log_path(out: str | Path) -> Path:
    """Where the runs into `out` are logged: `run.log` next to it."""
    return Path(out).resolve().parent / LOG_NAME


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


@dataclass
class RunRecord:
    """What the command fills in while it runs; `logged_run` adds timing and outcome."""

    command: str
    out: Path
    period: str | None = None
    data: str | None = None
    quality: dict[str, int] | None = None
    manifest_sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def outcome(exc: BaseException | None) -> tuple[str, int]:
    """(status, exit code) of a run that ended with `exc` (None: success)."""
    if exc is None:
        return "ok", 0
    return ("data_error" if isinstance(exc, DataError) else "error"), exit_code_of(exc)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted ({getattr(exc, 'signal_name', 'SIGINT')})"
    text = str(exc).strip().splitlines()
    head = text[0] if text else ""
    return head if isinstance(exc, BatchkitError) else f"internal error ({type(exc).__name__}: {head})"


def append(path: Path, entry: dict[str, Any]) -> None:
    """Append one line with a single write (lines of concurrent runs never interleave)."""
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@contextlib.contextmanager
def logged_run(command: str, out: str | Path) -> Iterator[RunRecord]:
    """Time the block and append its line to run.log, on success and on failure alike."""
    record = RunRecord(command=command, out=Path(out).resolve())
    start, t0 = _now(), time.monotonic()
    failure: BaseException | None = None
    try:
        yield record
    except BaseException as exc:
        failure = exc
        raise
    finally:
        status, code = outcome(failure)
        quality = record.quality
        if quality is None and isinstance(failure, DataError) and failure.findings is not None:
            quality = counts(failure.findings)
        entry = {
            "command": command,
            "period": record.period,
            "start": _iso(start),
            "end": _iso(_now()),
            "seconds": round(time.monotonic() - t0, 3),
            "status": status,
            "exit_code": code,
            "data_quality": quality,
            "out": str(record.out),
            "data": record.data,
            "manifest_sha256": record.manifest_sha256 if failure is None else None,
            "batchkit_version": __version__,
            **record.extra,
        }
        if failure is not None:
            entry["message"] = _first_line(failure)
        try:
            append(log_path(record.out), entry)
        except OSError as exc:
            if failure is None:  # the outputs are written; say the log is not
                raise BatchkitError(f"outputs written to {record.out}, but {log_path(record.out)} could not "
                                    f"be appended: {exc.strerror}") from None


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every parseable line of a run.log (a damaged line is skipped, not fatal)."""
    entries: list[dict[str, Any]] = []
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict):
                entries.append(item)
    return entries
