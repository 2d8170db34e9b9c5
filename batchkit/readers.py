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


def _decode(data: bytes, encoding: str, name: str) -> tuple[bytes, str]:
    """Return UTF-8 bytes and the encoding they were read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16").encode("utf-8"), "utf-16"
    if encoding != "auto":
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: cannot be read as {encoding} (byte {exc.start}: {exc.reason}); "
                "check the file or set another encoding",
                table=None,
                check="encoding",
            ) from None
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: neither UTF-8 nor GB18030 (byte {exc.start}); "
            "save it as UTF-8 or set `encoding:` for this source (e.g. encoding: latin-1)",
            check="encoding",
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
    if not data.strip():
        raise DataError(f"{path.name}: the file is empty (expected a header row)", table=table, check="empty_file")
    utf8, used = _decode(data, encoding, path.name)
    info["encoding"] = used
    header = utf8.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    if delimiter is None:
        delimiter = _sniff_delimiter(header, known_columns)
        if delimiter != ",":
            findings.add(
                "warning", "delimiter", table, 1, None, repr(delimiter),
                f"{path.name} row 1: columns are separated by {delimiter!r}, not commas; read that way "
                f"(set sources.{table}.delimiter to make it explicit)",
            )
    info["delimiter"] = delimiter
    names = [
        h.strip()
        for h in pv.read_csv(
            io.BytesIO(header.encode("utf-8") + b"\n"),
            parse_options=pv.ParseOptions(delimiter=delimiter),
        ).column_names
    ]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataError(
            f"{path.name} row 1: column {dup[0]!r} appears more than once in the header",
            table=table, row=1, column=dup[0], check="duplicate_column",
        )

    def read(threads: bool) -> tuple[pa.Table, list[Any]]:
        bad: list[Any] = []

        def on_bad(row: Any) -> str:
            bad.append(row)
            return "skip"

        tbl = pv.read_csv(
            io.BytesIO(utf8),
            read_options=pv.ReadOptions(use_threads=threads, column_names=names, skip_rows=1),
            parse_options=pv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad
            ),
            convert_options=pv.ConvertOptions(
                column_types={n: pa.string() for n in names},
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
        line = row.number if row.number is not None else "?"
        findings.add(
            "error", "malformed_row", table, row.number, None, row.text[:80],
            f"{path.name} row {line}: {row.actual_columns} fields where the header has "
            f"{row.expected_columns}; row skipped (a stray delimiter or quote?)",
        )
    return RawTable(tbl, first_row=2, info=info)


# ---------------------------------------------------------------- Parquet


def read_parquet(path: Path, *, table: str) -> RawTable:
    info = file_info(path)
    try:
        tbl = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path.name}: not a readable Parquet file: {exc}", table=table, check="parquet") from None
    return RawTable(tbl, first_row=1, info=info)


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
    for values in rows:
        values = tuple(values[:width]) + (None,) * max(0, width - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        for i, v in enumerate(values):
            columns[i].append(v)
    arrays = [_excel_column(col) for col in columns]
    info["encoding"] = None
    return RawTable(pa.table(dict(zip(names, arrays, strict=True))) if names else pa.table({}), 2, info)


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
