"""`sqlmodel.allocate` alone, for a what-if: other rules re-run only the allocation statements.

Expected allocations are derived here from the plant of tests/test_allocation.py: each basis per batch and
month is read off its docstring (`BASIS`, `WC_HOURS`), each pool's scope by hand (`SCOPE`), and the split is
the exact Fraction reference of tests/test_sqlmodel_allocation.py (largest remainder, ties to the smaller
batch_id).
"""

from __future__ import annotations

import pandas as pd
import pytest

from batchkit import load_dataset
from batchkit.core.params import Allocation, Params
from batchkit.costing import sql as sqlmodel
from batchkit.ledger.postings import post
from tests.test_allocation import BASES, PLANT
from tests.test_sqlmodel_allocation import reference

RULES = (Allocation.model_validate({"by_pool": BASES}),
         Allocation.model_validate({"default_basis": "equal", "by_cost_element": {"overhead": "labor_hours"}}),
         Allocation.model_validate({"default_basis": "material_cost"}))
ALLOCATION_STEPS = {"pool", "cand", "pool_weight", "pool_weight check", "alloc", "allocation_ledger",
                    "ledger pools", "keys", "unallocated", "negative"}


@pytest.fixture
def ds(make_data):
    return load_dataset(make_data(base=PLANT), Params())


# Each basis per batch in each month (the batches active then: only A in January, A, B, C in February):
# January: A has 5 labor and 5 machine hours on WC1 and issues 2 x 10.00 = 20.00, starts 100 and completes nothing.
# February: hours A 1 labor / 2 machine, B 3 / 4, C 2 / 2; material A 100.00, B 50.00, C 250.00 - 50.00;
# direct A 30.00, C 10.00; A and C complete 90 and 150 good; drivers A 2.5, C 7.5.
BASIS = {
    "2026-01": {"labor_hours": {"A": 5}, "machine_hours": {"A": 5}, "material_cost": {"A": 20.0},
                "direct_cost": {}, "good_units": {}, "started_units": {"A": 100}, "equal": {"A": 1},
                "driver:sterilization_load_m3": {}},
    "2026-02": {"labor_hours": {"A": 1, "B": 3, "C": 2}, "machine_hours": {"A": 2, "B": 4, "C": 2},
                "material_cost": {"A": 100.0, "B": 50.0, "C": 200.0}, "direct_cost": {"A": 30.0, "C": 10.0},
                "good_units": {"A": 90, "C": 150}, "started_units": {"A": 100, "B": 50, "C": 200},
                "equal": {"A": 1, "B": 1, "C": 1}, "driver:sterilization_load_m3": {"A": 2.5, "C": 7.5}},
}
# February hours on WC2 (the only work-center scope): labor C 2 (B books none there), machine B 4, C 2
WC_HOURS = {"labor_hours": {"C": 2}, "machine_hours": {"B": 4, "C": 2}}
# who may take each pool: line L1 = A, B; line L2 = C (D starts in March); site S1 = A, C; site S3 = nobody;
# a WC2 scope on another basis admits the batches with hours on WC2 in the period: B, C
SCOPE = {"P4": {"A", "B"}, "P5": {"A", "C"}, "P7": {"C"}, "P9": set(), "P10": {"A", "B"}, "P2": {"B", "C"},
         "P11": {"B", "C"}}
POOLS = {"P0": ("overhead", "2026-01", 5000), "P1": ("overhead", "2026-02", 10000),
         "P2": ("energy", "2026-02", 10000), "P3": ("quality", "2026-02", 10000),
         "P4": ("cleanroom", "2026-02", 10000), "P5": ("depreciation", "2026-02", 10000),
         "P6": ("outsourcing_oh", "2026-02", 10000), "P7": ("overhead", "2026-02", 10000),
         "P8": ("steri_oh", "2026-02", 10000), "P9": ("overhead", "2026-02", 10000),
         "P10": ("overhead", "2026-02", 1), "P11": ("quality", "2026-02", 10000)}


def expected_ledger(rules: Allocation) -> pd.DataFrame:
    rows = []
    for pool_id, (element, period, cents) in POOLS.items():
        basis = rules.basis_for(pool_id, element)
        values = BASIS[period][basis]
        if pool_id == "P2" and basis in WC_HOURS:  # hours on the pool's work center only
            values = WC_HOURS[basis]
        takers = {b: v for b, v in values.items() if pool_id not in SCOPE or b in SCOPE[pool_id]}
        # weights as integers (tenths cover 2.5); batch codes rank like the batch_ids
        shares = reference(cents, {"ABCD".index(b): round(v * 10) for b, v in takers.items()})
        rows += [(pool_id, period, b, basis, float(v), shares["ABCD".index(b)]) for b, v in sorted(takers.items())]
    frame = pd.DataFrame(rows, columns=["pool_id", "period", "batch_id", "basis", "basis_value", "cents"])
    return frame.sort_values(["period", "pool_id", "batch_id"]).reset_index(drop=True)


def test_the_hand_derivation_gives_the_by_hand_figures_of_test_allocation():
    led = expected_ledger(RULES[0]).set_index(["pool_id", "batch_id"])["cents"]
    # P1 labor 1/3/2 of 100.00: 16.67, 50.00, 33.33; P5 material in S1: 33.33, 66.67; P10 one cent to A
    assert led["P1"].tolist() == [1667, 5000, 3333]
    assert led["P5"].tolist() == [3333, 6667]
    assert led["P10"].tolist() == [1, 0]


def test_allocations_under_other_rules_are_the_hand_derived_ones_and_rerun_only_the_allocation(ds):
    first = sqlmodel.allocate(ds, RULES[0])
    session = sqlmodel.open_session(ds)
    for rules in RULES:
        seen = len(session.engine.log)
        got = sqlmodel.allocate(session, rules)
        rerun = {st.step for st in session.engine.log[seen:]}
        assert rerun <= ALLOCATION_STEPS, rerun - ALLOCATION_STEPS  # no pricing, no basis sums again
        mine = got.ledger[["pool_id", "period", "batch_id", "basis", "basis_value", "cents"]].astype(
            {"pool_id": object, "period": object, "batch_id": object, "basis": object})
        pd.testing.assert_frame_equal(mine, expected_ledger(rules).astype(
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


def test_a_what_if_baseline_reuses_the_roll_up_cost_built_and_other_rules_rebuild_it(ds):
    params = Params.model_validate({"allocation": RULES[0].model_dump()})
    with sqlmodel.Engine(threads=1) as engine:
        tables = sqlmodel.cost_tables(ds, "2026-02", params, engine=engine)
        session = sqlmodel.open_session(ds, engine)
        seen = len(engine.log)
        base = sqlmodel.totals(session, RULES[0], "2026-02", params)
        assert {st.step for st in engine.log[seen:]} == {"what-if totals", "what-if allocations"}
        # the same totals cost() reported, batch for batch (codes rank like batch_ids: A, B, C, D)
        summary = tables["batch_summary"]
        assert base.total.tolist() == (summary["total_cost"] * 100).round().astype("int64").tolist()
        seen = len(engine.log)
        other = sqlmodel.totals(session, RULES[1], "2026-02", params)
        assert {"own", "summary"} <= {st.step for st in engine.log[seen:]}
        # only pools move (the plant has no sub-assemblies): each batch's total moves by its pools' change
        def per_batch(t):
            return pd.Series(t.cents).groupby(t.alloc_code).sum().reindex(t.code, fill_value=0).to_numpy()
        assert (other.total - base.total).tolist() == (per_batch(other) - per_batch(base)).tolist()
        assert other.total.tolist() != base.total.tolist()
