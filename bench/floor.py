"""The floor `batchkit cost` is measured against: a minimal exact costing in DuckDB, as a whole process.

    python bench/floor.py DATA OUT            # DATA: a Parquet demo folder; OUT: a folder for its two tables
    python bench/floor.py DATA OUT --lower    # the lower floor: one group-by in doubles, nothing exact

What it does (the least work any exact engine must do for the demo's month):
read the Parquet files; price every material issue at its own or its lot's
unit cost and every operation at the rates in force on its date, each row in
integer cents rounded half away from zero (DECIMAL, never DOUBLE); split every
cost pool over the batches that booked hours in its work center and period,
by labor hours, with largest remainder (ties to the batch_id); write the
per-batch costs and the allocation ledger as Parquet. It does no validation,
no sub-assembly roll-up, no variances and no analytics, and its allocation
rule is simpler than the contract's, so it is a floor, not an equal: a ratio
of batchkit to it says how much of batchkit's time is beyond the essential.
Prints one line `FLOOR {json}` with its wall times.

Deliberately outside batchkit (plain duckdb, values never interpolated: only
the folder paths, which are the caller's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

PRICED = """
CREATE TABLE priced AS
WITH lots AS (
    SELECT lot_id, first(unit_cost ORDER BY received_date) AS unit_cost
    FROM read_parquet($lots) WHERE lot_id IS NOT NULL GROUP BY lot_id
), issues AS (
    SELECT i.batch_id, 'material' AS cost_element,
           CAST(round(CAST(i.qty AS DECIMAL(18, 4)) * CAST(coalesce(i.unit_cost, l.unit_cost) AS DECIMAL(18, 4)), 2)
                * 100 AS BIGINT) AS cents
    FROM read_parquet($issues) AS i LEFT JOIN lots AS l ON l.lot_id = i.lot_id
), ops AS (
    SELECT o.batch_id, o.work_center, o.date, CAST(o.labor_hours AS DECIMAL(18, 4)) AS labor_hours,
           CAST(round(CAST(o.labor_hours AS DECIMAL(18, 4)) * CAST(r.labor_rate AS DECIMAL(18, 4)), 2) * 100
                AS BIGINT) AS labor_cents,
           CAST(round(CAST(o.machine_hours AS DECIMAL(18, 4)) * CAST(r.machine_rate AS DECIMAL(18, 4)), 2) * 100
                AS BIGINT) AS machine_cents
    FROM read_parquet($operations) AS o
    JOIN read_parquet($rates) AS r
      ON r.work_center = o.work_center AND (r.valid_from IS NULL OR r.valid_from <= o.date)
     AND (r.valid_to IS NULL OR r.valid_to >= o.date)
)
SELECT batch_id, cost_element, cents, NULL AS work_center, NULL AS period, NULL AS labor_hours FROM issues
UNION ALL SELECT batch_id, 'labor', labor_cents, work_center, strftime(date, '%Y-%m'), labor_hours FROM ops
UNION ALL SELECT batch_id, 'machine', machine_cents, NULL, NULL, NULL FROM ops
"""

ALLOCATED = """
CREATE TABLE ledger AS
WITH pools AS (
    SELECT pool_id, cost_element, period, work_center, CAST(round(CAST(amount AS DECIMAL(18, 4)), 2) * 100 AS BIGINT)
           AS cents
    FROM read_parquet($pools)
), basis AS (
    SELECT batch_id, work_center, period, sum(labor_hours) AS w FROM priced
    WHERE work_center IS NOT NULL GROUP BY ALL
), cand AS (
    SELECT p.pool_id, p.cost_element, p.period, b.batch_id, p.cents,
           CAST(b.w * 10000 AS BIGINT) AS w,
           sum(CAST(b.w * 10000 AS BIGINT)) OVER (PARTITION BY p.pool_id, p.period) AS total
    FROM pools AS p JOIN basis AS b ON b.work_center = p.work_center AND b.period = p.period
), split AS (
    SELECT *, (cents * w) // total AS base, (cents * w) % total AS rest FROM cand WHERE total > 0
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY pool_id, period ORDER BY rest DESC, batch_id) AS r,
           cents - sum(base) OVER (PARTITION BY pool_id, period) AS left_over
    FROM split
)
SELECT pool_id, period, cost_element, batch_id, base + CASE WHEN r <= left_over THEN 1 ELSE 0 END AS cents
FROM ranked
"""

COSTS = """
SELECT batch_id, cost_element, sum(cents) AS cents FROM (
    SELECT batch_id, cost_element, cents FROM priced UNION ALL SELECT batch_id, cost_element, cents FROM ledger
) GROUP BY ALL ORDER BY batch_id, cost_element
"""

LOWER = """
SELECT batch_id, sum(amount) AS cost FROM (
    SELECT batch_id, qty * unit_cost AS amount FROM read_parquet($issues)
    UNION ALL SELECT batch_id, labor_hours * 60.0 + machine_hours * 40.0 FROM read_parquet($operations)
) GROUP BY batch_id
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--lower", action="store_true", help="one group-by in doubles (the lower floor)")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = {name: str(data / f"{table}.parquet") for name, table in (
        ("lots", "material_lots"), ("issues", "material_issues"), ("operations", "operations"), ("rates", "rates"),
        ("pools", "cost_pools"))}
    t0 = time.perf_counter()
    con = duckdb.connect(config={"threads": args.threads} if args.threads else {})
    times: dict[str, float] = {}

    def step(name: str, sql: str, wanted: tuple[str, ...]) -> None:
        t = time.perf_counter()
        con.execute(sql, {k: files[k] for k in wanted})
        times[name] = round(time.perf_counter() - t, 3)

    if args.lower:
        t = time.perf_counter()
        rows = len(con.execute(LOWER, {"issues": files["issues"], "operations": files["operations"]}).fetchall())
        times["group_by"] = round(time.perf_counter() - t, 3)
    else:
        step("price", PRICED, ("lots", "issues", "operations", "rates"))
        step("allocate", ALLOCATED, ("pools",))
        t = time.perf_counter()
        con.sql(COSTS).write_parquet(str(out / "batch_costs.parquet"))
        con.sql("SELECT * FROM ledger ORDER BY period, pool_id, batch_id").write_parquet(
            str(out / "allocation_ledger.parquet"))
        times["write"] = round(time.perf_counter() - t, 3)
        rows = int(con.execute("SELECT count(DISTINCT batch_id) FROM priced").fetchone()[0])  # type: ignore[index]
    con.close()
    times["total"] = round(time.perf_counter() - t0, 3)
    print("FLOOR " + json.dumps({"batches": rows, **times}))


if __name__ == "__main__":
    sys.exit(main())
