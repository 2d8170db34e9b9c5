"""The Spark engine wrapper: ANSI overflow as Overflow, exact wide division, materialized steps, the log, and
a cluster token that never leaves memory."""

from __future__ import annotations

import pyarrow as pa
import pytest

from batchkit.engine.connection import EngineError, Overflow
from batchkit.engine.spark import SparkEngine, SparkSettings, SparkUnavailable, java_available, redact

needs_java = pytest.mark.skipif(not java_available(), reason="no Java: a local Spark needs openjdk-17-jre-headless "
                                                             "(scripts/system-deps.sh installs it)")


@pytest.fixture
def spark():
    with SparkEngine() as engine:
        yield engine


@pytest.mark.spark
@needs_java
def test_session_is_ansi_utc_and_steps_are_materialized_once(spark):
    conf = spark.spark.conf
    assert conf.get("spark.sql.ansi.enabled") == "true" and conf.get("spark.sql.session.timeZone") == "UTC"
    rows = 10
    spark.register("t", pa.table({"x": pa.array(range(rows), pa.int64())}))
    spark.table("doubled", "SELECT x * $k AS y FROM t", {"k": 2, "unused": 3})
    total = spark.arrow("SELECT CAST(sum(y) AS BIGINT) AS s FROM doubled", step="sum")["s"][0].as_py()
    assert total == 2 * sum(range(rows)) == 90  # 2 x (0 + ... + 9)
    assert [(st.step, st.params) for st in spark.log] == [("doubled", {"k": 2}), ("sum", {})]
    assert spark.log[0].sql == "SELECT x * $k AS y FROM t"  # the model's text, as given (transpiled to run)
    # a materialized step is rows, not a plan: its view scans existing data, no trace of `t`'s projection
    plan = spark.spark.table("doubled")._jdf.queryExecution().optimizedPlan().toString()
    assert "LogicalRDD" in plan and "Project" not in plan
    spark.drop("doubled")
    with pytest.raises(EngineError) as err:
        spark.arrow("SELECT * FROM doubled", step="gone")
    assert err.value.step == "gone" and not isinstance(err.value, Overflow)


@pytest.mark.spark
@needs_java
def test_overflow_raises_never_wraps(spark):
    # 4 x 10^9 x 4 x 10^9 x 4 = 6.4 x 10^19 > 2^63 - 1 = 9.22 x 10^18: ANSI raises, the model retries wide
    with pytest.raises(Overflow) as err:
        spark.table("big", "SELECT CAST(4000000000 AS BIGINT) * CAST(4000000000 AS BIGINT) * 4 AS x")
    assert err.value.step == "big"
    # two rows of 2^62 sum to 2^63: BIGINT sum overflows (DuckDB: 128-bit sum cast back; Spark: ANSI sum)
    spark.register("t", pa.table({"x": pa.array([2**62, 2**62], pa.int64())}))
    with pytest.raises(Overflow):
        spark.table("s", "SELECT CAST(sum(x) AS BIGINT) AS s FROM t")
    # a DECIMAL(38,0) product past 38 digits: 10^37 x 100 = 10^39
    with pytest.raises(Overflow):
        spark.table("w", "SELECT CAST('10000000000000000000000000000000000000' AS DECIMAL(38,0)) * 100 AS x")


@pytest.mark.spark
@needs_java
def test_wide_division_is_exact_past_64_bits(spark):
    # 12000000009004000000003 // 7000000 = 1714285715572000 (exact: 7 x 1714285715572 = 12000000009004; the
    # remainder 3 x 10^0 + 0 is below 7 x 10^6), as in tests/test_sqlmodel_engine.py on DuckDB
    got = spark.arrow("SELECT wide_div(CAST('12000000009004000000003' AS DECIMAL(38,0)), 7000000) AS q")
    assert got["q"].to_pylist() == [12000000009004000000003 // 7000000] == [1714285715572000]
    assert pa.types.is_int64(got.schema.field("q").type)


def test_the_token_comes_from_the_environment_and_is_never_shown(monkeypatch):
    monkeypatch.setenv("BK_TEST_TOKEN", "s3cr3t-value")
    settings = SparkSettings("sc://spark.example.com:15002", token_env="BK_TEST_TOKEN")
    url = settings.connect_url()
    assert url == "sc://spark.example.com:15002/;token=s3cr3t-value"
    assert "s3cr3t" not in redact(url) and redact(url) == "sc://spark.example.com:15002/;token=***"
    assert "s3cr3t" not in repr(settings)  # the settings hold the variable's name only
    with_params = SparkSettings("sc://h:443/;use_ssl=true", token_env="BK_TEST_TOKEN").connect_url()
    assert with_params == "sc://h:443/;use_ssl=true;token=s3cr3t-value"
    monkeypatch.delenv("BK_TEST_TOKEN")
    with pytest.raises(SparkUnavailable, match="BK_TEST_TOKEN"):
        settings.connect_url()
    with pytest.raises(SparkUnavailable, match="must not contain a token"):
        SparkSettings("sc://h:15002/;token=abc").connect_url()
    with pytest.raises(SparkUnavailable) as err:
        SparkSettings("http://h:15002/;token=abc").connect_url()
    assert "abc" not in str(err.value)


def test_local_settings_pick_the_master():
    assert SparkSettings().master() == "local[2]" and SparkSettings().is_local
    assert SparkSettings(threads=4).master() == "local[4]"
    assert SparkSettings("local[3]").master() == "local[3]"
    assert not SparkSettings("sc://h:15002").is_local
