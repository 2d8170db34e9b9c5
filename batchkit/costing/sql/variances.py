"""Variances against standard cost, per completed batch whose item has a standard (contract 3 and 3a).

For good output Q: each standard component = round(Q x sum of std qty per
unit x std price), rounded once; price (rate) variance = round(sum over the
actual rows matching a standard line of (actual amount - std price x actual
qty)), rounded once; usage (efficiency) = actual - standard - price; overhead
= pools + direct costs - standard overhead. The seven sum exactly to total
cost - standard cost.

Fixed overhead (issue 17), when `standard_overhead` has a behavior value:
the fixed overhead of the pools with a predetermined rate (params
`absorption`) whose element is fixed (params `cost_behavior`; pools are fixed
unless named), the rated fixed elements, leaves `overhead` for two types:
- overhead_spending = what the batch was charged for those pools - what it
  absorbed at the rate (its share of the pools' difference under `difference:
  prorate`; 0 under `expense`, where the difference is a period cost);
- overhead_volume = what it absorbed - the standard of Q of its standard
  overhead rows that are fixed and of a rated fixed element (rounded once).
`overhead` keeps the rest (variable and unrated overhead, direct costs, less
their standard: standard overhead - the fixed standard above), so the nine
still sum exactly to total cost - standard cost. Without any rate both are 0
and `overhead` is as without the column. Without a behavior value the two
types are not written: the outputs are those of before.

Pricing matched every issue and operation row to its standard line and
summed, per batch and month, the cents of the matched rows and their
std price x qty, so the price terms are sums of sums:
sum(cents x a - price x qty x b) = a x sum(cents) - b x sum(price x qty), exactly, in integers.
"""

from __future__ import annotations

from .exact import isum, mul, psum, round_div
from .rollup import DATED, IN_RUN
from .session import Session

TYPES = ("material_price", "material_usage", "labor_rate", "labor_efficiency", "machine_rate",
         "machine_efficiency", "overhead")
FIXED_TYPES = ("overhead_spending", "overhead_volume")  # with a behavior column in standard_overhead


def types(s: Session) -> tuple[str, ...]:
    """The variance types of this dataset: the seven, then the fixed overhead split when standard_overhead gives
    a behavior (a value in at least one row)."""
    split = s.engine.arrow("SELECT count(*) AS n FROM std_overhead WHERE has_behavior", step="behavior")["n"]
    return TYPES + FIXED_TYPES if split[0].as_py() else TYPES


def _rated(s: Session) -> bool:
    """Whether this run has predetermined rates (`absorption_pool`, rebuilt by every cost run's allocation)."""
    return bool(s.engine.arrow("SELECT count(*) AS n FROM absorption_pool", step="rated")["n"][0].as_py())


def _rated_fixed(rated: bool) -> str:
    """SQL: the run's rated pools (period up to the run's) whose element is fixed: pool_idx, eid, cost_element."""
    if not rated:
        return "SELECT pool_idx, eid, cost_element FROM pool WHERE false"
    return """
        SELECT p.pool_idx, p.eid, p.cost_element
        FROM pool_rate AS r JOIN pool AS p ON p.pool_idx = r.pool_idx
        LEFT JOIN behavior_eid AS bh ON bh.eid = p.eid
        WHERE p.period <= $period AND p.eid IS NOT NULL AND coalesce(bh.fixed, true)"""


def build(s: Session) -> None:
    """Tables `done`, `standard`, `mat_var`, `op_var` and `variance` (one row per done batch)."""
    s.table("done", """
        SELECT m.code, m.item_id, m.good_i
        FROM summary AS r JOIN master AS m ON m.code = r.code
        WHERE r.status = 'completed'
          AND m.item_id IN (SELECT item_id FROM std_bom UNION SELECT item_id FROM std_routing
                            UNION SELECT item_id FROM std_overhead)""")

    rated = len(types(s)) > len(TYPES) and _rated(s)  # no behavior value: no split, overhead as before
    fixed_std = ("(SELECT * FROM std_overhead WHERE fixed AND cost_element IN "
                 f"(SELECT cost_element FROM ({_rated_fixed(rated)}) AS f)) AS so")

    def standard(wide: bool) -> str:
        comps = (("mat", "std_bom", mul("qty_i", "price_i", wide), "mat"),
                 ("lab", "std_routing", mul("labor_hours_i", "labor_rate_i", wide), "lab"),
                 ("mach", "std_routing", mul("machine_hours_i", "machine_rate_i", wide), "mach"),
                 ("oh", "std_overhead", "cost_i", "oh"),
                 ("ohf", fixed_std, "cost_i", "oh"))  # the fixed standard of the rated fixed elements
        per_unit = ",\n".join(f"pu_{c} AS (SELECT item_id, {psum(x, wide)} AS pu FROM {t} GROUP BY item_id)"
                              for c, t, x, _ in comps)
        joins = "\n".join(f"LEFT JOIN pu_{c} ON pu_{c}.item_id = d.item_id" for c, _, _, _ in comps)
        products = ", ".join(f"{mul('d.good_i', f'coalesce(pu_{c}.pu, 0)', wide)} * $std_{k}_mul AS n_{c}"
                             for c, _, _, k in comps)
        return f"""
        WITH {per_unit},
        x AS (SELECT d.code, {products} FROM done AS d {joins})
        SELECT code, {", ".join(f"{round_div(f'n_{c}', f'$std_{k}_div', wide)} AS std_{c}"
                                for c, _, _, k in comps)}
        FROM x"""
    s.exact("standard", standard)

    def materials(wide: bool) -> str:
        # a group of n identical sub-assembly rows: its charge is already the n rows' charges
        sub_term = (f"CASE WHEN sub_std_price IS NOT NULL THEN {mul('charge', '$mat_var_a', wide)}"
                    f" - {mul('sub_std_price', 'n_rows * sub_qty_i', wide)} * $mat_var_b ELSE 0 END")
        return f"""
        WITH p AS (
            SELECT code, {isum('cents')} AS cents, {isum('std_cents')} AS std_cents,
                   {psum('std_value', wide)} AS std_value
            FROM issue_sum WHERE lot_code IS NULL AND {DATED} AND {IN_RUN} GROUP BY code),
        q AS (SELECT code, {isum('charge')} AS cents, {psum(sub_term, wide)} AS terms FROM sub_charge GROUP BY code),
        t AS (
            SELECT d.code, coalesce(p.cents, 0) + coalesce(q.cents, 0) AS actual,
                   {mul('coalesce(p.std_cents, 0)', '$mat_var_a', wide)}
                   - {mul('coalesce(p.std_value, 0)', '$mat_var_b', wide)} + coalesce(q.terms, 0) AS terms
            FROM done AS d LEFT JOIN p ON p.code = d.code LEFT JOIN q ON q.code = d.code)
        SELECT code, actual, {round_div('terms', '$mat_var_div', wide)} AS price FROM t"""
    s.exact("mat_var", materials)

    def operations(wide: bool) -> str:
        sums = ", ".join(f"{isum(f'{k}_cents')} AS {k}_cents, {isum(f'{k}_std_cents')} AS {k}_std_cents, "
                         f"{psum(f'{k}_std_value', wide)} AS {k}_std_value" for k in ("labor", "machine"))
        terms = ", ".join(
            f"{mul(f'o.{k}_std_cents', f'${v}_var_a', wide)} - {mul(f'o.{k}_std_value', f'${v}_var_b', wide)} "
            f"AS {v}_terms, o.{k}_cents AS {v}_actual" for k, v in (("labor", "lab"), ("machine", "mach")))
        return f"""
        WITH o AS (SELECT code, {sums} FROM op_row WHERE {DATED} AND code IS NOT NULL GROUP BY code),
        t AS (SELECT d.code, {terms} FROM done AS d JOIN o ON o.code = d.code)
        SELECT code, lab_actual, {round_div('lab_terms', '$lab_var_div', wide)} AS lab_rate,
               mach_actual, {round_div('mach_terms', '$mach_var_div', wide)} AS mach_rate
        FROM t"""
    s.exact("op_var", operations)

    # the rated fixed pools' charges and absorption per batch, inception to date as `own` counts pools
    s.table("fixed_oh", f"""
        WITH f AS ({_rated_fixed(rated)}),
        c AS (SELECT a.code, {isum('a.cents')} AS charged FROM alloc AS a JOIN f ON f.pool_idx = a.pool_idx
              GROUP BY a.code),
        b AS ({f"SELECT a.code, {isum('a.cents')} AS absorbed FROM absorbed AS a JOIN f ON f.pool_idx = a.pool_idx "
              "GROUP BY a.code" if rated else "SELECT code, CAST(0 AS BIGINT) AS absorbed FROM done WHERE false"})
        SELECT d.code, coalesce(c.charged, 0) AS charged, coalesce(b.absorbed, 0) AS absorbed
        FROM done AS d LEFT JOIN c ON c.code = d.code LEFT JOIN b ON b.code = d.code""")
    s.table("variance", """
        WITH v AS (
            SELECT d.code, st.std_mat, st.std_lab, st.std_mach, st.std_oh, st.std_ohf, fo.charged, fo.absorbed,
                   coalesce(mv.actual, 0) AS mat_actual, coalesce(mv.price, 0) AS mat_price,
                   coalesce(ov.lab_actual, 0) AS lab_actual, coalesce(ov.lab_rate, 0) AS lab_rate,
                   coalesce(ov.mach_actual, 0) AS mach_actual, coalesce(ov.mach_rate, 0) AS mach_rate,
                   r.pool_cents + r.direct_cents AS oh_actual
            FROM done AS d
            JOIN standard AS st ON st.code = d.code
            JOIN summary AS r ON r.code = d.code
            LEFT JOIN mat_var AS mv ON mv.code = d.code
            LEFT JOIN op_var AS ov ON ov.code = d.code
            JOIN fixed_oh AS fo ON fo.code = d.code)
        SELECT code,
               mat_price AS material_price, mat_actual - std_mat - mat_price AS material_usage,
               lab_rate AS labor_rate, lab_actual - std_lab - lab_rate AS labor_efficiency,
               mach_rate AS machine_rate, mach_actual - std_mach - mach_rate AS machine_efficiency,
               oh_actual - charged - (std_oh - std_ohf) AS overhead,
               charged - absorbed AS overhead_spending, absorbed - std_ohf AS overhead_volume,
               std_mat + std_lab + std_mach + std_oh AS standard_cents
        FROM v""")
