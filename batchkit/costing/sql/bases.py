"""Allocation bases summed per month and batch (contract 3a, "A batch's basis in a pool's period").

A pool of period P shares by its batches' basis in P only, so each basis is
summed once per (month, batch code) over every month of the data; any set of
allocation rules and any run period reuses these tables.

- hours: labor and machine hours per month and batch, once for pools of any
  work center (wc_key 0) and once per work center (its code as wc_key)
- booked: (month, work center, batch) with hours there: a work-center scope
- material: purchased material cents (returns netted; sub-assemblies excluded)
- direct: direct-cost cents
- driver: drivers.value per driver
- units: per pool month, the batches active in it (start <= last day, end
  empty or >= first day), their qty_started and qty_good, and whether they
  were completed in it (good_units)
- booked units: the unit rows of the batches booked on each work center that
  month, for unit pools with a work-center scope (`booked_units`)
"""

from __future__ import annotations

from .exact import isum
from .session import Session
from .sql import month_of_period

BATCH = "m.start_date, m.pl, m.sc"  # the batch's scope attributes, carried so candidates need no master join


def build(s: Session) -> None:
    """Tables `hours_basis`, `booked`, `material_basis`, `direct_basis`, `driver_basis`, `unit_basis` and
    `unit_basis_booked`."""
    s.table("hours_basis", f"""
        WITH w AS (
            SELECT month, wc, code, {isum('labor_i')} AS labor, {isum('machine_i')} AS machine
            FROM op_row WHERE code IS NOT NULL
            GROUP BY month, wc, code),
        h AS (
            SELECT month, 0 AS wc_key, code, {isum('labor')} AS labor, {isum('machine')} AS machine
            FROM w GROUP BY month, code
            UNION ALL
            SELECT month, wc AS wc_key, code, labor, machine FROM w WHERE wc IS NOT NULL)
        SELECT h.*, {BATCH} FROM h JOIN master AS m ON m.code = h.code""")
    s.table("booked", "SELECT month, wc_key AS wc, code FROM hours_basis WHERE wc_key > 0 AND labor + machine > 0")
    for name, table, where in (("material_basis", "issue_sum", "AND lot_code IS NULL"),
                               ("direct_basis", "direct_sum", "")):
        s.table(name, f"""
            WITH b AS (
                SELECT month, code, {isum('cents')} AS weight FROM {table}
                WHERE code IS NOT NULL {where}
                GROUP BY month, code)
            SELECT b.*, {BATCH} FROM b JOIN master AS m ON m.code = b.code""")
    s.table("driver_basis", f"""
        SELECT d.driver, {month_of_period('d.period')} AS month, m.code,
               {isum(f"coalesce({s.scaled('d.value', 'driver')}, 0)")} AS weight, min(m.start_date) AS start_date,
               min(m.pl) AS pl, min(m.sc) AS sc
        FROM in_drivers AS d
        JOIN master AS m ON d.batch_id = m.batch_id
        WHERE d.driver IS NOT NULL AND d.period IS NOT NULL
        GROUP BY d.driver, {month_of_period('d.period')}, m.code""")
    s.table("unit_basis", unit_rows("SELECT DISTINCT month, first_day, last_day FROM pool_amount"))
    booked_units(s, "unit_basis")


def booked_units(s: Session, units: str) -> str:
    """Table `<units>_booked`: the rows of unit basis `units` per work center the batch booked hours on that
    month; returns its name.

    An equal or unit pool scoped to a work center shares among the batches booked there. Joined per
    candidate, the optimizer paired every such pool with every batch of its month first and only then
    looked the pairs up in `booked` (6.3 M pairs for 1.4 M candidates at 16x, a second of a what-if);
    joined once here, a scoped pool finds its batches with one equality join on (month, work center).
    """
    name = f"{units}_booked"
    s.table(name, f"SELECT k.wc, b.* FROM booked AS k JOIN {units} AS b ON b.month = k.month AND b.code = k.code")
    return name


def unit_rows(months: str) -> str:
    """SQL: per month of the query `months` (month, first_day, last_day), the batches active in it, their
    quantities and whether they were completed in it (also for the months only `absorption` adds)."""
    return f"""
        WITH months AS ({months})
        SELECT p.month, m.code, m.good_i, m.started_i,
               (m.end_date IS NOT NULL AND m.end_date >= p.first_day AND m.end_date <= p.last_day) AS completed,
               {BATCH}
        FROM months AS p
        JOIN master AS m
          ON m.start_date <= p.last_day AND (m.end_date IS NULL OR m.end_date >= p.first_day)"""
