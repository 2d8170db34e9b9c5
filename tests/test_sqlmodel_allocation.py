"""Largest remainder in SQL against a pure-Python reference in exact fractions (contract 3a).

The reference: each batch gets floor(|A| x w / W) cents, exactly (Fraction);
the |A| - sum(floors) cents left go one each to the largest remainders, ties
to the smaller batch_id; a negative pool is the split of its magnitude,
negated; batches with a zero basis take no part, a pool nobody takes is left
unallocated. Every figure asserted is the reference's.
"""

from __future__ import annotations

from fractions import Fraction

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql import allocation
from batchkit.costing.sql.inputs import Places
from batchkit.costing.sql.session import Session
from tests.conftest import run_cost

INT64 = 2**63 - 1


def reference(amount: int, weights: dict[int, int]) -> dict[int, int]:
    """cents per batch code (codes rank like batch_ids) of one pool, by exact fractions."""
    takers = {code: w for code, w in weights.items() if w > 0}
    if not takers:
        return {}
    total = sum(takers.values())
    share = {code: Fraction(abs(amount) * w, total) for code, w in takers.items()}
    floors = {code: s.numerator // s.denominator for code, s in share.items()}
    left = abs(amount) - sum(floors.values())
    ranked = sorted(takers, key=lambda code: (-(share[code] - floors[code]), code))
    sign = -1 if amount < 0 else 1
    return {code: sign * (floors[code] + (1 if i < left else 0)) for i, code in enumerate(ranked)}


def split(pools: list[tuple[int, dict[int, int]]]) -> tuple[dict[int, dict[int, int]], bool]:
    """Run the model's split statement on hand-made `pool` and `cand` tables; (cents per pool and code, wide?)."""
    engine = sqlmodel.Engine(threads=1)
    s = Session(engine, Places(**{f: 0 for f in Places.__dataclass_fields__ if f != "ties"}))
    engine.register("pool", pa.table({
        "pool_idx": pa.array(range(len(pools)), pa.int64()),
        "pool_id": [f"P{i}" for i in range(len(pools))], "period": ["2026-01"] * len(pools),
        "cents": pa.array([a for a, _ in pools], pa.int64())}))
    rows = [(i, code, w) for i, (_, weights) in enumerate(pools) for code, w in weights.items()]
    engine.register("cand", pa.table({
        "pool_idx": pa.array([r[0] for r in rows], pa.int64()), "code": pa.array([r[1] for r in rows], pa.int64()),
        "weight": pa.array([r[2] for r in rows], pa.int64()), "places": pa.array([0] * len(rows), pa.int32())}))
    allocation.split(s)
    out: dict[int, dict[int, int]] = {}
    for r in engine.arrow("SELECT pool_idx, code, cents FROM alloc").to_pylist():
        out.setdefault(r["pool_idx"], {})[r["code"]] = r["cents"]
    engine.close()
    return out, "alloc" in s.wide_steps


amounts = st.one_of(
    st.sampled_from([0, 1, -1, 2, 99]),  # one-cent pools, an empty pool
    st.integers(-10**6, 10**6),
    st.integers(10**12 - 10**6, 10**12 + 10**6),  # near 10^12 cents (ten billion)
    st.integers(-(10**12) - 10**6, -(10**12) + 10**6),
)
weights = st.one_of(st.just(0), st.integers(1, 5), st.integers(10**7 - 100, 10**7 + 100), st.integers(1, 10**9))


@st.composite
def pool_sets(draw):
    pools = []
    for _ in range(draw(st.integers(1, 4))):
        codes = draw(st.lists(st.integers(0, 30), min_size=1, max_size=8, unique=True))
        same = draw(weights)  # often one weight for all: every remainder ties
        pools.append((draw(amounts), {c: same if draw(st.booleans()) else draw(weights) for c in codes}))
    return pools


@settings(deadline=None)  # an engine per example; the machine may be busy
@given(pool_sets())
def test_split_equals_the_exact_fraction_reference(pools):
    got, wide = split(pools)
    for i, (amount, w) in enumerate(pools):
        expected = reference(amount, w)
        assert got.get(i, {}) == expected
        if expected:  # the pool splits to its amount exactly
            assert sum(expected.values()) == amount
    # products past 64 bits were computed wide, never wrapped (the figures above are exact either way)
    assert wide == any(abs(a) * x > INT64 for a, w in pools for x in w.values() if x > 0)


def test_ties_go_to_the_smaller_batch_code_and_zero_bases_take_nothing():
    # 10 cents over three equal bases: 3.333.. each; floors 3+3+3 = 9, the last cent to the smallest code (2)
    # code 5 has basis 0 and takes no part; -10 cents is the same split negated
    got, _ = split([(10, {7: 4, 2: 4, 9: 4, 5: 0}), (-10, {7: 4, 2: 4, 9: 4})])
    assert got == {0: {2: 4, 7: 3, 9: 3}, 1: {2: -4, 7: -3, 9: -3}}


def test_a_pool_near_ten_billion_over_bases_near_ten_million():
    # A = 10^12 + 1 cents over w = 10^7 and 2 x 10^7 (W = 3 x 10^7): A x w passes 2^63 (9.2 x 10^18)
    # shares (10^12 + 1)/3 = 333333333333.67 and 2(10^12 + 1)/3 = 666666666667.33: floors sum to 10^12,
    # the one cent left goes to the larger remainder (.67, code 1)
    got, wide = split([(10**12 + 1, {1: 10**7, 2: 2 * 10**7})])
    assert got == {0: {1: 333333333334, 2: 666666666667}}
    assert wide


PLANT = {
    # batch ids that sort differently as text and as numbers: "B10" < "B2" < "B9"
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        B9,I,L,S,2026-01-02,,10,0,0
        B10,I,L,S,2026-01-03,,10,0,0
        B2,I,L,S,2026-01-04,,10,0,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        B9,M,L1,1,1,2026-01-05,D1
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L1,M,Acme,2025-12-01,1,100
    """,
    "operations": None,
    "rates": None,
    "drivers": """
        batch_id,driver,value,period
        B9,loads,1,2026-01
        B10,loads,1,2026-01
        B2,loads,1,2026-01
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount
        P1,overhead,2026-01,0.02
        P2,overhead,2026-01,100.00
    """,
}


@pytest.mark.parametrize("period", ["2026-01"])
def test_ties_follow_batch_id_text_order_end_to_end(make_data, period):
    data = make_data(base=PLANT)
    params = Params.model_validate({"allocation": {"default_basis": "driver:loads"}})
    from batchkit import load_dataset

    ds = load_dataset(data, params)
    with sqlmodel.Engine(threads=1) as engine:
        led = sqlmodel.cost_tables(ds, period, params, engine=engine)["allocation_ledger"]
    got = {(p, b): a for p, b, a in zip(led["pool_id"], led["batch_id"], led["amount"], strict=True)}
    # P1: 2 cents over three equal loads: floors 0; the two cents to the two smallest ids as text, B10 and B2
    # P2: 100.00 / 3 = 33.333..: 33.33 each, the one cent left to B10
    assert got == {("P1", "B10"): 0.01, ("P1", "B2"): 0.01, ("P1", "B9"): 0.00,
                   ("P2", "B10"): 33.34, ("P2", "B2"): 33.33, ("P2", "B9"): 33.33}
    # and the numpy engine agrees, row for row
    numpy_led = run_cost(data, period, params).allocation_ledger
    assert led.equals(numpy_led)
