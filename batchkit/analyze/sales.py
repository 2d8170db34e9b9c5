"""Margin of shipped units: revenue vs the cost of the units shipped, at each batch's unit cost.

The cost of a shipment line is qty x (batch total / qty_good) as of the run's
period end, rounded half away from zero to the cent once per line (exact
integer arithmetic, like a sub-assembly charge); margin = revenue - cost.
Shipments dated after the period end wait for a later run; shipments of
batches not in the master are ignored (validation reports them as orphans).
A line whose batch has no unit cost yet (WIP, or no good output) or that has
no revenue has no margin: it is counted in `lines_without_margin` (its
revenue in `revenue_without_margin`), and its revenue and cost stay out of
revenue, cost_of_sales and margin, so that those three always agree.

Contribution margin (issue 17) sits beside it: the variable cost of a line is
qty x (batch variable_cost / qty_good), rounded the same way once per line,
and contribution_margin = revenue - that variable cost, for the same lines as
margin. It needs batch_summary's variable_cost (the SQL cost model's); a
summary without it gives NaN contribution figures rather than a guess.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..core import money
from ..core.arrow import arrow_text
from ..core.model import CostResult
from ..ledger.postings import codes

GROUPS = {"batch": ["batch_id", "item_id", "product_line"], "item": ["item_id"], "product_line": ["product_line"],
          "customer": ["customer"]}


def shipment_lines(result: CostResult) -> pd.DataFrame:
    """Each shipment line of the run with its cost of sales and margin (exact cents; NaN where unknown)."""
    rf = result.extras["run"]
    post = rf.post
    ship = result.ds.get("shipments")
    ship = ship[ship["ship_date"].to_numpy(dtype="datetime64[s]") <= rf.period_end]
    # each line's row in batch_summary and in the master by Arrow's hash lookup (a pandas index over Arrow
    # text made a Python string of every row)
    at = codes(ship["batch_id"], arrow_text(result.batch_summary["batch_id"]))
    ship = ship[at >= 0]
    at = at[at >= 0]
    summary = result.batch_summary
    wanted = [c for c in ("item_id", "product_line", "unit_cost", "variable_cost") if c in summary.columns]
    s = summary[wanted].iloc[at].reset_index(drop=True)
    code = codes(ship["batch_id"], arrow_text(post.master["batch_id"]))
    total = result.extras["total_cents"][code]
    good_i, gp = money.scaled(post.master["qty_good"].to_numpy(dtype="float64")[code], post.good_places)
    qty_i, qp = money.scaled(ship["qty"].to_numpy(dtype="float64"))
    priced = s["unit_cost"].notna().to_numpy()
    # qty x total / good with both quantities at the same number of places
    num = qty_i * 10 ** max(0, gp - qp)
    den = np.where(priced, good_i, 1) * 10 ** max(0, qp - gp)
    cost = np.where(priced, money.muldiv_round(num, total, den), 0)
    with_behavior = "variable_cost" in s.columns
    if with_behavior:  # the batch's variable cents, exact (cents_to_float wrote the nearest double of each)
        var_total = money.to_cents(s["variable_cost"].to_numpy(dtype="float64"))
        var_cost = np.where(priced, money.muldiv_round(num, var_total, den), 0)
    else:
        var_cost = np.zeros(len(ship), dtype=np.int64)
    revenue = ship["revenue"].to_numpy(dtype="float64")
    has_revenue = ~np.isnan(revenue)
    rev_c = money.to_cents(np.nan_to_num(revenue))
    known = priced & has_revenue
    lines = pd.DataFrame({
        "batch_id": ship["batch_id"].to_numpy(dtype=object),
        "item_id": s["item_id"].to_numpy(dtype=object),
        "product_line": s["product_line"].to_numpy(dtype=object),
        "customer": ship["customer"].to_numpy(dtype=object),
        "ship_date": ship["ship_date"].to_numpy(),
        "qty": ship["qty"].to_numpy(dtype="float64"),
        "unit_cost": s["unit_cost"].to_numpy(),
        "revenue": np.where(has_revenue, money.cents_to_float(rev_c), np.nan),
        "cost_of_sales": np.where(priced, money.cents_to_float(cost), np.nan),
        "margin": np.where(known, money.cents_to_float(rev_c - cost), np.nan),
        "variable_cost_of_sales": np.where(priced & with_behavior, money.cents_to_float(var_cost), np.nan),
        "contribution_margin": np.where(known & with_behavior, money.cents_to_float(rev_c - var_cost), np.nan),
    })
    # exact cents for grouping (0 where unknown)
    return lines.assign(_rev=np.where(known, rev_c, 0), _cost=np.where(known, cost, 0), _known=known,
                        _rev_other=np.where(known, 0, rev_c), _var=np.where(known, var_cost, 0),
                        _behavior=with_behavior)


CONTRIBUTION = ("variable_cost_of_sales", "contribution_margin", "contribution_margin_pct")


def margin(result: CostResult, by: Literal["batch", "item", "product_line", "customer"] = "batch") -> pd.DataFrame:
    """Shipped qty, revenue, cost of sales, margin and margin % per batch, item, product line or customer.

    revenue, cost_of_sales and margin sum the lines that have a margin (the
    others are counted in lines_without_margin and revenue_without_margin);
    margin_pct = 100 x margin / revenue. `contribution_margin` adds the
    contribution columns beside these.
    """
    return contribution_margin(result, by).drop(columns=list(CONTRIBUTION))


def contribution_margin(result: CostResult,
                        by: Literal["batch", "item", "product_line", "customer"] = "batch") -> pd.DataFrame:
    """`margin`'s columns, then variable_cost_of_sales, contribution_margin (revenue - variable cost of the
    units shipped) and contribution_margin_pct = 100 x contribution / revenue, over the same lines (NaN when
    the batch summary has no variable_cost)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    keys = GROUPS[by]
    lines = shipment_lines(result)
    g = lines.groupby(keys, sort=True, dropna=False)
    out = g.agg(shipments=("qty", "size"), qty=("qty", "sum"), _rev=("_rev", "sum"), _cost=("_cost", "sum"),
                _known=("_known", "sum"), _rev_other=("_rev_other", "sum"), _var=("_var", "sum")).reset_index()
    out["revenue"] = money.cents_to_float(out["_rev"].to_numpy(dtype=np.int64))
    out["cost_of_sales"] = money.cents_to_float(out["_cost"].to_numpy(dtype=np.int64))
    out["margin"] = money.cents_to_float((out["_rev"] - out["_cost"]).to_numpy(dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["margin_pct"] = np.where(out["_rev"] > 0, 100.0 * out["margin"] / out["revenue"], np.nan)
    out["lines_without_margin"] = (out["shipments"] - out["_known"]).astype(np.int64)
    out["revenue_without_margin"] = money.cents_to_float(out["_rev_other"].to_numpy(dtype=np.int64))
    behavior = bool(lines["_behavior"].all()) if len(lines) else True
    var = out["_var"].to_numpy(dtype=np.int64)
    out["variable_cost_of_sales"] = money.cents_to_float(var) if behavior else np.nan
    out["contribution_margin"] = money.cents_to_float(out["_rev"].to_numpy(dtype=np.int64) - var) if behavior \
        else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["contribution_margin_pct"] = np.where(out["_rev"] > 0, 100.0 * out["contribution_margin"] /
                                                  out["revenue"], np.nan)
    return out.drop(columns=["_rev", "_cost", "_known", "_rev_other", "_var"])
