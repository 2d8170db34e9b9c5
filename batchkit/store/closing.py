"""Period close and reopen: a closed cost folder is a record that is not overwritten, only superseded.

`batchkit close DIR --reason TEXT` (DIR a cost folder or a report pack):
  - verifies DIR first (outputs against the manifest, the manifest against
    run.log, run.log's hash chain); a tampered folder or a broken log is
    not closed. Input files changed since the run do not block the close
    (the snapshot keeps the inputs as read) but are named in the record;
  - appends the close record to run.log (who, where, why, the manifest's
    sha256) and writes `close.json` into DIR with the same facts and the
    log line's number and sha256 (an anchor: removing the log's lines back
    past a close is detected by `verify` on that folder);
  - makes every file read-only (0444, folders 0555). That guards against
    an accidental overwrite; it is not access control (the owner or root
    can change it back), which stays with the plant (docs/AUDIT.md).

A folder is closed when it holds `close.json`, or when run.log's last
close/reopen record for it is a close (deleting close.json does not reopen
it). `cost` and `run` refuse to write into it (FolderClosed, exit 1,
nothing changed; the attempt is logged as `refused`) unless given
`--reopen --reason TEXT`, which:
  - writes the new version as usual (all or nothing);
  - keeps the closed version, unchanged and still verifiable, beside it as
    `NAME.closed-N/` (N counts the reopens of NAME), so what was closed stays
    retrievable, not only its differences;
  - writes the closed version's diff against the new one as
    `NAME.restatement-N/` (store/diff.py's folder: diff.json, CSV, Parquet,
    manifest);
  - logs the reopen on the run's run.log line (`reopen`: the close it
    supersedes, where the closed version and the restatement are).
The new version is open; close it again when it is signed off.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import BatchkitError
from ..core.hashing import sha256_file
from .atomic import CLOSE_RECORD, FolderClosed
from .diff import CostDiff, diff_folders, open_cost_folder, write_diff_folder
from .runlog import LOG_NAME, RunRecord, identity, raw_lines, require_reason


@dataclass(frozen=True)
class CloseState:
    """Whether a folder is closed, and the record that says so."""

    folder: Path
    closed: bool
    record: dict[str, Any] | None = None  # close.json, else the run.log close line
    log_line: int | None = None  # run.log's line of the close (or of the reopen that followed it)
    marker_missing: bool = False  # run.log closed it, but close.json is gone

    def describe(self) -> str:
        r = self.record or {}
        when = r.get("closed_at") or r.get("end") or "?"
        text = f"closed {when} by {r.get('user', '?')}"
        if r.get("reason"):
            text += f": {r['reason']}"
        if self.marker_missing:
            text += f"; run.log line {self.log_line} closed it, but its {CLOSE_RECORD} is missing"
        return text


def read_close_record(folder: Path) -> dict[str, Any] | None:
    path = folder / CLOSE_RECORD
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"damaged": True}
    return content if isinstance(content, dict) else {"damaged": True}


def _log_state(folder: Path) -> tuple[bool, dict[str, Any] | None, int | None]:
    """(closed?, the close line, its number) from run.log's close and reopen lines for `folder`."""
    closed, record, number = False, None, None
    for i, raw in enumerate(raw_lines(folder.parent / LOG_NAME), start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("out") != str(folder) or entry.get("status") != "ok":
            continue
        if entry.get("command") == "close":
            closed, record, number = True, entry, i
        elif entry.get("reopen"):
            closed, record, number = False, None, None
    return closed, record, number


def close_state(folder: str | Path) -> CloseState:
    folder = Path(folder).resolve()
    record = read_close_record(folder)
    logged, line, number = _log_state(folder)
    if record is not None:
        return CloseState(folder, True, record, number)
    if logged:
        return CloseState(folder, True, line, number, marker_missing=True)
    return CloseState(folder, False)


def ensure_open(out: str | Path) -> None:
    """Refuse (FolderClosed) to write into a closed folder; say how to reopen it."""
    state = close_state(out)
    if state.closed:
        raise FolderClosed(f"{state.folder} is closed ({state.describe()}); nothing was changed. To replace it, "
                           "rerun with --reopen --reason TEXT: the closed version is kept beside it as "
                           f"{state.folder.name}.closed-N with its diff against the new one")


_VERSIONED = r"^{name}\.(closed|restatement)-(\d+)$"


def _next_number(out: Path) -> int:
    pattern = re.compile(_VERSIONED.format(name=re.escape(out.name)))
    taken = [int(m[2]) for p in out.parent.iterdir() if (m := pattern.match(p.name))] if out.parent.is_dir() else []
    return max(taken, default=0) + 1


@dataclass
class Reopen:
    """A rerun into a closed folder: where the closed version and its restatement go, and what to log."""

    out: Path
    state: CloseState
    reason: str
    number: int
    diff: CostDiff | None = None
    restatement_sha256: str | None = None
    keep_error: str | None = None

    @property
    def closed_dir(self) -> Path:
        return self.out.parent / f"{self.out.name}.closed-{self.number}"

    @property
    def restatement_dir(self) -> Path:
        return self.out.parent / f"{self.out.name}.restatement-{self.number}"

    def compare(self, new_folder: Path, new_label: Path | None = None) -> CostDiff:
        """The closed version (still at `out`) against the new one (in its temporary folder), labelled with the
        paths both will have once the new one is in place (`new_label`: the new cost folder's, default `out`)."""
        self.diff = diff_folders(self.out, new_folder, old_label=self.closed_dir, new_label=new_label or self.out)
        return self.diff

    def keep(self) -> None:
        """After the swap (the closed version is at closed_dir): write the restatement beside it. A failure here
        is recorded, not raised: the new version is in place and the closed one kept, so the run succeeded and
        its run.log line must say it was reopened."""
        if self.diff is None:
            return
        try:
            self.restatement_sha256 = write_diff_folder(self.restatement_dir, self.diff)
        except (OSError, BatchkitError) as exc:
            self.keep_error = str(exc)

    def log_fields(self) -> dict[str, Any]:
        """The run.log line's `reopen` object."""
        r = self.state.record or {}
        manifest = self.closed_dir / "manifest.json"
        return {"reopen": {
            "closed_at": r.get("closed_at") or r.get("end"), "closed_by": r.get("user"),
            "close_reason": r.get("reason"),
            "close_line": self.state.log_line,
            "closed_manifest_sha256": sha256_file(manifest) if manifest.is_file() else r.get("manifest_sha256"),
            "closed_version": str(self.closed_dir),
            "restatement": str(self.restatement_dir) if self.restatement_sha256 else None,
            "restatement_manifest_sha256": self.restatement_sha256,
            **({"restatement_error": self.keep_error} if self.keep_error else {}),
        }}


def plan_reopen(out: str | Path, reason: str | None) -> Reopen:
    """`--reopen --reason TEXT`: the folder must be closed, and the reason is always required."""
    text = require_reason(reason, True, "--reopen replaces a closed folder, and the audit trail must say why")
    state = close_state(out)
    if not state.closed:
        raise BatchkitError(f"{state.folder} is not closed: --reopen is only for a closed folder (drop it)")
    return Reopen(state.folder, state, text or "", _next_number(state.folder))


# ------------------------------------------------------------------ close


def _read_only(folder: Path) -> None:
    """Every file 0444 and every folder 0555, the folder itself last."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink():
            continue
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (
            stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))
    os.chmod(folder, 0o555)


def prepare_close(folder: str | Path, reason: str, user: str | None = None) -> dict[str, Any]:
    """Check that `folder` may be closed (a whole, verified cost folder or pack, not closed yet); returns the
    close record to write once run.log has its line. Nothing is written here."""
    from .verification import verify

    cf = open_cost_folder(folder)
    target = cf.path
    if (target.parent / "manifest.json").is_file():
        raise BatchkitError(f"{target} is part of the folder {target.parent} (it has a manifest): close "
                            f"{target.parent} instead")
    state = close_state(target)
    if state.closed:
        raise BatchkitError(f"{target} is already closed ({state.describe()})")
    v = verify(target)
    blocking = [x for x in v.failures if x.kind != "input"]
    if blocking:
        first = blocking[0]
        raise BatchkitError(f"{target} cannot be closed: {first.kind} {first.name} {first.status}"
                            + (f": {first.detail}" if first.detail else "")
                            + " (run `batchkit verify` for the whole list)")
    return {
        "closed": True, "folder": str(target), "kind": cf.kind, "period": cf.manifest.get("period"),
        "manifest_sha256": v.manifest_sha256,
        "closed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **identity(user), "reason": reason,
        "inputs_changed": [x.name for x in v.failures if x.kind == "input"],
    }


def finish_close(folder: Path, content: dict[str, Any], record: RunRecord) -> Path:
    """Write close.json (with the run.log line that recorded the close) and make the folder read-only."""
    content = {**content, "log": LOG_NAME, "log_line": record.line_number, "log_line_sha256": record.line_sha256}
    path = Path(folder) / CLOSE_RECORD
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _read_only(Path(folder))
    return path
