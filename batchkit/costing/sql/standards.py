"""Standard costs as exact integers: BOM lines, routing lines, overhead per unit (contract 2, variances).

Rows without their keys are left out (as `batchkit.variance` does). Pricing
matches each material issue and operation to its standard line here once,
so variances need no per-material or per-operation rows.
"""

from __future__ import annotations

from .session import Session


def build(s: Session) -> None:
    """Tables `std_bom`, `std_routing`, `std_overhead` (with `fixed`, from the optional behavior column)."""
    def _scaled(col: str, name: str) -> str:
        return f"coalesce({s.scaled(col, name)}, 0) AS"

    s.table("std_bom", f"""
        SELECT item_id, material_id, {_scaled('qty_per_unit', 'bom_qty')} qty_i,
               {_scaled('std_unit_cost', 'bom_price')} price_i
        FROM in_standard_bom WHERE item_id IS NOT NULL AND material_id IS NOT NULL""")
    s.table("std_routing", f"""
        SELECT item_id, operation,
               {_scaled('labor_hours_per_unit', 'std_labor_hours')} labor_hours_i,
               {_scaled('machine_hours_per_unit', 'std_machine_hours')} machine_hours_i,
               {_scaled('std_labor_rate', 'std_labor_rate')} labor_rate_i,
               {_scaled('std_machine_rate', 'std_machine_rate')} machine_rate_i
        FROM in_standard_routing WHERE item_id IS NOT NULL AND operation IS NOT NULL""")
    # behavior: fixed or variable (validation refuses anything else); empty counts as variable
    s.table("std_overhead", f"""
        SELECT item_id, cost_element, {_scaled('std_cost_per_unit', 'std_overhead')} cost_i,
               coalesce(lower(trim(behavior)) = 'fixed', false) AS fixed, behavior IS NOT NULL AS has_behavior
        FROM in_standard_overhead WHERE item_id IS NOT NULL""")
