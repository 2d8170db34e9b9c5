"""params `engine:`: the name and Spark remote, a token only by the name of its environment variable, and the
engine they open (DuckDB here; Spark in tests/test_spark_equal.py)."""

from __future__ import annotations

import pytest

from batchkit.core.errors import ParamsError
from batchkit.core.params import Params, load_params
from batchkit.engine.choose import open_engine
from batchkit.engine.connection import Engine
from batchkit.engine.spark import SparkEngine, java_available


def test_duckdb_is_the_default_and_spark_defaults_to_local():
    assert Params().engine.name == "duckdb"
    spark = Params.model_validate({"engine": {"name": "spark"}}).engine
    assert spark.remote == "local" and spark.spark_remote is None
    remote = Params.model_validate({"engine": {"name": "spark", "spark_remote": "sc://spark.example.com:15002",
                                               "spark_token_env": "SPARK_TOKEN"}}).engine
    assert remote.remote == "sc://spark.example.com:15002" and remote.spark_token_env == "SPARK_TOKEN"
    assert Params.model_validate({"engine": {"spark_remote": "local[4]"}}).engine.remote == "local[4]"


@pytest.mark.parametrize("engine, says", [
    ({"name": "flink"}, "engine.name"),
    ({"spark_remote": "http://h:15002"}, "engine.spark_remote"),
    ({"spark_remote": "sc://h:15002/;token=abc123"}, "must not hold a token"),
    ({"spark_token_env": "dapi0123-secret-value"}, "engine.spark_token_env"),
])
def test_bad_engine_settings_name_the_key_and_never_echo_a_token(tmp_path, engine, says):
    path = tmp_path / "params.yaml"
    lines = "\n".join(f"  {k}: {v!r}" for k, v in engine.items())
    path.write_text(f"engine:\n{lines}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert says in str(err.value)
    assert "abc123" not in str(err.value) and "dapi0123" not in str(err.value)


def test_the_manifest_records_the_variable_name_not_the_token(monkeypatch):
    monkeypatch.setenv("SPARK_TOKEN", "never-written-0042")
    p = Params.model_validate({"engine": {"name": "spark", "spark_remote": "sc://h:15002",
                                          "spark_token_env": "SPARK_TOKEN"}})
    assert p.resolved()["engine"] == {"name": "spark", "spark_remote": "sc://h:15002", "spark_token_env": "SPARK_TOKEN",
                                      "memory_limit": "75%", "threads": None}  # the section's defaults
    assert "never-written" not in repr(p.resolved())


def test_open_engine_gives_duckdb_by_default():
    with open_engine(Params().engine) as engine:
        assert type(engine) is Engine
        assert engine.arrow("SELECT 6 * 7 AS x")["x"].to_pylist() == [42]


@pytest.mark.spark
@pytest.mark.skipif(not java_available(), reason="no Java: a local Spark needs openjdk-17-jre-headless")
def test_open_engine_gives_spark_when_asked():
    with open_engine(Params.model_validate({"engine": {"name": "spark"}}).engine) as engine:
        assert isinstance(engine, SparkEngine) and engine.settings.is_local
        assert engine.arrow("SELECT 6 * 7 AS x")["x"].to_pylist() == [42]
