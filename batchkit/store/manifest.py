"""manifest.json: what a folder batchkit wrote holds, where it came from, and every file's sha256.

One builder for every kind of folder (a cost folder, a report pack, a recall
report), so `batchkit verify` checks each the same way: every file listed
under `outputs` with its sha256, nothing unlisted, the inputs as they were
read, and the manifest itself against the run.log line written with it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.hashing import sha256_file
from ..core.schema import CONTRACT_VERSION

MANIFEST = "manifest.json"
Entry = dict[str, Any]


def input_entries(sources: dict[str, dict[str, Any]]) -> list[Entry]:
    """The manifest's `inputs`: per table its file (absolute path, size, sha256, rows, format, ...) or the masked
    SQL source; `sources` is what the loader recorded (`Dataset.sources`)."""
    out = []
    for table in sorted(sources):
        info = sources[table]
        entry: Entry = {"table": table}
        for key in ("path", "file", "format", "encoding", "size", "rows", "sha256", "url", "query", "sheet",
                    "read_by", "location", "files"):
            if info.get(key) is not None:
                entry[key] = info[key]
        if "path" in entry:
            entry["path"] = str(Path(entry["path"]).resolve())
        out.append(entry)
    return out


def file_entries(folder: Path, tables: Iterable[Entry] = ()) -> list[Entry]:
    """Every file under `folder` but the manifest, in path order, with its sha256.

    `tables` are entries already hashed by the table writer (file, table, rows, sha256); they are used
    as they are, so a cost folder's files are hashed once.
    """
    known = {entry["file"]: entry for entry in tables}
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path == folder / MANIFEST:
            continue
        name = path.relative_to(folder).as_posix()
        out.append(known.get(name) or {"file": name, "sha256": sha256_file(path)})
    return out


def build_manifest(
    *,
    command: str,
    period: str | None,
    params: dict[str, Any],
    inputs: list[Entry],
    outputs: list[Entry],
    quality: dict[str, int] | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of one folder: contract and batchkit version, the command, when it ran (UTC), the period, the
    resolved params, the inputs, every output file with its sha256, the data-quality counts, and `extra`."""
    return {
        "contract_version": CONTRACT_VERSION,
        "batchkit_version": __version__,
        "command": command,
        "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "period": period,
        "params": params,
        "inputs": inputs,
        "outputs": outputs,
        "data_quality": quality,
        **(extra or {}),
    }


def write_manifest(folder: Path, content: dict[str, Any]) -> str:
    """Write manifest.json; returns its sha256 (reports show its first 12 characters, run.log all of it)."""
    path = folder / MANIFEST
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    return sha256_file(path)
