"""Read a table from a SQL query through SQLAlchemy (any database it supports).

The URL comes from params (`url:`) or, to keep passwords out of files, from
an environment variable named by `url_env:`. Only the masked URL is ever
recorded (manifest, findings, messages, run.log): see `redact`.

Values keep their database types where Arrow has an exact equivalent
(integers, floats, `numeric` as decimals, dates, timestamps, text, booleans,
NULL), so `load` types them exactly as it types CSV cells: a `numeric`
becomes the same float64 as the same digits in a CSV, an integer ID becomes
text (`123`; leading zeros are the database's business), a `date` stays a
date. Anything else (a mixed-type SQLite column, UUIDs, JSON, intervals,
numbers too wide for Arrow) arrives as text. Rows are fetched in batches
through a server-side cursor where the driver has one, and turned into
Arrow column by column (no per-row Python beyond the driver's own).

Row numbers in messages count the query's result rows from 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ...core.errors import DataError
from ...core.params import Source
from ...core.redact import mask_url, scrub
from .raw import RawTable

FETCH_ROWS = 50_000


def resolve_url(src: Source, table: str) -> str:
    if src.url_env:
        url = os.environ.get(src.url_env)
        if not url:
            raise DataError(
                f"{table}: environment variable {src.url_env} (params sources.{table}.url_env) is not set; "
                "set it to the database URL",
                table=table, check="sql_url",
            )
        return url
    if not src.url:
        raise DataError(f"{table}: params sources.{table} has a query but no url or url_env", table=table,
                        check="sql_url")
    return src.url


def _fetch(url: str, query: str) -> tuple[list[str], list[list[Any]]]:
    """Column names and column-wise values of the query's result."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            # no_parameters: the query goes to the driver as written (a '%' or ':name' is not a placeholder)
            result = conn.execution_options(stream_results=True, max_row_buffer=FETCH_ROWS,
                                            no_parameters=True).exec_driver_sql(query)
            if not result.returns_rows:
                return [], []
            keys = result.keys()  # (iterating the result itself would consume rows)
            names = [str(k) for k in keys]
            columns: list[list[Any]] = [[] for _ in names]
            for chunk in result.partitions(FETCH_ROWS):
                for values, col in zip(zip(*chunk, strict=True), columns, strict=True):
                    col.extend(values)
            return names, columns
    finally:
        engine.dispose()


def read_sql(src: Source, *, table: str) -> RawTable:
    """Run the source's query; every column arrives as its exact Arrow type or as text, for `load` to type."""
    url = resolve_url(src, table)
    shown = mask_url(url)
    try:
        names, columns = _fetch(url, src.query or "")
    except Exception as exc:  # driver and connection errors vary by database; none may show the password
        detail = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)
        raise DataError(f"{table}: the SQL source {shown} failed: {detail}", table=table, check="sql") from None
    if not names:
        raise DataError(f"{table}: the query of the SQL source {shown} returns no columns (is it a SELECT?)",
                        table=table, check="sql")
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise DataError(f"{table}: the query returns column {name!r} more than once; give each column its "
                            "own name (SELECT ... AS ...)", table=table, row=None, column=name,
                            check="duplicate_column")
        seen.add(name.lower())
    tbl = pa.Table.from_arrays([sql_column(values) for values in columns], names=names)
    info = {"file": None, "url": shown, "query": src.query, "format": "sql", "sha256": result_digest(tbl),
            "size": None}
    if src.url_env:
        info["url_env"] = src.url_env
    return RawTable(tbl, first_row=1, info=info)


_EXACT = (pa.types.is_null, pa.types.is_boolean, pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal,
          pa.types.is_string, pa.types.is_large_string, pa.types.is_date, pa.types.is_timestamp)


def sql_column(values: list[Any]) -> pa.Array:
    """One result column as Arrow: its own type where exact (Decimal stays decimal), else text."""
    try:
        arr = pa.array(values)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        arr = None
    if arr is not None and any(test(arr.type) for test in _EXACT):
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            arr = pc.local_timestamp(arr)  # the wall-clock date where it was recorded, as a CSV would show it
        return arr
    return pa.array([None if v is None else _text(v) for v in values], pa.string())


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def result_digest(tbl: pa.Table) -> str:
    """sha256 of the result's content, independent of row order (a query without ORDER BY may vary it)."""
    keys = [(name, "ascending") for name, col in zip(tbl.column_names, tbl.columns, strict=True)
            if not pa.types.is_null(col.type)]
    ordered = tbl.sort_by(keys) if keys and tbl.num_rows else tbl
    sink = pa.BufferOutputStream()
    pv.write_csv(ordered, sink)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
