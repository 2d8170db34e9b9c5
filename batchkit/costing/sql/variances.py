"""Variances against standard cost, per completed batch whose item has a standard (contract 3 and 3a).

For good output Q: each standard component = round(Q x sum of std qty per
unit x std price), rounded once; price (rate) variance = round(sum over the
actual rows matching a standard line of (actual amount - std price x actual
qty)), rounded once; usage (efficiency) = actual - standard - price; overhead
= pools + direct costs - standard overhead. The seven sum exactly to total
cost - standard cost.

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


def build(s: Session) -> None:
    """Tables `done`, `standard`, `mat_var`, `op_var` and `variance` (one row per done batch)."""
    s.table("done", """
        SELECT m.code, m.item_id, m.good_i
        FROM summary AS r JOIN master AS m ON m.code = r.code
        WHERE r.status = 'completed'
          AND m.item_id IN (SELECT item_id FROM std_bom UNION SELECT item_id FROM std_routing
                            UNION SELECT item_id FROM std_overhead)""")

    def standard(wide: bool) -> str:
        comps = (("mat", "std_bom", mul("qty_i", "price_i", wide)),
                 ("lab", "std_routing", mul("labor_hours_i", "labor_rate_i", wide)),
                 ("mach", "std_routing", mul("machine_hours_i", "machine_rate_i", wide)),
                 ("oh", "std_overhead", "cost_i"))
        per_unit = ",\n".join(f"pu_{c} AS (SELECT item_id, {psum(x, wide)} AS pu FROM {t} GROUP BY item_id)"
                              for c, t, x in comps)
        joins = "\n".join(f"LEFT JOIN pu_{c} ON pu_{c}.item_id = d.item_id" for c, _, _ in comps)
        products = ", ".join(f"{mul('d.good_i', f'coalesce(pu_{c}.pu, 0)', wide)} * $std_{c}_mul AS n_{c}"
                             for c, _, _ in comps)
        return f"""
        WITH {per_unit},
        x AS (SELECT d.code, {products} FROM done AS d {joins})
        SELECT code, {", ".join(f"{round_div(f'n_{c}', f'$std_{c}_div', wide)} AS std_{c}" for c, _, _ in comps)}
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

    s.table("variance", """
        WITH v AS (
            SELECT d.code, st.std_mat, st.std_lab, st.std_mach, st.std_oh,
                   coalesce(mv.actual, 0) AS mat_actual, coalesce(mv.price, 0) AS mat_price,
                   coalesce(ov.lab_actual, 0) AS lab_actual, coalesce(ov.lab_rate, 0) AS lab_rate,
                   coalesce(ov.mach_actual, 0) AS mach_actual, coalesce(ov.mach_rate, 0) AS mach_rate,
                   r.pool_cents + r.direct_cents AS oh_actual
            FROM done AS d
            JOIN standard AS st ON st.code = d.code
            JOIN summary AS r ON r.code = d.code
            LEFT JOIN mat_var AS mv ON mv.code = d.code
            LEFT JOIN op_var AS ov ON ov.code = d.code)
        SELECT code,
               mat_price AS material_price, mat_actual - std_mat - mat_price AS material_usage,
               lab_rate AS labor_rate, lab_actual - std_lab - lab_rate AS labor_efficiency,
               mach_rate AS machine_rate, mach_actual - std_mach - mach_rate AS machine_efficiency,
               oh_actual - std_oh AS overhead,
               std_mat + std_lab + std_mach + std_oh AS standard_cents
        FROM v""")
