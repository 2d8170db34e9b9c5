"""Which lot or batch an ID names: a lot as written, else a batch after the params' batch-ID rules.

The loader normalizes every batch ID with Arrow's Unicode kernels
(`ingest.ids`: trim whitespace, upper-case, drop the `remove` characters).
A trace applies the same rules to the one ID it was given. For ASCII text,
which is what batch IDs are, Python's `strip`, `upper` and `translate` give
exactly what those kernels give (tests/test_trace_lookup.py checks it over
arbitrary text and rules), so no pandas is needed. Other text goes through
the loader's own function: Python's Unicode tables are older than Arrow's
(Python 3.11 has Unicode 14, pyarrow's utf8proc 16) and they disagree on
about 80 code points, e.g. Arrow upper-cases `ß` to `ẞ` where Python gives `SS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import UnknownIdError
from ..core.lean_arrow import as_numpy, index_of, kernel, valid, where
from .index import TraceIndex

if TYPE_CHECKING:
    from ..core.params import BatchIdRules
    from ..core.params_memo import IdRules


def normalize_ids(texts: list[str], rules: BatchIdRules | IdRules) -> list[str]:
    """The loader's batch-ID normalization of each text (module doc)."""
    out = list(texts)
    drop = str.maketrans("", "", rules.remove)
    others = []
    for i, text in enumerate(texts):
        if not text.isascii():
            others.append(i)
            continue
        if rules.strip:
            text = text.strip()
        if rules.upper:
            text = text.upper()
        if rules.remove:
            text = text.translate(drop)
        out[i] = text
    if others:
        import pandas as pd

        from ..core.params import BatchIdRules
        from ..ingest import ids

        model = rules if isinstance(rules, BatchIdRules) else BatchIdRules(**vars(rules))
        done = ids.normalize_ids(pd.Series([texts[i] for i in others], dtype="str"), model)
        for i, text in zip(others, done, strict=True):
            out[i] = str(text)
    return out


def normalize_id(text: str, rules: BatchIdRules | IdRules) -> str:
    """One ID normalized as the loader normalizes batch IDs."""
    return normalize_ids([text], rules)[0]


def _suggest(index: TraceIndex, normalized: str, rules: BatchIdRules | IdRules) -> list[str]:
    """Up to five IDs of the index close to `normalized` once normalized (lots first, then batches)."""
    import difflib

    ids: list[str] = []
    for column in (index.lots.column("lot_id"), index.batches.column("batch_id")):
        column = where(column, valid(column))
        near = np.abs(as_numpy(kernel("utf8_length", column)) - len(normalized)) <= 3
        ids += where(column, near).to_pylist()
    by_norm = dict(zip(normalize_ids(ids, rules), ids, strict=True))
    close = difflib.get_close_matches(normalized, list(by_norm), n=5, cutoff=0.6)
    return [by_norm[c] for c in close]


def resolve(index: TraceIndex, text: str, rules: BatchIdRules | IdRules) -> tuple[str, int, str]:
    """(kind, code, ID) of a lot (as written, trimmed) or a batch (normalized); UnknownIdError otherwise."""
    written = text.strip()
    try:
        written.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes on the command line: no ID can hold them
        raise UnknownIdError(f"unknown ID {written!r}: not a purchased lot or a batch (not valid text)") from None
    lot = index_of(index.lots.column("lot_id"), written)
    if lot >= 0:
        return "lot", lot, written
    normalized = normalize_id(written, rules)
    code = index_of(index.batches.column("batch_id"), normalized)
    if code >= 0:
        if not index.batches.column("in_run")[code].as_py():
            start = str(index.batches.column("start_date")[code].as_py())[:10]
            raise UnknownIdError(f"batch {normalized!r} started on {start}, after the end of {index.period}: "
                                 "trace a later --period")
        return "batch", code, normalized
    suggestions = _suggest(index, normalized, rules)
    message = f"unknown ID {written!r}: not a purchased lot or a batch (after normalization: {normalized!r})"
    if suggestions:
        message += "; close matches: " + ", ".join(suggestions)
    raise UnknownIdError(message, suggestions=suggestions)
