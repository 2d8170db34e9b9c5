"""Predetermined overhead rates: absorbed, actual and the over/under-absorbed difference (issue 17).

params `absorption.rates` give a rate per unit of a pool's basis, by pool_id
(first) or by cost_element. A pool with a rate is not split at its actual
amount: each batch with a basis > 0 in the pool's period (the same basis
rules and scopes as `allocation`) absorbs round(rate x its basis value),
half away from zero per allocation, exactly (rates are integers at
RATE_PLACES decimals, bases exact integers at their places). Per pool and
period, difference = actual - absorbed (positive: under-absorbed).

- `difference: expense` (the default): the batches carry what they absorbed;
  the difference is a period cost, reported in `absorption` and in
  reconciliation's absorption_difference_amount.
- `difference: prorate`: the difference is charged to the batches that
  absorbed, so that each carries exactly its largest-remainder share of the
  actual amount again (its share of the difference is that share less what
  it absorbed); the ledger is then the actual allocation.

A pool with a rate absorbs in every period from its first cost_pools row up
to the run's, so a month whose invoice has not arrived yet (no row) absorbs
anyway, with the cost element and scope of the pool's latest earlier row, an
actual of 0 and a negative difference. A rated pool no batch takes absorbs
nothing: its whole actual amount is the difference (never prorated: nobody
to charge). A rate for a pool_id with no row up to the run's period is
ignored in that run (its element and scope are unknown).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from ...core import money
from ...core.params import RATE_PLACES, Absorption
from . import bases
from .errors import SqlModelError
from .exact import isum, mul, round_div, to_cents
from .outputs import _text, as_frame, ints
from .session import Session

RATE_SCALE = 10**RATE_PLACES
MAX_PLACES = 20 - RATE_PLACES  # basis places whose rate x basis -> cents divisor (10^(R + p - 2)) fits 64 bits
COLUMNS = ("pool_id", "period", "cost_element", "basis", "rate", "basis_total", "actual_amount", "absorbed_amount",
           "difference_amount", "treatment")


def _rate_i(rate: Decimal) -> int:
    scaled = rate * RATE_SCALE
    assert scaled == scaled.to_integral_value(), rate  # params allow RATE_PLACES decimals at most
    return int(scaled)


def register(s: Session, absorption: Absorption) -> None:
    """Tables `rate_by_pool`, `rate_by_element` (rates as integers at RATE_PLACES) and `absorb_scale` (per basis
    places, the mul/div that take rate x basis to cents)."""
    for name, key, mapping in (("rate_by_pool", "pool_id", absorption.rates.by_pool),
                               ("rate_by_element", "cost_element", absorption.rates.by_cost_element)):
        s.engine.register(name, pa.table({key: pa.array(list(mapping), pa.string()),
                                          "rate_i": pa.array([_rate_i(r) for r in mapping.values()], pa.int64())}))
    used = {k: s.params[k] for k in ("hours_places", "driver_places", "good_places")}
    if max(used.values()) > MAX_PLACES:
        raise SqlModelError("absorption", f"an allocation basis has more than {MAX_PLACES} decimals ({used}): "
                                          "a predetermined rate cannot absorb it exactly")
    places = range(MAX_PLACES + 1)
    pairs = [to_cents(RATE_PLACES + p) for p in places]
    s.engine.register("absorb_scale", pa.table({"places": pa.array(list(places), pa.int32()),
                                                "mul": pa.array([m for m, _ in pairs], pa.int64()),
                                                "div": pa.array([d for _, d in pairs], pa.int64())}))


RATED = """
    SELECT a.* FROM pool_amount AS a
    LEFT JOIN rate_by_pool AS rp ON rp.pool_id = a.pool_id
    LEFT JOIN rate_by_element AS re ON re.cost_element = a.cost_element
    WHERE a.period <= $up_to AND (rp.pool_id IS NOT NULL OR re.cost_element IS NOT NULL)"""


def _months(first: int, last: int) -> pa.Table:
    """Calendar months first..last (year * 12 + month integers) with their period text and first and last day."""
    months = list(range(first, last + 1))
    ym = [((m - 1) // 12, (m - 1) % 12 + 1) for m in months]
    firsts = [dt.date(y, mo, 1) for y, mo in ym]
    lasts = [(dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)) for y, mo in ym]
    return pa.table({"month": pa.array(months, pa.int32()), "period": [f"{y:04d}-{mo:02d}" for y, mo in ym],
                     "first_day": pa.array(firsts, pa.date32()), "last_day": pa.array(lasts, pa.date32())})


def pool_source(s: Session, up_to: str, run_month: int) -> tuple[str, str]:
    """Tables `pool_amount_rated` (every pool row, plus a row of 0 for each rated pool's month without one since
    its first row) and, when such a month has no pool at all, `unit_basis_rated` (unit bases for those months
    too). Returns (pool source, unit basis table) for `allocation.pools` and `allocation.candidates`."""
    e = s.engine
    first = e.arrow(f"SELECT min(month) AS m FROM ({RATED}) AS r", {"up_to": up_to}, step="absorption months")["m"]
    if first[0].as_py() is None:
        return "pool_amount", "unit_basis"
    e.register("absorb_months", _months(int(first[0].as_py()), run_month))
    s.table("pool_amount_rated", f"""
        WITH rated AS ({RATED}),
        span AS (SELECT pool_id, min(month) AS first_month FROM rated GROUP BY pool_id),
        missing AS (
            SELECT sp.pool_id, m.month, m.period, m.first_day, m.last_day
            FROM span AS sp
            JOIN absorb_months AS m ON m.month >= sp.first_month
            LEFT JOIN (SELECT DISTINCT pool_id, month FROM pool_amount) AS h
              ON h.pool_id = sp.pool_id AND h.month = m.month
            WHERE h.pool_id IS NULL),
        latest AS (
            SELECT x.pool_id, x.month, x.period, x.first_day, x.last_day, r.cost_element, r.eid, r.product_line,
                   r.site, r.work_center,
                   row_number() OVER (PARTITION BY x.pool_id, x.month ORDER BY r.month DESC, r.pool_idx DESC) AS rn
            FROM missing AS x JOIN rated AS r ON r.pool_id = x.pool_id AND r.month < x.month)
        SELECT pool_idx, pool_id, cost_element, eid, period, product_line, site, work_center, cents, month,
               first_day, last_day
        FROM pool_amount
        UNION ALL
        SELECT CAST(-row_number() OVER (ORDER BY month, pool_id) AS BIGINT), pool_id, cost_element, eid, period,
               product_line, site, work_center, CAST(0 AS BIGINT), month, first_day, last_day
        FROM latest WHERE rn = 1""", {"up_to": up_to})
    new_months = ("SELECT DISTINCT r.month, r.first_day, r.last_day FROM pool_amount_rated AS r "
                  "LEFT JOIN (SELECT DISTINCT month FROM pool_amount) AS h ON h.month = r.month "
                  "WHERE h.month IS NULL")
    if not e.arrow(f"SELECT count(*) AS n FROM ({new_months}) AS m", step="absorption unit months")["n"][0].as_py():
        return "pool_amount_rated", "unit_basis"
    s.table("unit_basis_more", bases.unit_rows(new_months))
    s.table("unit_basis_rated", "SELECT * FROM unit_basis UNION ALL SELECT * FROM unit_basis_more")
    bases.booked_units(s, "unit_basis_rated")
    return "pool_amount_rated", "unit_basis_rated"


def absorb(s: Session, absorption: Absorption | None) -> None:
    """Tables `pool_rate`, `absorbed` (per rated pool and batch with a basis > 0: round(rate x basis) cents) and
    `absorption_pool` (per rated pool: absorbed, difference, treatment and the difference left as a period
    cost, `left_cents`); empty without rates. Needs `pool`, `cand`, `pool_weight`."""
    if absorption is None or not absorption.active:
        s.table("absorption_pool", """
            SELECT pool_idx, CAST(0 AS BIGINT) AS rate_i, CAST(0 AS BIGINT) AS absorbed,
                   CAST(0 AS BIGINT) AS difference, 'expense' AS treatment, CAST(0 AS BIGINT) AS left_cents
            FROM pool WHERE false""")
        return
    s.table("pool_rate", """
        SELECT p.pool_idx, coalesce(rp.rate_i, re.rate_i) AS rate_i
        FROM pool AS p
        LEFT JOIN rate_by_pool AS rp ON rp.pool_id = p.pool_id
        LEFT JOIN rate_by_element AS re ON re.cost_element = p.cost_element
        WHERE coalesce(rp.rate_i, re.rate_i) IS NOT NULL""")

    def build(wide: bool) -> str:
        return f"""
        WITH c AS (
            SELECT c.pool_idx, c.code, c.weight, c.places, k.div,
                   {mul('r.rate_i', 'c.weight', wide)} * k.mul AS n
            FROM cand AS c
            JOIN pool_rate AS r ON r.pool_idx = c.pool_idx
            JOIN absorb_scale AS k ON k.places = c.places
            WHERE c.weight > 0)
        SELECT pool_idx, code, weight, places, {round_div('n', 'div', wide)} AS cents FROM c"""
    s.exact("absorbed", build)
    s.table("absorption_pool", f"""
        WITH a AS (SELECT pool_idx, {isum('cents')} AS absorbed FROM absorbed GROUP BY pool_idx),
        d AS (
            SELECT r.pool_idx, r.rate_i, coalesce(a.absorbed, 0) AS absorbed,
                   p.cents - coalesce(a.absorbed, 0) AS difference,
                   CASE WHEN $prorate = 1 AND w.pool_idx IS NOT NULL THEN 'prorate' ELSE 'expense' END AS treatment
            FROM pool_rate AS r
            JOIN pool AS p ON p.pool_idx = r.pool_idx
            LEFT JOIN a ON a.pool_idx = r.pool_idx
            LEFT JOIN pool_weight AS w ON w.pool_idx = r.pool_idx)
        SELECT *, CASE WHEN treatment = 'prorate' THEN CAST(0 AS BIGINT) ELSE difference END AS left_cents FROM d""",
            {"prorate": int(absorption.difference == "prorate")})


def charge(s: Session) -> None:
    """Table `alloc` under `difference: expense`: the actual split (`alloc_actual`) of the pools without a rate,
    and what the batches absorbed of the pools with one."""
    s.table("alloc", """
        SELECT a.pool_idx, a.code, a.weight, a.places, a.cents
        FROM alloc_actual AS a LEFT JOIN pool_rate AS r ON r.pool_idx = a.pool_idx
        WHERE r.pool_idx IS NULL
        UNION ALL
        SELECT pool_idx, code, weight, places, cents FROM absorbed""")


def frame(s: Session) -> pd.DataFrame:
    """The `absorption` output table: one row per pool and period with a rate, in (period, pool_id) order."""
    t = s.engine.arrow("""
        SELECT p.pool_id, p.period, p.cost_element, p.basis, ab.rate_i, coalesce(w.total_w, 0) AS total_w,
               coalesce(pl.places, 0) AS places, p.cents, ab.absorbed, ab.difference, ab.treatment
        FROM absorption_pool AS ab
        JOIN pool AS p ON p.pool_idx = ab.pool_idx
        LEFT JOIN pool_weight AS w ON w.pool_idx = ab.pool_idx
        LEFT JOIN (SELECT pool_idx, min(places) AS places FROM cand GROUP BY pool_idx) AS pl
          ON pl.pool_idx = ab.pool_idx
        ORDER BY p.pool_rank""", step="absorption")
    places = ints(t["places"])
    return as_frame({
        **{c: _text(t[c]) for c in ("pool_id", "period", "cost_element", "basis")},
        "rate": ints(t["rate_i"]).astype("float64") / RATE_SCALE,
        "basis_total": ints(t["total_w"]).astype("float64") / np.power(10.0, places),
        "actual_amount": money.cents_to_float(ints(t["cents"])),
        "absorbed_amount": money.cents_to_float(ints(t["absorbed"])),
        "difference_amount": money.cents_to_float(ints(t["difference"])),
        "treatment": _text(t["treatment"]),
    })
