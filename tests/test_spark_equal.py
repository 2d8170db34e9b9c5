"""The SQL cost model on a real local Spark equals DuckDB's, table for table, to the cent and byte for byte.

DuckDB's tables equal the numpy engine's (tests/test_sqlmodel_equal.py), whose
own tests derive the figures by hand; here the invariant is that one model in
two dialects gives the same frames (columns, dtypes, row order, values) and so
the same files. The plants: the demo plant at smoke size (1,500 batches, every
table, sub-assemblies on several levels), a what-if on it, the fixture plant
whose products pass 64 bits (computed wide on Spark too), and random small
plants (hypothesis, three examples: each costs a plant on Spark, 10-30 s: about 50
statements at a fixed cost each, whatever the plant's size).

One local Spark serves the whole test process (`engine.spark.local_session`:
a JVM starts once, ~8 s); each test gets its own session on it. Skipped only
where no Java is installed (CI installs openjdk-17-jre-headless:
scripts/system-deps.sh).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings

import batchkit
from batchkit.core.hashing import sha256_file
from batchkit.core.params import Allocation, Params
from batchkit.costing import sql as sqlmodel
from batchkit.demo import write_demo
from batchkit.engine.spark import SparkEngine, java_available
from batchkit.store.tables import write_tables
from tests.test_sqlmodel_equal import _folder, plants
from tests.test_sqlmodel_exact import BIG

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(not java_available(), reason="no Java: a local Spark needs openjdk-17-jre-headless "
                                                              "(scripts/system-deps.sh installs it)")]

TABLES = (*sqlmodel.TABLES, sqlmodel.ABSORPTION)  # the five cost tables and the predetermined-rate table
SMOKE_BATCHES = 1_500  # bench/run.py's smoke size
RULES = {"default_basis": "machine_hours",
         "by_cost_element": {"depreciation": "machine_hours", "energy": "material_cost", "overhead": "labor_hours",
                             "quality": "good_units", "cleanroom": "started_units",
                             "sterilization_overhead": "driver:sterilization_load_m3"}}


@pytest.fixture
def spark():
    with SparkEngine() as engine:
        yield engine


def duckdb_tables(ds, period: str, params: Params) -> dict[str, pd.DataFrame]:
    with sqlmodel.Engine(threads=1) as engine:
        return sqlmodel.cost_tables(ds, period, params, engine=engine)


def assert_same(expected: dict[str, pd.DataFrame], got: dict[str, pd.DataFrame]) -> None:
    assert list(got) == list(expected) == list(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True, obj=name)


def digests(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, str]:
    """sha256 of every file `write_tables` writes for the tables (CSV and Parquet)."""
    folder.mkdir()
    write_tables(folder, tables)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def smoke_plant(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smoke")
    write_demo(folder, batches=SMOKE_BATCHES, fmt="parquet")
    # a predetermined energy rate, so that the absorption statements run on Spark too (and its table has rows)
    params = Params.model_validate({"allocation": RULES,
                                    "absorption": {"rates": {"by_cost_element": {"energy": 68.0}}}})
    return folder, params


def test_the_smoke_plant_costs_the_same_on_spark_and_duckdb(smoke_plant, spark, tmp_path):
    folder, params = smoke_plant
    period = "2026-06"
    expected = duckdb_tables(batchkit.load_dataset(folder, params), period, params)
    ds = batchkit.load_dataset(folder, params)
    got = sqlmodel.cost_tables(ds, period, params, engine=spark)
    assert_same(expected, got)
    # not vacuous: every table has rows, every pool of the period reached some batch
    assert all(len(got[name]) for name in TABLES)
    assert len(got["batch_summary"]) > SMOKE_BATCHES / 2
    # the files the cost folder holds are byte-identical
    a, b = digests(expected, tmp_path / "duckdb"), digests(got, tmp_path / "spark")
    assert len(a) == 2 * len(TABLES) and a == b
    # every step ran once on Spark (materialized), each logged with its time; sub-assemblies on 2+ levels
    steps = [st.step for st in spark.log]
    assert "charge_2" in steps and steps.count("alloc") == 1 and all(st.seconds > 0 for st in spark.log)

    # a what-if on the same session re-allocates only: same ledger, unallocated and negative frames as DuckDB
    other = Allocation.model_validate({"default_basis": "equal", "by_cost_element": {"overhead": "direct_cost"}})
    before = len(spark.log)
    on_spark = sqlmodel.allocate(ds, other, "2026-06", engine=spark)
    assert "issue_sum" not in {st.step for st in spark.log[before:]}  # priced rows reused, not recomputed
    with sqlmodel.Engine(threads=1) as engine:
        on_duck = sqlmodel.allocate(batchkit.load_dataset(folder, params), other, "2026-06", engine=engine)
    for name in ("ledger", "unallocated", "negative"):
        pd.testing.assert_frame_equal(getattr(on_spark, name), getattr(on_duck, name), check_exact=True, obj=name)


def test_products_past_64_bits_run_wide_on_spark_too(make_data, spark):
    # the plant of tests/test_sqlmodel_exact.py: |pool| x hours = 9.99999999999 x 10^18 passes int64; Spark (ANSI)
    # raises on the narrow product, the model re-runs the step as DECIMAL(38,0): B1 gets 9,999,998,999.99 and
    # B2 the leftover cent's share, 1,000.00 (derived by hand there)
    ds = batchkit.load_dataset(make_data(base=BIG), Params())
    got = sqlmodel.cost_tables(ds, "2026-01", Params(), engine=spark)
    assert {"alloc", "summary"} <= set(sqlmodel.open_session(ds, spark).wide_steps)
    assert got["allocation_ledger"].set_index("batch_id")["amount"].to_dict() == {"B1": 9999998999.99, "B2": 1000.00}
    assert_same(duckdb_tables(batchkit.load_dataset(make_data(base=BIG), Params()), "2026-01", Params()), got)


@settings(deadline=None, max_examples=3, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(plants())
def test_random_plants_cost_the_same_on_spark_and_duckdb(spark, plant):
    tables, params, period = plant
    with tempfile.TemporaryDirectory() as tmp:
        ds = batchkit.load_dataset(_folder(tables, tmp), params)
        ds_spark = batchkit.load_dataset(Path(tmp), params)
    assume(batchkit.validate(ds).query("severity == 'error'").empty)
    assert_same(duckdb_tables(ds, period, params), sqlmodel.cost_tables(ds_spark, period, params, engine=spark))


def test_blocking_data_errors_stop_the_model_before_spark_runs_a_statement(make_data, spark):
    # a batch issued twice under one doc_id is a blocking error: refused with the first message, as on DuckDB
    data = make_data(material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,12.5,2026-01-02,D1
        F1,TUBE,L-2,50,0.125,2026-01-12,D1
    """)
    ds = batchkit.load_dataset(data, Params())
    errors = batchkit.validate(ds).query("severity == 'error'")
    assert len(errors)
    with pytest.raises(sqlmodel.SqlModelError) as err:
        sqlmodel.cost_tables(ds, "2026-01", Params(), engine=spark)
    assert err.value.step == "validate" and str(errors.iloc[0]["message"]) in str(err.value)
    assert spark.log == []


def test_the_cli_costs_on_spark_what_it_costs_on_duckdb(tmp_path):
    """`batchkit cost --engine spark`, a whole process as a user runs it: every file of its cost folder (the ten
    tables in CSV and Parquet, the inputs' snapshot) is byte-identical to the default engine's, and the manifest
    says which engine costed it. One process starts its own local Spark (about a minute on 2 cores)."""
    data = tmp_path / "data"
    write_demo(data, batches=300, fmt="parquet")

    def cost(out: Path, *extra: str) -> dict[str, str]:
        proc = subprocess.run([sys.executable, "-m", "batchkit", "cost", str(data), "--period", "2026-06",
                               "--out", str(out), *extra], capture_output=True, text=True, timeout=600,
                              cwd=Path(__file__).parent.parent)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return {str(p.relative_to(out)): sha256_file(p) for p in sorted(out.rglob("*")) if p.is_file()
                and p.name != "manifest.json"}

    on_duckdb = cost(tmp_path / "duckdb")
    on_spark = cost(tmp_path / "spark", "--engine", "spark")
    assert {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} <= set(on_spark)  # not vacuous
    assert on_spark == on_duckdb
    manifests = [json.loads((tmp_path / name / "manifest.json").read_text()) for name in ("duckdb", "spark")]
    assert [m["params"]["engine"]["name"] for m in manifests] == ["duckdb", "spark"]
    assert manifests[0]["outputs"] == manifests[1]["outputs"]  # the same files listed with the same sha256
