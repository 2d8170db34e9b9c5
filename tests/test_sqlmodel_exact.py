"""Exact integer arithmetic in SQL: rounding half away from zero, narrow and wide, and overflow never wrapped.

References are Python integers and fractions (exact); numpy's rint for the
decimal recovery of input doubles (what `money.scaled` does).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core import money
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql import exact, inputs
from batchkit.engine.connection import Overflow
from tests.conftest import run_cost

INT64 = 2**63 - 1


def half_away(n: int, d: int) -> int:
    q = Fraction(abs(n), d)
    mag = int(q) + (1 if q - int(q) >= Fraction(1, 2) else 0)
    return -mag if n < 0 else mag


def _rounded(pairs: list[tuple[int, int]], wide: bool) -> list[int]:
    with sqlmodel.Engine(threads=1) as engine:
        engine.register("t", pa.table({"n": pa.array([n for n, _ in pairs], pa.int64()),
                                       "d": pa.array([d for _, d in pairs], pa.int64())}))
        return engine.arrow(f"SELECT {exact.round_div('n', 'd', wide)} AS r FROM t")["r"].to_pylist()


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(-(10**15), 10**15), st.sampled_from([1, 2, 3, 10, 100, 1000, 7, 10**6])),
                min_size=1, max_size=30))
def test_round_div_is_half_away_from_zero_narrow_and_wide(pairs):
    expected = [half_away(n, d) for n, d in pairs]
    assert _rounded(pairs, wide=False) == expected
    assert _rounded(pairs, wide=True) == expected


def test_halves_by_hand():
    # 5/2 = 2.5 -> 3, -5/2 -> -3 (away from zero, not to even: Python's round gives 2 and -2); 7/2 -> 4;
    # 1/3 -> 0, 2/3 -> 1, -2/3 -> -1; 149/100 -> 1, 150/100 -> 2
    pairs = [(5, 2), (-5, 2), (7, 2), (1, 3), (2, 3), (-2, 3), (149, 100), (150, 100)]
    assert _rounded(pairs, wide=False) == [3, -3, 4, 0, 1, -1, 1, 2]


doubles = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda i: i / 1000),  # written with 3 decimals
    st.integers(-(10**6), 10**6).map(lambda i: i + 0.5),  # exact halves: ties
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([1.0000000005, 2.675, 1.005, 0.5, -0.5, 1.5, 2.5, 2.0**61, -(2.0**62), 1e-20]),
)


@settings(deadline=None)
@given(st.lists(doubles, min_size=1, max_size=40), st.sampled_from([0, 2, 3, 4, 9]))
def test_from_double_is_numpys_rint_clipped(values, places):
    x = np.array(values, dtype="float64")
    expected = money.scaled(x, places)[0].tolist()  # rint(x * 10**places), clipped at 2**61
    with sqlmodel.Engine(threads=1) as engine:
        engine.register("t", pa.table({"x": x, "i": np.arange(len(x))}))
        params = {"s": 10.0**places, "clip": exact.CLIP}
        tied = engine.arrow(f"SELECT {exact.from_double('x', '$s')} AS v FROM t ORDER BY i", params)
        assert tied["v"].to_pylist() == expected
        # a column exact at its places (`inputs.exact_at`, as the model decides) may use plain ROUND: same integers
        if inputs.exact_at(x, places):
            plain = engine.arrow(f"SELECT {exact.from_double('x', '$s', ties=False)} AS v FROM t ORDER BY i",
                                 params)["v"].to_pylist()
            assert plain == expected


# ------------------------------------------------------------------ overflow: computed wide or refused


def _product_table(engine: sqlmodel.Engine, a: int, b: int) -> None:
    engine.register("t", pa.table({"a": pa.array([a, -a, 1], pa.int64()), "b": pa.array([b, b, 1], pa.int64())}))


def test_a_product_past_64_bits_is_computed_wide():
    # 3 x 10^12 x 4 x 10^9 = 1.2 x 10^22 does not fit int64 (9.2 x 10^18); / 10^6, rounded: 1.2 x 10^16
    with sqlmodel.Engine(threads=1) as engine:
        _product_table(engine, 3 * 10**12 + 1, 4 * 10**9 + 3)

        def build(wide: bool) -> str:
            return f"SELECT {exact.round_div('n', '1000000', wide)} AS r FROM " \
                   f"(SELECT {exact.mul('a', 'b', wide)} AS n FROM t) AS p"
        assert exact.run_exact(engine, "r", build) is True  # the narrow run overflowed, the wide one did it
        got = engine.arrow("SELECT r FROM r")["r"].to_pylist()
    # (3 x 10^12 + 1)(4 x 10^9 + 3) = 12 x 10^21 + 9 x 10^12 + 4 x 10^9 + 3 = 12000000009004000000003;
    # / 10^6 = 12000000009004000.000003 -> 12000000009004000; the row 1 x 1 / 10^6 -> 0
    n = (3 * 10**12 + 1) * (4 * 10**9 + 3)
    assert got == [half_away(n, 10**6), half_away(-n, 10**6), 0] == [12000000009004000, -12000000009004000, 0]


def test_a_result_past_64_bits_is_refused_not_wrapped():
    # 3 x 10^12 x 4 x 10^9 = 1.2 x 10^22 cents is itself past int64: the step is refused with its name
    with sqlmodel.Engine(threads=1) as engine:
        _product_table(engine, 3 * 10**12, 4 * 10**9)

        def build(wide: bool) -> str:
            product = exact.mul("a", "b", wide)
            return f"SELECT {exact.round_div('n', '1', wide)} AS r FROM (SELECT {product} AS n FROM t)"
        with pytest.raises(Overflow) as err:
            exact.run_exact(engine, "too_big", build)
    assert err.value.step == "too_big"
    assert "does not fit 64-bit integers even computed wide" in str(err.value) and "refused" in str(err.value)


def test_a_sum_past_64_bits_is_refused():
    # two rows of 2^62 sum to 2^63 = int64 max + 1: the cast back from DuckDB's 128-bit sum raises
    with sqlmodel.Engine(threads=1) as engine:
        engine.register("t", pa.table({"x": pa.array([2**62, 2**62], pa.int64())}))
        with pytest.raises(Overflow):
            engine.table("s", f"SELECT {exact.isum('x')} AS s FROM t")


BIG = {
    # one batch; pool P-BIG of 9,999,999,999.99 (10^12 - 1 cents) by machine hours 99,999.99 (9,999,999 at two
    # places): |A| x w = 9.99999999999 x 10^18 passes int64, so the allocation runs wide. Scrap: total x
    # qty_scrap = about 10^12 x 10^7 also passes it, so the summary runs wide too.
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        B1,I,L,S,2026-01-02,2026-01-20,20000000,10000000,10000000
        B2,I,L,S,2026-01-03,2026-01-20,100,100,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        B1,M,L1,1,1,2026-01-05,D1
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L1,M,Acme,2025-12-01,1,100
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        B1,op,W1,0,99999.99,2026-01-06
        B2,op,W1,0,0.01,2026-01-06
    """,
    "rates": """
        work_center,labor_rate,machine_rate
        W1,0,0
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount
        P-BIG,overhead,2026-01,9999999999.99
    """,
}


def test_a_plant_whose_products_pass_64_bits_costs_exactly_and_equals_the_numpy_engine(make_data):
    from batchkit import load_dataset

    data = make_data(base=BIG)
    ds = load_dataset(data, Params())
    with sqlmodel.Engine(threads=1) as engine:
        tables = sqlmodel.cost_tables(ds, "2026-01", Params(), engine=engine)
        wide = sqlmodel.open_session(ds, engine).wide_steps
    assert "alloc" in wide and "summary" in wide
    led = tables["allocation_ledger"].set_index("batch_id")["amount"]
    # 999999999999 cents x 9999999/10000000 = 999999899999.0000001 -> 999999899999; B2: x 1/10^7 = 99999.9999999
    # -> floor 99999, the cent left over to B2 (larger remainder .9999999): 100000 cents
    assert led.to_dict() == {"B1": 9999998999.99, "B2": 1000.00}
    expected = run_cost(data, "2026-01")
    for name in sqlmodel.TABLES:
        assert tables[name].equals(expected.tables[name]), name
