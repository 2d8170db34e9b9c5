"""Exact integer arithmetic as SQL expressions, narrow (BIGINT) or wide (DECIMAL(38,0)).

Money is BIGINT cents and every other number an exact scaled integer, so the
model only multiplies, adds and divides integers. The engines raise on
overflow (DuckDB always, Spark under ANSI), so a step runs narrow first and,
when a product passes 64 bits, again wide (`run_exact`); a wide result that
still does not fit BIGINT is refused with the step's name, never wrapped.

Rounding is half away from zero, done only where contract 3a says:
round(n / d) = sign(n) * ((2|n| + d) // (2d)) for d > 0. `//` truncates
toward zero in both engines, hence the absolute value and the sign put
back; `sign()` itself is avoided (it is DOUBLE in Spark).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...engine.connection import Engine, Overflow

WIDE = "DECIMAL(38,0)"


def mul(a: str, b: str, wide: bool) -> str:
    """a * b; wide casts the first factor so the product is DECIMAL(38,0)."""
    return f"(CAST({a} AS {WIDE}) * ({b}))" if wide else f"(({a}) * ({b}))"


def floor_div(n: str, d: str, wide: bool) -> str:
    """floor(n / d) for n >= 0, d > 0, as BIGINT."""
    return f"wide_div({n}, {d})" if wide else f"(({n}) // ({d}))"


def mod(n: str, d: str, wide: bool) -> str:
    """n mod d for n >= 0, d > 0, as BIGINT (exact for DECIMAL(38,0) in both engines)."""
    return f"CAST(({n}) % ({d}) AS BIGINT)" if wide else f"(({n}) % ({d}))"


def round_div(n: str, d: str, wide: bool) -> str:
    """round(n / d), half away from zero; n any sign, d > 0; BIGINT. `n` should be a column, not a product."""
    mag = floor_div(f"2 * abs({n}) + ({d})", f"2 * ({d})", wide)
    return f"(CASE WHEN {n} < 0 THEN -{mag} ELSE {mag} END)"


def isum(x: str) -> str:
    """sum of a BIGINT expression as BIGINT (DuckDB's sum(BIGINT) is 128-bit: cast back, raising past 64 bits)."""
    return f"CAST(sum({x}) AS BIGINT)"


def psum(x: str, wide: bool) -> str:
    """Sum of products: BIGINT narrow; DECIMAL(38,0) wide, to be rounded (and cast back) later."""
    return f"sum(CAST({x} AS {WIDE}))" if wide else isum(x)


def run_exact(engine: Engine, name: str, build: Callable[[bool], str], params: dict[str, Any] | None = None) -> bool:
    """Materialize `build(wide)` as table `name`: narrow first, wide if the engine reports an overflow.

    Returns whether the wide form was needed. A wide overflow (a result past
    BIGINT, or a product past 38 digits) is raised as the step's Overflow.
    """
    try:
        engine.table(name, build(False), params)
        return False
    except Overflow:
        try:
            engine.table(name, build(True), params)
        except Overflow as exc:
            raise Overflow(name, f"an exact amount does not fit 64-bit integers even computed wide ({exc}); "
                                 "refused rather than rounded or wrapped") from None
        return True


def to_cents(places: int) -> tuple[int, int]:
    """(mul, div) taking an exact integer at `places` decimals to cents: round(x * mul / div)."""
    return 10 ** max(0, 2 - places), 10 ** max(0, places - 2)


CLIP = float(2**61)  # as money.scaled: integers saturate here rather than wrap


def from_double(x: str, scale: str, ties: bool = True) -> str:
    """The exact integer of an input double at a scale: numpy's rint(x * scale) (ties to even), clipped at
    +-2**61, as `money.scaled` computes it; NULL stays NULL.

    Written out because the engines' own conversions differ: DuckDB's DOUBLE -> BIGINT rounds ties to
    even, Spark's truncates, and ROUND() is half away from zero in both. When every value of the column is
    within a few ulps of an integer at this scale (`ties` False: `inputs.exact_at`), any rounding is rint
    and ROUND() is used (three times cheaper).
    """
    if not ties:
        return f"CAST(round(({x}) * {scale}) AS BIGINT)"
    y = f"({x}) * {scale}"
    c = f"(CASE WHEN {y} > $clip THEN $clip WHEN {y} < -$clip THEN -$clip ELSE {y} END)"  # NULL stays NULL
    f = f"floor({c})"
    return (f"(CAST({f} AS BIGINT) + CASE WHEN {c} - {f} > 0.5 OR ({c} - {f} = 0.5 AND CAST({f} AS BIGINT) % 2 <> 0)"
            f" THEN 1 ELSE 0 END)")
