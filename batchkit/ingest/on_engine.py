"""Transaction tables the engine reads itself (`sources.TABLE.path:` / `spark_table:`), typed in SQL there.

A group's material issues and bookings may live in a lakehouse that will not
be copied to one machine. For those tables this process never sees a row: the
engine (DuckDB here, Spark on a cluster) opens the Parquet files or the
catalog table as `raw_<table>`, and one statement types them into the
`in_<table>` the model reads, as `ingest.load` types a file:

- headers: the params' column map first, then a case-insensitive match, as
  `load._map_headers`; a required column that is absent is a finding;
- text: blank cells are missing, other ID/text cells trimmed; batch IDs get the
  params' rules (strip, upper-case, drop separators) and a lot_id that names a
  batch once normalized takes the batch's ID, as `ids.normalize_dataset_ids`;
- numbers: integers and doubles as DOUBLE (NaN is missing), decimals through
  their digits (the same double a CSV of them parses to), text parsed strictly
  (no thousands separators: what does not parse is a `non_numeric` finding);
- dates: DATE as is, timestamps to their day, text as ISO dates (else `bad_date`).

Raw header names come from the data: they reach SQL only as quoted identifiers
(`ident`), and every value (ID rules, patterns) only as a parameter. The
checks of these rows run on the engine too (`checks.on_engine`); only findings
and the model's per-batch results come back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..core.params import BatchIdRules, Source
from ..core.schema import ENGINE_READ_TABLES, TABLES, Column
from ..engine.connection import Engine, EngineError

TOO_LARGE = 1e13  # as ingest.cells' number_too_large: beyond what is computed exactly

__all__ = ["ENGINE_READ_TABLES", "TOO_LARGE", "Typed", "ident", "open_raw", "typed_columns", "typing_sql"]


def ident(name: str) -> str:
    """A header from the data as a quoted SQL identifier (quotes doubled: it can never end the identifier)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Typed:
    """One contract column as the engine types it: `expr` over `raw_<table>` (NULL when the column is absent),
    `present` the raw cell is there at all (not NULL, not blank), and `parsed` when a present cell that
    does not type is a finding (its check code), else None."""

    name: str
    expr: str
    present: str
    parsed: str | None = None
    raw: str | None = None  # the raw identifier, None when the source lacks the column
    number: str | None = None  # a number column's value before TOO_LARGE makes it missing (the check's)


def where(source: Source, root: Path | None) -> str:
    """What the engine opens, for messages and the manifest: the catalog table, or the path (a relative one
    against the data folder, a URI as given)."""
    if source.spark_table is not None:
        return source.spark_table
    path = str(source.path)
    if "://" in path or path.startswith("dbfs:") or os.path.isabs(path) or root is None:
        return path
    return str(root / path)


def open_raw(engine: Engine, table: str, source: Source, root: Path | None) -> pa.Schema:
    """Register the table as `raw_<table>` on the engine and return its schema (no row leaves the engine)."""
    name = f"raw_{table}"
    target = where(source, root)
    if source.spark_table is not None:
        register = getattr(engine, "register_table", None)
        if register is None:
            raise EngineError(f"sources.{table}", "spark_table needs engine.name: spark")
        register(name, target)
    else:
        engine.register_parquet(name, target)
    return engine.arrow(f"SELECT * FROM {name} LIMIT 0", step=f"schema of {table}").schema


def _text_expr(raw: str, trim: bool) -> str:
    cell = f"CAST({raw} AS VARCHAR)"
    return f"(CASE WHEN TRIM({cell}) = '' THEN NULL ELSE {'TRIM(' + cell + ')' if trim else cell} END)"


def id_rules(x: str, rules: BatchIdRules) -> str:
    """The params' batch-ID rules as SQL over `x` (each removed character a parameter `$rm<i>`)."""
    if rules.strip:
        x = f"TRIM({x})"
    if rules.upper:
        x = f"UPPER({x})"
    for i in range(len(rules.remove)):
        x = f"REPLACE({x}, $rm{i}, '')"
    return x


def rule_params(rules: BatchIdRules) -> dict[str, str]:
    return {f"rm{i}": ch for i, ch in enumerate(rules.remove)} | {"id_pattern": rules.pattern}


def _number(raw: str, kind: pa.DataType) -> tuple[str, str]:
    if pa.types.is_decimal(kind):  # through the digits: the double a CSV of the same text parses to
        return f"CAST(CAST({raw} AS VARCHAR) AS DOUBLE)", f"{raw} IS NOT NULL"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        value = f"CAST({raw} AS DOUBLE)"
        return f"(CASE WHEN isnan({value}) THEN NULL ELSE {value} END)", \
            f"({raw} IS NOT NULL AND NOT isnan({value}))"
    text = _text_expr(raw, True)
    return f"TRY_CAST({text} AS DOUBLE)", f"{text} IS NOT NULL"


def _date(raw: str, kind: pa.DataType) -> tuple[str, str]:
    if pa.types.is_date(kind):
        return raw, f"{raw} IS NOT NULL"
    if pa.types.is_timestamp(kind):
        return f"CAST({raw} AS DATE)", f"{raw} IS NOT NULL"
    text = _text_expr(raw, True)
    return f"TRY_CAST({text} AS DATE)", f"{text} IS NOT NULL"


def map_headers(names: list[str], columns_map: dict[str, str], table: str) -> dict[str, str]:
    """Contract column -> raw header: the params' map first, then a case-insensitive match (first wins)."""
    wanted = {c.lower(): c for c in TABLES[table].names}
    mapped = {k.strip(): v for k, v in columns_map.items()}
    out: dict[str, str] = {}
    for raw in names:
        key = raw.strip().lstrip("\ufeff").strip()
        canon = mapped.get(key) or wanted.get(key.lower())
        if canon is not None and canon in wanted.values() and canon not in out:
            out[canon] = raw
    return out


def typed_columns(schema: pa.Schema, table: str, source: Source) -> list[Typed]:
    """Every contract column of `table` as the engine types it from `schema` (see the module's docstring)."""
    found = map_headers(schema.names, source.columns, table)
    out = []
    for col in TABLES[table].columns:
        raw_name = found.get(col.name)
        if raw_name is None:
            out.append(Typed(col.name, _null(col), "FALSE"))
            continue
        raw, kind = f"r.{ident(raw_name)}", schema.field(raw_name).type
        if col.kind == "num":
            value, present = _number(raw, kind)
            # as the loader: a number of 10^13 or more is a finding (number_too_large) and missing
            expr = f"(CASE WHEN abs({value}) >= {TOO_LARGE:.0f} THEN NULL ELSE {value} END)"
            out.append(Typed(col.name, expr, present, "non_numeric", raw, value))
        elif col.kind == "date":
            expr, present = _date(raw, kind)
            out.append(Typed(col.name, expr, present, "bad_date", raw))
        else:
            expr = _text_expr(raw, trim=not col.batch_id)
            out.append(Typed(col.name, expr, f"{expr} IS NOT NULL", None, raw))
    return out


def _null(col: Column) -> str:
    return {"num": "CAST(NULL AS DOUBLE)", "date": "CAST(NULL AS DATE)"}.get(col.kind, "CAST(NULL AS VARCHAR)")


def typing_sql(table: str, columns: list[Typed], rules: BatchIdRules, names: tuple[str, ...] | None = None) -> str:
    """The statement that builds `in_<table>` from `raw_<table>`: typed columns (`names`, else all), batch IDs
    normalized, and a lot_id that names a batch (once normalized) replaced by the batch's ID."""
    exprs = {c.name: c.expr for c in columns}
    joins = ""
    if "batch_id" in exprs:
        exprs["batch_id"] = id_rules(exprs["batch_id"], rules)
    if table == "material_issues":
        joins = (f" LEFT JOIN (SELECT DISTINCT batch_id FROM in_batches WHERE batch_id IS NOT NULL) AS lot_batch"
                 f" ON lot_batch.batch_id = {id_rules(exprs['lot_id'], rules)}")
        exprs["lot_id"] = f"coalesce(lot_batch.batch_id, {exprs['lot_id']})"
    select = ", ".join(f"{exprs[name]} AS {name}" for name in (names or tuple(exprs)))
    return f"SELECT {select} FROM raw_{table} AS r{joins}"
