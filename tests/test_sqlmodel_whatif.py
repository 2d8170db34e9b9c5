"""`sqlmodel.allocate` alone, for a what-if: other rules re-run only the allocation statements.

Expected allocations are the numpy engine's (`batchkit.allocation.allocate_all`, whose own tests derive
its figures by hand) on the plant of tests/test_allocation.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from batchkit import load_dataset
from batchkit.core.params import Allocation, Params
from batchkit.costing import sql as sqlmodel
from batchkit.ledger.allocation import allocate_all
from batchkit.ledger.postings import post
from tests.test_allocation import BASES, PLANT

RULES = (Allocation.model_validate({"by_pool": BASES}),
         Allocation.model_validate({"default_basis": "equal", "by_cost_element": {"overhead": "labor_hours"}}),
         Allocation.model_validate({"default_basis": "material_cost"}))
ALLOCATION_STEPS = {"pool", "cand", "pool_weight", "pool_weight check", "alloc", "allocation_ledger",
                    "ledger pools", "keys", "unallocated", "negative"}


@pytest.fixture
def ds(make_data):
    return load_dataset(make_data(base=PLANT), Params())


def numpy_ledger(ds, rules: Allocation) -> pd.DataFrame:
    p = post(ds)
    led = allocate_all(p, rules).ledger
    pools = p.pools.iloc[led["pool_idx"].to_numpy()]
    frame = pd.DataFrame({
        "pool_id": pools["pool_id"].to_numpy(), "period": pools["period"].to_numpy(),
        "batch_id": p.master["batch_id"].to_numpy()[led["code"].to_numpy()],
        "basis": led["basis"].to_numpy(), "basis_value": led["basis_value"].to_numpy(),
        "cents": led["cents"].to_numpy()})
    return frame.sort_values(["period", "pool_id", "batch_id"]).reset_index(drop=True)


def test_allocations_under_other_rules_equal_the_numpy_engine_and_rerun_only_the_allocation(ds):
    first = sqlmodel.allocate(ds, RULES[0])
    session = sqlmodel.open_session(ds)
    for rules in RULES:
        seen = len(session.engine.log)
        got = sqlmodel.allocate(session, rules)
        rerun = {st.step for st in session.engine.log[seen:]}
        assert rerun <= ALLOCATION_STEPS, rerun - ALLOCATION_STEPS  # no pricing, no basis sums again
        mine = got.ledger[["pool_id", "period", "batch_id", "basis", "basis_value", "cents"]].astype(
            {"pool_id": object, "period": object, "batch_id": object, "basis": object})
        pd.testing.assert_frame_equal(mine, numpy_ledger(ds, rules).astype(
            {"pool_id": object, "period": object, "batch_id": object, "basis": object}), check_exact=True)
        # every pool is either split to its amount or unallocated
        pools = post(ds).pools.set_index("pool_id")["cents"]
        split = got.ledger.groupby("pool_id")["cents"].sum()
        assert (split == pools[split.index]).all()
        assert set(split.index) | set(got.unallocated["pool_id"]) == set(pools.index)
    assert first.ledger.equals(sqlmodel.allocate(session, RULES[0]).ledger)


def test_the_same_rules_twice_run_nothing_new(ds):
    sqlmodel.allocate(ds, RULES[1])
    session = sqlmodel.open_session(ds)
    seen = len(session.engine.log)
    sqlmodel.allocate(session, RULES[1])
    assert {st.step for st in session.engine.log[seen:]} <= {"allocation_ledger", "ledger pools", "keys",
                                                             "unallocated", "negative"}
