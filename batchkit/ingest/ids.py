"""Batch-ID normalization: the params' rules applied to every batch_id (and lot_ids naming a batch).

Every ID the rules change is reported with its first row, every ID failing
the pattern is an error; the work runs on each column's distinct values.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.arrow import arrow_text
from ..core.findings import Findings
from ..core.lanes import two_lanes
from ..core.params import BatchIdRules


def _apply_rules(arr: pa.Array, rules: BatchIdRules) -> pa.Array:
    if rules.strip:
        arr = pc.utf8_trim_whitespace(arr)
    if rules.upper:
        arr = pc.utf8_upper(arr)
    if rules.remove:
        arr = pc.replace_substring_regex(arr, "[" + re.escape(rules.remove) + "]", "")
    return arr


def _encoded(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """(distinct values, position of each row's value among them; -1 when missing).

    A column of millions of rows names a few thousand IDs: the rules and the
    pattern run on those, and rows just take their result.
    """
    enc = pc.dictionary_encode(arrow_text(values))
    return enc.dictionary, pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(arr.to_pandas().array, index=index, dtype="str")


def normalize_ids(values: pd.Series, rules: BatchIdRules) -> pd.Series:
    """Apply the params' batch-ID rules (strip, upper-case, drop separators)."""
    distinct, idx = _encoded(values)
    return _series(_apply_rules(distinct, rules).take(pa.array(idx, mask=idx < 0)), values.index)


def id_pattern_mask(values: pd.Series, pattern: str) -> np.ndarray:
    """True where an ID matches the pattern (RE2 in Arrow, Python's re as a fallback)."""
    arr = pa.array(values, pa.string(), from_pandas=True)
    try:
        ok = pc.match_substring_regex(arr, pattern)
        return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)
    except pa.ArrowInvalid:
        return np.asarray(values.fillna("").str.match(pattern).to_numpy(dtype=bool))


def _report_changes(
    original: pd.Series,
    normalized: pd.Series,
    rows: np.ndarray,
    *,
    table: str,
    column: str,
    source: str,
    findings: Findings,
) -> None:
    changed = (original.fillna("") != normalized.fillna("")).to_numpy() & original.notna().to_numpy()
    if not changed.any():
        return
    sub = pd.DataFrame({"orig": original[changed].to_numpy(), "norm": normalized[changed].to_numpy(),
                        "row": rows[changed]})
    grouped = sub.groupby("orig", sort=True).agg(norm=("norm", "first"), row=("row", "min"), n=("row", "size"))
    msgs = [
        f"{source} row {r} column {column}: ID {o!r} normalized to {nm!r}"
        + (f" (and {n - 1:,} more row{'s' if n > 2 else ''})" if n > 1 else "")
        for o, nm, r, n in zip(grouped.index, grouped["norm"], grouped["row"], grouped["n"], strict=True)
    ]
    findings.add_rows("warning", "id_normalized", table, grouped["row"].to_numpy(), column,
                      grouped.index.to_numpy(), msgs)


def _report_invalid(
    ids: pd.Series, rows: np.ndarray, pattern: str, *, table: str, column: str, source: str, findings: Findings
) -> None:
    present = ids.notna().to_numpy()
    bad = present & ~id_pattern_mask(ids, pattern)
    if not bad.any():
        return
    sub = pd.DataFrame({"id": ids[bad].to_numpy(), "row": rows[bad]})
    grouped = sub.groupby("id", sort=True).agg(row=("row", "min"), n=("row", "size"))
    msgs = [
        f"{source} row {r} column {column}: ID {i!r} does not match the batch ID pattern {pattern}"
        + (f" (and {n - 1:,} more row{'s' if n > 2 else ''})" if n > 1 else "")
        for i, r, n in zip(grouped.index, grouped["row"], grouped["n"], strict=True)
    ]
    findings.add_rows("error", "invalid_id", table, grouped["row"].to_numpy(), column, grouped.index.to_numpy(), msgs)


def _flagged_rows(per_value: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Rows whose (encoded) value is flagged; missing values never are."""
    return (idx >= 0) & np.asarray(per_value, dtype=bool)[np.maximum(idx, 0)] if len(per_value) else idx < -1


def normalize_dataset_ids(tables: dict[str, pd.DataFrame], sources: dict[str, dict[str, Any]], rules: BatchIdRules,
                          findings: Findings) -> None:
    """Normalize every batch_id column, and lot_ids that name a batch once normalized.

    The rules, the comparison and the pattern run on each column's distinct
    values; only the rows they flag are looked at one by one (to report them).
    Batches go first (their normalized IDs say which lot_ids name a batch),
    then the other tables on two threads (`core.lanes`: the material issues'
    two ID columns on one, the rest on the other), their findings in table order.
    """
    master: pa.Array | None = None

    def table_job(name: str) -> Findings:
        local = Findings()
        df = tables[name]
        source = str(sources.get(name, {}).get("file") or name)
        if "batch_id" in df.columns:
            _normalize_batch_ids(df, name, source, rules, local)
        if name == "material_issues" and "lot_id" in df.columns and master is not None and len(master):
            _normalize_lot_ids(df, name, source, rules, master, local)
        return local

    if "batches" in tables:
        findings.extend(table_job("batches"))
        master = pc.unique(pc.drop_null(arrow_text(tables["batches"]["batch_id"])))
    rest = [t for t in tables if t != "batches"]
    weight = {t: len(tables[t]) * (2 if t == "material_issues" else 1) for t in rest}
    for found in two_lanes(rest, weight.__getitem__, table_job).values():
        findings.extend(found)


def _normalize_batch_ids(df: pd.DataFrame, name: str, source: str, rules: BatchIdRules, findings: Findings) -> None:
    rows = df["_row"].to_numpy()
    original = df["batch_id"]
    distinct, idx = _encoded(original)
    norm_distinct = _apply_rules(distinct, rules)
    changed_value = pc.not_equal(distinct, norm_distinct).to_numpy(zero_copy_only=False)
    # when the rules change no value, the column is already its normalized self: no expansion of
    # millions of rows (the same texts, missing where they were missing)
    normalized = (_series(norm_distinct.take(pa.array(idx, mask=idx < 0)), original.index)
                  if changed_value.any() else original)
    changed = _flagged_rows(changed_value, idx)
    if changed.any():
        _report_changes(original[changed], normalized[changed], rows[changed], table=name,
                        column="batch_id", source=source, findings=findings)
    invalid = _flagged_rows(~id_pattern_mask(_series(norm_distinct, pd.RangeIndex(len(norm_distinct))),
                                             rules.pattern), idx)
    if invalid.any():
        _report_invalid(normalized[invalid], rows[invalid], rules.pattern, table=name, column="batch_id",
                        source=source, findings=findings)
    if normalized is not original:
        df["batch_id"] = normalized


def _normalize_lot_ids(df: pd.DataFrame, name: str, source: str, rules: BatchIdRules, master: pa.Array,
                       findings: Findings) -> None:
    """lot_ids that name a batch once normalized take the batch's ID (reported); other lots stay as written."""
    rows = df["_row"].to_numpy()
    original = df["lot_id"]
    distinct, idx = _encoded(original)
    candidate = _apply_rules(distinct, rules)
    names_batch = pc.is_in(candidate, value_set=master).to_numpy(zero_copy_only=False)
    is_batch = _flagged_rows(names_batch, idx)
    if is_batch.any():
        take = pa.array(idx, mask=idx < 0)
        lot = _series(pc.if_else(pa.array(names_batch), candidate, distinct).take(take), original.index)
        changed = is_batch & _flagged_rows(pc.not_equal(distinct, candidate).to_numpy(zero_copy_only=False),
                                           idx)
        if changed.any():
            _report_changes(original[changed], lot[changed], rows[changed], table=name, column="lot_id",
                            source=source, findings=findings)
        df["lot_id"] = lot
