"""Variable and fixed cost per batch (params `cost_behavior:`, issue 17).

Each own cost row is variable or fixed by its element: params
`cost_behavior` names elements (`depreciation: fixed`, `energy: variable`);
an element it does not name is variable when it is a material, labor,
machine or direct cost and fixed when it is a pool. So the split needs no
params at all and batch_summary always carries it.

A sub-assembly charge carries its sub-batch's split: its fixed part is
qty x (the sub-batch's fixed cost / its qty_good), rounded half away from zero
per issue row like the charge itself, and its variable part the rest of the
charge (so fixed + variable = the charge, to the cent). The sub-batch's fixed
cost is its own fixed cost plus the fixed parts of its own sub-assembly
charges: `rollup` computes both level by level with the charges.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from .session import Session


def register(s: Session, cost_behavior: Mapping[str, str]) -> None:
    """Table `behavior_eid` (eid, fixed): the elements params name, by element code (values never enter SQL)."""
    s.engine.register("behavior_params", pa.table({
        "cost_element": pa.array(list(cost_behavior), pa.string()),
        "fixed": pa.array([v == "fixed" for v in cost_behavior.values()], pa.bool_())}))
    s.table("behavior_eid", """
        SELECT d.eid, b.fixed FROM behavior_params AS b JOIN element_dim AS d ON d.cost_element = b.cost_element""")


def fixed_cents(pool_kind: int, own: str = "o", named: str = "bh") -> str:
    """SQL: an `own` row's cents when the row is fixed (its element named fixed, or a pool not named), else 0;
    `named` is the row's `behavior_eid` (LEFT JOINed on eid), `pool_kind` the kind code of pool rows."""
    return f"CASE WHEN {is_fixed(f'{own}.kind', pool_kind, named)} THEN {own}.cents ELSE 0 END"


def is_fixed(kind: str, pool_kind: int, named: str = "bh") -> str:
    """SQL: whether a cost of kind code `kind` is fixed: its element named fixed, or a pool not named."""
    return f"coalesce({named}.fixed, {kind} = {pool_kind})"
