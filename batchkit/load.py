"""Load a dataset: find each table's source, read it, map headers, type columns, normalize IDs.

Problems that leave the rest of a table usable (a bad number, an odd date,
an ID changed by normalization) become findings; only a table that cannot
be read at all raises `DataError`, and `load_dataset` turns even that into
a finding so `validate` can list every problem in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import money
from .errors import DataError
from .findings import Findings
from .model import Dataset
from .params import PERIOD_RE, BatchIdRules, Params, load_params
from .readers import RawTable, locate, read_file
from .schema import TABLES, Column

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DATE_FORMATS_OK = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
_DATE_FORMATS_WARN = ("%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")
_LOOSE_PERIOD = r"^(\d{4})(?:[-/.](\d{1,2})|(\d{2}))$"  # 2026-1, 2026/01, 202601


# ------------------------------------------------------------------ typing


def _as_text(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):  # (text_column and _blank_rows use the codes instead)
        arr = arr.dictionary_decode()
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr.cast(pa.string())
    if pa.types.is_floating(t):
        floats = arr.to_numpy(zero_copy_only=False)
        finite = np.isfinite(floats)
        whole = floats[finite]
        if np.all(np.equal(np.mod(whole, 1), 0)) and np.all(np.abs(whole) < 2.0**53):  # exact as int64
            ints = pa.array(np.where(finite, floats, 0).astype(np.int64)).cast(pa.string())
            return pc.if_else(pa.array(finite), ints, pa.scalar("", pa.string()))
        arr = pc.if_else(pa.array(np.isnan(floats)), pa.scalar(None, t), arr)  # NaN is a missing value
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return pc.strftime(arr, format="%Y-%m-%d").cast(pa.string())
    return pc.fill_null(arr.cast(pa.string()), "")


def text_column(arr: pa.Array, trim: bool = True) -> pd.Series:
    """Text; blank cells become missing (NA). Batch IDs keep their spaces for normalization to report.

    A long column that repeats its values (IDs of batches, lots, materials) is cleaned on its
    distinct values and expanded once, as pandas' own (large) string type.
    """
    if pa.types.is_dictionary(arr.type):  # from Parquet: the file's own codes, each value cleaned once
        enc = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        clean = _clean_text(pc.fill_null(_as_text(enc.dictionary), ""), trim).cast(pa.large_string())
        return pd.Series(clean.take(enc.indices).to_pandas(), dtype="str")
    raw = pc.fill_null(_as_text(arr), "")
    if _repeats(raw):
        enc = pc.dictionary_encode(raw)
        text = _clean_text(enc.dictionary, trim).cast(pa.large_string()).take(enc.indices)
    else:
        text = _clean_text(raw, trim)
    return pd.Series(text.to_pandas(), dtype="str")


def _clean_text(raw: pa.Array, trim: bool) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(raw)
    text = trimmed if trim else raw
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), text)


def _clean_number(raw: str, comma_decimals: bool = False) -> tuple[float | None, str | None]:
    """Slow path for one cell: returns (value, note) or (None, None) when not a number.

    In a file separated by semicolons a comma is as likely a decimal comma as a thousands
    separator, so `1,500` is not guessed at there.
    """
    s = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    note = None
    if s != raw.strip():
        note = "full-width or special characters normalized"
    if _THOUSANDS.match(s) and not comma_decimals:
        s = s.replace(",", "")
        note = "thousands separators removed"
    try:
        value = float(s)
    except ValueError:
        return None, None
    if not np.isfinite(value):
        return None, None
    return value, note


def number_column(
    arr: pa.Array, *, table: str, column: str, rows: np.ndarray, source: str, findings: Findings,
    comma_decimals: bool = False,
) -> pd.Series:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_decimal(arr.type):
        arr = arr.cast(pa.string())  # exact: the decimal's digits parse to the same float64 as in a CSV
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        values = arr.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False).astype("float64", copy=False)
        bad = np.isinf(values)  # (NaN is a missing value)
    else:
        text = pc.utf8_trim_whitespace(pc.fill_null(_as_text(arr), ""))
        empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
        try:
            values = pc.cast(pc.if_else(pa.array(empty), pa.scalar("nan"), text), pa.float64()).to_numpy(
                zero_copy_only=False
            )
            bad = ~empty & ~np.isfinite(values)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = pd.to_numeric(pd.Series(text.to_pandas()), errors="coerce").to_numpy(dtype="float64")
            bad = ~empty & ~np.isfinite(values)
        if bad.any():
            values = values.copy()
            raw = text.to_pandas()
            noted: list[tuple[int, str, str]] = []
            for i in np.flatnonzero(bad):
                value, note = _clean_number(str(raw[i]), comma_decimals)
                if value is not None:
                    values[i] = value
                    bad[i] = False
                    noted.append((i, str(raw[i]), f"{note}: read as {value:g}"))
            if noted:
                idx = np.array([n[0] for n in noted])
                findings.add_rows(
                    "warning", "number_format", table, rows[idx], column, [n[1] for n in noted],
                    [f"{source} row {rows[i]} column {column}: {raw_!r} {msg}" for i, raw_, msg in noted],
                )
            values = np.where(bad, np.nan, values)
    if bad.any():
        idx = np.flatnonzero(bad)
        raw_text = _as_text(arr).to_pandas().to_numpy()
        findings.add_rows(
            "error", "non_numeric", table, rows[idx], column, raw_text[idx],
            [f"{source} row {rows[i]} column {column}: {raw_text[i]!r} is not a number"
             f"{_number_hint(raw_text[i], comma_decimals)}" for i in idx],
        )
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) >= money.MAX_ABS
    if huge.any():
        idx = np.flatnonzero(huge)
        findings.add_rows(
            "error", "number_too_large", table, rows[idx], column, values[idx],
            [f"{source} row {rows[i]} column {column}: {values[i]:g} is too large (batchkit computes amounts and "
             f"quantities below {money.MAX_ABS:,.0f} exactly)" for i in idx],
        )
        values = np.where(huge, np.nan, values)
    return pd.Series(values, dtype="float64")


def _number_hint(raw: str, comma_decimals: bool = False) -> str:
    """The likely fix for a common non-number."""
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    if comma_decimals and "," in s:
        return (" (in a file separated by semicolons a comma may be a decimal comma or a thousands separator: "
                f"write {s.replace(',', '.')} or {s.replace(',', '')})")
    if re.fullmatch(r"[+-]?\d+,\d{1,2}", s):
        return f" (a decimal comma? write {s.replace(',', '.')})"
    if s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return " (NaN and infinity are not amounts: leave the cell empty if the value is unknown)"
    return ""


def date_column(
    arr: pa.Array, *, table: str, column: str, rows: np.ndarray, source: str, findings: Findings
) -> pd.Series:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        # straight to the day: a cast through seconds refuses sub-second timestamps; pre-1970 days are floored
        out = arr.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
        return pd.Series(out.astype("datetime64[s]"))
    text = pc.utf8_trim_whitespace(pc.fill_null(_as_text(arr), ""))
    if _repeats(text):  # a few hundred distinct days in millions of rows: parse those, rows take the result
        enc = pc.dictionary_encode(text)
        days, how = _parse_dates(enc.dictionary)
        idx = enc.indices.to_numpy(zero_copy_only=False)
        result, how = days[idx], how[idx]
    else:
        result, how = _parse_dates(text)
    formats = _DATE_FORMATS_OK + _DATE_FORMATS_WARN
    for k, fmt in enumerate(formats):
        if fmt in _DATE_FORMATS_WARN and (how == k).any():
            idx = np.flatnonzero(how == k)
            raw = text.to_pandas().to_numpy()
            findings.add_rows(
                "warning", "date_format", table, rows[idx], column, raw[idx],
                [f"{source} row {rows[i]} column {column}: {raw[i]!r} read as {str(result[i])[:10]} "
                 f"(dates should be YYYY-MM-DD)" for i in idx],
            )
    if (how == _UNREAD).any():
        idx = np.flatnonzero(how == _UNREAD)
        raw = text.to_pandas().to_numpy()
        findings.add_rows(
            "error", "bad_date", table, rows[idx], column, raw[idx],
            [f"{source} row {rows[i]} column {column}: {raw[i]!r} {_why_not_a_date(str(raw[i]))}" for i in idx],
        )
    return pd.Series(result)


_UNREAD, _EMPTY = -1, -2


def _parse_dates(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per (trimmed) cell: its day as datetime64[s] (NaT if none), and the index of the format that read
    it in _DATE_FORMATS_OK + _DATE_FORMATS_WARN (_UNREAD, or _EMPTY for a blank cell)."""
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    result = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    how = np.where(empty, _EMPTY, _UNREAD)
    pending = ~empty
    for k, fmt in enumerate(_DATE_FORMATS_OK + _DATE_FORMATS_WARN):
        if not pending.any():
            break
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        got = pending & ~pc.is_null(parsed).to_numpy(zero_copy_only=False) & _as_written(text, parsed)
        if got.any():
            stamps = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
            result[got] = stamps[got].astype("datetime64[D]").astype("datetime64[s]")
            how[got] = k
            pending &= ~got
    return result, how


def _repeats(text: pa.Array) -> bool:
    """A long column whose first 50,000 values repeat (IDs, days): worth working on its distinct values."""
    sample = text.slice(0, 50_000)
    return len(text) > 200_000 and pc.count_distinct(sample).as_py() < len(sample) // 4


def _as_written(text: pa.Array, parsed: pa.Array) -> np.ndarray:
    """Parsed dates whose year, month and day are the digits written (Arrow rolls 2026-02-30 over to March)."""
    ymd = pc.extract_regex(text, r"^(?P<y>\d{4})[-/.]?(?P<m>\d{1,2})[-/.]?(?P<d>\d{1,2})")
    same = None
    for part, fn in (("y", pc.year), ("m", pc.month), ("d", pc.day)):
        digits = pc.cast(pc.struct_field(ymd, part), pa.int64())
        eq = pc.equal(digits, fn(parsed))
        same = eq if same is None else pc.and_(same, eq)
    return pc.fill_null(same, False).to_numpy(zero_copy_only=False)


_DAY_MONTH = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
_YMD = re.compile(r"^\d{4}[-/.]?\d{1,2}[-/.]?\d{1,2}$")


def _why_not_a_date(raw: str) -> str:
    if _DAY_MONTH.match(raw):
        return "is ambiguous (day/month or month/day?); write dates as YYYY-MM-DD"
    if _YMD.match(raw):
        return "is not a calendar date (no such day)"
    return "is not a date (expected YYYY-MM-DD)"


def period_column(
    arr: pa.Array, *, table: str, column: str, rows: np.ndarray, source: str, findings: Findings
) -> pd.Series:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        text = pc.strftime(arr, format="%Y-%m")  # an Excel cell that turned 2026-01 into a date
    else:
        text = pc.utf8_trim_whitespace(pc.fill_null(_as_text(arr), ""))
    series = pd.Series(text.to_pandas(), dtype="str")
    # ASCII YYYY-MM through Arrow; only the other non-empty cells go through the slower checks below
    ok = pc.fill_null(pc.match_substring_regex(text, PERIOD_RE.pattern), False).to_numpy(zero_copy_only=False)
    pending = ~ok & ~pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    if pending.any():
        idx = np.flatnonzero(pending)
        fixed, fixed_ok = _other_periods(series.iloc[idx].reset_index(drop=True), table=table, column=column,
                                         rows=rows[idx], source=source, findings=findings)
        series = series.copy()
        series.iloc[idx] = fixed.to_numpy()
        ok = ok.copy()
        ok[idx] = fixed_ok
    return series.where(ok, None).astype("str")


def _other_periods(
    series: pd.Series, *, table: str, column: str, rows: np.ndarray, source: str, findings: Findings
) -> tuple[pd.Series, np.ndarray]:
    """Cells that are not plain ASCII YYYY-MM: accepted as written, read loosely (a warning), or refused."""
    ok = series.str.match(PERIOD_RE.pattern).fillna(False).to_numpy(dtype=bool)
    empty = (series.fillna("") == "").to_numpy()
    loose = series.str.extract(_LOOSE_PERIOD)
    month = pd.to_numeric(loose[1].fillna(loose[2]), errors="coerce")
    fixable = ~ok & ~empty & month.between(1, 12).to_numpy(dtype=bool)
    if fixable.any():
        fixed = loose[0] + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2)
        idx = np.flatnonzero(fixable)
        vals, new = series.to_numpy(), fixed.to_numpy()
        findings.add_rows(
            "warning", "period_format", table, rows[idx], column, vals[idx],
            [f"{source} row {rows[i]} column {column}: {vals[i]!r} read as {new[i]} (periods should be YYYY-MM)"
             for i in idx],
        )
        series = series.where(~fixable, fixed)
        ok = ok | fixable
    bad = ~ok & ~empty
    if bad.any():
        idx = np.flatnonzero(bad)
        vals = series.to_numpy()
        findings.add_rows(
            "error", "bad_period", table, rows[idx], column, vals[idx],
            [f"{source} row {rows[i]} column {column}: {vals[i]!r} is not a period (expected YYYY-MM)"
             for i in idx],
        )
    return series, ok


# ------------------------------------------------------------------ ID normalization


def _apply_rules(arr: pa.Array, rules: BatchIdRules) -> pa.Array:
    if rules.strip:
        arr = pc.utf8_trim_whitespace(arr)
    if rules.upper:
        arr = pc.utf8_upper(arr)
    if rules.remove:
        arr = pc.replace_substring_regex(arr, "[" + re.escape(rules.remove) + "]", "")
    return arr


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one Arrow (large_)string array: no copy of the text pandas already holds in Arrow."""
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())  # an all-missing column, or objects
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
        return pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return values.fillna("").str.match(pattern).to_numpy(dtype=bool)


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
        + (f" (and {n - 1:,} more rows)" if n > 1 else "")
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
        + (f" (and {n - 1:,} more rows)" if n > 1 else "")
        for i, r, n in zip(grouped.index, grouped["row"], grouped["n"], strict=True)
    ]
    findings.add_rows("error", "invalid_id", table, grouped["row"].to_numpy(), column, grouped.index.to_numpy(), msgs)


def _flagged_rows(per_value: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Rows whose (encoded) value is flagged; missing values never are."""
    return (idx >= 0) & np.asarray(per_value, dtype=bool)[np.maximum(idx, 0)] if len(per_value) else idx < -1


def normalize_dataset_ids(tables: dict[str, pd.DataFrame], sources: dict[str, dict], rules: BatchIdRules,
                          findings: Findings) -> None:
    """Normalize every batch_id column, and lot_ids that name a batch once normalized.

    The rules, the comparison and the pattern run on each column's distinct
    values; only the rows they flag are looked at one by one (to report them).
    """
    master: pa.Array | None = None
    order = ["batches"] + [t for t in tables if t != "batches"]
    for name in order:
        if name not in tables:
            continue
        df = tables[name]
        source = str(sources.get(name, {}).get("file") or name)
        rows = df["_row"].to_numpy()
        if "batch_id" in df.columns:
            original = df["batch_id"]
            distinct, idx = _encoded(original)
            norm_distinct = _apply_rules(distinct, rules)
            normalized = _series(norm_distinct.take(pa.array(idx, mask=idx < 0)), original.index)
            changed = _flagged_rows(pc.not_equal(distinct, norm_distinct).to_numpy(zero_copy_only=False), idx)
            if changed.any():
                _report_changes(original[changed], normalized[changed], rows[changed], table=name,
                                column="batch_id", source=source, findings=findings)
            invalid = _flagged_rows(~id_pattern_mask(_series(norm_distinct, pd.RangeIndex(len(norm_distinct))),
                                                     rules.pattern), idx)
            if invalid.any():
                _report_invalid(normalized[invalid], rows[invalid], rules.pattern, table=name, column="batch_id",
                                source=source, findings=findings)
            df["batch_id"] = normalized
        if name == "batches":
            master = pc.unique(pc.drop_null(arrow_text(df["batch_id"])))
        if name == "material_issues" and "lot_id" in df.columns and master is not None and len(master):
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


# ------------------------------------------------------------------ tables


def _map_headers(raw: pa.Table, columns_map: dict[str, str], spec_names: list[str]
                 ) -> tuple[list[str], list[tuple[str, str]]]:
    """Source headers -> canonical names: the params' map first, then a case-insensitive match.

    Also returns the headers matched only after trimming or a change of case, to report them.
    """
    canon = {n.lower(): n for n in spec_names}
    stripped_map = {k.strip(): v for k, v in columns_map.items()}
    out, cleaned = [], []
    for name in raw.column_names:
        key = name.strip().lstrip("\ufeff").strip()
        if key in stripped_map:
            out.append(stripped_map[key])
            continue
        new = canon.get(key.lower(), key)
        if new != name:
            cleaned.append((name, new))
        out.append(new)
    return out, cleaned


def _blank_rows(tbl: pa.Table) -> np.ndarray:
    """Rows whose every cell is empty (blank lines, a row of bare delimiters, an all-NULL record)."""
    blank = np.ones(tbl.num_rows, dtype=bool)
    for col in tbl.columns:
        if pa.types.is_dictionary(col.type):
            enc = col.combine_chunks()
            empty = pc.equal(pc.utf8_trim_whitespace(pc.fill_null(_as_text(enc.dictionary), "")), "")
            cell = pc.fill_null(empty.take(enc.indices), True)  # a missing code is an empty cell
        else:
            cell = pc.equal(pc.utf8_trim_whitespace(pc.fill_null(_as_text(col), "")), "")
        blank &= cell.to_numpy(zero_copy_only=False)
        if not blank.any():
            break
    return blank


def _row_list(rows: np.ndarray) -> str:
    shown = ", ".join(str(r) for r in rows[:8])
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (", ..." if len(rows) > 8 else "")


def _check_headers(raw: RawTable, headers: list[str], cleaned: list[tuple[str, str]], name: str, source: str,
                   findings: Findings) -> None:
    """Refuse a column named twice (after mapping); report headers matched only after trimming or case."""
    named = [h for h in headers if h]
    dup = sorted({h for h in named if named.count(h) > 1})
    if dup:
        spelled = [o for o, h in zip(raw.table.column_names, headers, strict=True) if h == dup[0]]
        also = f" (as {', '.join(repr(x) for x in spelled)})" if len(set(spelled)) > 1 else ""
        raise DataError(f"{source} row 1: column {dup[0]!r} appears more than once in the header{also}",
                        table=name, row=1, column=dup[0], check="duplicate_column")
    if cleaned:
        findings.add("warning", "header_cleaned", name, 1, cleaned[0][1], cleaned[0][0],
                     f"{source} row 1: header{'s' if len(cleaned) > 1 else ''} read as contract column"
                     f"{'s' if len(cleaned) > 1 else ''}: " + ", ".join(f"{o!r} as {c!r}" for o, c in cleaned[:6])
                     + (f" and {len(cleaned) - 6} more" if len(cleaned) > 6 else ""))


def _check_numeric_ids(raw: RawTable, tbl: pa.Table, spec_columns: tuple[Column, ...], rows: np.ndarray,
                       name: str, source: str, findings: Findings) -> None:
    """A file that stores IDs as numbers has lost any leading zeros: say so (a database's types are its own)."""
    if raw.info.get("format") == "sql":
        return
    by_index = set(raw.info.get("number_cells", ()))
    for i, (header, col) in enumerate(zip(tbl.column_names, tbl.columns, strict=True)):
        t = col.type
        if not (i in by_index or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)):
            continue
        spec = next((c for c in spec_columns if c.name == header and c.kind == "id"), None)
        if spec is None:
            continue
        text = text_column(col)
        present = np.flatnonzero(text.notna().to_numpy())
        if not len(present):
            continue
        first = present[0]
        findings.add("warning", "numeric_id", name, int(rows[first]), header, text.iloc[first],
                     f"{source} row {rows[first]} column {header}: IDs are stored as numbers (e.g. "
                     f"{text.iloc[first]!r}) and read as text; leading zeros the source had are lost "
                     "(store IDs as text)")


def type_table(
    raw: RawTable, name: str, columns_map: dict[str, str], source: str, findings: Findings,
    skipped_rows: list[int] | None = None,
) -> pd.DataFrame:
    """Typed frame of one table: contract columns converted, unknown columns kept as text.

    Empty rows are dropped (row numbers keep counting them): silently at the end of the
    table, with a warning in the middle of it.
    """
    spec = TABLES[name]
    headers, cleaned = _map_headers(raw.table, columns_map, spec.names)
    _check_headers(raw, headers, cleaned, name, source, findings)
    tbl = raw.table.rename_columns(headers)
    rows = raw.first_row + np.arange(tbl.num_rows, dtype=np.int64)
    for s in sorted(skipped_rows or []):
        rows[rows >= s] += 1
    blank = _blank_rows(tbl) if tbl.num_columns else np.zeros(tbl.num_rows, dtype=bool)
    if blank.any():
        trailing = np.flip(np.logical_and.accumulate(np.flip(blank)))
        inner = rows[blank & ~trailing]
        if len(inner):
            findings.add("warning", "blank_rows", name, int(inner[0]), None, "",
                         f"{source} {_row_list(inner)}: empty row{'s' if len(inner) > 1 else ''} skipped")
        tbl, rows = tbl.filter(pa.array(~blank)), rows[~blank]
    n = tbl.num_rows
    _check_numeric_ids(raw, tbl, spec.columns, rows, name, source, findings)
    missing = [c for c in spec.required_names if c not in headers]
    for col in missing:
        findings.add(
            "error", "missing_column", name, 1, col, "",
            f"{source} row 1: required column {col!r} is missing"
            + (f" (columns are: {', '.join(h for h in headers[:12])})" if headers else ""),
        )
    comma_decimals = raw.info.get("delimiter") == ";"
    data: dict[str, pd.Series] = {"_row": pd.Series(rows)}
    for col in spec.columns:
        arr = tbl.column(col.name) if col.name in headers else pa.nulls(n, pa.string())
        data[col.name] = _convert(arr, col, name, rows, source, findings, comma_decimals)
    for h in headers:
        if h not in data and h:
            data[h] = text_column(tbl.column(h))
    return pd.DataFrame(data, copy=False)  # no consolidation: each column stays the array it was built as


def _convert(arr: pa.Array, col: Column, table: str, rows: np.ndarray, source: str,
             findings: Findings, comma_decimals: bool = False) -> pd.Series:
    kw = {"table": table, "column": col.name, "rows": rows, "source": source, "findings": findings}
    if col.kind == "num":
        return number_column(arr, comma_decimals=comma_decimals, **kw)
    if col.kind == "date":
        return date_column(arr, **kw)
    if col.kind == "period":
        return period_column(arr, **kw)
    return text_column(arr, trim=not col.batch_id)


def _resolve_path(root: Path | None, file: str) -> Path:
    p = Path(file)
    if p.is_absolute() or root is None:
        return p
    return root / p


def load_table(name: str, root: Path | None, params: Params, findings: Findings
               ) -> tuple[pd.DataFrame | None, dict]:
    """One table, typed; (None, info) when it is absent."""
    spec = TABLES[name]
    src = params.source(name)
    if src.is_sql:
        from .sql import read_sql

        raw = read_sql(src, table=name)
    else:
        if src.file:
            path = _resolve_path(root, src.file)
            if not path.is_file():
                raise DataError(f"{name}: the file named in params sources.{name}.file does not exist: {path}",
                                table=name, check="missing_table")
        else:
            if root is None:
                return None, {}
            found = locate(root, name)
            if not found:
                return None, {}
            if len(found) > 1:
                raise DataError(
                    f"{name}: more than one file for this table ({', '.join(p.name for p in found)}); "
                    f"keep one, or name it in params sources.{name}.file",
                    table=name, check="ambiguous_table",
                )
            path = found[0]
        local = Findings()
        raw = read_file(
            path, table=name, encoding=src.encoding or params.encoding, delimiter=src.delimiter,
            sheet=src.sheet, known_columns={c.lower() for c in spec.names} | {k.lower() for k in src.columns},
            findings=local,
        )
        skipped = [int(r) for r in local.frame().query("check == 'malformed_row'")["row"].dropna()]
        findings.extend(local)
        source = raw.info.get("file", name)
        frame = type_table(raw, name, src.columns, source, findings, skipped)
        raw.info["rows"] = len(frame)
        raw.info["format"] = path.suffix.lstrip(".").lower()
        return frame, raw.info
    source = name
    frame = type_table(raw, name, src.columns, source, findings)
    raw.info["rows"] = len(frame)
    return frame, raw.info


def load_dataset(path: str | Path | None = None, params: Params | None = None) -> Dataset:
    """Read every contract table found for `path` (a folder) or named in params `sources:`.

    Unreadable tables become error findings (so `validate` lists them all);
    `cost` refuses to run while any error finding exists.
    """
    params = params or load_params()
    root = Path(path) if path is not None else (Path(params.data) if params.data else None)
    findings = Findings()
    if root is not None and not root.is_dir():
        raise DataError(f"data folder not found: {root}", check="missing_folder")
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, dict] = {}
    for name, spec in TABLES.items():
        try:
            frame, info = load_table(name, root, params, findings)
        except DataError as exc:
            findings.add("error", exc.check or "unreadable", name, exc.row, exc.column, exc.value, str(exc))
            if spec.required:
                continue
            continue
        if frame is None:
            if spec.required:
                findings.add(
                    "error", "missing_table", name, None, None, "",
                    f"required table {name!r} is missing: expected {name}.csv, {name}.parquet or {name}.xlsx "
                    f"in {root}, or a sources.{name} entry in params",
                )
            continue
        tables[name] = frame
        sources[name] = info
    normalize_dataset_ids(tables, sources, params.batch_id, findings)
    pa.default_memory_pool().release_unused()  # the raw tables' memory back to the OS, not kept for Arrow alone
    return Dataset(tables=tables, sources=sources, findings=findings.frame(), params=params, root=root)
