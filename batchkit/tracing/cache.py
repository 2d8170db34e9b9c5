"""A disk cache of trace indexes, next to the data, so a trace answers in well under a second.

Loading, validating and costing 200,000 batches takes a minute; the index a
trace walks (`index.TraceIndex`) maps back in from Arrow IPC files without a
copy, and a cached trace imports neither pandas nor the loaders. It lives in
`DATA/.batchkit-cache/trace/<key>/<period>/`, one `<table>.arrow` per index
table, where the key is a sha256 of:
  - every file in the data folder named after a table (`batches.csv`,
    `batches.parquet`, ..., also `batches.csv.bak`), and each table's
    `sources.TABLE.file`, by path, size and modification time in ns: a
    changed, added or removed table file gives a new key. Size and mtime
    rather than a content hash, because hashing the files would cost as much
    as the trace. The folder is listed rather than asking the readers which
    names they read, because importing the readers loads pandas; a file they
    would ignore only costs a rebuild when it changes;
  - the resolved params (ID normalization, sources, allocation change the
    answer), except `period` and `data`;
  - batchkit's version, this cache's format and its own source files, so an
    upgrade never reads an old index.
Writing a new key removes the other keys (only the current inputs are kept).
Tables read from SQL cannot be dated, so such datasets are never cached. A
folder that cannot be written is traced without a cache (a warning says so).
`BATCHKIT_NO_CACHE=1` or `cache=False` turn the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .._version import __version__
from ..core.schema import TABLES
from . import index as trace_index
from .index import TraceIndex

if TYPE_CHECKING:
    from ..core.params import Params
    from ..core.params_memo import RememberedParams

CACHE_DIR = ".batchkit-cache"
FORMAT = 2  # 2: Arrow IPC files of index.TABLES, one chunk per column
# the stages whose code decides what an index holds: a change to any of their modules is a new key
_CODE_STAGES = ("core", "ingest", "ledger", "checks", "costing", "tracing")


def _input_files(root: Path, sources: dict[str, Any]) -> list[Path] | None:
    """The files named after a table or by `sources.TABLE.file`; None when a table comes from SQL."""
    files: list[Path] = []
    try:
        listing = sorted(p for p in root.iterdir() if p.is_file())
    except OSError:
        listing = []
    for name in TABLES:
        src = sources.get(name) or {}
        if src.get("query") is not None:  # params.Source.is_sql
            return None
        if src.get("file"):
            path = Path(src["file"])
            files.append(path if path.is_absolute() else root / path)
        else:
            files.extend(p for p in listing if p.name.split(".")[0] == name)
    return files


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


def input_key(root: Path, params: Params | RememberedParams) -> str | None:
    """The cache key of a data folder under these params, or None when it cannot be cached."""
    settings = params.resolved()
    files = _input_files(root, settings.get("sources") or {})
    if files is None:
        return None
    settings.pop("period", None)
    settings.pop("data", None)
    package = Path(__file__).resolve().parent.parent
    code = sorted(p for stage in _CODE_STAGES for p in (package / stage).rglob("*.py"))
    state = {"format": FORMAT, "version": __version__, "params": settings, "files": [_stat(f) for f in files],
             "code": [[p.relative_to(package).as_posix(), *_stat(p)[1:]] for p in code]}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:32]


def cache_root(root: Path) -> Path:
    return root / CACHE_DIR / "trace"


def read_latest_period(root: Path, key: str) -> str | None:
    """The dataset's default period, remembered when the index was first built."""
    try:
        remembered = json.loads((cache_root(root) / key / "dataset.json").read_text())["latest_period"]
        return str(remembered) if remembered else None
    except (OSError, ValueError, KeyError):
        return None


def read_index(root: Path, key: str, period: str) -> TraceIndex | None:
    """The cached index, or None when there is none (or it cannot be read: then it is rebuilt)."""
    folder = cache_root(root) / key / period
    try:
        meta = json.loads((folder / "meta.json").read_text())
        tables = {name: pa.ipc.open_file(pa.memory_map(str(folder / f"{name}.arrow"))).read_all()
                  for name in trace_index.TABLES}
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    return TraceIndex(period=meta["period"], tables=tables, qty_places=meta["qty_places"],
                      costs_ok=meta["costs_ok"], warnings=list(meta["warnings"]))


def write_index(root: Path, key: str, index: TraceIndex, latest_period: str) -> str | None:
    """Store the index atomically; returns a warning when the folder cannot be written."""
    import shutil
    import uuid

    base = cache_root(root)
    tmp = base / key / f".tmp-{uuid.uuid4().hex}"
    try:
        (root / CACHE_DIR).mkdir(exist_ok=True)  # never re-creates a data folder removed meanwhile
        tmp.mkdir(parents=True)
        for name in trace_index.TABLES:
            table = index.tables[name]
            with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
        (tmp / "meta.json").write_text(json.dumps(index.meta()))
        (base / key / "dataset.json").write_text(json.dumps({"latest_period": latest_period}))
        try:
            os.replace(tmp, base / key / index.period)
        except OSError:  # another trace stored the same index first
            shutil.rmtree(tmp, ignore_errors=True)
    except (OSError, pa.ArrowException) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        return f"trace cache not written ({exc}); the next trace reads the data again"
    for other in base.iterdir():
        if other.name != key and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    return None


def enabled(cache: bool) -> bool:
    return cache and os.environ.get("BATCHKIT_NO_CACHE", "") in ("", "0")
