"""Every statement the SQL model emits is in the portable subset: sqlglot carries it from DuckDB to Spark.

The model runs on a small demo plant (batchkit's own generator: every table,
sub-assemblies, every basis the params below assign) for two periods and a
what-if; each statement it ran, and the wide form of each step that has one,
must transpile with `sqlglot.transpile(sql, read="duckdb", write="spark")`
raising on anything unsupported and logging no warning.
"""

from __future__ import annotations

import logging

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from batchkit import load_dataset
from batchkit.core.params import Allocation, Params
from batchkit.costing import sql as sqlmodel
from batchkit.demo import write_demo
from batchkit.engine.dialect import to_spark

RULES = {"default_basis": "machine_hours",
         "by_cost_element": {"depreciation": "machine_hours", "energy": "material_cost", "overhead": "labor_hours",
                             "quality": "good_units", "cleanroom": "started_units",
                             "sterilization_overhead": "driver:sterilization_load_m3"},
         "by_pool": {}}
OTHER = Allocation.model_validate({"default_basis": "equal", "by_cost_element": {"overhead": "direct_cost"}})
FORBIDDEN = ("ASOF", "HUGEINT", "ISFINITE", "READ_PARQUET", "UPDATE ", "DELETE ", "UNNEST")


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, batches=60)
    params = Params.model_validate({"allocation": RULES})
    ds = load_dataset(folder, params)
    with sqlmodel.Engine(threads=1) as engine:
        for period in ("2026-05", "2026-06"):
            sqlmodel.cost_tables(ds, period, params, engine=engine)
        sqlmodel.allocate(ds, OTHER)  # a what-if on its own session
        session = sqlmodel.open_session(ds, engine)
        for rules in (OTHER, Allocation.model_validate(RULES)):  # what-ifs from kept splits (two table parts)
            sqlmodel.totals(session, rules, "2026-06", params)
        statements = [(st.step, st.sql) for st in engine.log]
    return statements + [(f"{name} (wide)", sql) for name, sql in session.wide_sql.items()]


def test_the_model_emits_statements_for_every_step(emitted):
    steps = {step for step, _ in emitted}
    for expected in ("master", "issue_sum", "rate_pick", "op_row", "hours_basis", "cand", "alloc", "own",
                     "charge_1", "summary", "variance", "alloc (wide)", "issue_sum (wide)"):
        assert expected in steps


def test_every_statement_transpiles_to_spark_without_warnings(emitted, caplog):
    caplog.set_level(logging.WARNING, logger="sqlglot")
    for step, sql in emitted:
        out = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        assert len(out) == 1, step
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_no_duckdb_only_construct_and_no_data_in_the_text(emitted):
    for step, sql in emitted:
        upper = sql.upper()
        for word in FORBIDDEN:
            assert word not in upper, (step, word)
        # values come in as parameters: no batch, lot or pool id of the data appears in a statement
        assert "B26" not in sql and "L-" not in sql and "P-" not in sql, step


def test_the_spark_form_spells_wide_division_as_div_and_parameters_by_name(emitted):
    sql = dict(emitted)
    spark = to_spark(sql["alloc (wide)"])
    assert "wide_div" not in spark.lower() and ") DIV (" in spark
    assert "$issue_mul" in sql["issue_sum"] and ":issue_mul" in to_spark(sql["issue_sum"])
