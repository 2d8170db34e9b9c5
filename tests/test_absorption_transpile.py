"""The statements predetermined rates and the variable/fixed split add are in the portable subset too: sqlglot
carries each one from DuckDB to Spark without a warning, none uses a DuckDB-only construct, and no value of
the data or of the params (pool ids, element names, rates) is written into the SQL text."""

from __future__ import annotations

import logging

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from batchkit import load_dataset
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.demo import write_demo
from tests.test_sqlmodel_transpile import FORBIDDEN, RULES

ABSORPTION_STEPS = ("pool_amount_rated", "pool_rate", "absorbed", "absorption_pool", "alloc_actual", "alloc",
                    "behavior_eid", "own_total", "absorption")


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, batches=60)
    params = Params.model_validate({
        "allocation": RULES, "cost_behavior": {"energy": "variable", "material": "fixed"},
        "absorption": {"rates": {"by_pool": {}, "by_cost_element": {"depreciation": 9.25, "quality": 0.125}}}})
    ds = load_dataset(folder, params)
    with sqlmodel.Engine(threads=1) as engine:
        tables = sqlmodel.cost_tables(ds, "2026-06", params, engine=engine)
        session = sqlmodel.open_session(ds, engine)
        statements = [(st.step, st.sql) for st in engine.log]
    assert not tables["absorption"].empty  # the demo's depreciation and quality pools were absorbed
    return statements + [(f"{name} (wide)", sql) for name, sql in session.wide_sql.items()]


def test_the_absorption_steps_ran(emitted):
    steps = {step for step, _ in emitted}
    assert set(ABSORPTION_STEPS) <= steps, set(ABSORPTION_STEPS) - steps
    assert "absorbed (wide)" in steps


def test_every_statement_transpiles_to_spark_without_warnings(emitted, caplog):
    caplog.set_level(logging.WARNING, logger="sqlglot")
    for step, sql in emitted:
        assert len(sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)) == 1, step
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_no_duckdb_only_construct_and_no_value_in_the_text(emitted):
    for step, sql in emitted:
        upper = sql.upper()
        for word in FORBIDDEN:
            assert word not in upper, (step, word)
        for value in ("depreciation", "quality", "9.25", "0.125", "energy", "P-"):
            assert value not in sql, (step, value)
