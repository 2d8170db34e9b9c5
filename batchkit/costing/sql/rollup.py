"""A period's costs per batch: own costs, then sub-assemblies charged level by level (contract 3, 3a).

Own costs are inception-to-date as of the period end: rows dated in or
before the run's month (the period end is its last day), of batches started
by then; pools of periods up to the run's. Rows of other batches (unknown,
or not started yet) are excluded and reported (reconciliation).

A sub-assembly issue of batch S is charged qty x (S's total / S's qty_good),
rounded half away from zero per row, so S must be complete before its
consumers: levels come from the distinct genealogy edges
(`batchkit.genealogy.levels`, which also finds cycles), and each level is one
statement whose supplier totals are own costs plus the charges of lower levels.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa

from ...core.genealogy import levels
from . import behavior
from .batches import eid
from .errors import SqlModelError
from .exact import isum, mul, round_div
from .session import Session

RUN = "SELECT code FROM master WHERE start_date <= $period_end"  # the batches in the run
IN_RUN = f"code IN ({RUN})"  # a row of a batch in the run
DATED = "month <= $run_month"  # dated on or before the period end


KINDS = ("material", "labor", "machine", "direct", "pool")  # kind codes 1..5: the summary's cost-by-kind columns


def kind(name: str) -> int:
    return KINDS.index(name) + 1


def own_base(s: Session) -> None:
    """Table `own_base`: cents per (batch, element code, kind code) of the batches in the run from every source
    but the pools (materials, labor, machine, direct costs): they depend on the period, never on the rules, so
    a what-if builds them once (`build`). A batch may have two rows of one element (a direct cost and a pool of
    the same name, or one named after a computed element): `per_element` adds them up.
    """
    s.table("own_base", f"""
        WITH ops AS (
            SELECT code, {isum('labor_cents')} AS labor, {isum('machine_cents')} AS machine
            FROM op_row WHERE {DATED} AND {IN_RUN} GROUP BY code)
        SELECT code, {eid('material')} AS eid, {kind('material')} AS kind, {isum('cents')} AS cents
        FROM issue_sum WHERE lot_code IS NULL AND {DATED} AND {IN_RUN} GROUP BY code
        UNION ALL SELECT code, {eid('labor')}, {kind('labor')}, labor FROM ops
        UNION ALL SELECT code, {eid('machine')}, {kind('machine')}, machine FROM ops
        UNION ALL
        SELECT code, eid, {kind('direct')}, {isum('cents')}
        FROM direct_sum WHERE {DATED} AND {IN_RUN} GROUP BY code, eid""")
    s.table("own_base_code", _per_code("SELECT code, eid, kind, cents FROM own_base"))


# The pools' rows of the batches' own costs: one per allocation (pools of periods up to the run's, with an element)
POOL_ROWS = f"""
    SELECT a.code, p.eid, {kind('pool')} AS kind, a.cents
    FROM alloc AS a JOIN pool AS p ON p.pool_idx = a.pool_idx
    WHERE p.period <= $period AND p.eid IS NOT NULL"""
OWN_COLUMNS = ("total", "fixed", *(f"{k}_cents" for k in KINDS), "own_subassembly")


def _per_code(rows: str) -> str:
    """SQL: per batch, the total, fixed part (`behavior`), cents by kind and cents of elements named subassembly
    of the own cost rows `rows` (code, eid, kind, cents)."""
    by_kind = ", ".join(isum(f"CASE WHEN o.kind = {kind(k)} THEN o.cents ELSE 0 END") + f" AS {k}_cents"
                        for k in KINDS)
    return f"""
        SELECT o.code, {isum('o.cents')} AS total, {isum(behavior.fixed_cents(kind('pool')))} AS fixed, {by_kind},
               {isum(f"CASE WHEN o.eid = {eid('subassembly')} THEN o.cents ELSE 0 END")} AS own_subassembly
        FROM ({rows}) AS o LEFT JOIN behavior_eid AS bh ON bh.eid = o.eid
        GROUP BY o.code"""


def own(s: Session) -> None:
    """Tables `own_pool`, `own` and `own_total`: the run's batches' own costs before sub-assemblies, per batch.

    - `own_pool`: the pools' part under the rules (total, fixed part, cents of pools named subassembly)
    - `own` (`OWN_COLUMNS`): `own_base_code` plus `own_pool`: total, fixed, cents by kind and of elements
      named subassembly (the summary's columns)
    - `own_total`: total and fixed part (`behavior`) alone: the narrow table each sub-assembly level joins for
      its suppliers (what a sub-assembly charges its consumers on)

    Summed per batch, not per element, so that a what-if's roll-up groups its 2.7 M allocations at 16x into
    200,000 batches rather than a million (batch, element) pairs; only `per_element` (cost's outputs) needs those.
    The pools' part has one kind, so it sums three columns; whether a pool is fixed or named subassembly is
    looked up once per pool row.
    """
    pools = f"""
        SELECT p.pool_idx, {behavior.is_fixed(str(kind('pool')), kind('pool'))} AS fixed,
               p.eid = {eid('subassembly')} AS named_sub
        FROM pool AS p LEFT JOIN behavior_eid AS bh ON bh.eid = p.eid
        WHERE p.period <= $period AND p.eid IS NOT NULL"""
    s.table("own_pool", f"""
        SELECT a.code, {isum('a.cents')} AS total, {isum('CASE WHEN f.fixed THEN a.cents ELSE 0 END')} AS fixed,
               {isum('CASE WHEN f.named_sub THEN a.cents ELSE 0 END')} AS own_subassembly
        FROM alloc AS a JOIN ({pools}) AS f ON f.pool_idx = a.pool_idx
        GROUP BY a.code""")
    from_pools = {"total": "total", "fixed": "fixed", "pool_cents": "total", "own_subassembly": "own_subassembly"}
    cols = ", ".join(f"coalesce(b.{c}, 0) + coalesce(p.{from_pools[c]}, 0) AS {c}" if c in from_pools
                     else f"coalesce(b.{c}, 0) AS {c}" for c in OWN_COLUMNS)
    s.table("own", f"""
        SELECT coalesce(b.code, p.code) AS code, {cols}
        FROM own_base_code AS b FULL OUTER JOIN own_pool AS p ON p.code = b.code""")
    s.table("own_total", "SELECT code, total, fixed FROM own")


def sub_structure(s: Session) -> int:
    """Tables `sub` (the run's sub-assembly issue groups) and `sub_level` (each consuming batch's level); returns
    the number of levels. Both depend on the period only (`build` keeps them for a what-if)."""
    e = s.engine
    s.table("sub", f"""
        SELECT code, lot_code, sub_qty_i, sub_std_price, n_rows FROM issue_sum
        WHERE lot_code IS NOT NULL AND {DATED} AND {IN_RUN}""")
    edges = e.arrow("SELECT DISTINCT lot_code, code FROM sub", step="sub edges")
    src = edges["lot_code"].to_numpy().astype(np.int64)
    dst = edges["code"].to_numpy().astype(np.int64)
    lv = levels(s.n_batches, src, dst)
    if lv.cycles:
        e.register("cycle_codes", pa.table({"code": np.concatenate(lv.cycles).astype(np.int64)}))
        names = ", ".join(e.arrow("SELECT batch_id FROM master WHERE code IN (SELECT code FROM cycle_codes) "
                                  "ORDER BY code", step="cycle names")["batch_id"].to_pylist())
        raise SqlModelError("sub-assemblies", f"genealogy cycle among batches {names}: each consumes another "
                                              "(validation reports it: genealogy_cycle)")
    consumers = np.flatnonzero(lv.level > 0)  # a batch on level 1 or above consumes another
    e.register("sub_level", pa.table({"code": consumers, "level": lv.level[consumers]}))
    return int(lv.level.max(initial=0))


def sub_assemblies(s: Session, top: int) -> None:
    """Tables `charge_<L>` for each of the `top` levels and `sub_charge`: the sub-assembly charges under the
    suppliers' own costs (`own_total`)."""
    charges: list[str] = []
    for level in range(1, top + 1):
        name = f"charge_{level}"
        s.exact(name, partial(_charge_level, list(charges)), {"level": level})
        charges.append(name)
    s.table("sub_charge", " UNION ALL ".join(
        f"SELECT code, lot_code, sub_qty_i, sub_std_price, n_rows, charge, fixed_charge FROM {c}" for c in charges)
        if charges else "SELECT code, lot_code, sub_qty_i, sub_std_price, n_rows, CAST(0 AS BIGINT) AS charge, "
                        "CAST(0 AS BIGINT) AS fixed_charge FROM sub WHERE false")


def _charge_level(below: list[str], wide: bool) -> str:
    """The charges of one level's issue groups: count x round(qty x supplier total / supplier qty_good), and
    their fixed part count x round(qty x supplier fixed cost / supplier qty_good) (`behavior`)."""
    prev = " UNION ALL ".join(f"SELECT code, charge, fixed_charge FROM {c}" for c in below)
    prev_join = (f"LEFT JOIN (SELECT code, {isum('charge')} AS charges, {isum('fixed_charge')} AS fixed_charges "
                 f"FROM ({prev}) AS c GROUP BY code) AS pv ON pv.code = s.lot_code") if below else ""
    supplier_total = "coalesce(t.total, 0)" + (" + coalesce(pv.charges, 0)" if below else "")
    supplier_fixed = "coalesce(t.fixed, 0)" + (" + coalesce(pv.fixed_charges, 0)" if below else "")
    return f"""
        WITH r AS (
            SELECT s.code, s.lot_code, s.sub_qty_i, s.sub_std_price, s.n_rows, g.good_i,
                   {mul('s.sub_qty_i * $sub_qty_mul', supplier_total, wide)} AS n,
                   {mul('s.sub_qty_i * $sub_qty_mul', supplier_fixed, wide)} AS n_fixed
            FROM sub AS s
            JOIN sub_level AS l ON l.code = s.code AND l.level = $level
            JOIN master AS g ON g.code = s.lot_code
            LEFT JOIN own_total AS t ON t.code = s.lot_code
            {prev_join})
        SELECT code, lot_code, sub_qty_i, sub_std_price, n_rows,
               n_rows * {round_div('n', 'greatest(good_i * $sub_good_mul, 1)', wide)} AS charge,
               n_rows * {round_div('n_fixed', 'greatest(good_i * $sub_good_mul, 1)', wide)} AS fixed_charge
        FROM r"""


def per_element(s: Session) -> None:
    """Table `per_element`: cents per (batch, element code), own costs then (part 1) the sub-assembly charges."""
    s.table("per_element", f"""
        SELECT code, eid, {isum('cents')} AS cents, 0 AS part
        FROM (SELECT code, eid, cents FROM own_base UNION ALL SELECT code, eid, cents FROM ({POOL_ROWS}) AS r) AS o
        GROUP BY code, eid
        UNION ALL
        SELECT code, {eid('subassembly')} AS eid, {isum('charge')} AS cents, 1 AS part FROM sub_charge
        GROUP BY code""")


def summary(s: Session) -> None:
    """Table `summary`: per batch in the run, status, total, scrap and abnormal scrap cents and cents by kind.

    scrap = round(total x qty_scrap / qty_started); abnormal = round(total x excess / qty_started), the excess
    being the scrap above params scrap.normal_rate x qty_started (0 when qty_started is 0). fixed_cents: own
    fixed cost + the fixed parts of the sub-assembly charges (`behavior`; variable = total - fixed).
    """
    def build(wide: bool) -> str:
        # total = own costs + sub-assembly charges; the subassembly column also holds own rows of that name
        return f"""
        WITH k AS (SELECT code, total AS own, fixed, {", ".join(f"{k}_cents" for k in KINDS)}, own_subassembly
                   FROM own),
        c AS (SELECT code, {isum('charge')} AS charges, {isum('fixed_charge')} AS fixed_charges FROM sub_charge
              GROUP BY code),
        t AS (
            SELECT coalesce(k.code, c.code) AS code, coalesce(k.own, 0) + coalesce(c.charges, 0) AS total,
                   coalesce(k.fixed, 0) + coalesce(c.fixed_charges, 0) AS fixed_cents,
                   coalesce(k.own_subassembly, 0) + coalesce(c.charges, 0) AS subassembly_cents,
                   {", ".join(f"k.{k}_cents" for k in KINDS)}
            FROM k FULL OUTER JOIN c ON c.code = k.code),
        b AS (
            SELECT m.code, m.started_i, m.scrap_i,
                   CASE WHEN m.end_date IS NOT NULL AND m.end_date <= $period_end THEN 'completed' ELSE 'wip' END
                       AS status,
                   coalesce(t.total, 0) AS total, coalesce(t.subassembly_cents, 0) AS subassembly_cents,
                   coalesce(t.fixed_cents, 0) AS fixed_cents,
                   {", ".join(f"coalesce(t.{k}_cents, 0) AS {k}_cents" for k in KINDS)},
                   {mul('coalesce(t.total, 0)', 'm.scrap_i', wide)} AS n_scrap,
                   {mul('coalesce(t.total, 0)', 'greatest(m.scrap_i * $rate_scale - $rate_i * m.started_i, 0)',
                        wide)} AS n_abnormal
            FROM master AS m
            LEFT JOIN t ON t.code = m.code
            WHERE m.start_date <= $period_end)
        SELECT code, status, total, subassembly_cents, {", ".join(f"{k}_cents" for k in KINDS)},
               CASE WHEN started_i > 0 THEN {round_div('n_scrap', 'started_i', wide)} ELSE 0 END AS scrap_cents,
               CASE WHEN started_i > 0 THEN {round_div('n_abnormal', 'started_i * $rate_scale', wide)} ELSE 0 END
                   AS abnormal_cents,
               fixed_cents
        FROM b"""
    s.exact("summary", build)


def build(s: Session, base_key: tuple[object, ...], elements: bool = True) -> None:
    """Every per-batch table of the run (the pools must be allocated up to the run's period); `per_element` only
    with `elements` (cost's outputs read it, a what-if does not).

    What depends on the period and not on the rules (`own_base`, `sub`, the levels) is built again only when
    `base_key` (the period and the cost behavior) changes.
    """
    if s.rollup_base is None or s.rollup_base[0] != base_key:
        own_base(s)
        s.rollup_base = (base_key, sub_structure(s))
    own(s)
    sub_assemblies(s, s.rollup_base[1])
    if elements:
        per_element(s)
    summary(s)
