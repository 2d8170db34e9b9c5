"""Exact money: half-away-from-zero rounding, exact products, largest remainder."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core import money


def test_decimal_places_recovers_written_decimals():
    assert money.decimal_places(np.array([1.005, 2.5, np.nan])) == 3
    assert money.decimal_places(np.array([0.1, 0.2, 0.3])) == 1
    assert money.decimal_places(np.array([1e9 + 0.5])) == 1
    assert money.decimal_places(np.array([0.12345678901])) == money.MAX_PLACES + 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=4), st.integers(0, 300_000), st.integers(0, 2**32))
def test_decimal_places_of_a_long_column_does_not_depend_on_its_sample(places, where, seed):
    # Columns over 200,000 values start from a spread sample's answer. Each value below is written with
    # one of `places` decimals; the rarest, most precise value sits at an arbitrary row, usually one the
    # sample skips; the answer must still be the largest count written (ours: max(places)).
    rng = np.random.default_rng(seed)
    n = 250_000
    x = rng.integers(0, 10**6, n) / 10.0 ** rng.choice(places[:1], n)
    deepest = max(places)
    x[where % n] = (10**deepest + 1) / 10.0**deepest if deepest else 7.0  # e.g. 1.001 for three places
    assert money.decimal_places(x) == max(places[0] if len(places) else 0, deepest)


def test_mul_cents_rounds_half_away_from_zero():
    # 3 x 0.125 = 0.375 -> 0.38; 1 x 1.005 = 1.005 -> 1.01 (float round() gives 1.0);
    # -1 x 0.125 = -0.125 -> -0.13; 7 x 2.675 = 18.725 -> 18.73
    qty, qp = money.scaled(np.array([3, 1, -1, 7]))
    price, pp = money.scaled(np.array([0.125, 1.005, 0.125, 2.675]))
    assert money.mul_cents(qty, qp, price, pp).tolist() == [38, 101, -13, 1873]


def test_muldiv_round_falls_back_to_python_ints_when_int64_would_overflow():
    # 10^12 x 10^12 / 10^15 = 10^9 exactly; the product overflows int64
    assert money.muldiv_round(np.array([10**12]), np.array([10**12]), np.array([10**15])).tolist() == [10**9]
    # 5 x 10^17 x 3 / 2 = 7.5 x 10^17 exactly, no rounding needed; mixed with a small row
    out = money.muldiv_round(np.array([5 * 10**17, 1]), np.array([3, 1]), np.array([2, 2]))
    assert out.tolist() == [75 * 10**16, 1]  # second row 0.5 -> 1


def test_to_cents_rounds_sub_cent_amounts_half_up():
    assert money.to_cents(np.array([100.0, 0.005, -0.005, 12.344])).tolist() == [10000, 1, -1, 1234]


def test_largest_remainder_ties_go_to_smaller_batch_id():
    # 100 cents over three equal weights: 33 each, one cent left, the three remainders tie,
    # so the smallest tiebreak rank gets it. Negative pools split by magnitude, then negate.
    out = money.largest_remainder(
        np.array([100, -100]), np.array([0, 0, 0, 1, 1, 1]), np.ones(6, dtype=np.int64),
        np.array([2, 1, 0, 0, 1, 2]),
    )
    assert out.tolist() == [33, 33, 34, -34, -33, -33]


def test_largest_remainder_gives_leftover_to_largest_fractions():
    # 10.00 split 1:1:1:3 -> exact 1.666.., 1.666.., 1.666.., 5.00 -> floors 166,166,166,500 = 998;
    # the two leftover cents go to the largest remainders (the three tie at .666), so ranks 0 and 1
    out = money.largest_remainder(np.array([1000]), np.zeros(4, np.int64), np.array([1, 1, 1, 3]),
                                  np.array([3, 0, 1, 2]))
    assert out.tolist() == [166, 167, 167, 500]


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.integers(-10**11, 10**11), min_size=1, max_size=4),
    data=st.data(),
)
def test_largest_remainder_sums_exactly_and_stays_within_a_cent(amounts, data):
    groups, weights = [], []
    for g in range(len(amounts)):
        n = data.draw(st.integers(1, 8))
        groups += [g] * n
        weights += data.draw(st.lists(st.integers(1, 10**9), min_size=n, max_size=n))
    groups_a, weights_a = np.array(groups), np.array(weights, dtype=np.int64)
    tiebreak = np.arange(len(groups))
    out = money.largest_remainder(np.array(amounts), groups_a, weights_a, tiebreak)
    for g, amount in enumerate(amounts):
        mine = groups_a == g
        assert int(out[mine].sum()) == amount
        exact = [Decimal(amount) * w / int(weights_a[mine].sum()) for w in weights_a[mine]]
        assert all(abs(Decimal(int(o)) - e) < 1 for o, e in zip(out[mine], exact, strict=True))


@settings(max_examples=300, deadline=None)
@given(
    qty=st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False),
    price=st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False),
)
def test_mul_cents_matches_decimal_half_up(qty, price):
    q, qp = money.scaled(np.array([float(qty)]))
    p, pp = money.scaled(np.array([float(price)]))
    expected = (qty * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert int(money.mul_cents(q, qp, p, pp)[0]) == int(expected * 100)


def test_format_money_for_people():
    assert money.format_money(1234567.5, "CNY") == "CNY 1,234,567.50"
    assert money.format_cents(-5) == "-0.05"
