"""The relational engine the SQL cost model runs on: DuckDB in process (the only module that imports duckdb).

The model hands over SELECT statements in one dialect (DuckDB's, restricted
to a subset that sqlglot carries to Spark) and asks the engine to register
Arrow inputs, materialize steps as tables and return results as Arrow or
pandas. A future Spark engine implements the same few methods; `prepare`
is the dialect hook where it would transpile each statement (see
`sqlmodel.dialect.to_spark`).

One operation has no portable spelling: exact integer division of a value
wider than 64 bits (DuckDB's `//` on DECIMAL silently returns DOUBLE;
measured). The model calls `wide_div(n, d)` for it, and each engine defines
that function: here a macro over DuckDB's 128-bit integers, for Spark
`n DIV d` on DECIMAL(38,0).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

SOURCE_DIALECT = "duckdb"
SCAN_ROWS = 1 << 17  # rows per Arrow record batch: DuckDB scans registered batches in parallel
ONE_BATCH = 1 << 31  # results in one record batch: their columns become numpy without a copy

# Functions every engine provides to the model's statements (name -> DuckDB definition).
ENGINE_FUNCTIONS = {
    # floor(n / d) for n >= 0, d > 0, where n may pass 64 bits; the quotient must fit BIGINT (else an error)
    "wide_div": "CREATE OR REPLACE MACRO wide_div(n, d) AS CAST(CAST(n AS HUGEINT) // CAST(d AS HUGEINT) AS BIGINT)",
}

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class EngineError(Exception):
    """A statement failed in the engine; `step` names the model step, the message says what happened."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step


class Overflow(EngineError):
    """An integer result passed 64 bits (or 38 digits when computed wide): the engine raised, never wrapped."""


@dataclass
class Statement:
    """One statement as the model gave it (before `prepare`), with its parameters and wall time."""

    step: str
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of every thread of the process: less sensitive than wall time to a busy machine


def memory_bytes(limit: str) -> str:
    """'75%' of physical memory as DuckDB's '<n>MB'; other strings ('8GB') pass through."""
    if limit.endswith("%"):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return f"{int(total * float(limit[:-1]) / 100 / 2**20)}MB"
    return limit


class Engine:
    """A DuckDB connection configured for the cost model.

    `memory_limit` ("75%" of RAM by default, or "8GB"), `threads` (default:
    DuckDB's, all cores) and `temp_directory` (where DuckDB spills past the
    limit; the caller owns it) are DuckDB settings. Every statement run is kept
    in `log` with its time, so tests can transpile what the model emitted and
    benchmarks can show where time goes.
    """

    dialect = SOURCE_DIALECT
    # statements run on a worker thread while the checks run on the caller's (`costing.overlap`): DuckDB
    # releases the GIL while it executes, and `interrupt` stops it from the caller's thread
    runs_beside_checks = True

    def __init__(self, memory_limit: str = "75%", threads: int | None = None,
                 temp_directory: str | Path | None = None) -> None:
        config: dict[str, Any] = {"memory_limit": memory_bytes(memory_limit),
                                  "preserve_insertion_order": False,  # every output has its ORDER BY
                                  "arrow_large_buffer_size": True}  # text as large_string: pandas' own, no cast
        if threads:
            config["threads"] = int(threads)
        if temp_directory is not None:
            config["temp_directory"] = str(temp_directory)
        self.con = duckdb.connect(":memory:", config=config)
        self.log: list[Statement] = []
        self._views: dict[str, pa.Table] = {}  # registered inputs, kept alive while registered
        self.stopped = False  # set by `interrupt`: every later statement fails at once
        for sql in ENGINE_FUNCTIONS.values():
            self.con.execute(sql)

    # ------------------------------------------------------------------ inputs

    def register(self, name: str, table: pa.Table) -> None:
        """Expose an Arrow table as `name` without copying it (sliced into record batches to scan in parallel)."""
        if table.num_rows > SCAN_ROWS:
            table = pa.Table.from_batches(table.to_batches(max_chunksize=SCAN_ROWS), schema=table.schema)
        self._views[name] = table
        self.con.register(name, table)

    def register_parquet(self, name: str, path: str) -> None:
        """Parquet files DuckDB reads itself (a file, or every `*.parquet` under a folder) as view `name`."""
        target = os.path.join(path, "**", "*.parquet") if os.path.isdir(path) else path
        try:
            self.con.read_parquet(target).create_view(name, replace=True)
        except duckdb.Error as exc:
            raise EngineError(f"read {name[4:] if name.startswith('raw_') else name}",
                              f"cannot read Parquet at {path}: {str(exc).splitlines()[0]}") from None

    # ------------------------------------------------------------------ statements

    def prepare(self, sql: str) -> str:
        """The dialect hook: the statement as this engine runs it (DuckDB runs the source dialect as is)."""
        return sql

    def _run(self, step: str, sql: str, params: dict[str, Any] | None, wrap: str = "{}",
             lazy: bool = False) -> duckdb.DuckDBPyRelation | None:
        """Run one statement (or, `lazy`, return the relation that runs it when read); errors named by step."""
        if self.stopped:
            raise EngineError(step, "the engine was interrupted")
        used = {k: v for k, v in (params or {}).items() if k in set(_PARAM.findall(sql))}
        stmt = Statement(step, sql, used)
        self.log.append(stmt)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            text = wrap.format(self.prepare(sql))
            if lazy:
                return self.con.sql(text, params=used or None)
            self.con.execute(text, used or None)
            return None
        except duckdb.Error as exc:
            raise _engine_error(step, exc) from None
        finally:
            stmt.seconds, stmt.cpu_seconds = time.perf_counter() - t0, time.process_time() - c0

    def table(self, name: str, sql: str, params: dict[str, Any] | None = None) -> None:
        """Materialize a step: the SELECT's result becomes table `name` (replacing it), reused by later steps."""
        self._run(name, sql, params, wrap=f"CREATE OR REPLACE TABLE {name} AS {{}}")

    def execute(self, sql: str, params: dict[str, Any] | None = None, step: str = "execute") -> None:
        """Run a statement for its effect."""
        self._run(step, sql, params)

    def arrow(self, sql: str, params: dict[str, Any] | None = None, step: str = "query") -> pa.Table:
        rel = self._run(step, sql, params, lazy=True)
        assert rel is not None  # a lazy run returns its relation
        stmt, t0, c0 = self.log[-1], time.perf_counter(), time.process_time()
        try:
            out = rel.to_arrow_table(batch_size=ONE_BATCH)
        except duckdb.Error as exc:
            raise _engine_error(step, exc) from None
        stmt.seconds += time.perf_counter() - t0
        stmt.cpu_seconds += time.process_time() - c0
        return out

    def df(self, sql: str, params: dict[str, Any] | None = None, step: str = "query") -> pd.DataFrame:
        return self.arrow(sql, params, step).to_pandas()

    def interrupt(self) -> None:
        """Stop the statement running on another thread, and refuse every later one (the engine is then closed).

        Safe to call from any thread: DuckDB's interrupt only flags the running query."""
        self.stopped = True
        self.con.interrupt()

    def drop(self, name: str) -> None:
        if name.startswith("raw_"):  # an input the engine reads itself (`register_parquet`) is a view
            self.con.execute(f"DROP VIEW IF EXISTS {name}")
            return
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def query_once(sql: str, threads: int = 1, **tables: pa.Table) -> pa.Table:
    """One statement over Arrow tables (by name) on a throwaway connection: for the checks' large group-bys.

    One thread by default: while `cost` validates, the cost model's engine has the other cores
    (`costing.overlap`). Names in `sql` are the keyword names; values are never interpolated.
    """
    con = duckdb.connect(":memory:", config={"threads": threads, "preserve_insertion_order": False})
    try:
        for name, table in tables.items():
            con.register(name, table)
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise _engine_error("query", exc) from None
    finally:
        con.close()


def _engine_error(step: str, exc: Exception) -> EngineError:
    """DuckDB's overflow errors (integer multiply, sum cast back to BIGINT, DECIMAL past 38 digits) as Overflow."""
    text = str(exc).splitlines()[0]
    narrowing = isinstance(exc, duckdb.ConversionException) and (
        "out of range" in text or "Failed to cast decimal" in text)
    if isinstance(exc, duckdb.OutOfRangeException) or narrowing:
        return Overflow(step, text)
    return EngineError(step, text)
