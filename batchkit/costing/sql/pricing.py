"""Material issues, direct costs and pools in exact cents (period independent).

Each material issue is priced once, qty x unit cost (its own, else its
lot's) rounded half away from zero per row (contract 3a), and the rows are
summed per batch code and month straight away: every later step (the
period's own costs, the material_cost basis, variances) needs only those
sums, a twentieth as many rows as the issues. For the material price
variance each row is matched here to its batch item's standard BOM line, and
the rows with a standard add up their cents and std price x qty.

Issues of a sub-assembly batch (lot_id is a batch) keep their quantity (and
standard price) in the key, so identical rows fold into one group with a row
count: their charge, rounded per row, is then count x round(qty x unit cost
of the batch).
"""

from __future__ import annotations

from .exact import isum, mul, psum, round_div
from .session import Session
from .sql import first_day, month_of_date, month_of_period


def lots(s: Session) -> None:
    """Table `lot_map`: every batch_id and purchased lot_id, with the batch's code or the lot's unit cost."""
    s.table("lot_map", f"""
        SELECT coalesce(b.batch_id, l.lot_id) AS lot_id, b.code AS lot_code, l.unit_i AS lot_unit_i
        FROM master AS b
        FULL OUTER JOIN (SELECT lot_id, {s.scaled('unit_cost', 'unit')} AS unit_i
                         FROM in_material_lots
                         WHERE lot_id IS NOT NULL
                         QUALIFY row_number() OVER (PARTITION BY lot_id ORDER BY _row) = 1) AS l
            ON b.batch_id = l.lot_id""")


def issues(s: Session) -> None:
    """Table `issue_sum`, per (batch code, month, sub-assembly lot, its qty and std price): cents and rows, and,
    of the purchased rows with a standard line, their cents (std_cents) and std price x qty (std_value).

    code is NULL for a batch not in the master, lot_code NULL for a purchased
    lot; purchased rows with no unit cost anywhere (a validation error) are 0.
    """
    def build(wide: bool) -> str:
        return f"""
        WITH i AS (
            SELECT b.code, {month_of_date('i.date')} AS month, lm.lot_code,
                   coalesce({s.scaled('i.qty', 'qty')}, 0) AS qty_i,
                   coalesce({s.scaled('i.unit_cost', 'unit')}, lm.lot_unit_i) AS unit_i,
                   st.price_i AS std_price
            FROM in_material_issues AS i
            LEFT JOIN master AS b ON i.batch_id = b.batch_id
            LEFT JOIN lot_map AS lm ON i.lot_id = lm.lot_id
            LEFT JOIN std_bom AS st ON st.item_id = b.item_id AND st.material_id = i.material_id),
        priced AS (
            SELECT code, month, lot_code, qty_i, std_price,
                   CASE WHEN lot_code IS NOT NULL THEN qty_i END AS sub_qty_i,
                   CASE WHEN lot_code IS NOT NULL THEN std_price END AS sub_std_price,
                   CASE WHEN lot_code IS NULL THEN {mul('qty_i', 'unit_i', wide)} * $issue_mul END AS n
            FROM i),
        rounded AS (
            SELECT *, coalesce({round_div('n', '$issue_div', wide)}, 0) AS cents,
                   lot_code IS NULL AND std_price IS NOT NULL AS with_std
            FROM priced)
        SELECT code, month, lot_code, sub_qty_i, sub_std_price, {isum('cents')} AS cents, count(*) AS n_rows,
               {isum('CASE WHEN with_std THEN cents ELSE 0 END')} AS std_cents,
               {psum(f"CASE WHEN with_std THEN {mul('std_price', 'qty_i', wide)} ELSE 0 END", wide)} AS std_value
        FROM rounded
        GROUP BY code, month, lot_code, sub_qty_i, sub_std_price"""
    s.exact("issue_sum", build)


def direct(s: Session) -> None:
    """Table `direct_sum`: direct-cost cents (each row rounded to the cent) per batch code, month and element
    (`eid`; rows without an element are left out, as batchkit.cost does)."""
    def build(wide: bool) -> str:
        return f"""
        WITH d AS (
            SELECT b.code, {month_of_date('d.date')} AS month, e.eid,
                   {mul(f"coalesce({s.scaled('d.amount', 'direct')}, 0)", '$direct_mul', wide)} AS n
            FROM in_direct_costs AS d
            JOIN element_dim AS e ON e.cost_element = d.cost_element
            LEFT JOIN master AS b ON d.batch_id = b.batch_id)
        SELECT code, month, eid,
               {isum(round_div('n', '$direct_div', wide))} AS cents, count(*) AS n_rows
        FROM d
        GROUP BY code, month, eid"""
    s.exact("direct_sum", build)


def pools(s: Session) -> None:
    """Table `pool_amount`: each pool row with a period, in cents, with its element code (`eid`), month and
    first and last day."""
    def build(wide: bool) -> str:
        return f"""
        WITH p AS (
            SELECT c._row AS pool_idx, c.pool_id, c.cost_element, e.eid, c.period, c.product_line, c.site,
                   c.work_center, {mul(f"coalesce({s.scaled('c.amount', 'pool')}, 0)", '$pool_mul', wide)} AS n
            FROM in_cost_pools AS c
            LEFT JOIN element_dim AS e ON e.cost_element = c.cost_element
            WHERE c.period IS NOT NULL AND c.period <> '')
        SELECT pool_idx, pool_id, cost_element, eid, period, product_line, site, work_center,
               {round_div('n', '$pool_div', wide)} AS cents,
               {month_of_period('period')} AS month,
               {first_day('period')} AS first_day, last_day({first_day('period')}) AS last_day
        FROM p"""
    s.exact("pool_amount", build)
