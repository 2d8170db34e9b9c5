"""The model's statements for another engine: DuckDB's dialect, as written, transpiled by sqlglot.

The statements stay inside what sqlglot carries from DuckDB to Spark
without loss (no ASOF JOIN, HUGEINT, isfinite, read_parquet options,
UPDATE/DELETE, two unnest in one SELECT); `tests/test_sqlmodel_transpile.py`
transpiles every statement the model emits and fails on any warning.
The engine functions (`engine.ENGINE_FUNCTIONS`) are the one addition:
`wide_div(n, d)`, exact floor division past 64 bits, which Spark spells
`n DIV d` on DECIMAL(38,0) (exact, a BIGINT result, raising on overflow
under ANSI) and DuckDB cannot spell at all without its 128-bit integers.

The Spark engine (`engine.spark.SparkEngine`) calls `to_spark` in its
`prepare` hook; what else it does (checkpoint the materialized steps, ANSI
mode on, named parameters through `spark.sql(text, args=...)`) is an
engine's business, not the SQL's. sqlglot also spells out what the dialects
leave implicit: DuckDB sorts NULLs last, Spark first, so an ascending ORDER BY
gains `NULLS LAST` (tests/test_spark_equal.py compares the results).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from .connection import SOURCE_DIALECT


def _engine_functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and node.name.lower() == "wide_div":
        n, d = node.expressions
        return exp.Cast(this=exp.IntDiv(this=exp.Paren(this=n), expression=exp.Paren(this=d)),
                        to=exp.DataType.build("BIGINT"))
    return node


def transpile(sql: str, write: str = "spark") -> str:
    """One statement in another dialect; raises on anything sqlglot cannot carry over."""
    trees = sqlglot.parse(sql, read=SOURCE_DIALECT)
    if len(trees) != 1 or trees[0] is None:
        raise ValueError(f"expected one statement, got {len(trees)}")
    return trees[0].transform(_engine_functions).sql(dialect=write, unsupported_level=ErrorLevel.RAISE)


def to_spark(sql: str) -> str:
    """The statement as Spark SQL (`Engine.prepare` of a Spark engine)."""
    return transpile(sql, "spark")
