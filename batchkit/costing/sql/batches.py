"""The batch master as the engine's key, and the small dimensions every later join uses as integers.

`code` is a batch's rank in batch_id string order: every later join and
group is an integer one, and the code is also the largest-remainder
tie-break (the smaller batch_id wins) and the output order (batch_id), so no
step sorts text again. Product lines, sites, work centers and cost elements
get integer codes the same way (scope tests and groups on ints), the cost
elements in name order so that sorting by code is sorting by name.
"""

from __future__ import annotations

from .errors import SqlModelError
from .session import Session

COMPUTED = ("material", "subassembly", "labor", "machine")  # the elements batchkit computes (contract 6)


def build(s: Session) -> None:
    """Tables `master` (one row per batch_id: validation refuses duplicates, and so does this; quantities as
    exact integers at the `good` places, qty_scrap empty as 0), `line_dim`, `site_dim`, `element_dim`."""
    qty = {c: f"coalesce({s.scaled(f'b.{c}', 'good')}, 0)" for c in ("qty_started", "qty_good", "qty_scrap")}
    for dim, col, code in (("line_dim", "product_line", "pl"), ("site_dim", "site", "sc")):
        s.table(dim, f"""
            SELECT {col}, CAST(row_number() OVER (ORDER BY {col}) AS INTEGER) AS {code}
            FROM (SELECT DISTINCT {col} FROM in_batches WHERE batch_id IS NOT NULL AND {col} IS NOT NULL) AS d""")
    s.table("master", f"""
        SELECT CAST(row_number() OVER (ORDER BY b.batch_id) - 1 AS BIGINT) AS code,
               b.batch_id, b.item_id, b.product_line, b.site, b.start_date, b.end_date,
               b.qty_started, b.qty_good, coalesce(b.qty_scrap, 0.0) AS qty_scrap,
               {qty["qty_good"]} AS good_i, {qty["qty_started"]} AS started_i, {qty["qty_scrap"]} AS scrap_i,
               ld.pl, sd.sc
        FROM in_batches AS b
        LEFT JOIN line_dim AS ld ON ld.product_line = b.product_line
        LEFT JOIN site_dim AS sd ON sd.site = b.site
        WHERE b.batch_id IS NOT NULL""")
    twice = s.engine.arrow("SELECT batch_id FROM master GROUP BY batch_id HAVING count(*) > 1 "
                           "ORDER BY batch_id LIMIT 3", step="master check")["batch_id"].to_pylist()
    if twice:
        raise SqlModelError("batches", f"batch_id {', '.join(map(repr, twice))} appears more than once (validation "
                                       "reports it: duplicate_key)")
    computed = " UNION ".join(f"SELECT '{e}' AS cost_element" for e in COMPUTED)
    s.table("element_dim", f"""
        SELECT cost_element, CAST(row_number() OVER (ORDER BY cost_element) AS INTEGER) AS eid
        FROM ({computed}
              UNION SELECT cost_element FROM in_direct_costs WHERE cost_element IS NOT NULL
              UNION SELECT cost_element FROM in_cost_pools WHERE cost_element IS NOT NULL) AS e""")


def eid(name: str) -> str:
    """SQL for the code of one of the computed elements (a scalar subquery on `element_dim`)."""
    assert name in COMPUTED
    return f"(SELECT eid FROM element_dim WHERE cost_element = '{name}')"
