"""`cost` runs the SQL model on a worker thread while the checks run (costing.overlap): the same tables and
findings as validating first, the same DataError on bad data, and an interrupt stops the engine."""

from __future__ import annotations

import threading
import time

import pytest

import batchkit
from batchkit.checks.run import validate
from batchkit.core.errors import DataError, Interrupted
from batchkit.core.params import Params
from batchkit.costing import overlap, workspace
from batchkit.costing.engine import cost
from batchkit.costing.sql.errors import SqlModelError

END_BEFORE_START = """
    batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
    S1,SUB-A,catheters,SZ,2026-01-02,2026-01-10,100,90,10
    F1,CATH-1,catheters,SZ,2026-01-12,2026-01-05,50,48,2
    F2,CATH-1,catheters,SZ,2026-01-15,,40,0,0
"""


def _no_worker_left() -> bool:
    return not any(t.name == "batchkit-cost" and t.is_alive() for t in threading.enumerate())


def test_overlapped_tables_and_findings_equal_those_of_validating_first(make_data):
    folder = make_data()
    together = batchkit.load_dataset(folder, Params())
    first = cost(together, "2026-01", Params())
    in_turn = batchkit.load_dataset(folder, Params())
    validate(in_turn)  # findings cached: cost() then runs the model after them, as before the overlap
    second = cost(in_turn, "2026-01", Params())
    for name, frame in first.tables.items():
        assert frame.equals(second.tables[name]), name
    assert _no_worker_left()


def test_a_blocking_error_found_meanwhile_raises_it_and_closes_the_engine(make_data):
    folder = make_data(batches=END_BEFORE_START)
    expected = validate(batchkit.load_dataset(folder, Params())).iloc[0]  # F1 ends before it starts
    ds = batchkit.load_dataset(folder, Params())
    with pytest.raises(DataError) as err:
        cost(ds, "2026-01", Params())
    assert (err.value.table, err.value.row, err.value.column) == ("batches", 3, "end_date")
    assert expected["message"] in str(err.value)
    assert workspace._KEY not in ds.cache  # the half-built session went with its engine
    assert _no_worker_left()


def test_an_interrupt_during_the_checks_stops_the_engine(make_data, monkeypatch):
    ds = batchkit.load_dataset(make_data(), Params())
    engine = workspace.engine_for(ds, Params())

    def interrupted_checks(_ds):
        deadline = time.monotonic() + 30
        while not engine.log and time.monotonic() < deadline:  # strike once the model has started
            time.sleep(0.001)
        raise Interrupted(2, "SIGINT")

    monkeypatch.setattr(overlap, "validate", interrupted_checks)
    with pytest.raises(Interrupted):
        cost(ds, "2026-01", Params())
    assert engine.stopped and workspace._KEY not in ds.cache
    assert _no_worker_left()
    monkeypatch.undo()
    again = cost(ds, "2026-01", Params())  # a fresh engine: the stopped one is not reused
    assert ds.cache[workspace._KEY] is not engine and len(again.batch_summary) == 3


def test_the_models_own_failure_on_clean_data_is_raised(make_data, monkeypatch):
    ds = batchkit.load_dataset(make_data(), Params())

    def failing(*args, **kwargs):
        raise SqlModelError("allocation", "a product past 64 bits")

    monkeypatch.setattr(overlap, "cost_tables", failing)
    with pytest.raises(SqlModelError, match="past 64 bits"):
        cost(ds, "2026-01", Params())
    assert _no_worker_left()
