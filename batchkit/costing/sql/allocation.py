"""Pools allocated to batches by their basis and scope, to the cent (contract 3 and 3a).

The rules (params `allocation`) are data: registered as two small tables
and the default basis as a parameter, so a what-if re-runs only `pool`,
`cand` and `alloc` over the basis sums that stay materialized.

Largest remainder, exactly: each batch gets floor(|amount| x w / W) cents,
the leftover cents go one each to the largest exact remainders
(|amount| x w mod W, an integer, never a double fraction), ties to the
smaller batch code (batch_id string order). A negative pool is split as its
magnitude and negated. The products run narrow and, past 64 bits, again wide.
"""

from __future__ import annotations

import pyarrow as pa

from ...core.params import Absorption, Allocation
from ...engine.connection import Overflow
from . import absorption as absorb_rates
from .errors import SqlModelError
from .exact import floor_div, mod, mul
from .session import Session
from .sql import HOURS_BASES, quoted

MAX_TOTAL_WEIGHT = 2**61  # as batchkit.money.largest_remainder: a larger basis total is refused

NO_PERIOD_LIMIT = "9999-99"


def register_rules(s: Session, rules: Allocation) -> None:
    """The params' rules as tables `rules_by_pool` and `rules_by_element` (values never enter SQL text)."""
    for name, key, mapping in (("rules_by_pool", "pool_id", rules.by_pool),
                               ("rules_by_element", "cost_element", rules.by_cost_element)):
        s.engine.register(name, pa.table({key: pa.array(list(mapping), pa.string()),
                                          "basis": pa.array(list(mapping.values()), pa.string())}))


def pools(s: Session, rules: Allocation, up_to: str | None, source: str = "pool_amount") -> None:
    """Table `pool`: the pools with a period (up to `up_to`), their basis, their scope as integer codes
    (NULL: no scope; -1: a value no batch or booking has) and their rank in (period, pool_id) order.

    wc_key is the work center hours are measured on (0: any); scope_wc the work
    center a pool on another basis needs its batches to have hours on. `source` is `pool_amount`, or
    with predetermined rates `absorption.pool_source`'s table (months a rated pool has no row yet added).
    """
    register_rules(s, rules)
    hours = f"basis IN {quoted(HOURS_BASES)}"
    s.table("pool", f"""
        WITH p AS (
            SELECT a.pool_idx, a.pool_id, a.cost_element, a.eid, a.period, a.cents, a.month, a.first_day,
                   a.last_day, coalesce(rp.basis, re.basis, $default_basis) AS basis,
                   CASE WHEN a.product_line IS NULL THEN NULL ELSE coalesce(ld.pl, -1) END AS pl,
                   CASE WHEN a.site IS NULL THEN NULL ELSE coalesce(sd.sc, -1) END AS sc,
                   CASE WHEN a.work_center IS NULL THEN NULL ELSE coalesce(wd.wc, -1) END AS wc
            FROM {source} AS a
            LEFT JOIN rules_by_pool AS rp ON rp.pool_id = a.pool_id
            LEFT JOIN rules_by_element AS re ON re.cost_element = a.cost_element
            LEFT JOIN line_dim AS ld ON ld.product_line = a.product_line
            LEFT JOIN site_dim AS sd ON sd.site = a.site
            LEFT JOIN wc_dim AS wd ON wd.work_center = a.work_center
            WHERE a.period <= $up_to)
        SELECT *,
               CASE WHEN {hours} THEN coalesce(wc, 0) END AS wc_key,
               CASE WHEN {hours} THEN NULL ELSE wc END AS scope_wc,
               CASE WHEN basis LIKE 'driver:%' THEN substr(basis, 8) END AS driver,
               row_number() OVER (ORDER BY period, pool_id, pool_idx) AS pool_rank
        FROM p""", {"default_basis": rules.default_basis, "up_to": up_to or NO_PERIOD_LIMIT})


def candidates(s: Session, units: str = "unit_basis", pools: str = "pool", name: str = "cand") -> None:
    """Table `name` (`cand`): every (pool, batch) with a basis in the pool's period and in its scope (any sign),
    for the pools of table `pools` (`pool`, or a what-if's pools whose basis changed: `reallocation`).

    The basis tables carry their batches' start and scope codes and each branch
    its pool's, so the scope test needs no join with the master (left to
    itself, the optimizer range-joined every batch with every pool first: 2 M
    rows at 1x for 0.2 M candidates). Only bases other than hours look up
    `booked` (a work-center scope); hours are measured on the work center.
    Unit pools with a work-center scope read `<units>_booked` (`bases.booked_units`),
    the unit rows already joined with `booked`: there are many such pools (an
    equal share per work center), and pairing each with its month's batches
    before the lookup made the candidates 4-8x slower.
    """
    scope = "p.pool_idx, p.last_day, p.pl, p.sc, b.start_date, b.pl AS b_pl, b.sc AS b_sc"
    booked = ("LEFT JOIN booked AS k ON k.month = p.month AND k.wc = p.scope_wc AND k.code = b.code",
              "(p.scope_wc IS NULL OR k.code IS NOT NULL)")

    def branch(select: str, table: str, on: str, where: str) -> str:
        return f"""
            SELECT {scope}, b.code, {select}
            FROM {pools} AS p JOIN {table} AS b ON b.month = p.month {on}
            {booked[0]}
            WHERE {where} AND {booked[1]}"""
    unit_weight = ("CASE p.basis WHEN 'good_units' THEN b.good_i WHEN 'started_units' THEN b.started_i ELSE 1 END "
                   "AS weight, CASE WHEN p.basis = 'equal' THEN 0 ELSE $good_places END AS places")
    unit_pool = "(p.basis IN ('started_units', 'equal') OR (p.basis = 'good_units' AND b.completed))"
    s.table(name, f"""
        WITH c AS (
            SELECT {scope}, b.code,
                   CASE WHEN p.basis = 'labor_hours' THEN b.labor ELSE b.machine END AS weight,
                   $hours_places AS places
            FROM {pools} AS p
            JOIN hours_basis AS b ON b.month = p.month AND b.wc_key = p.wc_key
            WHERE p.basis IN {quoted(HOURS_BASES)}
            UNION ALL {branch("b.weight, 2 AS places", "material_basis", "", "p.basis = 'material_cost'")}
            UNION ALL {branch("b.weight, 2 AS places", "direct_basis", "", "p.basis = 'direct_cost'")}
            UNION ALL {branch("b.weight, $driver_places AS places", "driver_basis", "AND b.driver = p.driver",
                              "true")}
            UNION ALL
            SELECT {scope}, b.code, {unit_weight} FROM {pools} AS p JOIN {units} AS b ON b.month = p.month
            WHERE p.scope_wc IS NULL AND {unit_pool}
            UNION ALL
            SELECT {scope}, b.code, {unit_weight}
            FROM {pools} AS p JOIN {units}_booked AS b ON b.month = p.month AND b.wc = p.scope_wc
            WHERE {unit_pool})
        SELECT pool_idx, code, CAST(weight AS BIGINT) AS weight, CAST(places AS INTEGER) AS places
        FROM c
        WHERE start_date <= last_day
          AND (pl IS NULL OR b_pl = pl)
          AND (sc IS NULL OR b_sc = sc)""")


def split(s: Session, name: str = "alloc", cand: str = "cand", weight: str = "pool_weight") -> None:
    """Tables `weight` (`pool_weight`: pools with a positive basis, total W) and `name` (largest remainder per
    pool) from the candidates `cand`."""
    try:
        s.table(weight, f"""
            SELECT pool_idx, CAST(sum(weight) AS BIGINT) AS total_w FROM {cand} WHERE weight > 0 GROUP BY pool_idx""")
    except Overflow as exc:
        raise SqlModelError("allocation", f"a pool's basis total passes 64 bits ({exc})") from None
    big = s.engine.arrow(f"SELECT p.pool_id, p.period FROM {weight} AS w JOIN pool AS p ON p.pool_idx = w.pool_idx "
                         "WHERE w.total_w >= $limit ORDER BY p.period, p.pool_id LIMIT 1", {"limit": MAX_TOTAL_WEIGHT},
                         step=f"{weight} check").to_pylist()
    if big:
        raise SqlModelError("allocation", f"pool {big[0]['pool_id']!r} ({big[0]['period']}): allocation basis too "
                                          "large to split exactly")

    def build(wide: bool) -> str:
        bonus = "CASE WHEN rk <= leftover THEN 1 ELSE 0 END"
        return f"""
        WITH c AS (
            SELECT c.pool_idx, c.code, c.weight, c.places, p.cents AS amount, w.total_w,
                   {mul('abs(p.cents)', 'c.weight', wide)} AS n
            FROM {cand} AS c
            JOIN {weight} AS w ON w.pool_idx = c.pool_idx
            JOIN pool AS p ON p.pool_idx = c.pool_idx
            WHERE c.weight > 0),
        q AS (
            SELECT pool_idx, code, weight, places, amount,
                   {floor_div('n', 'total_w', wide)} AS q, {mod('n', 'total_w', wide)} AS r
            FROM c),
        left_over AS (
            SELECT pool_idx, abs(min(amount)) - CAST(sum(q) AS BIGINT) AS leftover FROM q GROUP BY pool_idx),
        k AS (
            SELECT q.*, l.leftover, row_number() OVER (PARTITION BY q.pool_idx ORDER BY q.r DESC, q.code) AS rk
            FROM q JOIN left_over AS l ON l.pool_idx = q.pool_idx)
        SELECT pool_idx, code, weight, places,
               CASE WHEN amount < 0 THEN -(q + {bonus}) ELSE q + {bonus} END AS cents
        FROM k"""
    s.exact(name, build)


def allocate(s: Session, rules: Allocation, up_to: str | None = None, absorption: Absorption | None = None,
             run_month: int | None = None) -> None:
    """Allocate the pools up to period `up_to` (every pool when None) under `rules`; reuses the basis tables.

    With predetermined rates (`absorption`, needs `up_to` and its `run_month`) the rated pools are charged at
    their rates (`absorption` module); with `absorption` given (a cost run, rates or not) table
    `absorption_pool` says what each rated pool absorbed (empty without rates).
    """
    rates = absorption if absorption is not None and absorption.active and up_to and run_month else None
    key = rules.model_dump_json() + (rates.model_dump_json() if rates is not None else "")
    if s.rules_key == key and s.pools_up_to == (up_to or NO_PERIOD_LIMIT):
        return
    source, units = "pool_amount", "unit_basis"
    if rates is not None and up_to and run_month:
        absorb_rates.register(s, rates)
        source, units = absorb_rates.pool_source(s, up_to, run_month)
    pools(s, rules, up_to, source)
    candidates(s, units)
    expense = rates is not None and rates.difference == "expense"
    split(s, "alloc_actual" if expense else "alloc")  # the actual split; under expense, rated pools absorb instead
    if absorption is not None:  # a cost run (a what-if passes none and reads no absorption table)
        absorb_rates.absorb(s, rates)
    if expense:
        absorb_rates.charge(s)
    s.rules_key, s.pools_up_to = key, up_to or NO_PERIOD_LIMIT
