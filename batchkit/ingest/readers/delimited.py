"""CSV (and TSV, semicolon- or pipe-separated) text: encodings, delimiters, malformed rows.

Cells stay text; `load` types them. UTF-8 with or without a BOM, UTF-16 with
a BOM, or (with `encoding: auto`) GB18030/GBK as Excel on Chinese Windows
writes it; a file mixing encodings is refused with the line where it changes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pv

from ...core.errors import DataError
from ...core.findings import Findings
from .raw import RawTable, file_info

_DELIMITERS = (",", ";", "\t", "|")


def _not_text(data: bytes, name: str, table: str) -> None:
    """Refuse a binary file given a .csv name (most often a workbook saved under the wrong name)."""
    if data.startswith(b"PK\x03\x04"):
        raise DataError(f"{name}: this is an Excel workbook (or another zip file), not CSV text; name it "
                        f"{Path(name).stem}.xlsx, or save it as CSV", table=table, check="not_text")
    nul = data.find(b"\x00", 0, 1 << 16)
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DataError(f"{name} line {line}: binary data (a NUL byte), not CSV text", table=table, row=line,
                        check="not_text")


def _utf8_line(line: bytes) -> bool:
    """A line that is valid UTF-8 and holds characters UTF-8 writes with 3+ bytes (CJK, most symbols).

    GBK text is almost never valid UTF-8 of that kind by chance, so this tells UTF-8 lines from GBK ones.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) >= 0x800 for ch in text)


def _mixed_encoding(data: bytes, name: str, table: str) -> None:
    """Refuse a file whose non-ASCII lines are partly UTF-8 and partly not: no single decoding is right."""
    utf8_line = other_line = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        if _utf8_line(line):
            utf8_line = utf8_line or number
        else:
            other_line = other_line or number
        if utf8_line and other_line:
            first, then = ("UTF-8", "not UTF-8") if utf8_line < other_line else ("not UTF-8", "UTF-8")
            bad = max(utf8_line, other_line)
            raise DataError(
                f"{name} line {bad}: {then}, while line {min(utf8_line, other_line)} is {first}: the file mixes "
                f"encodings (UTF-8 and GBK?); save it again in one encoding (or set sources.{table}.encoding "
                "if it really is all one)",
                table=table, row=bad, check="mixed_encoding",
            )


def _decode(data: bytes, encoding: str, name: str, table: str | None = None) -> tuple[bytes, str]:
    """Return UTF-8 bytes and the encoding they were read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16").encode("utf-8"), "utf-16"
    _not_text(data, name, table or "")
    if encoding != "auto":
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"{name} line {line}: cannot be read as {encoding} (byte {exc.start}: {exc.reason}); "
                "check the file or set another encoding",
                table=table, row=line, check="encoding",
            ) from None
    try:
        data.decode("utf-8")
        return data, "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    _mixed_encoding(data, name, table or "")
    try:
        return data.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: neither UTF-8 nor GB18030 (byte {exc.start}); "
            f"save it as UTF-8 or set `encoding:` for this source (e.g. sources.{table}.encoding: latin-1)",
            table=table, check="encoding",
        ) from None


def _sniff_delimiter(header: str, known: set[str]) -> str:
    """The delimiter under which the header names the most known columns (comma on a tie)."""
    best, best_hits = ",", -1
    for delim in _DELIMITERS:
        names = {h.strip().strip('"').lower() for h in header.split(delim)}
        hits = len(names & known)
        if hits > best_hits:
            best, best_hits = delim, hits
    return best


def read_csv(
    path: Path,
    *,
    table: str,
    encoding: str,
    delimiter: str | None,
    known_columns: set[str],
    findings: Findings,
) -> RawTable:
    info = file_info(path)
    data = path.read_bytes()
    if not data or data.isspace():  # (data.strip() would copy the whole file)
        raise DataError(f"{path.name}: the file is empty (expected a header row)", table=table, check="empty_file")
    utf8, used = _decode(data, encoding, path.name, table)
    info["encoding"] = used
    end = utf8.find(b"\n")
    header = utf8[: end if end >= 0 else len(utf8)].decode("utf-8", "replace").rstrip("\r")
    if delimiter is None:
        delimiter = _sniff_delimiter(header, known_columns)
        if delimiter != ",":
            findings.add(
                "warning", "delimiter", table, 1, None, repr(delimiter),
                f"{path.name} row 1: columns are separated by {delimiter!r}, not commas; read that way "
                f"(set sources.{table}.delimiter to make it explicit)",
            )
    info["delimiter"] = delimiter
    try:
        names = pv.read_csv(io.BytesIO(header.encode("utf-8") + b"\n"),
                            parse_options=pv.ParseOptions(delimiter=delimiter)).column_names
    except pa.ArrowInvalid as exc:
        raise DataError(f"{path.name} row 1: the header cannot be parsed ({exc})", table=table, row=1,
                        check="csv_parse") from None

    body = utf8 if utf8.endswith((b"\n", b"\r")) else utf8 + b"\n"  # Arrow cannot skip a header with no newline

    def read(threads: bool) -> tuple[pa.Table, list[Any]]:
        bad: list[Any] = []

        def on_bad(row: Any) -> str:
            bad.append(row)
            return "skip"

        tbl = pv.read_csv(
            io.BytesIO(body),
            read_options=pv.ReadOptions(use_threads=threads, column_names=names, skip_rows=1),
            # blank lines are kept (as empty rows `load` drops) so the row numbers after them stay right
            parse_options=pv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad, ignore_empty_lines=False
            ),
            convert_options=pv.ConvertOptions(
                column_types={n: pa.string() for n in names},  # a repeated name is refused by `load`
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        return tbl, bad

    try:
        tbl, bad = read(True)
        if bad:
            tbl, bad = read(False)  # only a single-threaded read knows row numbers
    except pa.ArrowInvalid as exc:
        raise DataError(f"{path.name}: cannot be parsed as CSV: {exc}", table=table, check="csv_parse") from None
    for row in bad:
        findings.add("error", "malformed_row", table, row.number, None, row.text[:80],
                     f"{path.name} row {row.number if row.number is not None else '?'}: {_malformed(row, utf8)}")
    return RawTable(tbl, first_row=2, info=info)


def _malformed(row: Any, data: bytes) -> str:
    """Why a row has the wrong number of fields, in the words of the likely cause."""
    counts = f"{row.actual_columns} of {row.expected_columns} fields"
    if row.text.count('"') % 2 == 1:
        return f"a quoted field opens here and is never closed ({counts}); row skipped (a stray quote?)"
    if row.actual_columns < row.expected_columns and not data.endswith((b"\n", b"\r")) and \
            data.endswith(row.text.encode("utf-8")):
        return f"the file ends in the middle of this row ({counts}): truncated? export it again"
    return (f"{row.actual_columns} fields where the header has {row.expected_columns}; row skipped "
            "(a stray delimiter or quote?)")
