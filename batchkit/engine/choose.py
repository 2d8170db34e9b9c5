"""The engine params ask for: DuckDB in process, or Spark (local or Spark Connect), for the SQL cost model.

    with open_engine(params.engine) as engine:
        tables = costing.sql.cost_tables(ds, period, params, engine=engine)

Spark is imported only when asked for (pyspark and a JVM cost seconds). The
DuckDB settings (`memory_limit`, `threads`, added to params `engine:` with the
DuckDB engine) are read if present, so this stays one call for both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .connection import Engine


def open_engine(settings: Any, temp_directory: str | Path | None = None) -> Engine:
    """An engine for params `engine:` (a `core.params.EngineSettings`): `name` duckdb or spark."""
    memory_limit = getattr(settings, "memory_limit", None)
    threads = getattr(settings, "threads", None)
    if getattr(settings, "name", "duckdb") == "spark":
        from .spark import SparkEngine

        # a local Spark's heap is its memory limit only when given as a JVM size ("4g"); "75%" is DuckDB's
        heap = memory_limit if isinstance(memory_limit, str) and not memory_limit.endswith("%") else None
        return SparkEngine(remote=settings.remote, token_env=settings.spark_token_env, memory_limit=heap,
                           threads=threads)
    kwargs: dict[str, Any] = {"threads": threads, "temp_directory": temp_directory}
    if memory_limit:
        kwargs["memory_limit"] = memory_limit
    return Engine(**kwargs)
