"""Operations priced at the work-center rate in force on their date (contract 3a, "Rates").

The rate in force on date d: among the work center's rows with valid_from
empty or <= d and valid_to empty or >= d (both ends inclusive), the one with
the latest valid_from; none, or two sharing it, is an error. An ASOF join
would pick the latest valid_from at or before d and ignore valid_to, which
is not this rule when ranges overlap or leave gaps, so the rule is a range
join that counts the rows at the latest valid_from. It runs on the distinct
(work_center, date) pairs, a few thousand even for millions of bookings.
"""

from __future__ import annotations

from .errors import SqlModelError
from .exact import mul, round_div
from .session import Session
from .sql import month_of_date

RATE_OK, RATE_MISSING, RATE_AMBIGUOUS = 0, 1, 2  # as batchkit.rates


def in_force(s: Session, refuse: bool = True) -> None:
    """Tables `wc_dim` (work centers booked, coded) and `rate_pick`: per (work_center, date) booked, its code,
    the rate row in force and its status; a booking with none, or two, is refused (unless not `refuse`)."""
    s.table("wc_dim", """
        SELECT work_center, CAST(row_number() OVER (ORDER BY work_center) AS INTEGER) AS wc
        FROM (SELECT DISTINCT work_center FROM in_operations WHERE work_center IS NOT NULL) AS w""")
    s.table("rate_pick", f"""
        WITH pairs AS (SELECT DISTINCT work_center, date FROM in_operations),
        covering AS (
            SELECT p.work_center, p.date, r._row AS rate_row,
                   coalesce({s.scaled('r.labor_rate', 'labor_rate')}, 0) AS labor_rate_i,
                   coalesce({s.scaled('r.machine_rate', 'machine_rate')}, 0) AS machine_rate_i,
                   coalesce(r.valid_from, DATE '0001-01-01') AS vf
            FROM pairs AS p
            JOIN in_rates AS r
              ON r.work_center = p.work_center
             AND (r.valid_from IS NULL OR r.valid_from <= p.date)
             AND (r.valid_to IS NULL OR r.valid_to >= p.date)),
        ranked AS (
            SELECT *, max(vf) OVER (PARTITION BY work_center, date) AS latest FROM covering)
        SELECT p.work_center, p.date, min(w.wc) AS wc, count(r.rate_row) AS n_latest, min(r.rate_row) AS rate_row,
               min(r.labor_rate_i) AS labor_rate_i, min(r.machine_rate_i) AS machine_rate_i,
               CASE count(r.rate_row) WHEN 1 THEN {RATE_OK} WHEN 0 THEN {RATE_MISSING} ELSE {RATE_AMBIGUOUS} END
                   AS status
        FROM pairs AS p
        LEFT JOIN ranked AS r
          ON r.work_center = p.work_center AND r.date = p.date AND r.vf = r.latest
        LEFT JOIN wc_dim AS w ON w.work_center = p.work_center
        GROUP BY p.work_center, p.date""")
    if not refuse:
        return
    bad = s.engine.arrow(f"""
        SELECT work_center, date, status FROM rate_pick WHERE status <> {RATE_OK}
        ORDER BY work_center, date LIMIT 3""", step="rate_pick check").to_pylist()
    if bad:
        what = "; ".join(f"{'no rate' if b['status'] == RATE_MISSING else 'two rates share the latest valid_from'}"
                         f" for work center {b['work_center']!r} on {b['date']}" for b in bad)
        raise SqlModelError("rates", f"{what} (validation reports every such operation: missing_rate / "
                                     "ambiguous_rate)")


def operations(s: Session) -> None:
    """Table `op_row`: each operation's batch code, month, work center (`wc`), hours and cents (labor and
    machine each rounded per row), and, when the operation is on the batch item's standard routing, the same
    cents again and std rate x hours (the rate variances' terms; 0 otherwise).

    Rows, not sums: operations are spread so thin (two rows per batch, month and
    work center) that a group here would cost more than it saves later.
    """
    def build(wide: bool) -> str:
        def with_route(x: str) -> str:
            return f"CASE WHEN has_route THEN {x} ELSE 0 END"
        return f"""
        WITH o AS (
            SELECT b.code, {month_of_date('o.date')} AS month, r.wc,
                   coalesce({s.scaled('o.labor_hours', 'hours')}, 0) AS labor_i,
                   coalesce({s.scaled('o.machine_hours', 'hours')}, 0) AS machine_i,
                   r.labor_rate_i, r.machine_rate_i,
                   st.item_id IS NOT NULL AS has_route, st.labor_rate_i AS std_labor_rate,
                   st.machine_rate_i AS std_machine_rate
            FROM in_operations AS o
            JOIN rate_pick AS r ON r.work_center = o.work_center AND r.date = o.date
            LEFT JOIN master AS b ON o.batch_id = b.batch_id
            LEFT JOIN std_routing AS st ON st.item_id = b.item_id AND st.operation = o.operation),
        priced AS (
            SELECT *, {mul('labor_i', 'labor_rate_i', wide)} * $labor_mul AS ln,
                   {mul('machine_i', 'machine_rate_i', wide)} * $machine_mul AS mn
            FROM o),
        rounded AS (
            SELECT *, {round_div('ln', '$labor_div', wide)} AS labor_cents,
                   {round_div('mn', '$machine_div', wide)} AS machine_cents
            FROM priced)
        SELECT code, month, wc, labor_i, machine_i, labor_cents, machine_cents,
               {with_route('labor_cents')} AS labor_std_cents,
               {with_route(mul('std_labor_rate', 'labor_i', wide))} AS labor_std_value,
               {with_route('machine_cents')} AS machine_std_cents,
               {with_route(mul('std_machine_rate', 'machine_i', wide))} AS machine_std_value
        FROM rounded"""
    s.exact("op_row", build)
