"""Typing of one column's cells: text, numbers, dates and periods, each bad cell a finding.

Columns arrive as Arrow arrays from any reader (CSV, Excel, Parquet, SQL); a
column that repeats its values is worked on its distinct values and expanded
once, because a plant's extracts name a few thousand IDs and days over
millions of rows.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core import money
from ..core.findings import Findings
from ..core.periods import PERIOD_RE

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DATE_FORMATS_OK = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
_DATE_FORMATS_WARN = ("%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")
# read only when params declare the order (dates: {order: DMY|MDY}): 25.01.2026, 01/25/2026
_DATE_FORMATS_ORDER = {"YMD": (), "DMY": ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"),
                       "MDY": ("%m/%d/%Y", "%m.%d.%Y", "%m-%d-%Y")}
_LOOSE_PERIOD = r"^(\d{4})(?:[-/.](\d{1,2})|(\d{2}))$"  # 2026-1, 2026/01, 202601


def as_text(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
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
        clean = _clean_text(pc.fill_null(as_text(enc.dictionary), ""), trim).cast(pa.large_string())
        return pd.Series(clean.take(enc.indices).to_pandas(), dtype="str")
    raw = pc.fill_null(as_text(arr), "")
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
        text = pc.utf8_trim_whitespace(pc.fill_null(as_text(arr), ""))
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
                    noted.append((int(i), str(raw[i]), f"{note}: read as {value:g}"))
            if noted:
                idx = np.array([n[0] for n in noted])
                findings.add_rows(
                    "warning", "number_format", table, rows[idx], column, [n[1] for n in noted],
                    [f"{source} row {rows[i]} column {column}: {raw_!r} {msg}" for i, raw_, msg in noted],
                )
            values = np.where(bad, np.nan, values)
    if bad.any():
        idx = np.flatnonzero(bad)
        raw_text = as_text(arr).to_pandas().to_numpy()
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
    arr: pa.Array, *, table: str, column: str, rows: np.ndarray, source: str, findings: Findings, order: str = "YMD"
) -> pd.Series:
    """A date column. ISO dates always; 2026/01/05-style with a warning; day- or month-first dates only in the
    order params declare (`dates.order`), without a warning (the declaration says how to read them)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        # straight to the day: a cast through seconds refuses sub-second timestamps; pre-1970 days are floored
        out = arr.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
        return pd.Series(out.astype("datetime64[s]"))
    text = pc.utf8_trim_whitespace(pc.fill_null(as_text(arr), ""))
    if _repeats(text):  # a few hundred distinct days in millions of rows: parse those, rows take the result
        enc = pc.dictionary_encode(text)
        days, how = _parse_dates(enc.dictionary, order)
        idx = enc.indices.to_numpy(zero_copy_only=False)
        result, how = days[idx], how[idx]
    else:
        result, how = _parse_dates(text, order)
    formats = _formats(order)
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
            [f"{source} row {rows[i]} column {column}: {raw[i]!r} {_why_not_a_date(str(raw[i]), order)}"
             for i in idx],
        )
    return pd.Series(result)


_UNREAD, _EMPTY = -1, -2


def _formats(order: str) -> tuple[str, ...]:
    return _DATE_FORMATS_OK + _DATE_FORMATS_WARN + _DATE_FORMATS_ORDER[order]


def _parse_dates(text: pa.Array, order: str = "YMD") -> tuple[np.ndarray, np.ndarray]:
    """Per (trimmed) cell: its day as datetime64[s] (NaT if none), and the index of the format that read
    it in `_formats(order)` (_UNREAD, or _EMPTY for a blank cell)."""
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    result = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    how = np.where(empty, _EMPTY, _UNREAD)
    pending = ~empty
    for k, fmt in enumerate(_formats(order)):
        if not pending.any():
            break
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        got = pending & ~pc.is_null(parsed).to_numpy(zero_copy_only=False) & _as_written(text, parsed, fmt)
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


_WRITTEN = {"Y": r"(?P<y>\d{4})", "m": r"(?P<m>\d{1,2})", "d": r"(?P<d>\d{1,2})"}


def _as_written(text: pa.Array, parsed: pa.Array, fmt: str = "%Y-%m-%d") -> np.ndarray:
    """Parsed dates whose year, month and day are the digits written (Arrow rolls 2026-02-30 over to March)."""
    parts = [c for c in fmt.replace("%", "") if c in "Ymd"][:3]
    ymd = pc.extract_regex(text, "^" + r"[-/.]?".join(_WRITTEN[c] for c in parts))
    same = None
    for part, fn in (("y", pc.year), ("m", pc.month), ("d", pc.day)):
        digits = pc.cast(pc.struct_field(ymd, part), pa.int64())
        eq = pc.equal(digits, fn(parsed))
        same = eq if same is None else pc.and_(same, eq)
    return np.asarray(pc.fill_null(same, False).to_numpy(zero_copy_only=False), dtype=bool)


_DAY_MONTH = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
_YMD = re.compile(r"^\d{4}[-/.]?\d{1,2}[-/.]?\d{1,2}$")


def _why_not_a_date(raw: str, order: str = "YMD") -> str:
    if _DAY_MONTH.match(raw) and order == "YMD":
        return ("is ambiguous (day/month or month/day?); write dates as YYYY-MM-DD, or declare the order in "
                "params: dates: {order: DMY} (or MDY)")
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
        text = pc.utf8_trim_whitespace(pc.fill_null(as_text(arr), ""))
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
