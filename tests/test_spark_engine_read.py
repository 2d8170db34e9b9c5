"""Transaction tables a local Spark reads itself (a catalog table and Parquet folders), typed and checked there.

The same invariant as tests/test_engine_read.py, on Spark: the plant costs
the same, frame for frame, as when this process loads the same files and
DuckDB costs them; and the engine's checks of a plant with planted defects
give the same findings on Spark as on DuckDB (codes, columns, values and row
counts: one set of statements in two dialects). material_issues is a table
of Spark's catalog (`spark_table:`), operations and direct_costs Parquet
folders (`path:`).
"""

from __future__ import annotations

import pandas as pd
import pytest

import batchkit
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql.errors import SqlModelError
from batchkit.engine.spark import SparkEngine, java_available
from tests.test_engine_read import PERIOD, assert_same_tables, bad_issues, costed, split

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(not java_available(), reason="no Java: a local Spark needs openjdk-17-jre-headless "
                                                              "(scripts/system-deps.sh installs it)")]


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    from batchkit.demo import write_demo

    folder = tmp_path_factory.mktemp("plant")
    write_demo(folder, batches=150, fmt="parquet")
    return folder


def on_spark(tmp_path, plant, change=None):
    """(loaded dataset and params, the master folder, spark params, the engine with material_issues as a catalog
    table of its own name, that table, the same sources as paths alone)."""
    whole, master, paths = split(plant, tmp_path, change)
    engine = SparkEngine()
    table = f"erp_issues_{abs(hash(str(tmp_path))) % 10**8}"
    engine.spark.sql(f"CREATE TABLE {table} USING parquet LOCATION '{paths['material_issues']['path']}'")
    sources = {**paths, "material_issues": {"spark_table": table}}
    params = Params.model_validate({"engine": {"name": "spark"}, "sources": sources})
    return (batchkit.load_dataset(whole, Params()), Params()), master, params, engine, table, paths


def test_spark_reads_a_catalog_table_and_parquet_folders_and_costs_what_duckdb_costs(plant, tmp_path):
    (loaded, lp), master, params, engine, table, _ = on_spark(tmp_path, plant)
    try:
        expected, _ = costed(loaded, lp)
        ds = batchkit.load_dataset(master, params)
        assert ds.sources["material_issues"]["location"] == table
        got = sqlmodel.cost_tables(ds, PERIOD, params, engine=engine)
        found = sqlmodel.engine_findings(ds, engine)
    finally:
        engine.spark.sql(f"DROP TABLE IF EXISTS {table}")
        engine.close()
    assert_same_tables(expected, got)
    assert len(got["batch_summary"]) > 75
    assert (found["check"] == "id_normalized").any() and not (found["severity"] == "error").any()


def test_spark_finds_the_planted_defects_duckdb_finds(plant, tmp_path):
    _, master, params, engine, table, paths = on_spark(tmp_path, plant, {"material_issues": bad_issues(plant)})
    try:
        ds = batchkit.load_dataset(master, params)
        with pytest.raises(SqlModelError, match="blocking data error"):
            sqlmodel.cost_tables(ds, PERIOD, params, engine=engine)
        mine = sqlmodel.engine_findings(ds, engine)
    finally:
        engine.spark.sql(f"DROP TABLE IF EXISTS {table}")
        engine.close()
    # the same folders read by DuckDB (the catalog table's files as a path)
    duck_params = Params.model_validate({"sources": paths})
    ds = batchkit.load_dataset(master, duck_params)
    with sqlmodel.Engine(threads=1) as duck:
        with pytest.raises(SqlModelError):
            sqlmodel.cost_tables(ds, PERIOD, duck_params, engine=duck)
        theirs = sqlmodel.engine_findings(ds, duck)
    # messages name where each engine read the table: compare all but that
    cols = ["severity", "check", "table", "column", "value"]
    key = lambda f: f[cols].assign(said=f["message"].str.extract(r"(\(\d[\d,]* rows?\))$")[0])  # noqa: E731
    pd.testing.assert_frame_equal(key(mine).sort_values(cols).reset_index(drop=True),
                                  key(theirs).sort_values(cols).reset_index(drop=True))
    assert {"non_numeric", "duplicate_doc", "no_unit_cost", "net_negative_issue"} <= set(mine["check"])
