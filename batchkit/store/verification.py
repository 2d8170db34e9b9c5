"""`batchkit verify OUT`: does an output folder still match its manifest, and are its inputs unchanged?

Recomputes the sha256 of every output the manifest lists (a tamper check:
a changed, missing or unlisted file fails), of every input file it names,
and of the manifest itself against the line `run.log` recorded when the
folder was written. SQL sources are not re-queried unless asked
(`reread=True`): a database changes by design, and querying it needs the
credentials, which the manifest never holds. It also checks the hash chain
of the run.log next to OUT (the first line that does not match is named;
a log written before the chain existed is reported as unchained, not as an
error) and, for a closed folder, its close.json against the manifest and
the run.log line that recorded the close.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import BatchkitError
from ..core.hashing import sha256_file
from .atomic import CLOSE_RECORD
from .closing import close_state
from .runlog import LOG_NAME, check_chain, line_sha256, raw_lines, read_log

SHORT = 12  # a short hash, as reports show it


@dataclass(frozen=True)
class Verdict:
    """One file's result: `status` is ok, changed, missing, extra, unreadable, broken, skipped or unchained."""

    kind: str  # output, input, manifest, close or log
    name: str
    status: str
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status not in ("ok", "skipped", "unchained")


@dataclass
class Verification:
    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    verdicts: list[Verdict]

    @property
    def ok(self) -> bool:
        return not any(v.failed for v in self.verdicts)

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.failed]


def _hash_verdict(kind: str, name: str, path: Path, expected: str | None) -> Verdict:
    if not path.is_file():
        return Verdict(kind, name, "missing", f"{path} is gone")
    actual = sha256_file(path)
    if expected is None:
        return Verdict(kind, name, "skipped", "no sha256 recorded")
    if actual != expected:
        return Verdict(kind, name, "changed", f"expected {expected[:SHORT]}, actual {actual[:SHORT]}")
    return Verdict(kind, name, "ok")


def load_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise BatchkitError(f"{folder}: no such folder")
    if not path.is_file():
        raise BatchkitError(f"{folder}: no manifest.json, so nothing to verify against "
                            "(not a batchkit output folder, or not a complete one)")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BatchkitError(f"{path}: not a readable manifest ({exc})") from None
    if not isinstance(content, dict) or not isinstance(content.get("outputs"), list):
        raise BatchkitError(f"{path}: not a batchkit manifest (no list of outputs)")
    return content


def _outputs(folder: Path, manifest: dict[str, Any]) -> list[Verdict]:
    listed = {}
    for entry in manifest["outputs"]:
        listed[str(entry.get("file"))] = entry.get("sha256")
    verdicts = [_hash_verdict("output", name, folder / name, sha) for name, sha in sorted(listed.items())]
    present = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    for name in present:
        if name not in ("manifest.json", CLOSE_RECORD) and name not in listed:
            verdicts.append(Verdict("output", name, "extra", "not listed in the manifest"))
    return verdicts


def _sql_input(entry: dict[str, Any], manifest: dict[str, Any], reread: bool) -> Verdict:
    table = str(entry["table"])
    shown = entry.get("url", "")
    if not reread:
        return Verdict("input", table, "skipped", f"not re-read: SQL source {shown}")
    from ..core.params import Source
    from ..ingest.readers.sql import read_sql

    spec = dict((manifest.get("params") or {}).get("sources", {}).get(table) or {})
    if not spec.get("url_env") and "***" in str(spec.get("url", "")):
        return Verdict("input", table, "skipped", f"cannot re-read SQL source {shown}: the manifest holds only "
                       "the masked URL (give the URL through url_env to make it re-readable)")
    try:
        raw = read_sql(Source.model_validate(spec), table=table)
    except BatchkitError as exc:
        return Verdict("input", table, "unreadable", str(exc))
    expected, actual = str(entry.get("sha256", "")), raw.info["sha256"]
    if actual != expected:
        return Verdict("input", table, "changed",
                       f"SQL source {shown}: expected {expected[:SHORT]}, actual {actual[:SHORT]}")
    return Verdict("input", table, "ok", f"SQL source {shown}")


def _engine_input(table: str, entry: dict[str, Any]) -> list[Verdict]:
    """A table the engine read itself: each Parquet file it read, hashed again, and no file added since (a
    folder read whole changes with a new part); a catalog table or a remote path has no file identity here."""
    files = entry.get("files")
    if files is None:
        return [Verdict("input", table, "skipped", f"{entry.get('location')}: read by the engine, no file "
                                                    "identity recorded (a catalog table or a remote path)")]
    out = []
    for f in files:
        v = _hash_verdict("input", table, Path(f["path"]), f.get("sha256"))
        out.append(Verdict(v.kind, v.name, v.status, f"{f['path']}" + (f": {v.detail}" if v.detail else "")))
    location = Path(str(entry.get("location")))
    now = sorted(str(p) for p in location.rglob("*.parquet")) if location.is_dir() else []
    added = sorted(set(now) - {str(f["path"]) for f in files})
    if added:
        out.append(Verdict("input", table, "changed", f"{location}: {len(added)} Parquet file(s) added since the "
                                                        f"run, first {added[0]}"))
    return out


def _inputs(manifest: dict[str, Any], reread: bool) -> list[Verdict]:
    verdicts = []
    for entry in manifest.get("inputs") or []:
        table = str(entry.get("table"))
        if entry.get("format") == "sql" or entry.get("url"):
            verdicts.append(_sql_input(entry, manifest, reread))
        elif entry.get("read_by") == "engine":
            verdicts.extend(_engine_input(table, entry))
        elif entry.get("path"):
            v = _hash_verdict("input", table, Path(entry["path"]), entry.get("sha256"))
            verdicts.append(Verdict(v.kind, v.name, v.status, f"{entry['path']}" + (f": {v.detail}" if v.detail
                                                                                    else "")))
        else:
            verdicts.append(Verdict("input", table, "skipped", "no file recorded"))
    return verdicts


def _recorded_manifests(folder: Path) -> list[tuple[str, str]]:
    """(manifest sha256, when) that run.log recorded for `folder`: the runs that wrote it, and the reopens
    that moved a closed version there (`NAME.closed-N`)."""
    out = []
    for r in read_log(folder.parent / LOG_NAME):
        if r.get("status") != "ok":
            continue
        found = r.get("reopen")
        reopen: dict[str, Any] = found if isinstance(found, dict) else {}
        if r.get("out") == str(folder) and r.get("manifest_sha256"):
            out.append((str(r["manifest_sha256"]), f"run ended {r.get('end')}"))
        elif reopen.get("closed_version") == str(folder) and reopen.get("closed_manifest_sha256"):
            out.append((str(reopen["closed_manifest_sha256"]), f"closed version kept by the reopen of {r.get('end')}"))
        elif reopen.get("restatement") == str(folder) and reopen.get("restatement_manifest_sha256"):
            out.append((str(reopen["restatement_manifest_sha256"]), f"restatement of the reopen of {r.get('end')}"))
    return out


def _against_log(folder: Path, sha: str) -> Verdict:
    """The manifest's own hash against the run.log line written with it."""
    runs = _recorded_manifests(folder)
    if not runs:
        return Verdict("manifest", "manifest.json", "skipped", f"no {LOG_NAME} entry for this folder to check it "
                       "against")
    expected, when = runs[-1]
    if expected != sha:
        return Verdict("manifest", "manifest.json", "changed",
                       f"expected {expected[:SHORT]} ({LOG_NAME}, {when}), actual {sha[:SHORT]}")
    return Verdict("manifest", "manifest.json", "ok", f"as recorded in {LOG_NAME} ({when})")


def _chain(folder: Path) -> Verdict:
    """The hash chain of the run.log next to the folder."""
    path = folder.parent / LOG_NAME
    if not path.is_file():
        return Verdict("log", LOG_NAME, "skipped", f"no {LOG_NAME} next to this folder")
    check = check_chain(path)
    if not check.ok:
        return Verdict("log", LOG_NAME, "broken", check.summary())
    status = "unchained" if check.lines and check.unchained == len(check.lines) else "ok"
    return Verdict("log", LOG_NAME, status, check.summary())


def _close(folder: Path, sha: str) -> list[Verdict]:
    """A closed folder's close.json: it closes this very manifest, and run.log still holds the line it names."""
    state = close_state(folder)
    if not state.closed:
        return []
    if state.marker_missing:
        return [Verdict("close", CLOSE_RECORD, "missing", f"{LOG_NAME} line {state.log_line} closed this folder, "
                        f"but its {CLOSE_RECORD} is gone")]
    record = state.record or {}
    if record.get("damaged") or record.get("manifest_sha256") != sha:
        return [Verdict("close", CLOSE_RECORD, "changed", f"it closes manifest "
                        f"{str(record.get('manifest_sha256'))[:SHORT]}, the folder's is {sha[:SHORT]}")]
    lines = raw_lines(folder.parent / LOG_NAME)
    number = record.get("log_line")
    said = f"{state.describe()}; {LOG_NAME} line {number}"
    if not lines:
        return [Verdict("close", CLOSE_RECORD, "skipped", f"{said}: no {LOG_NAME} here to check it against")]
    if not isinstance(number, int) or not 0 < number <= len(lines) or \
            line_sha256(lines[number - 1]) != record.get("log_line_sha256"):
        return [Verdict("close", CLOSE_RECORD, "changed", f"{said} is not the close record it names (the log was "
                        "changed, truncated or replaced)")]
    logged = json.loads(lines[number - 1])
    differs = [k for k in CLOSE_FACTS if record.get(k) != logged.get(k)]
    if differs:
        k = differs[0]
        return [Verdict("close", CLOSE_RECORD, "changed", f"its {k} is {record.get(k)!r}, {LOG_NAME} line {number} "
                        f"says {logged.get(k)!r}")]
    return [Verdict("close", CLOSE_RECORD, "ok", said)]


CLOSE_FACTS = ("user", "os_user", "host", "reason", "manifest_sha256")  # close.json repeats them from run.log


def verify(folder: str | Path, *, reread: bool = False) -> Verification:
    """Check every output, input and the manifest itself; raises only when there is no manifest."""
    folder = Path(folder).resolve()
    manifest = load_manifest(folder)
    sha = sha256_file(folder / "manifest.json")
    verdicts = [_against_log(folder, sha), *_outputs(folder, manifest), *_inputs(manifest, reread),
                *_close(folder, sha), _chain(folder)]
    return Verification(folder=folder, manifest=manifest, manifest_sha256=sha, verdicts=verdicts)
