"""Params validated once per params file and options, remembered next to the data for a fast start.

Validating params takes pydantic, and importing it and building the schema's
models costs a tenth of a second: a fifth of what a cached `batchkit trace`
may take in all. The trace command therefore remembers the outcome: the
first run validates as always (the command line's `params_from`) and writes the resolved
params (URL passwords masked, as in a manifest) to
`DATA/.batchkit-cache/params/<fingerprint>.json`; later runs with the same
inputs read them back as a `RememberedParams` without importing pydantic.

The fingerprint is a sha256 of everything validation depends on: the params
file's path and bytes (or that there is none), the command-line overrides and
`--set` assignments, batchkit's version and the size and mtime of every core
module (where params are defined and checked: a changed default or rule is a
new fingerprint). A
params error is never remembered, so it is reported on every run. When a
stage needs the pydantic model itself (a trace whose index is not cached
loads the data), `validated()` runs the full validation of the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__

if TYPE_CHECKING:
    from .params import Params

DEFAULT_PARAMS = Path(__file__).resolve().parents[2] / "params" / "default.yaml"
FORMAT = 1
KEEP = 32  # remembered validations per data folder (one per params file and options used)


@dataclass(frozen=True)
class IdRules:
    """The batch-ID rules of remembered params (the fields of `params.BatchIdRules`)."""

    strip: bool
    upper: bool
    remove: str
    pattern: str


@dataclass(frozen=True)
class RememberedParams:
    """Params that validated before, as their resolved tree: what a cached trace reads of them."""

    tree: dict[str, Any]  # Params.resolved() of the same inputs
    validate: Callable[[], Params] = field(repr=False, compare=False)  # the full validation of those inputs

    @property
    def period(self) -> str | None:
        return None if self.tree.get("period") is None else str(self.tree["period"])

    @property
    def data(self) -> str | None:
        return None if self.tree.get("data") is None else str(self.tree["data"])

    @property
    def currency(self) -> str:
        return str(self.tree["currency"])

    @property
    def language(self) -> str:
        return str(self.tree["language"])

    @property
    def batch_id(self) -> IdRules:
        return IdRules(**self.tree["batch_id"])

    def resolved(self) -> dict[str, Any]:
        """As `Params.resolved()`: the tree recorded in manifests and cache keys."""
        copy: dict[str, Any] = json.loads(json.dumps(self.tree))
        return copy

    def validated(self) -> Params:
        """The pydantic model of the same inputs (full validation, pydantic imported)."""
        return self.validate()


def _stat(path: Path) -> list[object]:
    st = path.stat()
    return [path.name, st.st_size, st.st_mtime_ns]


def fingerprint(path: str | Path | None, overrides: Mapping[str, Any], sets: Sequence[str] = ()) -> str | None:
    """The key of one validation (module doc), or None when the params file cannot be read."""
    file = Path(path) if path is not None else (DEFAULT_PARAMS if DEFAULT_PARAMS.exists() else None)
    try:
        content = hashlib.sha256(file.read_bytes()).hexdigest() if file is not None else None
        code = [_stat(p) for p in sorted(Path(__file__).parent.glob("*.py"))]
    except OSError:
        return None
    state = {"format": FORMAT, "version": __version__, "file": str(file.resolve()) if file else None,
             "content": content, "overrides": {k: v for k, v in overrides.items() if v is not None},
             "sets": list(sets), "code": code}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:32]


def memo_dir(data: str | Path) -> Path:
    return Path(data) / ".batchkit-cache" / "params"


def recall(data: str | Path, key: str, validate: Callable[[], Params]) -> RememberedParams | None:
    """The params remembered under `key` in a data folder, or None."""
    try:
        tree = json.loads((memo_dir(data) / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(tree, dict) or "batch_id" not in tree:
        return None
    return RememberedParams(tree=tree, validate=validate)


def remember(data: str | Path, key: str, params: Params) -> None:
    """Write the resolved params under `key` (atomically); a folder that cannot be written is left alone."""
    folder = memo_dir(data)
    tmp = folder / f".tmp-{uuid.uuid4().hex}"
    try:
        if not folder.parent.is_dir():  # never creates a data folder, nor the cache folder trace refuses
            folder.parent.mkdir()
        folder.mkdir(exist_ok=True)
        tmp.write_text(json.dumps(params.resolved(), sort_keys=True), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
        old = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)[:-KEEP]
        for stale in old:
            stale.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)


def load(path: str | None, overrides: Mapping[str, Any], sets: Sequence[str], validate: Callable[[], Params], *,
         remembered: bool = True) -> Params | RememberedParams:
    """Params for a command on the data folder `overrides["data"]`: remembered when they validated before.

    `validate` validates `path`, `overrides` and `sets` in full (the command line's `params_from`), so a
    remembered result and a fresh one always come from the same rules and messages.
    """
    data = overrides.get("data")
    key = fingerprint(path, overrides, sets) if data and remembered else None
    if key and data:
        found = recall(data, key, validate)
        if found is not None:
            return found
    params = validate()
    if key and data:
        remember(data, key, params)
    return params
