"""The cost model on Apache Spark: the same statements, transpiled, run by a Spark session (local or Connect).

`SparkEngine` has the DuckDB `Engine`'s methods (register, table, execute,
arrow, df, drop, close, the statement log), so `costing.sql.cost_tables(ds,
period, params, engine=SparkEngine(...))` runs the one model on Spark. What
differs is an engine's business and lives here:

- Dialect: each statement is `dialect.to_spark` of the model's DuckDB text
  (no second copy); parameters stay named (`$x` becomes `:x`) and go to
  `spark.sql(text, args=...)`, so no data value is spliced into SQL.
- Exactness: ANSI mode on, so a BIGINT or DECIMAL(38,0) overflow raises
  (`Overflow`, and the model's narrow-then-wide retry works as on DuckDB);
  integer cents only, no DOUBLE on money.
- Materialization: Spark is lazy, and a step's plan would otherwise recompute
  every step below it each time it is read (a naive transpile took 277 s for
  the 1x allocation). `table()` runs the step once and keeps its rows
  (`localCheckpoint`, which also cuts the lineage) under a temporary view.
- Isolation: each engine is its own Spark session (`newSession` on the
  process's local Spark, a fresh Connect session on a cluster), so temporary
  views of two engines never collide.

Sessions: `spark_remote="local"` (or `local[N]`) starts an in-process Spark
(a JVM; needs Java 17+), shared by every engine of the process and stopped
at exit; `sc://host:port` connects to a Spark Connect server. A token is
read from the environment variable the caller names (`token_env`) and is
added to the connection string in memory only: it is never logged, written
or part of an error message (`redact`).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from .connection import _PARAM, Engine, EngineError, Overflow, Statement
from .dialect import to_spark

LOCAL = "local"
DEFAULT_LOCAL_MASTER = "local[2]"
DEFAULT_LOCAL_HEAP = "4g"  # a local Spark's driver (= executor) heap unless params give engine.memory_limit

# Error classes Spark raises when an exact integer does not fit (ANSI mode): the model's narrow step retries wide
OVERFLOW_CLASSES = ("ARITHMETIC_OVERFLOW", "CAST_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE",
                    "NUMERIC_OUT_OF_SUPPORTED_RANGE", "BINARY_ARITHMETIC_OVERFLOW", "DECIMAL_PRECISION_EXCEEDS")

# Settings every session gets: exact arithmetic and a fixed time zone (dates never shift with the client's)
SESSION_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # a checkpointed step keeps the constraints of the plan it came from, with that plan's attribute ids; a
    # UNION of two such steps then fails in the optimizer ("key not found: n_rows#211L", Spark 4.3, measured).
    # The model's statements gain nothing from inferred constraints (they filter on keys they join on).
    "spark.sql.constraintPropagation.enabled": "false",
}

# A local Spark on one machine: few shuffle partitions (the default 200 is for clusters; each costs a task),
# no UI; the driver is the executor, so its heap is the memory limit,
# and no whole-stage code generation: the model runs ~50 statements over small per-batch tables, so compiling
# each plan costs more than it saves (600 batches, after warm-up, under load: 62 s with it, 17-27 s without)
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.codegen.wholeStage": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.extraJavaOptions": "-Dio.netty.tryReflectionSetAccessible=true",
}


class SparkUnavailable(EngineError):
    """Spark cannot start here: pyspark is not installed, Java is missing, or the remote is unreachable."""


@dataclass(frozen=True)
class SparkSettings:
    """Where the model runs: `remote` is `local`, `local[N]` or a Spark Connect URL (`sc://host:15002`);
    `token_env` names the environment variable holding the cluster's token (never the token itself)."""

    remote: str = LOCAL
    token_env: str | None = None
    memory_limit: str | None = None  # a local driver's heap ("4g"); a cluster sizes its own executors
    threads: int | None = None  # a local Spark's cores (local[N]); ignored on a cluster

    @property
    def is_local(self) -> bool:
        return self.remote == LOCAL or self.remote.startswith("local[")

    def master(self) -> str:
        if self.remote != LOCAL:
            return self.remote
        return f"local[{int(self.threads)}]" if self.threads else DEFAULT_LOCAL_MASTER

    def connect_url(self) -> str:
        """The Spark Connect URL with the token from the environment (in memory only; see `redact`)."""
        if not self.remote.startswith("sc://"):
            raise SparkUnavailable("spark", f"spark_remote must be 'local', 'local[N]' or sc://host:port, "
                                            f"got {redact(self.remote)!r}")
        if ";token=" in self.remote.lower():
            raise SparkUnavailable("spark", "spark_remote must not contain a token: name the environment "
                                            "variable that holds it (engine.spark_token_env)")
        if not self.token_env:
            return self.remote
        token = os.environ.get(self.token_env)
        if not token:
            raise SparkUnavailable("spark", f"environment variable {self.token_env} (engine.spark_token_env) "
                                            "is not set")
        base = self.remote if "/;" in self.remote or self.remote.endswith("/") else self.remote + "/"
        return f"{base};token={token}"


_SECRET = re.compile(r"(token=)[^;/\s]*", re.IGNORECASE)


def redact(text: str) -> str:
    """A message or URL with any `token=...` value blanked (Spark may echo the connection string)."""
    return _SECRET.sub(r"\1***", text)


def java_available() -> bool:
    """Whether a local Spark can start: a `java` on PATH or under JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


# ---------------------------------------------------------------------- sessions

_lock = threading.Lock()
_local: dict[str, Any] = {}  # master -> the process's local SparkSession (one JVM per process)


def _pyspark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("spark", "pyspark is not installed: pip install 'batchkit[spark]'") from None
    return SparkSession


def local_session(settings: SparkSettings) -> Any:
    """The process's local Spark (started on first use, about 8 s; stopped at exit)."""
    master = settings.master()
    with _lock:
        if master in _local:
            return _local[master]
        if _local:  # one SparkContext per JVM: a second master cannot start beside the first
            running = next(iter(_local))
            raise SparkUnavailable("spark", f"a local Spark ({running}) already runs in this process; "
                                            f"cannot start {master} beside it")
        if not java_available():
            raise SparkUnavailable("spark", "a local Spark needs Java 17 or later (apt-get install "
                                            "openjdk-17-jre-headless) or JAVA_HOME")
        builder = _pyspark().builder.master(master).appName("batchkit")
        for key, value in {**LOCAL_CONF, **SESSION_CONF}.items():
            builder = builder.config(key, value)
        # the JVM's default 1 GB heap stalled the 4x plant (50,000 batches) for minutes without finishing;
        # with 4 GB it costs it (measured: docs/SCALING.md)
        builder = builder.config("spark.driver.memory", settings.memory_limit or DEFAULT_LOCAL_HEAP)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:
            raise SparkUnavailable("spark", f"local Spark did not start: {str(exc).splitlines()[0]}") from None
        spark.sparkContext.setLogLevel("FATAL")  # a failed task (an expected narrow overflow) logs its stack at ERROR
        _local[master] = spark
        atexit.register(stop_local)
        return spark


def stop_local() -> None:
    """Stop the process's local Spark (tests' session fixture, and at exit)."""
    with _lock:
        for spark in _local.values():
            spark.stop()
        _local.clear()


def _quiet() -> None:
    """pyspark logs every failed statement with its JVM stack before raising it; the model's narrow steps fail
    on purpose when a product passes 64 bits (then run wide), and real errors reach the user as one line."""
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logging.getLogger(name).disabled = True
    # pyspark 4.3 warns that it "does not yet fully support pandas >= 3": batchkit hands it Arrow, never pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


def new_session(settings: SparkSettings) -> Any:
    """A Spark session of its own (temporary views and settings), with the model's settings applied."""
    _quiet()
    if settings.is_local:
        spark = local_session(settings).newSession()
    else:
        try:
            spark = _pyspark().builder.remote(settings.connect_url()).create()
        except SparkUnavailable:
            raise
        except Exception as exc:
            raise SparkUnavailable("spark", f"cannot connect to {redact(settings.remote)}: "
                                            f"{redact(str(exc).splitlines()[0])}") from None
    runtime = {**{k: v for k, v in LOCAL_CONF.items() if k.startswith("spark.sql.")}, **SESSION_CONF} \
        if settings.is_local else SESSION_CONF  # a cluster keeps its own partitions and code generation
    for key, value in runtime.items():
        spark.conf.set(key, value)
    return spark


# ---------------------------------------------------------------------- the engine


class SparkEngine(Engine):
    """The model's engine on Spark (see the module's docstring); a drop-in for the DuckDB `Engine`.

    It derives from `Engine` for its interface only: no DuckDB connection is
    opened, and every method the model calls is Spark's here.
    """

    dialect = "spark"
    runs_beside_checks = False  # validation first, then the statements: a Spark job is not stopped mid-way here

    def __init__(self, remote: str = LOCAL, token_env: str | None = None, memory_limit: str | None = None,
                 threads: int | None = None, spark: Any = None) -> None:
        self.settings = SparkSettings(remote, token_env, memory_limit, threads)
        self.spark = spark if spark is not None else new_session(self.settings)
        self.log: list[Statement] = []
        self._frames: dict[str, Any] = {}  # view name -> its DataFrame (materialized or registered)

    # ------------------------------------------------------------------ inputs

    def register(self, name: str, table: pa.Table) -> None:
        """An Arrow table as temporary view `name` (on a cluster it is sent over once, at registration)."""
        frame = self.spark.createDataFrame(_spark_ready(table))
        if self.settings.is_local:  # read many times: keep it as Spark rows, not as the Python-side Arrow
            frame = frame.localCheckpoint(eager=True)
        self._replace(name, frame)

    def register_table(self, name: str, source: str) -> None:
        """A table the cluster already has (catalog name) as view `name`."""
        self._replace(name, self.spark.table(source))

    def register_parquet(self, name: str, path: str) -> None:
        """Parquet files the cluster reads (a path or URI: s3://, abfss://, gs://, dbfs:/) as view `name`."""
        self._replace(name, self.spark.read.parquet(path))

    def _replace(self, name: str, frame: Any) -> None:
        old = self._frames.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame
        if old is not None:
            _release(old)

    # ------------------------------------------------------------------ statements

    def prepare(self, sql: str) -> str:
        return to_spark(sql)

    def _frame(self, step: str, sql: str, params: dict[str, Any] | None) -> tuple[Any, Statement]:
        used = {k: v for k, v in (params or {}).items() if k in set(_PARAM.findall(sql))}
        stmt = Statement(step, sql, used)
        self.log.append(stmt)
        try:
            text = self.prepare(sql)
        except Exception as exc:  # sqlglot refused a construct: the model left the portable subset
            raise EngineError(step, f"not portable to Spark: {exc}") from None
        return self._guard(step, lambda: self.spark.sql(text, args=used or None)), stmt

    def _guard(self, step: str, action: Any) -> Any:
        try:
            return action()
        except SparkUnavailable:
            raise
        except Exception as exc:
            raise _engine_error(step, exc) from None

    def _timed(self, stmt: Statement, t0: float, c0: float) -> None:
        stmt.seconds += time.perf_counter() - t0
        stmt.cpu_seconds += time.process_time() - c0

    def table(self, name: str, sql: str, params: dict[str, Any] | None = None) -> None:
        """Run a step once and keep its rows as view `name` (later steps read them, never recompute them)."""
        t0, c0 = time.perf_counter(), time.process_time()
        frame, stmt = self._frame(name, sql, params)
        try:
            done = self._guard(name, lambda: frame.localCheckpoint(eager=True))
            self._replace(name, done)
        finally:
            self._timed(stmt, t0, c0)

    def execute(self, sql: str, params: dict[str, Any] | None = None, step: str = "execute") -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        frame, stmt = self._frame(step, sql, params)
        try:
            self._guard(step, frame.collect)
        finally:
            self._timed(stmt, t0, c0)

    def arrow(self, sql: str, params: dict[str, Any] | None = None, step: str = "query") -> pa.Table:
        """The statement's rows, collected to the client as Arrow (only results come back, never inputs)."""
        t0, c0 = time.perf_counter(), time.process_time()
        frame, stmt = self._frame(step, sql, params)
        try:
            out: pa.Table = self._guard(step, frame.toArrow)
        finally:
            self._timed(stmt, t0, c0)
        return out

    def df(self, sql: str, params: dict[str, Any] | None = None, step: str = "query") -> pd.DataFrame:
        return self.arrow(sql, params, step).to_pandas()

    def drop(self, name: str) -> None:
        frame = self._frames.pop(name, None)
        self.spark.catalog.dropTempView(name)
        if frame is not None:
            _release(frame)

    def close(self) -> None:
        """Drop this engine's views and rows; the local Spark itself keeps running for the next engine."""
        for name in list(self._frames):
            try:
                self.drop(name)
            except Exception:  # a Connect session already gone: nothing left to drop
                self._frames.pop(name, None)
        if not self.settings.is_local:
            with contextlib.suppress(Exception):  # the server may have closed the session already
                self.spark.stop()

    def __enter__(self) -> SparkEngine:
        return self


def _release(frame: Any) -> None:
    with contextlib.suppress(Exception):  # an unmaterialized view: nothing held
        frame.unpersist(blocking=False)


def _spark_ready(table: pa.Table) -> pa.Table:
    """Arrow types Spark reads: large text as text, columns of nulls as text (the model reads them as such)."""
    fields = []
    for f in table.schema:
        if pa.types.is_large_string(f.type) or pa.types.is_null(f.type):
            fields.append(pa.field(f.name, pa.string()))
        else:
            fields.append(f)
    schema = pa.schema(fields)
    return table if schema.equals(table.schema) else table.cast(schema)


def _error_class(exc: Exception) -> str:
    get = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    try:
        return str(get() or "") if get else ""
    except Exception:
        return ""


def _message(exc: Exception) -> str:
    """The first line of what Spark said: its own message (captured errors), else the Java exception's (py4j
    reports only which call failed on its first line), else the Python one."""
    get = getattr(exc, "getMessage", None)
    java = getattr(exc, "java_exception", None)
    try:
        text = str(get()) if get else str(java.toString()) if java is not None else str(exc)
    except Exception:
        text = str(exc)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _engine_error(step: str, exc: Exception) -> EngineError:
    """Spark's overflow errors (ANSI arithmetic, casts, decimals past 38 digits) as Overflow; the rest named by
    step, first line only (Spark appends its plan and a JVM stack)."""
    text = redact(_message(exc))
    cls = _error_class(exc)
    if any(c in cls or f"[{c}" in text for c in OVERFLOW_CLASSES):
        return Overflow(step, text)
    return EngineError(step, text)
