"""A what-if keeps each pool's split per basis (`costing.sql.reallocation`): kept splits give fresh answers.

A session that switches pools' bases back and forth, and then mixes splits kept from two earlier
configurations, must give exactly what a fresh session computes for each configuration (every batch's total
and every allocation, to the cent), and a cost run after the what-ifs exactly what it gives on a fresh
session. The plant is the demo generator's (every table, scopes, sub-assemblies on two levels), whose
figures the other tests derive; here the invariant is "kept = recomputed".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import batchkit
from batchkit import analyze
from batchkit.core.params import Allocation, Params
from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql import reallocation
from batchkit.demo import write_demo
from batchkit.engine.spark import SparkEngine, java_available

PERIOD = "2026-06"
BASE = {"default_basis": "machine_hours",
        "by_cost_element": {"depreciation": "machine_hours", "energy": "material_cost", "overhead": "labor_hours",
                            "quality": "good_units", "cleanroom": "started_units",
                            "sterilization_overhead": "driver:sterilization_load_m3"}}
SWITCHED = {"default_basis": "equal",
            "by_cost_element": {**BASE["by_cost_element"], "energy": "started_units", "overhead": "direct_cost"}}
# energy as SWITCHED, overhead back as BASE: each pool's split is kept already, from two different configurations
MIXED = {**BASE, "by_cost_element": {**BASE["by_cost_element"], "energy": "started_units"}}
SEQUENCE = (BASE, SWITCHED, BASE, MIXED, SWITCHED)
PARAMS = Params.model_validate({"allocation": BASE})


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plant")
    write_demo(folder, batches=120)
    return folder


def figures(t: sqlmodel.Totals) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """A Totals as sorted records: (batch code, total) and (pool row, batch code, cents)."""
    return (sorted(zip(t.code.tolist(), t.total.tolist(), strict=True)),
            sorted(zip(t.pool_idx.tolist(), t.alloc_code.tolist(), t.cents.tolist(), strict=True)))


def fresh(folder, rules: Allocation) -> sqlmodel.Totals:
    with sqlmodel.Engine(threads=1) as engine:
        session = sqlmodel.open_session(batchkit.load_dataset(folder, PARAMS), engine)
        return sqlmodel.totals(session, rules, PERIOD, PARAMS)


@pytest.mark.parametrize("max_parts", [reallocation.MAX_PARTS, 1])  # 1: kept splits are dropped and begin again
def test_switching_bases_back_and_forth_gives_what_a_fresh_session_gives(plant, max_parts, monkeypatch):
    monkeypatch.setattr(reallocation, "MAX_PARTS", max_parts)
    ds = batchkit.load_dataset(plant, PARAMS)
    with sqlmodel.Engine(threads=1) as engine:
        session = sqlmodel.open_session(ds, engine)
        seen: dict[str, sqlmodel.Totals] = {}
        for config in SEQUENCE:
            rules = Allocation.model_validate(config)
            before = len(engine.log)
            got = sqlmodel.totals(session, rules, PERIOD, PARAMS)
            steps = [st.step for st in engine.log[before:]]
            key = rules.model_dump_json()
            if max_parts > 1 and (key in seen or config is MIXED):  # every (pool, basis) was split: none again
                assert "split_cand" not in steps and "cand" not in steps, steps
            assert figures(got) == figures(fresh(plant, rules))
            assert got.cents.sum() and not np.array_equal(got.total, np.zeros_like(got.total))  # not vacuous
            seen[key] = got
            assert len({*session.kept.part}) <= max_parts
        assert figures(seen[Allocation.model_validate(BASE).model_dump_json()]) != \
            figures(seen[Allocation.model_validate(SWITCHED).model_dump_json()])
        # a cost run after the what-ifs (its allocation tables were left for another configuration)
        after = sqlmodel.cost_tables(ds, PERIOD, PARAMS, engine=engine)
    with sqlmodel.Engine(threads=1) as engine:
        expected = sqlmodel.cost_tables(batchkit.load_dataset(plant, PARAMS), PERIOD, PARAMS, engine=engine)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(after[name], frame, check_exact=True, obj=name)


def test_whatif_calls_on_one_dataset_equal_each_call_on_a_fresh_one(plant):
    ds = batchkit.load_dataset(plant, PARAMS)
    calls = ({"base": {}, "switched": SWITCHED}, {"base": {}, "mixed": MIXED}, {"switched": SWITCHED, "base": {}})
    for configs in calls:
        got = analyze.whatif(ds, configs, PERIOD, PARAMS)
        expected = analyze.whatif(batchkit.load_dataset(plant, PARAMS), configs, PERIOD, PARAMS)
        for name in ("unit_costs", "total_costs", "movers", "items", "sensitivity"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), check_exact=True, obj=name)
        assert len(got.sensitivity) and got.sensitivity.iloc[:, -1].abs().sum() > 0  # something moved


@pytest.mark.spark
@pytest.mark.skipif(not java_available(), reason="no Java: a local Spark needs openjdk-17-jre-headless")
def test_kept_splits_give_the_same_totals_on_spark(plant):
    ds = batchkit.load_dataset(plant, PARAMS)
    with SparkEngine() as spark:
        session = sqlmodel.open_session(ds, spark)
        for config in (BASE, SWITCHED, MIXED):
            rules = Allocation.model_validate(config)
            assert figures(sqlmodel.totals(session, rules, PERIOD, PARAMS)) == figures(fresh(plant, rules))
