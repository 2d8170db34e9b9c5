"""The trace index cache: reused while the inputs are unchanged, rebuilt as soon as they change."""

from __future__ import annotations

import os

import pytest

import batchkit
from batchkit.core.params import Params
from batchkit.tracing import cache as trace_cache
from batchkit.tracing import walk as trace_module
from tests.test_trace import PLANT


@pytest.fixture
def plant(make_data):
    return make_data(base=PLANT)


def keys(folder) -> list[str]:
    root = folder / ".batchkit-cache" / "trace"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def no_loading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the dataset was loaded although the cache is valid")

    monkeypatch.setattr(trace_module, "load_dataset", refuse)


def test_a_second_trace_reads_the_cache_instead_of_the_data(plant, monkeypatch):
    first = batchkit.trace(plant, "L-RES-01", params=Params())
    [key] = keys(plant)
    assert sorted(p.name for p in (plant / ".batchkit-cache" / "trace" / key).iterdir()) == ["2026-02",
                                                                                            "dataset.json"]
    no_loading(monkeypatch)
    again = batchkit.trace(plant, "L-RES-01", params=Params())
    assert again.to_json_dict() == first.to_json_dict()
    assert batchkit.trace(plant, "F1", direction="backward", params=Params()).cost_at_risk == 51.03


def test_a_changed_input_file_rebuilds_the_index_and_drops_the_old_one(plant):
    assert len(batchkit.trace(plant, "F1", params=Params()).shipments) == 2
    [old] = keys(plant)
    with open(plant / "shipments.csv", "a", encoding="utf-8") as fh:
        fh.write("F1,Clinic D,2026-02-09,1\n")
    r = batchkit.trace(plant, "F1", params=Params())
    assert r.shipments["customer"].tolist() == ["Hospital A", "Clinic B", "Clinic D"]
    [new] = keys(plant)
    assert new != old


def test_the_key_follows_modification_time_added_tables_and_params(plant):
    key = trace_cache.input_key(plant, Params())
    assert trace_cache.input_key(plant, Params()) == key
    stat = (plant / "batches.csv").stat()
    os.utime(plant / "batches.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    touched = trace_cache.input_key(plant, Params())
    assert touched != key
    (plant / "direct_costs.csv").write_text("batch_id,cost_element,amount,date\n")
    assert trace_cache.input_key(plant, Params()) not in (key, touched)
    rules = Params.model_validate({"batch_id": {"remove": "-"}})
    assert trace_cache.input_key(plant, rules) != trace_cache.input_key(plant, Params())


def test_each_period_has_its_own_index_under_one_key(plant, monkeypatch):
    batchkit.trace(plant, "F1", params=Params())
    assert batchkit.trace(plant, "F1", params=Params(), period="2026-01").shipments.empty
    [key] = keys(plant)
    assert {"2026-01", "2026-02"} <= {p.name for p in (plant / ".batchkit-cache" / "trace" / key).iterdir()}
    no_loading(monkeypatch)
    assert batchkit.trace(plant, "F1", params=Params()).period == "2026-02"  # remembered default period


def test_the_cache_can_be_turned_off(plant, monkeypatch):
    batchkit.trace(plant, "F1", params=Params(), cache=False)
    monkeypatch.setenv("BATCHKIT_NO_CACHE", "1")
    batchkit.trace(plant, "F1", params=Params())
    assert keys(plant) == []


def test_a_folder_that_cannot_hold_the_cache_is_traced_anyway(plant):
    (plant / ".batchkit-cache").write_text("not a folder")
    r = batchkit.trace(plant, "L-RES-01", params=Params())
    assert r.cost_at_risk == 135.00
    assert len(r.warnings) == 1 and r.warnings[0].startswith("trace cache not written (")
    assert r.warnings[0].endswith("the next trace reads the data again")


def test_a_refused_costing_is_remembered_with_its_reason(make_data, monkeypatch):
    data = make_data(base={**PLANT, "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        F1,assemble,WC1,two,1,2026-01-10
    """, "rates": "work_center,labor_rate,machine_rate\nWC1,40,20\n"})
    first = batchkit.trace(data, "S1", params=Params())
    no_loading(monkeypatch)
    again = batchkit.trace(data, "S1", params=Params())
    assert again.cost_at_risk is None and again.warnings == first.warnings and len(again.warnings) == 1
