"""Two lanes (`core.lanes`): the load's columns and tables and the cost folder's analytics on two threads must
give what one thread gives, findings in the same order, and must not swallow an error or an interrupt."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

import batchkit
from batchkit.core import lanes
from batchkit.core.params import Params
from batchkit.ingest import ids, load

from .conftest import run_cost


def sequential_strict(names, weight, job):
    """What `two_lanes` stands for: one thread, the given order, the first error raised."""
    return {name: job(name) for name in names}


def test_results_keep_the_callers_order_and_the_first_error_in_that_order_is_raised():
    started = []
    lock = threading.Lock()

    def job(name):
        with lock:
            started.append(name)
        time.sleep(0.01 * len(name))  # the lanes finish in another order than they were given
        if name in ("bad", "worse"):
            raise ValueError(f"{name} cell")
        return name.upper()

    names = ["a", "bbbb", "cc", "ddddd"]
    weights = {"a": 1, "bbbb": 4, "bad": 0, "worse": 0, "cc": 2, "ddddd": 5}
    got = lanes.two_lanes(names, weights.__getitem__, job)
    assert list(got) == names and list(got.values()) == ["A", "BBBB", "CC", "DDDDD"]
    assert sorted(started) == sorted(names)  # every job once
    assert set(started[:2]) == {"ddddd", "bbbb"}  # the two heaviest are taken first, one per lane
    assert started[-1] == "a"  # the lightest last

    started.clear()
    with pytest.raises(ValueError, match="bad cell"):  # "bad" comes before "worse" in the caller's order
        lanes.two_lanes(["a", "bad", "cc", "worse"], weights.__getitem__, job)
    assert sorted(started) == ["a", "bad", "cc", "worse"]  # the other jobs still ran


def test_an_interrupt_on_either_lane_is_raised_and_stops_the_queue():
    ran = []

    def job(name):
        ran.append(name)
        if name == "stop":
            raise KeyboardInterrupt
        time.sleep(0.05)
        return name

    names = ["stop"] + [f"j{i}" for i in range(20)]
    with pytest.raises(KeyboardInterrupt):
        lanes.two_lanes(names, lambda n: 1 if n == "stop" else 0, job)
    time.sleep(0.1)  # the other lane ends after the job in hand
    assert len(ran) < len(names)  # the queue was not worked through


MESSY = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        s1 ,SUB-A,catheters,SZ,2026-01-02,2026-01-10,100,90,10
        F1,CATH-1,catheters,SZ,2026/01/12,2026-01-25,50,48,2
        F2,CATH-1,catheters,SZ,2026-01-15,,forty,0,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,12.5,2026-01-02,D1
        f1,SUB-A,s1,45,,2026-01-12,D2

        F1 ,TUBE ,L-2,"1,500",0.125,12.01.2026,D3
        F2,SUB-A,S1,30,abc,2026-01-15,D4
        X9,TUBE,L-9,-5,0.125,2026-01-16,D5
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        s1,mold,WC1,2,3,2026-01-03
        F1,assemble,WC2,four,1,2026-01-13
        f2,assemble,WC2,1,1,2026/01/16
    """,
}


def test_a_messy_load_on_two_lanes_equals_the_load_on_one(make_data, monkeypatch):
    """Every column of every table on the lanes (TWO_LANES_ROWS 0) against one thread throughout: the same
    frames and the same findings, in the same order (bad numbers, dates, normalized IDs, blank rows)."""
    folder = make_data(**MESSY)
    monkeypatch.setattr(load, "TWO_LANES_ROWS", 0)
    two = batchkit.load_dataset(folder, Params())
    monkeypatch.setattr(load, "two_lanes", sequential_strict)
    monkeypatch.setattr(ids, "two_lanes", sequential_strict)
    one = batchkit.load_dataset(folder, Params())
    assert list(two.tables) == list(one.tables)
    for name in one.tables:
        pd.testing.assert_frame_equal(two.tables[name], one.tables[name])
    pd.testing.assert_frame_equal(two.findings, one.findings)
    checks = set(one.findings["check"])  # the comparison covers findings from several columns and tables
    assert {"id_normalized", "non_numeric", "number_format", "bad_date", "date_format", "blank_rows"} <= checks, checks
    assert len(one.findings) >= 8


def test_cost_folder_analytics_on_two_lanes_equal_one_thread(make_data, monkeypatch, tmp_path):
    """batch_anomalies, quality_cost and kpis computed on two lanes are the tables one thread computes."""
    from batchkit.store import cost_folder

    folder = make_data()
    got = {}
    for label in ("two", "one"):
        if label == "one":
            monkeypatch.setattr(cost_folder, "two_lanes", sequential_strict)
        result = run_cost(folder)
        cost_folder.add_analytics(result)
        got[label] = {name: result.tables[name] for name in ("batch_anomalies", "quality_cost", "kpis")}
        assert list(result.tables)[-3:] == ["batch_anomalies", "quality_cost", "kpis"]  # the contract's order
    for name, frame in got["one"].items():
        pd.testing.assert_frame_equal(got["two"][name], frame)
    assert len(got["one"]["kpis"]) > 0
