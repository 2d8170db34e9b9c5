"""Work in progress at the period end: what open batches hold and how long they have been open.

A batch is WIP when it started by the period end and has no end_date on or
before it (contract 3a). Its value is its cost to date (exact, from `cost`).
days_open counts calendar days from start_date to the period end, both
included: a batch started on the last day of the period has been open 1 day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import money
from ..core.model import CostResult

KINDS = ("material_cost", "subassembly_cost", "labor_cost", "machine_cost", "direct_cost", "overhead_cost")


def wip(result: CostResult) -> pd.DataFrame:
    """Open batches at the period end: wip_value (their cost to date), days_open, and cost by kind."""
    s = result.batch_summary
    open_ = s[(s["status"] == "wip").to_numpy()]
    end = result.extras["run"].period_end.astype("datetime64[D]")
    start = open_["start_date"].to_numpy(dtype="datetime64[D]")
    out = open_[["batch_id", "item_id", "product_line", "site", "start_date", "qty_started"]].copy()
    out["days_open"] = ((end - start).astype(np.int64) + 1).astype(np.int64)
    out["wip_value"] = open_["total_cost"].to_numpy()
    for col in KINDS:
        out[col] = open_[col].to_numpy()
    return out.sort_values("batch_id", kind="stable").reset_index(drop=True)


def wip_days_by_line(result: CostResult) -> pd.DataFrame:
    """Per product line: open batches, WIP value (exact sum), average and longest days open.

    avg_wip_days is the plain mean of days_open (the seed's headline KPI);
    value_weighted_days weights each batch by its WIP value.
    """
    w = wip(result)
    cents = money.to_cents(w["wip_value"].to_numpy(dtype="float64"))
    w = w.assign(_cents=cents, _weighted=w["days_open"] * w["wip_value"])
    g = w.groupby("product_line", sort=True, dropna=False)
    out = g.agg(wip_batches=("batch_id", "size"), _cents=("_cents", "sum"), avg_wip_days=("days_open", "mean"),
                max_wip_days=("days_open", "max"), _weighted=("_weighted", "sum")).reset_index()
    out["wip_value"] = money.cents_to_float(out["_cents"].to_numpy(dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value_weighted_days"] = np.where(out["_cents"] != 0, out["_weighted"] / out["wip_value"], np.nan)
    return out[["product_line", "wip_batches", "wip_value", "avg_wip_days", "max_wip_days", "value_weighted_days"]]
