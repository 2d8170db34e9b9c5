"""Reconciliation per cost element (contract 3a): input = costed + unallocated + excluded, to the cent.

Input is every cost as of the period end: purchased materials, labor,
machine and direct costs (rows of unknown batches included) and the pools of
periods up to the run's; costed is the batches' own costs; unallocated the
pools nobody takes; excluded the rows naming batches not in the run (not in
the master, or not started by the period end). Sub-assembly charges are a
transfer between batches, not an input, and stay out of the equation.

With predetermined rates (`absorption`) a rated pool's actual amount is what
its batches absorbed (costed) plus its over/under-absorbed difference; the
difference left as a period cost is absorption_difference, so
input = costed + unallocated + excluded + absorption_difference. A rated
pool is never unallocated: when no batch absorbs it, all of it is difference.
"""

from __future__ import annotations

import pandas as pd

from ...core import money
from .batches import eid
from .exact import isum
from .outputs import as_frame, ints
from .rollup import DATED, RUN
from .session import Session

ELEMENT_ORDER = ("material", "subassembly", "labor", "machine")  # then the others by name, as batchkit.cost


def inputs(s: Session) -> None:
    """Table `element_input`: per element code, every input as of the period end, the part excluded (rows of
    batches not in the run) and the pools nobody took."""
    def part(eid_sql: str, cents: str, table: str, where: str, group: str = "") -> str:
        out = f"CASE WHEN r.code IS NULL THEN x.{cents} ELSE 0 END"
        return f"""
            SELECT {eid_sql} AS eid, {isum(f'x.{cents}')} AS input_cents, {isum(out)} AS excluded_cents,
                   CAST(0 AS BIGINT) AS unallocated_cents, CAST(0 AS BIGINT) AS absorption_cents, count(*) AS n
            FROM {table} AS x LEFT JOIN ({RUN}) AS r ON r.code = x.code
            WHERE {where} {group}"""
    s.table("element_input", f"""
        WITH parts AS (
            {part(eid('material'), 'cents', 'issue_sum', f'x.lot_code IS NULL AND x.{DATED}')}
            UNION ALL {part(eid('labor'), 'labor_cents', 'op_row', f'x.{DATED}')}
            UNION ALL {part(eid('machine'), 'machine_cents', 'op_row', f'x.{DATED}')}
            UNION ALL {part('x.eid', 'cents', 'direct_sum', f'x.{DATED}', 'GROUP BY x.eid')}
            UNION ALL
            SELECT p.eid, {isum('p.cents')}, 0,
                   {isum('CASE WHEN w.pool_idx IS NULL AND ab.pool_idx IS NULL THEN p.cents ELSE 0 END')},
                   {isum('coalesce(ab.left_cents, 0)')}, count(*)
            FROM pool AS p LEFT JOIN pool_weight AS w ON w.pool_idx = p.pool_idx
            LEFT JOIN absorption_pool AS ab ON ab.pool_idx = p.pool_idx
            WHERE p.period <= $period AND p.eid IS NOT NULL GROUP BY p.eid)
        SELECT eid, {isum('input_cents')} AS input_cents, {isum('excluded_cents')} AS excluded_cents,
               {isum('unallocated_cents')} AS unallocated_cents, {isum('absorption_cents')} AS absorption_cents
        FROM parts WHERE n > 0
        GROUP BY eid""")


def frame(s: Session) -> pd.DataFrame:
    """Per cost element: input = costed + unallocated + excluded + absorption difference, to the cent
    (subassembly is a transfer); absorption_difference_amount is appended after the columns it had before."""
    order = " ".join(f"WHEN '{e}' THEN {i}" for i, e in enumerate(ELEMENT_ORDER))
    t = s.engine.arrow(f"""
        WITH costed AS (
            SELECT eid, CAST(sum(cents) AS BIGINT) AS costed_cents FROM per_element
            WHERE eid <> {eid('subassembly')} GROUP BY eid),
        elements AS (SELECT eid FROM element_input UNION SELECT eid FROM costed)
        SELECT d.cost_element,
               coalesce(i.input_cents, 0) AS input_cents, coalesce(c.costed_cents, 0) AS costed_cents,
               coalesce(i.unallocated_cents, 0) AS unallocated_cents, coalesce(i.excluded_cents, 0) AS excluded_cents,
               coalesce(i.absorption_cents, 0) AS absorption_cents
        FROM elements AS e
        JOIN element_dim AS d ON d.eid = e.eid
        LEFT JOIN element_input AS i ON i.eid = e.eid
        LEFT JOIN costed AS c ON c.eid = e.eid
        ORDER BY CASE d.cost_element {order} ELSE {len(ELEMENT_ORDER)} END, d.cost_element""",
                       step="reconciliation")
    cols = {k: ints(t[f"{k}_cents"]) for k in ("input", "costed", "unallocated", "excluded")}
    absorbed_diff = ints(t["absorption_cents"])
    return as_frame({
        "cost_element": t["cost_element"].to_pylist(),  # a list, as batchkit.cost builds it (so too when empty)
        **{f"{k}_amount": money.cents_to_float(v) for k, v in cols.items()},
        "difference": money.cents_to_float(cols["input"] - cols["costed"] - cols["unallocated"] - cols["excluded"]
                                           - absorbed_diff),
        "absorption_difference_amount": money.cents_to_float(absorbed_diff),
    })
