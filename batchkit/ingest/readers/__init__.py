"""Read one table's raw cells from a file (CSV, XLSX, Parquet) or a SQL query.

Readers do not interpret values: CSV cells stay text, Parquet and Excel
cells keep their native types, and `load` types them all the same way. A
reader records what it read (path, size, sha256, encoding) for the manifest
and reports structural problems (a short row, an undecodable byte) as
findings rather than exceptions wherever the rest of the file is usable.
"""

from __future__ import annotations

from pathlib import Path

from ...core.errors import DataError
from ...core.findings import Findings
from .delimited import read_csv
from .parquet import read_parquet
from .raw import RawTable, file_info
from .xlsx import read_xlsx

FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")

__all__ = ["FILE_SUFFIXES", "RawTable", "file_info", "locate", "read_file"]


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
