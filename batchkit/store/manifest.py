"""manifest.json: what a folder batchkit wrote holds, where it came from, and every file's sha256."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.hashing import sha256_file
from ..core.schema import CONTRACT_VERSION


def input_entries(sources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for table in sorted(sources):
        info = sources[table]
        entry = {"table": table}
        for key in ("path", "file", "format", "encoding", "size", "rows", "sha256", "url", "query", "sheet"):
            if info.get(key) is not None:
                entry[key] = info[key]
        if "path" in entry:
            entry["path"] = str(Path(entry["path"]).resolve())
        out.append(entry)
    return out


def manifest(
    *,
    command: str,
    period: str,
    params: dict[str, Any],
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    quality: dict[str, int],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
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
    """Write manifest.json; returns its sha256 (reports show its first 12 characters)."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    return sha256_file(path)
