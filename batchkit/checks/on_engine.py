"""The checks of the transaction tables the engine reads itself, run as SQL where the rows are.

For `sources.TABLE.path:` / `spark_table:` tables (`ingest.on_engine`) the
rows never reach this process, so the row checks of `checks.rows` and
`checks.links` that concern them run on the engine: the same codes, severities
and meaning, each one grouped statement whose few example values come back.
A finding names table, column and the offending value with how many rows
carry it; it has no row number (a lakehouse table has no row order), so the
value is what a data engineer filters on.

What the engine checks here: unparsable numbers and dates, missing required
values, numbers past 10^13, negative values where the contract says >= 0,
batch IDs the params' rules change (warning) or that fail the pattern,
duplicate doc_ids, rows of unknown batches (warning), and for material
issues every lot check that changes a cost (ambiguous_lot, no_unit_cost,
unknown_lot, net_negative_issue, consumed_before_start, consumes_no_output).
Missing or ambiguous rates and genealogy cycles stop the model itself, with
one line, on either engine. Left to files for now (warnings only): precision,
duplicate_row, lot_material, before_batch_start, date_outside_periods,
overconsumed_subassembly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..core.findings import Findings
from ..core.params import BatchIdRules
from ..core.schema import TABLES
from ..engine.connection import Engine
from ..ingest.on_engine import TOO_LARGE, Typed, id_rules, rule_params

EXAMPLES = 20  # distinct offending values listed per check; the rest are counted in one more finding


@dataclass(frozen=True)
class EngineCheck:
    """One grouped statement: rows of `value` (the offending value as text) and `n` (its rows), ordered."""

    severity: str
    check: str
    column: str
    sql: str
    what: str  # the problem, said of one value: "{value!r} is not a number" ({n}: its rows, {detail}: the SQL's)


def engine_checks(table: str, columns: list[Typed], rules: BatchIdRules) -> Iterator[EngineCheck]:
    """Every check of one engine-read table, over `raw_<table>` and the typed `in_<table>`."""
    spec = TABLES[table]
    raw = f"raw_{table} AS r"
    by_name = {c.name: c for c in columns}
    for c in columns:
        if c.raw is None:
            continue
        if c.parsed:
            parsed = c.number or c.expr  # a number too large is that finding, not this one
            yield EngineCheck("error", c.parsed, c.name,
                              _grouped(f"CAST({c.raw} AS VARCHAR)", raw, f"{c.present} AND {parsed} IS NULL"),
                              "{value!r} is not a " + ("number" if c.parsed == "non_numeric" else "date"))
        if spec.column(c.name).required:
            yield EngineCheck("error", "missing_value", c.name,
                              _grouped(None, raw, f"NOT ({c.present})"), "required value is empty")
        if spec.column(c.name).kind == "num":
            yield EngineCheck("error", "number_too_large", c.name,
                              _grouped(f"CAST({c.raw} AS VARCHAR)", raw, f"abs({c.number}) >= {TOO_LARGE:.0f}"),
                              "{value} is 10^13 or more (beyond what is computed exactly)")
            if spec.column(c.name).sign == "nonneg":
                yield EngineCheck("error", "negative_value", c.name,
                                  _grouped(f"CAST({c.raw} AS VARCHAR)", raw, f"{c.expr} < 0"),
                                  "{value} is negative (must be >= 0)")
    batch = by_name.get("batch_id")
    if batch is not None and batch.raw is not None:
        yield EngineCheck("warning", "id_normalized", "batch_id",
                          _grouped(batch.expr, raw, f"{batch.expr} <> {id_rules(batch.expr, rules)}",
                                   detail=f"min({id_rules(batch.expr, rules)})"),
                          "ID {value!r} normalized to {detail!r}")
        yield EngineCheck("error", "invalid_id", "batch_id",
                          _grouped("batch_id", f"in_{table}",
                                   "batch_id IS NOT NULL AND NOT regexp_matches(batch_id, $id_pattern)"),
                          "ID {value!r} does not match the batch ID pattern")
        what = "its costs are excluded"
        yield EngineCheck("warning", "orphan", "batch_id",
                          _grouped("i.batch_id", f"in_{table} AS i LEFT JOIN in_batches AS b "
                                   "ON b.batch_id = i.batch_id", "i.batch_id IS NOT NULL AND b.batch_id IS NULL"),
                          "batch {value!r} is not in batches; " + what)
    doc = by_name.get("doc_id")
    if doc is not None and doc.raw is not None:  # over the raw rows: the doc_id's text needs no join
        yield EngineCheck("error", "duplicate_doc", "doc_id",
                          _grouped(doc.expr, raw, f"{doc.expr} IS NOT NULL", having="count(*) > 1",
                                   count="count(*) - 1"),  # the rows after its first, as the loader's check
                          "document line {value!r} appears again (posted twice?)")
    lot = by_name.get("lot_id")
    if table == "material_issues" and lot is not None and lot.raw is not None:
        named = id_rules(lot.expr, rules)  # a lot_id naming a batch once normalized takes the batch's ID
        yield EngineCheck("warning", "id_normalized", "lot_id",
                          _grouped(lot.expr, f"{raw} JOIN in_batches AS b ON b.batch_id = {named}",
                                   f"{lot.expr} <> {named}", detail=f"min({named})"),
                          "ID {value!r} normalized to {detail!r}")
    if table == "material_issues":
        yield from _lot_checks()


def _lot_checks() -> Iterator[EngineCheck]:
    """The material issues' lots: purchased lots (their first row, as the model prices them) or batches."""
    lots = ("(SELECT lot_id, unit_cost FROM in_material_lots WHERE lot_id IS NOT NULL "
            "QUALIFY row_number() OVER (PARTITION BY lot_id ORDER BY _row) = 1)")
    issues = (f"in_material_issues AS i LEFT JOIN in_batches AS sb ON sb.batch_id = i.lot_id "
              f"LEFT JOIN {lots} AS l ON l.lot_id = i.lot_id")
    yield EngineCheck("error", "ambiguous_lot", "lot_id",
                      _grouped("i.lot_id", issues, "sb.batch_id IS NOT NULL AND l.lot_id IS NOT NULL"),
                      "lot {value!r} is both a purchased lot and a batch")
    purchased = "i.lot_id IS NOT NULL AND sb.batch_id IS NULL"
    yield EngineCheck("warning", "unknown_lot", "lot_id",
                      _grouped("i.lot_id", issues, f"{purchased} AND l.lot_id IS NULL AND i.unit_cost IS NOT NULL"),
                      "lot {value!r} is neither in material_lots nor a batch (costed at the row's unit_cost)")
    yield EngineCheck("error", "no_unit_cost", "unit_cost",
                      _grouped("i.lot_id", issues, f"{purchased} AND i.unit_cost IS NULL AND l.unit_cost IS NULL "
                               "AND i.qty IS NOT NULL"),
                      "no unit cost for lot {value!r}: the row has none and material_lots gives none")
    # only a (batch, lot) with a return can net below zero: those pairs first, then their rows summed exactly
    net = ("(SELECT i.batch_id || ' / ' || i.lot_id AS pair, sum(CAST(i.qty AS DECIMAL(38, 9))) AS net "
           "FROM in_material_issues AS i JOIN (SELECT DISTINCT batch_id, lot_id FROM in_material_issues "
           "WHERE qty < 0 AND batch_id IS NOT NULL AND lot_id IS NOT NULL) AS back "
           "ON back.batch_id = i.batch_id AND back.lot_id = i.lot_id "
           "WHERE i.qty IS NOT NULL GROUP BY i.batch_id, i.lot_id) AS p")
    yield EngineCheck("error", "net_negative_issue", "qty", _grouped("pair", net, "net < 0", detail="min(net)"),
                      "batch / lot {value!r}: more returned than was issued (net {detail})")
    subs = ("in_material_issues AS i JOIN in_batches AS sb ON sb.batch_id = i.lot_id "
            "JOIN in_batches AS b ON b.batch_id = i.batch_id")
    yield EngineCheck("error", "consumed_before_start", "date",
                      _grouped("i.lot_id", subs, "i.date < sb.start_date"),
                      "issues batch {value!r} before that batch started")
    yield EngineCheck("error", "consumes_no_output", "lot_id", _grouped("i.lot_id", subs, "sb.qty_good = 0"),
                      "issues batch {value!r}, which has no good output (qty_good 0), so no unit cost")


def _grouped(value: str | None, source: str, condition: str, having: str | None = None,
             count: str = "count(*)", detail: str = "CAST(NULL AS VARCHAR)") -> str:
    """Offending values with their row counts, in value order, at most EXAMPLES + 1 (so "more" is known), and
    the number of offending values in all (`n_values`, the same on every row). `value` None: one count (no
    value to show, as for an empty cell), no row when there is none."""
    if value is None:
        groups = f"SELECT CAST(NULL AS VARCHAR) AS value, {count} AS n, {detail} AS detail FROM {source} " \
                 f"WHERE {condition} HAVING {count} > 0"
    else:
        groups = (f"SELECT {value} AS value, {count} AS n, {detail} AS detail FROM {source} WHERE {condition} "
                  f"GROUP BY {value}"
                  + (f" HAVING {having}" if having else ""))
    return (f"SELECT value, n, detail, count(*) OVER () AS n_values FROM ({groups}) AS g "
            f"ORDER BY value LIMIT {EXAMPLES + 1}")


def run_engine_checks(engine: Engine, tables: dict[str, list[Typed]], sources: dict[str, str],
                      rules: BatchIdRules) -> Findings:
    """Run every check of the engine-read `tables` (name -> its typed columns); `sources` names each table's
    location for messages."""
    out = Findings()
    params: dict[str, Any] = rule_params(rules)
    for table, columns in tables.items():
        for chk in engine_checks(table, columns, rules):
            t = engine.arrow(chk.sql, params, step=f"check {table} {chk.check} {chk.column}")
            if not t.num_rows:
                continue
            _report(out, table, sources[table], chk, t.to_pylist())
    return out


def _report(out: Findings, table: str, where: str, chk: EngineCheck, rows: list[dict[str, Any]]) -> None:
    head = f"{table} ({where}) column {chk.column}: "
    for r in rows[:EXAMPLES]:
        value = "" if r["value"] is None else str(r["value"])
        n = int(r["n"])
        text = chk.what.format(value=value, n=n, detail=r["detail"])
        rows_said = f"{n:,} row{'s' if n != 1 else ''}"
        out.add(chk.severity, chk.check, table, None, chk.column, value, f"{head}{text} ({rows_said})")
    more = int(rows[0]["n_values"]) - EXAMPLES
    if more > 0:
        out.add(chk.severity, chk.check, table, None, chk.column, "",
                f"{head}{more:,} more values with the same problem ({chk.check}) are not listed")
