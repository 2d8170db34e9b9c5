"""Transaction tables the engine reads itself (`sources.TABLE.path:`), typed and checked there, on DuckDB.

The invariant: the same Parquet files cost the same whether this process loads
them (`ingest.load`) or the engine reads them (`ingest.on_engine`), and the
engine's checks (`checks.on_engine`) find what the loader's checks find in
them. The demo plant's figures are derived by hand elsewhere
(tests/test_sqlmodel_equal.py ties the SQL model to them); here both sides run
the same model, so every table must be equal, frame for frame. The Spark side
of the same is in tests/test_spark_engine_read.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml
from pydantic import ValidationError

import batchkit
from batchkit.core.hashing import sha256_file
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql.errors import SqlModelError
from batchkit.demo import write_demo
from tests.test_cli import batchkit as cli

ENGINE_READ = ("material_issues", "operations", "direct_costs")
PERIOD = "2026-06"
# the codes checks.on_engine reports, and those whose value is the same text on both sides (IDs)
ENGINE_CODES = {"non_numeric", "bad_date", "missing_value", "number_too_large", "negative_value", "id_normalized",
                "invalid_id", "orphan", "duplicate_doc", "ambiguous_lot", "unknown_lot", "no_unit_cost",
                "net_negative_issue", "consumed_before_start", "consumes_no_output"}
SAME_VALUE = {"id_normalized", "invalid_id", "orphan", "duplicate_doc", "ambiguous_lot", "unknown_lot"}


@pytest.fixture(scope="module")
def plant(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plant")
    write_demo(folder, batches=300, fmt="parquet")
    return folder


def split(plant: Path, into: Path, change: dict[str, pa.Table] | None = None) -> tuple[Path, Path, dict]:
    """(the whole folder, a folder of master data alone, sources naming a lake folder per transaction table):
    the same files, read either way. `change` replaces a table's rows on both sides."""
    whole, master, lake = into / "whole", into / "master", into / "lake"
    for d in (whole, master, lake):
        d.mkdir(parents=True)
    sources = {}
    for f in sorted(plant.glob("*.parquet")):
        table = (change or {}).get(f.stem) or pq.read_table(f)
        pq.write_table(table, whole / f.name)
        if f.stem in ENGINE_READ:
            (lake / f.stem).mkdir()
            half = table.num_rows // 2  # two files: a folder is read whole
            pq.write_table(table.slice(0, half), lake / f.stem / "part-0.parquet")
            pq.write_table(table.slice(half), lake / f.stem / "part-1.parquet")
            sources[f.stem] = {"path": str(lake / f.stem)}
        else:
            pq.write_table(table, master / f.name)
    return whole, master, sources


def both(whole: Path, master: Path, sources: dict, **params) -> tuple:
    """(loaded dataset, its params), (engine-read dataset, its params)."""
    loaded = Params.model_validate(params)
    read = Params.model_validate({**params, "sources": sources})
    return (batchkit.load_dataset(whole, loaded), loaded), (batchkit.load_dataset(master, read), read)


def costed(ds, params) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    with sqlmodel.Engine(threads=1) as engine:
        tables = sqlmodel.cost_tables(ds, PERIOD, params, engine=engine)
        return tables, sqlmodel.engine_findings(ds, engine)


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_the_plant_costs_the_same_when_the_engine_reads_its_transactions(plant, tmp_path):
    whole, master, sources = split(plant, tmp_path)
    (loaded, lp), (read, rp) = both(whole, master, sources)
    assert read.engine_read == ENGINE_READ and not any(t in read.tables for t in ENGINE_READ)
    expected, _ = costed(loaded, lp)
    got, found = costed(read, rp)
    assert_same_tables(expected, got)
    assert len(got["batch_summary"]) > 150 and len(got["allocation_ledger"])  # not vacuous
    # the demo plant's IDs written loosely (b2602000098, B2603-000182): the loader reports each as
    # id_normalized, and so does the engine, value for value
    mine = set(found.loc[found["check"] == "id_normalized", "value"])
    theirs = batchkit.validate(loaded)
    theirs = set(theirs.loc[(theirs["check"] == "id_normalized") & theirs["table"].isin(ENGINE_READ), "value"])
    assert mine and mine == theirs
    assert (found["severity"] != "error").all()


def test_a_hostile_header_and_decimal_columns_are_read_as_the_loader_reads_them(plant, tmp_path):
    # qty under a header with a quote, a backtick and a semicolon (mapped by params), unit_cost as DECIMAL(18,4)
    # and labor_hours as text: quoted as an identifier, never spliced; the costs do not change
    weird = 'Menge "x"`; DROP TABLE in_batches; --'
    mi = pq.read_table(plant / "material_issues.parquet")
    mi = mi.rename_columns([weird if n == "qty" else n for n in mi.column_names])
    mi = mi.set_column(mi.column_names.index("unit_cost"), "unit_cost", mi["unit_cost"].cast(pa.decimal128(18, 4)))
    ops = pq.read_table(plant / "operations.parquet")
    ops = ops.set_column(ops.column_names.index("labor_hours"), "labor_hours",
                         pc.cast(ops["labor_hours"], pa.string()))
    _, master, sources = split(plant, tmp_path, {"material_issues": mi, "operations": ops})
    sources["material_issues"]["columns"] = {weird: "qty"}
    read_params = Params.model_validate({"sources": sources})
    expected, _ = costed(batchkit.load_dataset(plant, Params()), Params())
    got, found = costed(batchkit.load_dataset(master, read_params), read_params)
    assert_same_tables(expected, got)
    assert not (found["check"] == "non_numeric").any()


def bad_issues(plant: Path) -> pa.Table:
    """The demo's material issues with one planted defect per appended row (qty and date as text, so that a
    cell can fail to parse), each row a copy of the first with one thing wrong."""
    mi = pq.read_table(plant / "material_issues.parquet").to_pandas()
    mi["qty"] = mi["qty"].map(repr)
    mi["date"] = mi["date"].astype(str)
    mi["unit_cost"] = mi["unit_cost"].astype("float64")
    first = mi.iloc[0].to_dict()
    lot_of_batch = next(b for b in mi["lot_id"] if str(b).startswith("B"))  # a sub-assembly batch's ID
    planted = [
        {"qty": "abc", "doc_id": "X1"},  # non_numeric
        {"date": "2026-13-45", "doc_id": "X2"},  # bad_date
        {"batch_id": None, "doc_id": "X3"},  # missing_value
        {"unit_cost": -1.5, "doc_id": "X4"},  # negative_value
        {"qty": "2e13", "doc_id": "X5"},  # number_too_large
        {"doc_id": first["doc_id"]},  # duplicate_doc
        {"batch_id": "B9999999999", "doc_id": "X6"},  # orphan
        {"batch_id": "B#1", "doc_id": "X7"},  # invalid_id (and orphan)
        {"lot_id": "L-NOPE", "unit_cost": None, "doc_id": "X8"},  # no_unit_cost
        {"lot_id": "L-ELSEWHERE", "unit_cost": 1.0, "doc_id": "X9"},  # unknown_lot
        {"lot_id": first["lot_id"], "qty": "-1000000.0", "doc_id": "X10"},  # net_negative_issue
        {"lot_id": lot_of_batch, "date": "2020-01-01", "doc_id": "X11"},  # consumed_before_start
    ]
    rows = pd.DataFrame([{**first, **p} for p in planted])
    return pa.Table.from_pandas(pd.concat([mi, rows], ignore_index=True), preserve_index=False)


def rows_said(message: str) -> int:
    """The row count an engine finding ends with: '(3 rows)'."""
    found = re.search(r"\(([\d,]+) rows?\)$", message)
    return int(found.group(1).replace(",", "")) if found else 0


def test_the_engine_finds_what_the_loader_finds_and_refuses_to_cost(plant, tmp_path):
    whole, master, sources = split(plant, tmp_path, {"material_issues": bad_issues(plant)})
    (loaded, _), (read, rp) = both(whole, master, sources)
    theirs = batchkit.validate(loaded)
    theirs = theirs[theirs["table"].isin(ENGINE_READ) & theirs["check"].isin(ENGINE_CODES)]
    with sqlmodel.Engine(threads=1) as engine:
        with pytest.raises(SqlModelError, match=r"blocking data error\(s\) in the tables the engine reads"):
            sqlmodel.cost_tables(read, PERIOD, rp, engine=engine)
        mine = sqlmodel.engine_findings(read, engine)
    key = ["severity", "check", "table", "column"]
    assert set(map(tuple, mine[key].to_numpy())) == set(map(tuple, theirs[key].to_numpy()))
    # every planted defect is found (12 rows, 13 kinds: B#1 is also an orphan)
    assert {"non_numeric", "bad_date", "missing_value", "negative_value", "number_too_large", "duplicate_doc",
            "orphan", "invalid_id", "no_unit_cost", "unknown_lot", "net_negative_issue",
            "consumed_before_start"} <= set(mine["check"])
    for code in SAME_VALUE & set(mine["check"]):
        assert set(mine.loc[mine["check"] == code, "value"]) == set(theirs.loc[theirs["check"] == code, "value"]), code
    # one engine finding per value with its row count; the loader's one per row: the same rows in all (a
    # net return is one finding per batch and lot on both sides)
    for (check, column), group in mine.groupby(["check", "column"]):
        said = sum(rows_said(m) for m in group["message"])
        assert said == len(theirs[(theirs["check"] == check) & (theirs["column"] == column)]), (check, column)
    assert mine["row"].isna().all()  # a lake table has no row order: the value names the row
    # each message names its table and where the engine read it
    assert all(m.startswith(f"{t} ({tmp_path / 'lake' / t}) column ")
               for t, m in zip(mine["table"], mine["message"], strict=True))


@pytest.mark.parametrize("sources, engine, complaint", [
    ({"batches": {"path": "b/"}}, "duckdb", "only the transaction tables"),
    ({"operations": {"spark_table": "erp.operations"}}, "duckdb", "needs engine.name: spark"),
    ({"operations": {"path": "ops/", "file": "ops.csv"}}, "duckdb", "give no file"),
    ({"operations": {"path": "ops/", "spark_table": "erp.operations"}}, "spark", "either path or spark_table"),
])
def test_params_refuse_what_the_engine_cannot_read(sources, engine, complaint):
    with pytest.raises(ValidationError, match=complaint):
        Params.model_validate({"sources": sources, "engine": {"name": engine}})


def test_a_missing_lake_folder_is_one_line_naming_the_table(plant, tmp_path):
    _, master, sources = split(plant, tmp_path)
    sources["operations"] = {"path": str(tmp_path / "nowhere")}
    params = Params.model_validate({"sources": sources})
    ds = batchkit.load_dataset(master, params)
    with sqlmodel.Engine(threads=1) as engine, pytest.raises(Exception, match="operations") as info:
        sqlmodel.cost_tables(ds, PERIOD, params, engine=engine)
    assert "\n" not in str(info.value) and "nowhere" in str(info.value)


# ---------------------------------------------------------------------- the command line, whole processes

CORE_FILES = [f"{t}.{ext}" for t in ("absorption", "allocation_ledger", "batch_costs", "batch_summary",
                                     "reconciliation", "variances") for ext in ("csv", "parquet")]


def params_file(path: Path, sources: dict) -> Path:
    path.write_text(yaml.safe_dump({"period": PERIOD, **({"sources": sources} if sources else {})}))
    return path


def test_batchkit_cost_writes_the_core_tables_and_says_which_analytics_it_leaves_out(plant, tmp_path):
    whole, master, sources = split(plant, tmp_path)
    loaded = cli("cost", str(whole), "--out", str(tmp_path / "loaded"), "--params",
                 str(params_file(tmp_path / "loaded.yaml", {})))
    read = cli("cost", str(master), "--out", str(tmp_path / "read"), "--params",
               str(params_file(tmp_path / "read.yaml", sources)))
    assert loaded.returncode == 0 and read.returncode == 0, loaded.stderr + read.stderr
    # the cost tables are the same bytes, whoever read the transactions
    for name in CORE_FILES:
        assert sha256_file(tmp_path / "read" / name) == sha256_file(tmp_path / "loaded" / name), name
    # the analytics that read transaction rows here are not written as figures without them, and it says so
    manifest = json.loads((tmp_path / "read" / "manifest.json").read_text())
    assert set(manifest["not_computed"]) == {"batch_anomalies", "quality_cost", "kpis"}
    assert not (tmp_path / "read" / "kpis.csv").exists() and (tmp_path / "loaded" / "kpis.csv").exists()
    assert "kpis: not computed" in read.stdout
    # the engine's findings are in data_quality: the loosely written IDs of the transaction tables
    dq = pd.read_csv(tmp_path / "read" / "data_quality.csv", keep_default_na=False)
    assert {"material_issues", "operations", "direct_costs"} <= set(dq.loc[dq["check"] == "id_normalized", "table"])
    # the manifest names every file the engine read, hashed; verify re-hashes them and sees a part added later
    entry = next(i for i in manifest["inputs"] if i["table"] == "operations")
    assert entry["read_by"] == "engine" and [Path(f["path"]).name for f in entry["files"]] == \
        ["part-0.parquet", "part-1.parquet"]
    assert entry["rows"] == pq.read_table(plant / "operations.parquet").num_rows
    assert cli("verify", str(tmp_path / "read")).returncode == 0
    pq.write_table(pq.read_table(plant / "operations.parquet").slice(0, 1),
                   tmp_path / "lake" / "operations" / "part-2.parquet")
    late = cli("verify", str(tmp_path / "read"))
    assert late.returncode != 0 and "part-2.parquet" in late.stdout


def test_batchkit_validate_lists_the_engines_findings_and_fails_on_its_errors(plant, tmp_path):
    _, master, sources = split(plant, tmp_path, {"material_issues": bad_issues(plant)})
    proc = cli("validate", str(master), "--json", "--params", str(params_file(tmp_path / "p.yaml", sources)))
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert {"non_numeric", "duplicate_doc", "no_unit_cost"} <= {f["check"] for f in found if f["row"] is None}
    cost = cli("cost", str(master), "--out", str(tmp_path / "out"), "--params", str(tmp_path / "p.yaml"))
    assert cost.returncode == 1 and cost.stderr.count("\n") == 1 and "Traceback" not in cost.stderr
    assert not (tmp_path / "out").exists()  # nothing partial


@pytest.mark.parametrize("command", [["run", "--formats", "html"], ["trace", "L-NOPE"]])
def test_commands_that_read_rows_here_refuse_engine_read_sources_in_one_line(plant, tmp_path, command):
    _, master, sources = split(plant, tmp_path)
    params = str(params_file(tmp_path / "p.yaml", sources))
    proc = cli(*command, "--data", str(master), "--params", params, *(["--out", str(tmp_path / "out")]
                                                                       if command[0] == "run" else []))
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1, proc.stderr
    assert "the engine read them" in proc.stderr and "batchkit cost" in proc.stderr
