"""SQL sources on a real PostgreSQL: the same costs as from CSV, exact types, and the password never leaks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

import batchkit
from batchkit.core.params import Params
from tests.conftest import BASE, write_tables
from tests.pg import PASSWORD
from tests.test_cli import ROOT
from tests.test_variance import STANDARDS

pytestmark = pytest.mark.postgres

# The base plant with standards (so variances are computed), a scoped pool and direct costs.
PLANT = {
    **BASE,
    **STANDARDS,
    "cost_pools": """
        pool_id,cost_element,period,amount,product_line,site,work_center
        P-OH,overhead,2026-01,100.00,,,
        P-Q,quality,2026-01,33.3333,catheters,SZ,
        P-EN,energy,2026-01,12.5,,,WC2
    """,
    "direct_costs": """
        batch_id,cost_element,amount,date,vendor,doc_id
        F1,sterilization,12.3456,2026-01-20,SterilCo,X1
        S1,inspection,0.07,2026-01-05,,X2
    """,
}

MONEY = "numeric(12,4)"
# SQL column types per table; anything not named is text. material_issues names its lot column lot_no.
SQL_TYPES = {
    "batches": {"start_date": "date", "end_date": "date", "qty_started": MONEY, "qty_good": MONEY,
                "qty_scrap": MONEY},
    "material_issues": {"qty": MONEY, "unit_cost": MONEY, "date": "date"},
    "material_lots": {"received_date": "date", "unit_cost": MONEY, "qty_received": MONEY},
    "operations": {"labor_hours": MONEY, "machine_hours": MONEY, "date": "date"},
    "rates": {"labor_rate": MONEY, "machine_rate": MONEY, "valid_from": "date", "valid_to": "date"},
    "cost_pools": {"amount": MONEY},
    "direct_costs": {"amount": MONEY, "date": "date"},
    "standard_bom": {"qty_per_unit": MONEY, "std_unit_cost": MONEY},
    "standard_routing": {c: MONEY for c in ("labor_hours_per_unit", "machine_hours_per_unit", "std_labor_rate",
                                            "std_machine_rate")},
    "standard_overhead": {"std_cost_per_unit": MONEY},
}
RENAMED = {"material_issues": {"lot_id": "lot_no"}}
OUTPUTS = ("batch_costs", "batch_summary", "allocation_ledger", "variances", "reconciliation")


def create_table(engine: sa.Engine, name: str, csv_text: str, types: dict[str, str],
                 renamed: dict[str, str] | None = None) -> None:
    """A PostgreSQL table with the CSV's rows: typed columns, empty cells as NULL."""
    frame = pd.read_csv(io.StringIO(textwrap.dedent(csv_text).strip()), dtype=str, keep_default_na=False)
    frame = frame.rename(columns=renamed or {})
    original = {v: k for k, v in (renamed or {}).items()}
    columns = ", ".join(f'"{c}" {types.get(original.get(c, c), "text")}' for c in frame.columns)
    rows = [{f"c{i}": (v if v != "" else None) for i, v in enumerate(r)} for r in frame.itertuples(index=False)]
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE TABLE "{name}" ({columns})')
        if rows:
            placeholders = ", ".join(f":c{i}" for i in range(len(frame.columns)))
            conn.execute(sa.text(f'INSERT INTO "{name}" VALUES ({placeholders})'), rows)


@pytest.fixture(scope="module")
def plant_db(postgres):
    """The plant in its own database; returns its URL (with the password)."""
    admin = sa.create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS plant")
        conn.exec_driver_sql("CREATE DATABASE plant")
    admin.dispose()
    url = postgres.url(database="plant")
    engine = sa.create_engine(url)
    for name, text in PLANT.items():
        create_table(engine, name, text, SQL_TYPES.get(name, {}), RENAMED.get(name))
    engine.dispose()
    return url


def sql_sources(url_key: str, url_value: str) -> dict:
    """params `sources:` reading every table by a query; material_issues maps lot_no onto lot_id."""
    sources = {name: {url_key: url_value, "query": f'SELECT * FROM "{name}"'} for name in PLANT}
    sources["material_issues"] = {
        url_key: url_value,
        "query": "SELECT batch_id, material_id, lot_no, qty, unit_cost, date, doc_id FROM material_issues "
                 "WHERE material_id LIKE '%' ORDER BY doc_id",  # '%' goes to the driver untouched
        "columns": {"lot_no": "lot_id"},
    }
    return sources


def test_the_same_plant_from_postgres_and_from_csv_gives_identical_cost_tables(plant_db, tmp_path):
    t0 = time.perf_counter()
    sql_params = Params.model_validate({"sources": sql_sources("url", plant_db)})
    from_sql = batchkit.cost(batchkit.load_dataset(None, sql_params), "2026-01", sql_params)
    seconds = time.perf_counter() - t0
    from_csv = batchkit.cost(batchkit.load_dataset(write_tables(tmp_path / "csv", PLANT), Params()), "2026-01")
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(from_sql.tables[name], from_csv.tables[name], check_exact=True)
    # the same findings; a CSV's row 2 is the query's row 1 (the CSV's header is its row 1)
    sql_dq, csv_dq = from_sql.data_quality, from_csv.data_quality
    assert sql_dq[["severity", "check", "table", "column", "value"]].to_dict("records") == \
        csv_dq[["severity", "check", "table", "column", "value"]].to_dict("records") == [
            {"severity": "warning", "check": "no_standard", "table": "batches", "column": "item_id",
             "value": "SUB-A"}]
    assert (sql_dq["row"] + 1).tolist() == csv_dq["row"].tolist()
    assert sql_dq.loc[0, "message"] == csv_dq.loc[0, "message"].replace("batches.csv row 2", "batches row 1")
    # the plant is not trivial: every kind of cost is there
    assert set(from_sql.batch_costs["cost_element"]) == {"material", "subassembly", "labor", "machine", "overhead",
                                                          "quality", "energy", "sterilization", "inspection"}
    assert len(from_sql.tables["variances"]) > 0
    # 12.3456 arrives from numeric(12,4) as Decimal and is costed to the cent like the CSV's text: 12.35
    assert from_sql.batch_costs.set_index(["batch_id", "cost_element"]).loc[("F1", "sterilization"), "amount"] == \
        12.35
    print(f"\n12 tables loaded from PostgreSQL and costed in {seconds:.2f} s")


def execute(url: str, *statements: str) -> None:
    """Run SQL statements in one transaction."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_postgres_values_are_typed_like_csv_cells(postgres, monkeypatch):
    execute(
        postgres.url(),
        "DROP TABLE IF EXISTS typed",
        "CREATE TABLE typed (batch_id integer, item_id text, product_line varchar(20), site char(2), "
        "start_date date, end_date timestamptz, qty_started numeric, qty_good bigint, qty_scrap double precision,"
        " status boolean, uom uuid)",
        "INSERT INTO typed VALUES "
        "(123, '00123', 'catheters', 'SZ', '2026-01-02', '2026-01-10 03:30:00+08', 0.1, 9007199254740993, 0.3,"
        " true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
        "(7, '0042', 'stents', NULL, '2026-01-03', NULL, 12345678.1234, 0, NULL, NULL, NULL)")
    monkeypatch.setenv("BATCHKIT_TEST_PG", postgres.url())
    params = Params.model_validate({"sources": {"batches": {"url_env": "BATCHKIT_TEST_PG",
                                                            "query": "SELECT * FROM typed ORDER BY batch_id DESC"}}})
    ds = batchkit.load_dataset(None, params)
    b = ds["batches"]
    assert b["batch_id"].tolist() == ["123", "7"]  # integers become text
    assert b["item_id"].tolist() == ["00123", "0042"]  # text keeps its leading zeros
    assert b["start_date"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-03")]
    # a timestamptz is dated on the database session's clock (UTC here), as psql would show it:
    # 2026-01-10 03:30 +08 is 2026-01-09 19:30 UTC
    assert b["end_date"].iloc[0] == pd.Timestamp("2026-01-09") and pd.isna(b["end_date"].iloc[1])
    assert b["qty_started"].tolist() == [float("0.1"), float("12345678.1234")]  # the float of the exact digits
    # a bigint beyond float64's exact range is refused as too large (see the finding below), not wrapped
    assert pd.isna(b["qty_good"].iloc[0]) and b["qty_good"].iloc[1] == 0.0
    assert b["qty_scrap"].iloc[0] == 0.3 and pd.isna(b["qty_scrap"].iloc[1])
    assert b["status"].iloc[0] == "true" and b["uom"].iloc[0] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert b[["site", "status", "uom"]].iloc[1].isna().all()
    info = ds.sources["batches"]
    assert info["format"] == "sql" and info["rows"] == 2 and info["url_env"] == "BATCHKIT_TEST_PG"
    assert info["url"] == postgres.url().replace(postgres.url().split(":")[2].split("@")[0], "***")
    found = batchkit.validate(ds)
    assert found[["check", "table", "row", "column"]].to_dict("records")[:1] == [
        {"check": "number_too_large", "table": "batches", "row": 1, "column": "qty_good"}]


def test_a_big_result_is_fetched_in_batches_quickly(postgres):
    n = 200_000
    execute(
        postgres.url(),
        "DROP TABLE IF EXISTS big_issues",
        "CREATE TABLE big_issues AS SELECT 'B' || mod(i, 1000) AS batch_id, 'M1' AS material_id, 'L1' AS lot_id, "
        "mod(i, 97)::numeric(12,4) + 0.125 AS qty, 1.5::numeric(12,4) AS unit_cost, "
        f"DATE '2026-01-01' + mod(i, 28) AS date, i AS doc_id FROM generate_series(1, {n}) AS i")
    params = Params.model_validate({"sources": {"material_issues": {
        "url": postgres.url(), "query": "SELECT * FROM big_issues"}}})
    t0 = time.perf_counter()
    ds = batchkit.load_dataset(None, params)
    seconds = time.perf_counter() - t0
    mi = ds["material_issues"]
    assert len(mi) == n and mi["qty"].sum() == pytest.approx(sum((i % 97) + 0.125 for i in range(1, n + 1)))
    assert mi["doc_id"].iloc[:3].tolist() == ["1", "2", "3"]
    assert seconds < 15, f"{n:,} rows took {seconds:.1f} s"
    print(f"\n{n:,} rows from PostgreSQL loaded and typed in {seconds:.2f} s")


# ------------------------------------------------------------------ secrets


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchkit", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


def _leaks(text: str) -> list[str]:
    """Any trace of the password: raw, URL-escaped, or a distinctive part of it."""
    return [s for s in (PASSWORD, "s3cret", "Zq7-") if s in text]


def _assert_no_leak(folder: Path, *streams: str) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert not _leaks(path.read_bytes().decode("utf-8", "replace")), path
    for text in streams:
        assert not _leaks(text), text


@pytest.mark.parametrize("how", ["url_env", "url"])
def test_the_password_is_in_no_output_log_or_message(plant_db, tmp_path, how):
    env = {"PLANT_DB": plant_db}
    sources = sql_sources(how, "PLANT_DB" if how == "url_env" else plant_db)
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"sources": sources}))
    out = tmp_path / "outputs" / "2026-01"
    ok = _cli("cost", "--period", "2026-01", "--out", str(out), "--params", str(params), env=env)
    assert ok.returncode == 0, ok.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    shown = manifest["inputs"][0]["url"]
    assert shown.startswith("postgresql+psycopg://postgres:***@127.0.0.1:") and shown.endswith("/plant")
    if how == "url":
        assert manifest["params"]["sources"]["batches"]["url"] == shown
    else:
        assert manifest["params"]["sources"]["batches"]["url_env"] == "PLANT_DB"
    verified = _cli("verify", str(out), env=env)
    assert verified.returncode == 0, verified.stderr
    assert f"  skipped    input batches: not re-read: SQL source {shown}" in verified.stdout
    reread = _cli("verify", str(out), "--reread", env=env)
    if how == "url_env":
        assert reread.returncode == 0, reread.stdout
        assert f"  ok         input batches: SQL source {shown}" in reread.stdout
    else:
        assert "cannot re-read SQL source" in reread.stdout and reread.returncode == 0
    # failures print and log the masked URL only: a wrong password, a bad query
    wrong = {**sources, "batches": {**sources["batches"]}}
    if how == "url":
        wrong["batches"]["url"] = plant_db.replace("s3cret", "s4cret")
    else:
        env["PLANT_DB"] = plant_db.replace("s3cret", "s4cret")
    params.write_text(yaml.safe_dump({"sources": wrong}))
    bad_login = _cli("cost", "--period", "2026-01", "--out", str(out), "--params", str(params), env=env)
    assert bad_login.returncode == 1
    assert bad_login.stderr.startswith(f"error: batches: the SQL source {shown} failed: (psycopg.OperationalError) "
                                       "connection failed: ")
    assert 'password authentication failed for user "postgres"' in bad_login.stderr
    env["PLANT_DB"] = plant_db
    sources["rates"]["query"] = "SELECT * FROM rates_typo"
    params.write_text(yaml.safe_dump({"sources": sources}))
    bad_query = _cli("cost", "--period", "2026-01", "--out", str(out), "--params", str(params), env=env)
    assert bad_query.returncode == 1
    assert bad_query.stderr == (f"error: rates: the SQL source {shown} failed: (psycopg.errors.UndefinedTable) "
                                'relation "rates_typo" does not exist (and 1 more error: run `batchkit validate` '
                                "to list them)\n")
    listed = _cli("validate", "--params", str(params), "--json", env=env)
    _assert_no_leak(tmp_path / "outputs", ok.stdout, ok.stderr, verified.stdout, reread.stdout, reread.stderr,
                    bad_login.stdout, bad_login.stderr, bad_query.stderr, listed.stdout, listed.stderr)
    log = [json.loads(line) for line in (tmp_path / "outputs" / "run.log").read_text().splitlines()]
    assert [r["status"] for r in log] == ["ok", "data_error", "data_error"]


def test_a_missing_url_env_names_the_variable(tmp_path):
    params = Params.model_validate({"sources": {"batches": {"url_env": "NO_SUCH_BATCHKIT_VAR",
                                                            "query": "SELECT 1"}}})
    found = batchkit.validate(batchkit.load_dataset(None, params))
    assert found.loc[0, "message"] == ("batches: environment variable NO_SUCH_BATCHKIT_VAR (params "
                                       "sources.batches.url_env) is not set; set it to the database URL")


def test_query_returning_a_column_twice_is_refused(postgres):
    params = Params.model_validate({"sources": {"batches": {"url": postgres.url(),
                                                            "query": "SELECT 1 AS batch_id, 2 AS batch_id"}}})
    found = batchkit.validate(batchkit.load_dataset(None, params))
    assert found.loc[0, ["check", "table", "column"]].tolist() == ["duplicate_column", "batches", "batch_id"]


def test_masking_covers_query_parameters_and_escaped_passwords():
    from batchkit.core.redact import mask_url, scrub

    url = "postgresql+psycopg://u:p%40ss@h:5/db?sslmode=require&password=top"
    assert mask_url(url) == "postgresql+psycopg://u:***@h:5/db?password=***&sslmode=require"
    assert scrub(f"failed for {url}: bad p@ss / p%40ss / top", url) == \
        f"failed for {mask_url(url)}: bad *** / *** / ***"
    assert mask_url("not a url") == "<unparseable url>"


def test_missing_server_binaries_fail_loudly_with_the_fix(tmp_path, monkeypatch):
    from tests.pg import PostgresUnavailable, find_bindir

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresUnavailable, match=r"run scripts/system-deps.sh .* or set BATCHKIT_SKIP_POSTGRES=1"):
        find_bindir(tmp_path)
    (tmp_path / "13" / "bin").mkdir(parents=True)
    (tmp_path / "13" / "bin" / "initdb").touch()
    (tmp_path / "9" / "bin").mkdir(parents=True)
    (tmp_path / "9" / "bin" / "initdb").touch()
    assert find_bindir(tmp_path) == tmp_path / "13" / "bin"  # the newest version, by number
