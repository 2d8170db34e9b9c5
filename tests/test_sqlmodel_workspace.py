"""The engine `batchkit.cost` runs on: params `engine:` (memory_limit, threads) and where it spills.

DuckDB's temp directory is the run's: inside the output's temporary folder for `batchkit cost` (so a crash
leaves at most the hidden sibling the next run removes), a temporary directory otherwise; closing the engine
removes it either way. The settings are read back from DuckDB itself.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import batchkit
from batchkit.core.errors import ParamsError
from batchkit.core.params import Params, load_params
from batchkit.costing import workspace
from batchkit.costing.engine import cost
from batchkit.store.cost_folder import cost_to_folder


def setting(engine, name: str) -> str:
    return str(engine.con.execute(f"SELECT current_setting('{name}')").fetchone()[0])


def test_defaults_are_three_quarters_of_memory_and_every_core():
    p = Params()
    assert (p.engine.memory_limit, p.engine.threads) == ("75%", None)


@pytest.mark.parametrize("value", ["lots", "0%", "120%", "8 parsecs", ""])
def test_a_bad_memory_limit_names_the_key(value):
    with pytest.raises(ParamsError) as err:
        load_params(None, {"engine.memory_limit": value})
    assert "engine.memory_limit" in str(err.value)


def test_the_engine_takes_the_params_and_spills_inside_the_given_folder(make_data, tmp_path):
    params = Params.model_validate({"engine": {"memory_limit": "1GB", "threads": 1}})
    ds = batchkit.load_dataset(make_data(), params)
    cost(ds, "2026-01", params, spill_parent=tmp_path)
    engine = ds.cache[workspace._KEY]
    assert setting(engine, "threads") == "1"
    # DuckDB reports 1GB (10^9 bytes) in binary units: 953.6 MiB
    assert setting(engine, "memory_limit") == "953.6 MiB"
    spill = tmp_path / workspace.SPILL_FOLDER
    assert Path(setting(engine, "temp_directory")) == spill
    spill.mkdir(exist_ok=True)
    (spill / "duckdb_temp_block-1.block").write_bytes(b"x")  # as if it had spilled
    workspace.close(ds)
    assert not spill.exists()
    assert workspace._KEY not in ds.cache and not any(isinstance(k, tuple) and k[0] == "sqlmodel" for k in ds.cache)


def test_without_an_output_folder_a_temporary_directory_removed_on_close(make_data):
    ds = batchkit.load_dataset(make_data(), Params())
    first = batchkit.cost(ds, "2026-01", Params())
    engine = ds.cache[workspace._KEY]
    spill = Path(setting(engine, "temp_directory"))
    assert spill.parent == Path(tempfile.gettempdir()) and spill.name.startswith("batchkit-engine-")
    assert spill.is_dir()
    again = batchkit.cost(ds, "2026-01", Params())  # the same engine and session: nothing priced again
    assert ds.cache[workspace._KEY] is engine
    assert again.batch_summary.equals(first.batch_summary)
    workspace.close(ds)
    assert not spill.exists()


def test_a_cost_folder_holds_no_spill_folder_and_leaves_no_sibling(make_data, tmp_path):
    out = tmp_path / "out"
    cost_to_folder(make_data(), "2026-01", out, Params())
    assert not (out / workspace.SPILL_FOLDER).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
