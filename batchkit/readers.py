"""Read one table's raw cells from a file (CSV, XLSX, Parquet) or a SQL query.

Readers do not interpret values: CSV cells stay text, Parquet and Excel
cells keep their native types, and `load` types them all the same way. A
reader records what it read (path, size, sha256, encoding) for the manifest
and reports structural problems (a short row, an undecodable byte) as
findings rather than exceptions wherever the rest of the file is usable.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

from .errors import DataError
from .findings import Findings

FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")
_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class RawTable:
    """Cells of one table as read, before typing; `first_row` numbers the first data row."""

    table: pa.Table
    first_row: int
    info: dict[str, Any] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_info(path: Path) -> dict[str, Any]:
    return {"path": str(path), "file": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}


# ---------------------------------------------------------------- CSV


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


# ---------------------------------------------------------------- Parquet

REPEAT_ROWS = 200_000  # below this, reading text as dictionaries saves nothing worth a second look


def read_parquet(path: Path, *, table: str) -> RawTable:
    info = file_info(path)
    try:
        tbl = pq.read_table(path, read_dictionary=_repeating_text_columns(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path.name}: not a readable Parquet file: {exc}", table=table, check="parquet") from None
    return RawTable(tbl, first_row=1, info=info)


def _repeating_text_columns(path: Path) -> list[str]:
    """Text columns whose first row group repeats its values (batch, lot, material IDs).

    Read as Arrow dictionaries, they arrive with the codes the file already stores: four times
    faster to read than 10 M separate strings, and `load` cleans each distinct value once.
    """
    try:
        meta = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        return []  # read_table says what is wrong with the file
    if meta.metadata.num_rows < REPEAT_ROWS or not meta.metadata.num_row_groups:
        return []
    text = [f.name for f in meta.schema_arrow if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if not text:
        return []
    first = next(pq.ParquetFile(path, read_dictionary=text).iter_batches(batch_size=50_000, columns=text))
    return [name for name, col in zip(text, first.columns, strict=True) if len(col.dictionary) < first.num_rows // 4]


# ---------------------------------------------------------------- Excel


def read_xlsx(path: Path, *, table: str, sheet: str | None, findings: Findings) -> RawTable:
    import openpyxl

    info = file_info(path)
    try:
        book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise DataError(f"{path.name}: not a readable .xlsx workbook ({exc})", table=table, check="xlsx") from None
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except KeyError:
        raise DataError(
            f"{path.name}: no sheet named {sheet!r}; sheets are {', '.join(book.sheetnames)}",
            table=table, check="xlsx_sheet",
        ) from None
    info["sheet"] = ws.title
    for merged in ws.merged_cells.ranges:
        if merged.min_row == 1:
            raise DataError(
                f"{path.name} row 1: header cells {merged.coord} are merged; "
                "give every column its own header cell",
                table=table, row=1, check="merged_header",
            )
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise DataError(f"{path.name}: the sheet {ws.title!r} is empty", table=table, check="empty_file")
    names = ["" if h is None else str(h).strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    width = len(names)
    columns: list[list[Any]] = [[] for _ in range(width)]
    kept = 0  # rows up to the last non-empty one: empty rows inside stay, so row numbers stay right
    for values in rows:
        values = tuple(values[:width]) + (None,) * max(0, width - len(values))
        for i, v in enumerate(values):
            columns[i].append(v)
        if not all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            kept = len(columns[0]) if width else 0
    columns = [col[:kept] for col in columns]
    info["encoding"] = None
    info["number_cells"] = [i for i, col in enumerate(columns)
                            if any(isinstance(v, int | float) and not isinstance(v, bool) for v in col)]
    arrays = [_excel_column(col) for col in columns]
    return RawTable(pa.Table.from_arrays(arrays, names=names) if names else pa.table({}), 2, info)


def _excel_column(values: list[Any]) -> pa.Array:
    """Excel cells keep dates as dates; everything else becomes text for uniform typing."""
    import datetime as dt

    if values and all(isinstance(v, (dt.datetime, dt.date)) or v is None for v in values):
        return pa.array([v.date() if isinstance(v, dt.datetime) else v for v in values], pa.date32())
    out: list[str | None] = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, bool):
            out.append(str(v).lower())
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append((v.date() if isinstance(v, dt.datetime) else v).isoformat())
        else:
            out.append(str(v))
    return pa.array(out, pa.string())


def read_file(
    path: Path,
    *,
    table: str,
    encoding: str,
    delimiter: str | None,
    sheet: str | None,
    known_columns: set[str],
    findings: Findings,
) -> RawTable:
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt" or suffix == ".tsv":
        return read_csv(
            path, table=table, encoding=encoding, delimiter=delimiter,
            known_columns=known_columns, findings=findings,
        )
    if suffix == ".parquet":
        return read_parquet(path, table=table)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, table=table, sheet=sheet, findings=findings)
    raise DataError(f"{path.name}: unsupported file type {suffix!r} (use .csv, .parquet or .xlsx)", table=table)


def locate(data_dir: Path, table: str) -> list[Path]:
    """Files in the data folder named after the table, e.g. batches.csv."""
    return [data_dir / f"{table}{s}" for s in FILE_SUFFIXES if (data_dir / f"{table}{s}").is_file()]
