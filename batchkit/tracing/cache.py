"""A disk cache of trace indexes, next to the data, so a trace answers in well under a second.

Loading, validating and costing 200,000 batches takes several seconds; the
index a trace walks (`trace_index.TraceIndex`) reads back from Arrow files
in a fraction of that. It lives in `DATA/.batchkit-cache/trace/<key>/<period>/`,
where the key is a sha256 of:
  - every input file the loader would read (path, size, modification time in
    ns): a changed, added or removed table file gives a new key. Size and
    mtime rather than a content hash, because hashing the files would cost
    as much as the trace;
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
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

from .._version import __version__
from ..core.params import Params
from ..core.schema import TABLES
from ..ingest.readers import locate
from .index import FRAMES, TraceIndex

CACHE_DIR = ".batchkit-cache"
FORMAT = 1
# the stages whose code decides what an index holds: a change to any of their modules is a new key
_CODE_STAGES = ("core", "ingest", "ledger", "checks", "costing", "tracing")


def _input_files(root: Path, params: Params) -> list[Path] | None:
    files: list[Path] = []
    for name in TABLES:
        src = params.source(name)
        if src.is_sql:
            return None
        if src.file:
            path = Path(src.file)
            files.append(path if path.is_absolute() else root / path)
        else:
            files.extend(locate(root, name))
    return files


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


def input_key(root: Path, params: Params) -> str | None:
    """The cache key of a data folder under these params, or None when it cannot be cached."""
    files = _input_files(root, params)
    if files is None:
        return None
    settings = params.resolved()
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
        frames = {name: feather.read_table(folder / f"{name}.arrow", memory_map=True).to_pandas()
                  for name in FRAMES}
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    return TraceIndex(period=meta["period"], qty_places=meta["qty_places"], costs_ok=meta["costs_ok"],
                      warnings=list(meta["warnings"]), **frames)


def write_index(root: Path, key: str, index: TraceIndex, latest_period: str) -> str | None:
    """Store the index atomically; returns a warning when the folder cannot be written."""
    base = cache_root(root)
    tmp = base / key / f".tmp-{uuid.uuid4().hex}"
    try:
        (root / CACHE_DIR).mkdir(exist_ok=True)  # never re-creates a data folder removed meanwhile
        tmp.mkdir(parents=True)
        for name in FRAMES:
            table = pa.Table.from_pandas(getattr(index, name), preserve_index=False)
            feather.write_feather(table, tmp / f"{name}.arrow", compression="uncompressed")
        (tmp / "meta.json").write_text(json.dumps(index.meta()))
        (base / key / "dataset.json").write_text(json.dumps({"latest_period": latest_period}))
        try:
            os.replace(tmp, base / key / index.period)
        except OSError:  # another trace stored the same index first
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        return f"trace cache not written ({exc}); the next trace reads the data again"
    for other in base.iterdir():
        if other.name != key and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    return None


def enabled(cache: bool) -> bool:
    return cache and os.environ.get("BATCHKIT_NO_CACHE", "") in ("", "0")
