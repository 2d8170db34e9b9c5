"""Output tables as files: CSV (money with two decimals) and Parquet, written deterministically.

Tables are sorted and written deterministically, so the same inputs give
byte-identical files. Each table becomes Arrow once (the CSV's money columns
as decimals on top of it), and is converted, written and hashed on one of two
threads (`TableWriter`): Arrow's CSV and Parquet writers and hashlib release
the GIL, so the files of a large run cost about half the wall time they would
one by one, and the caller computes the next tables meanwhile.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from ..core import money
from ..core.hashing import sha256_file
from ..core.money import is_money

WRITERS = 2  # threads writing files (the machines batchkit is sized for have 2 cores or more)


def _column(s: pd.Series) -> pa.Array:
    """One column as Arrow, as both files store it (dates as DATE, text as string, the rest as is)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return pa.array(s.to_numpy(dtype="datetime64[s]")).cast(pa.date32())
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        return pa.array(s.astype("str").where(s.notna(), None), pa.string(), from_pandas=True)
    return pa.array(s, from_pandas=True)


def _csv_money(s: pd.Series) -> pa.Array:
    """A money column for CSV: exact decimals with two places (cents), missing as empty."""
    values = s.to_numpy(dtype="float64")
    cents = pa.array(money.to_cents(np.nan_to_num(values)), pa.int64()).cast(pa.decimal128(20, 0))
    dec = pc.multiply(cents, pa.scalar(Decimal("0.01"), pa.decimal128(3, 2))).cast(pa.decimal128(22, 2))
    return pc.if_else(pa.array(np.isnan(values)), pa.scalar(None, dec.type), dec)


def _arrow_tables(frame: pd.DataFrame) -> tuple[pa.Table, pa.Table]:
    """(the table for CSV, the table for Parquet): the same columns but money, which CSV writes as decimals."""
    common: dict[str, pa.Array] = {}
    for_csv: dict[str, pa.Array] = {}
    for col in frame.columns:
        s = frame[col]
        common[col] = _column(s)
        money_col = is_money(col) and pd.api.types.is_float_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s)
        for_csv[col] = _csv_money(s) if money_col else common[col]
    if not common:
        return pa.table({}), pa.table({})
    return pa.table(for_csv), pa.table(common)


def _arrow_table(frame: pd.DataFrame, for_csv: bool) -> pa.Table:
    csv_table, parquet_table = _arrow_tables(frame)
    return csv_table if for_csv else parquet_table


def write_csv(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """One table as CSV (a frame, or the CSV's Arrow table from `_arrow_tables`)."""
    table = frame if isinstance(frame, pa.Table) else _arrow_table(frame, for_csv=True)
    pv.write_csv(table, path, write_options=pv.WriteOptions(quoting_style="needed"))


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """One table as Parquet (a frame, or the Parquet's Arrow table from `_arrow_tables`)."""
    table = frame if isinstance(frame, pa.Table) else _arrow_table(frame, for_csv=False)
    pq.write_table(table, path, compression="zstd")


def _write_and_hash(suffix: str, table: pa.Table, path: Path) -> str:
    (write_csv if suffix == ".csv" else write_parquet)(table, path)  # looked up at call time (tests patch them)
    return sha256_file(path)


def _convert_write_and_hash(folder: Path, name: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    csv_table, parquet_table = _arrow_tables(frame)
    return [{"file": f"{name}{suffix}", "table": name, "rows": len(frame),
             "sha256": _write_and_hash(suffix, table, folder / f"{name}{suffix}")}
            for suffix, table in ((".csv", csv_table), (".parquet", parquet_table))]


class TableWriter:
    """Writes tables on two threads while the caller goes on (computing the next tables, say).

    `add` hands a table over (it becomes Arrow and both files on a worker);
    `entries` waits for every file and returns the manifest entries in name
    order, whatever order the tables were added in. An error in a worker is
    raised by `entries` (or on leaving the `with` block).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="batchkit-write")
        self._jobs: dict[str, Future[list[dict[str, Any]]]] = {}

    def add(self, name: str, frame: pd.DataFrame) -> None:
        self._jobs[name] = self._pool.submit(_convert_write_and_hash, self.folder, name, frame)

    def entries(self) -> list[dict[str, Any]]:
        return [entry for name in sorted(self._jobs) for entry in self._jobs[name].result()]

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Each table as <name>.csv and <name>.parquet; returns their manifest entries (in name order)."""
    with TableWriter(folder) as writer:
        for name, frame in tables.items():
            writer.add(name, frame)
        return writer.entries()
