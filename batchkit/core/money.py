"""Exact money arithmetic on integer cents, vectorized.

Inputs arrive as decimal numbers (parsed to float64 by the loaders). Each is
turned back into an exact integer at the number of decimal places it was
written with, so products like qty x unit_cost are computed exactly and
rounded half away from zero (contract 3a), never with Python's half-even
`round()` on floats. Products that could overflow int64 fall back to Python
integers for those rows only.

Money leaves this module either as int64 cents or as float64 values that
are exactly cents/100 (the nearest double), which `"%.2f"` prints exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

MAX_PLACES = 9
MAX_ABS = 1e13  # loaders refuse amounts and quantities of ten trillion or more: exact cents stay far inside int64
_SAFE = float(2**61)


def decimal_places(x: np.ndarray, max_places: int = MAX_PLACES) -> int:
    """Fewest decimal places that represent every finite value of `x` exactly.

    Returns `max_places + 1` when some value needs more (callers then round
    to `max_places` and say so).
    """
    x = np.asarray(x, dtype="float64")
    x = x[np.isfinite(x)]
    # a spread sample needs no more places than the whole: its answer is where the whole starts looking
    start = decimal_places(x[:: len(x) // 50_000], max_places) if len(x) > 200_000 else 0
    if start > max_places:
        return start
    # a value on the grid of p places is on every finer grid: look only at the values still off it,
    # then confirm the answer on all of them (the plain loop from there decides any odd case)
    rest, filtered = x, False
    for first in range(start, max_places + 1):
        off = _off_grid(rest, first)
        n_off = int(off.sum())
        if not n_off:
            if not filtered:
                return first
            break
        if n_off < len(rest) // 2:  # worth a copy
            rest, filtered = rest[off], True
    else:
        return max_places + 1  # some value is off every grid
    for places in range(first, max_places + 1):
        if not _off_grid(x, places).any():
            return places
    return max_places + 1


def _off_grid(x: np.ndarray, places: int) -> np.ndarray:
    # x*10**places is within a few ulps of an integer iff x was written with
    # at most `places` decimals (the parse and the product each err by <1 ulp)
    # (in place: two temporaries of len(x) instead of seven; this runs over every quantity and price)
    y = x * (10.0**places)
    gap = np.rint(y)
    np.subtract(y, gap, out=gap)
    np.abs(gap, out=gap)
    np.abs(y, out=y)
    np.maximum(y, 1.0, out=y)
    y *= 16 * np.finfo("float64").eps
    return gap > y


def excess_places_mask(x: np.ndarray, places: int) -> np.ndarray:
    """Rows whose value has more than `places` decimals (for warnings)."""
    x = np.asarray(x, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.asarray(np.isfinite(x) & _off_grid(np.nan_to_num(x), places), dtype=bool)


def scaled(x: np.ndarray, places: int | None = None) -> tuple[np.ndarray, int]:
    """Exact integers `x * 10**places` (NaN -> 0) and the places used.

    Loaders refuse numbers of MAX_ABS or more; should a column still mix
    huge values with many decimals, fewer places are used (or, when the
    caller fixed them, the integers saturate) rather than wrap around int64.
    """
    x = np.nan_to_num(np.asarray(x, dtype="float64"), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(np.abs(x).max(initial=0.0))
    if places is None:
        places = min(decimal_places(x), MAX_PLACES)
        while places > 0 and peak * 10.0**places >= _SAFE:
            places -= 1
    y = np.clip(np.rint(x * (10.0**places)), -_SAFE, _SAFE)
    return y.astype(np.int64), places


def round_half_away(num: np.ndarray, den: int | np.ndarray) -> np.ndarray:
    """round(num / den), halves away from zero; exact on int64 or object ints (den > 0)."""
    mag = (2 * np.abs(num) + den) // (2 * den)
    return np.asarray(np.where(num < 0, -mag, mag))


def _needs_big(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.abs(a.astype("float64")) * np.abs(b.astype("float64")) >= _SAFE, dtype=bool)


def muldiv_round(a: np.ndarray, b: np.ndarray, c: np.ndarray | int) -> np.ndarray:
    """round_half_away(a * b / c) for int arrays, exact; c > 0.

    int64 where a*b fits comfortably, Python ints for the other rows.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    c_arr = np.broadcast_to(np.asarray(c, dtype=np.int64), a.shape)
    out = np.empty(a.shape, dtype=np.int64)
    big = _needs_big(a, b) | (c_arr.astype("float64") >= _SAFE)
    small = ~big
    if small.any():
        out[small] = round_half_away(a[small] * b[small], c_arr[small])
    if big.any():
        num = a[big].astype(object) * b[big].astype(object)
        exact = round_half_away(num, c_arr[big].astype(object))
        # beyond int64 the row is refused by validation (amount_too_large); saturate rather than fail here
        out[big] = np.clip(exact, -int(_SAFE), int(_SAFE)).astype(np.int64)
    return out


def mul_cents(
    qty: np.ndarray, qty_places: int, price: np.ndarray, price_places: int
) -> np.ndarray:
    """Cents of qty x price per row, each rounded half away from zero."""
    shift = qty_places + price_places - 2
    if shift <= 0:
        return np.asarray(np.asarray(qty, dtype=np.int64) * np.asarray(price, dtype=np.int64) * 10 ** (-shift))
    return muldiv_round(qty, price, 10**shift)


def to_cents(amount: np.ndarray) -> np.ndarray:
    """Money amounts (float64) to int64 cents, half away from zero beyond the cent."""
    units, places = scaled(amount)
    if places <= 2:
        return np.asarray(units * 10 ** (2 - places))
    return round_half_away(units, 10 ** (places - 2))


def cents_to_float(cents: np.ndarray) -> np.ndarray:
    """int64 cents to float64 money, the nearest double to each exact decimal."""
    return np.asarray(cents, dtype=np.int64) / 100.0


def largest_remainder(
    group_amount: np.ndarray,
    group: np.ndarray,
    weight: np.ndarray,
    tiebreak: np.ndarray,
) -> np.ndarray:
    """Split each group's amount (int cents) over its rows in proportion to `weight`.

    Each row gets the floor of its exact share; the cents left over go one
    each to the largest remainders, ties to the smallest `tiebreak` (the rank
    of the batch_id in string order). Every group's rows sum to its amount
    exactly. `group` indexes `group_amount`; weights are positive int64.
    A negative amount is split as its magnitude, then negated.
    """
    group = np.asarray(group, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    group_amount = np.asarray(group_amount, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    g = group[order]
    w = weight[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    total_w = np.add.reduceat(w, starts)
    if (np.add.reduceat(w.astype("float64"), starts) >= _SAFE).any():
        raise OverflowError("allocation basis too large to split exactly")
    sizes = np.diff(np.r_[starts, n])
    row_total_w = np.repeat(total_w, sizes)
    amount = group_amount[g]
    magnitude = np.abs(amount)

    quotient = np.empty(n, dtype=np.int64)
    remainder = np.empty(n, dtype=np.int64)
    big = _needs_big(magnitude, w)
    small = ~big
    if small.any():
        prod = magnitude[small] * w[small]
        quotient[small] = prod // row_total_w[small]
        remainder[small] = prod % row_total_w[small]
    if big.any():
        prod = magnitude[big].astype(object) * w[big].astype(object)
        tw = row_total_w[big].astype(object)
        quotient[big] = (prod // tw).astype(np.int64)
        remainder[big] = (prod % tw).astype(np.int64)

    leftover = np.abs(group_amount[g[starts]]) - np.add.reduceat(quotient, starts)
    # rank rows inside each group: larger remainder first, then smaller tiebreak
    tb = np.asarray(tiebreak)[order]
    within = np.lexsort((tb, -remainder, g))
    rank = np.empty(n, dtype=np.int64)
    rank[within] = np.arange(n) - np.repeat(starts, sizes)
    bonus = (rank < np.repeat(leftover, sizes)).astype(np.int64)
    alloc_sorted = (quotient + bonus) * np.where(amount < 0, -1, 1)
    out = np.empty(n, dtype=np.int64)
    out[order] = alloc_sorted
    return out


def group_sum(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sum of `values` per group 0..n-1.

    float64 bincount (fast) while the total of |values| is below 2**53, where every
    partial sum is an exact integer; np.add.at on int64 beyond that.
    """
    values = np.asarray(values, dtype=np.int64)
    if float(np.abs(values).sum(dtype="float64")) < 2.0**53:
        return np.bincount(groups, weights=values, minlength=n).astype(np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, groups, values)
    return out


def format_cents(cents: int) -> str:
    """One amount as a plain decimal string, e.g. -1234.50."""
    sign = "-" if cents < 0 else ""
    units, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{units}.{frac:02d}"


def format_money(value: float | int | Decimal, currency: str = "", *, places: int = 2) -> str:
    """A money figure for people: thousands separators, fixed places, optional currency."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    return f"{currency} {text}".strip() if currency else text


def sum_money(values: np.ndarray) -> float:
    """Exact sum of money values already at cent precision (no float drift)."""
    return int(to_cents(np.asarray(values, dtype="float64")).sum()) / 100.0


# Money columns of output tables are exact cents: CSV writes them with two decimals and reports show
# them as money with the currency. One rule for both, by column name.
NOT_MONEY = {"unit_cost", "reference_unit_cost", "basis_value", "qty", "value"}


def is_money(column: str) -> bool:
    """Whether an output column holds money (by its name)."""
    if column in NOT_MONEY:
        return False
    return column == "amount" or column.endswith("_cost") or column.endswith("_amount") or column in (
        "revenue", "margin", "difference", "cost_at_risk", "wip_value")
