"""run.log: one JSON line per command run, a hash chain for the audit trail.

The log sits in the output folder's parent (`outputs/run.log` for
`--out outputs/2026-06`), so every period's runs are in one file. A line
is appended when the command ends, whether it succeeded or not: what ran,
for which period, when (UTC), how long, how it ended (`ok`, `data_error`,
`refused`, `error`), the exit code, the data-quality counts, for a
successful run the sha256 of the manifest it wrote (which `verify` checks
against), and who ran it and why: `user` (`--user`, else the environment
variable BATCHKIT_USER a scheduler sets, else the OS account), `os_user`
(always the OS account, so a name given with --user cannot hide who ran
it), `host` and `reason` (`--reason`).

Each line carries `prev_sha256`, the sha256 of the line before it (its UTF-8
bytes without the newline; null on a log's first line): a hash chain, so a
line edited, removed or moved breaks the chain at the line after it, and
`check_chain` names that line. Appends hold an exclusive lock on the log
(flock) from reading the last line to writing the new one, so two runs
ending at once cannot both chain onto the same line. Messages come from
batchkit's own errors, which never hold a password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.errors import BatchkitError, DataError, exit_code_of
from ..core.findings import counts

LOG_NAME = "run.log"
USER_ENV = "BATCHKIT_USER"


def log_path(out: str | Path) -> Path:
    """Where the runs into `out` are logged: `run.log` next to it."""
    return Path(out).resolve().parent / LOG_NAME


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def line_sha256(raw: bytes) -> str:
    """The hash the next line records as its `prev_sha256`: sha256 of a line's bytes without its newline."""
    return hashlib.sha256(raw).hexdigest()


def os_user() -> str:
    """The OS account running this process (its uid where the account has no name, as in some containers)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def identity(user: str | None = None) -> dict[str, str]:
    """Who runs a command: the named user (`--user`, else $BATCHKIT_USER, else the OS account), the OS account
    and the host."""
    named = (user or "").strip() or os.environ.get(USER_ENV, "").strip() or os_user()
    return {"user": named, "os_user": os_user(), "host": socket.gethostname()}


class ReasonRequired(BatchkitError):
    """A command that must say why it runs was given no reason (a usage error: exit 2)."""

    exit_code = 2


def require_reason(reason: str | None, required: bool, why: str = "params audit.require_reason is true") -> str | None:
    """The reason, stripped; ReasonRequired when it is required (`why`) and missing or blank."""
    text = (reason or "").strip()
    if required and not text:
        raise ReasonRequired(f"--reason TEXT is required: {why}")
    return text or None


@dataclass
class RunRecord:
    """What the command fills in while it runs; `logged_run` adds timing, outcome and identity."""

    command: str
    out: Path
    period: str | None = None
    data: str | None = None
    quality: dict[str, int] | None = None
    manifest_sha256: str | None = None
    user: str | None = None
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # set once the line is written
    line_number: int | None = None
    line_sha256: str | None = None


def outcome(exc: BaseException | None) -> tuple[str, int]:
    """(status, exit code) of a run that ended with `exc` (None: success)."""
    if exc is None:
        return "ok", 0
    if isinstance(exc, DataError):
        return "data_error", exit_code_of(exc)
    return str(getattr(exc, "log_status", "error")), exit_code_of(exc)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted ({getattr(exc, 'signal_name', 'SIGINT')})"
    text = str(exc).strip().splitlines()
    head = text[0] if text else ""
    return head if isinstance(exc, BatchkitError) else f"internal error ({type(exc).__name__}: {head})"


TAIL_BLOCK = 1 << 16


def _last_line(fd: int) -> tuple[bytes | None, bool, int]:
    """(the last line's bytes without its newline, whether the file ends with a newline, its size)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None, True, size
    end_nl = os.pread(fd, 1, size - 1) == b"\n"
    pos = size - 1 if end_nl else size  # the last line ends here
    chunks: list[bytes] = []
    while pos > 0:
        step = min(TAIL_BLOCK, pos)
        pos -= step
        block = os.pread(fd, step, pos)
        cut = block.rfind(b"\n")
        if cut >= 0:
            chunks.insert(0, block[cut + 1:])
            break
        chunks.insert(0, block)
    return b"".join(chunks), end_nl, size


def append(path: Path, entry: dict[str, Any]) -> tuple[int, str]:
    """Append `entry` as one chained line; returns (its line number, its sha256).

    The lock is held from reading the last line to writing this one (concurrent runs cannot fork the chain);
    the line is written with one write and flushed to disk before the lock is released. A last line left
    without its newline (a write cut by a power loss) is ended first, and this line chains onto it as it is.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last, end_nl, size = _last_line(fd)
        entry = {**entry, "prev_sha256": None if last is None else line_sha256(last)}
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8")
        os.write(fd, (b"" if end_nl else b"\n") + line + b"\n")
        os.fsync(fd)
        number = _count_lines(fd, size) + 1
        return number, line_sha256(line)
    finally:
        os.close(fd)  # releases the lock


def _count_lines(fd: int, size: int) -> int:
    """Lines in the first `size` bytes (a last line without its newline counts)."""
    n, offset, last = 0, 0, b"\n"
    while offset < size:
        block = os.pread(fd, min(1 << 20, size - offset), offset)
        n += block.count(b"\n")
        last = block[-1:]
        offset += len(block)
    return n + (last != b"\n")


@contextlib.contextmanager
def logged_run(command: str, out: str | Path, *, user: str | None = None, reason: str | None = None
               ) -> Iterator[RunRecord]:
    """Time the block and append its line to run.log, on success and on failure alike."""
    record = RunRecord(command=command, out=Path(out).resolve(), user=user, reason=reason)
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
            **identity(record.user),
            "reason": (record.reason or "").strip() or None,
            **record.extra,
        }
        if failure is not None:
            entry["message"] = _first_line(failure)
        try:
            record.line_number, record.line_sha256 = append(log_path(record.out), entry)
        except OSError as exc:
            if failure is None:  # the outputs are written; say the log is not
                raise BatchkitError(f"outputs written to {record.out}, but {log_path(record.out)} could not "
                                    f"be appended: {exc.strerror}") from None


def raw_lines(path: Path) -> list[bytes]:
    """The log's lines as bytes, split on newlines only (a reason may hold any other line separator)."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every parseable line of a run.log (a damaged line is skipped, not fatal: `check_chain` names it)."""
    entries: list[dict[str, Any]] = []
    for line in raw_lines(path):
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict):
                entries.append(item)
    return entries


@dataclass(frozen=True)
class LogLine:
    """One line of a run.log with its place in the chain: `chain` is ok, unchained (before the chain began),
    or broken (the first line that does not match, and every line after it)."""

    number: int
    raw: bytes
    entry: dict[str, Any] | None  # None: not a JSON object
    sha256: str
    chain: str


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking a run.log's hash chain."""

    path: Path
    lines: list[LogLine]
    unchained: int  # lines at the start written before batchkit chained its log
    bad_line: int | None  # the first line that does not match (1-based)
    problem: str

    @property
    def ok(self) -> bool:
        return self.bad_line is None

    @property
    def head_sha256(self) -> str | None:
        """The last line's sha256: record it elsewhere to make removing lines from the end detectable."""
        return self.lines[-1].sha256 if self.lines else None

    def summary(self) -> str:
        n = len(self.lines)
        if not self.path.is_file():
            return f"no {LOG_NAME} at {self.path}"
        if not self.ok:
            return f"line {self.bad_line} of {n}: {self.problem}"
        if n and self.unchained == n:
            return (f"{n} line{'s' if n != 1 else ''}, none chained (written before batchkit kept a hash chain): "
                    "they cannot be checked for edits; the next line starts the chain")
        head = f"{n} line{'s' if n != 1 else ''}, chain intact"
        if self.unchained:
            head += (f" from line {self.unchained + 1} (lines 1-{self.unchained} were written before the chain and "
                     "cannot be checked)")
        return head + (f"; last line {self.head_sha256[:12]}" if self.head_sha256 else "")


def check_chain(path: Path) -> ChainCheck:
    """Check every line's `prev_sha256` against the line before it; name the first line that does not match.

    Lines without `prev_sha256` at the very start of the log are older batchkit's and are reported as
    unchained, not as an error; one after a chained line is an error. The diagnosis says whether the line
    before was changed (or a line between removed) or whether the line points at another line of the log
    (lines removed, inserted or reordered).
    """
    raws = raw_lines(path)
    shas = [line_sha256(r) for r in raws]
    where: dict[str, int] = {}
    for i, sha in enumerate(shas):
        where.setdefault(sha, i)
    lines: list[LogLine] = []
    unchained, bad, problem = 0, None, ""
    chained = False
    for i, raw in enumerate(raws):
        number = i + 1
        entry: dict[str, Any] | None = None
        with contextlib.suppress(ValueError):
            parsed = json.loads(raw)
            entry = parsed if isinstance(parsed, dict) else None
        if bad is None:
            problem = _line_problem(i, entry, shas, where, chained)
            if problem == "unchained":
                unchained += 1
                problem = ""
                lines.append(LogLine(number, raw, entry, shas[i], "unchained"))
                continue
            chained = True
            if problem:
                bad = number
        lines.append(LogLine(number, raw, entry, shas[i], "broken" if bad is not None else "ok"))
    return ChainCheck(path, lines, unchained, bad, problem if bad is not None else "")


def _line_problem(i: int, entry: dict[str, Any] | None, shas: list[str], where: dict[str, int],
                  chained: bool) -> str:
    """'' when line i (0-based) chains onto the line before it, 'unchained' for an older line, else why not."""
    if entry is None:
        return "not a JSON object (a damaged write, or edited by hand)"
    if "prev_sha256" not in entry:
        if not chained:
            return "unchained"
        return ("has no prev_sha256 although the lines before it are chained (written by an older batchkit or "
                "by hand)")
    prev = entry["prev_sha256"]
    expected = shas[i - 1] if i else None
    if prev == expected:
        return ""
    if prev is None:
        return f"starts a new chain (prev_sha256 is null) after line {i}: lines before it were replaced"
    j = where.get(prev)
    if j is not None and j != i - 1:
        return (f"its prev_sha256 is line {j + 1}'s, not line {i}'s: lines were removed, inserted or reordered "
                "between them")
    if i == 0:
        return "its prev_sha256 names a line that is not in the log: the log's first lines were removed"
    return (f"its prev_sha256 does not match line {i}: line {i} was changed, or a line after it was removed")
