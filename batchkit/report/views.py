"""The figures each report section shows, computed from a run's tables (tested, not in notebook cells).

Money is summed as integer cents (`sum_cents`), never as floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import money
from ..core.periods import period_bounds
from .data import RunData


def sum_cents(values: pd.Series) -> float:
    """Exact total of money values (each exactly cents/100)."""
    return int(money.to_cents(values.fillna(0).to_numpy(dtype="float64")).sum()) / 100.0


def _group_money(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    cents = pd.Series(money.to_cents(frame[column].fillna(0).to_numpy(dtype="float64")), index=frame.index)
    return cents.groupby([frame[k] for k in keys], sort=True).sum() / 100.0


def in_line(frame: pd.DataFrame, line: str | None) -> pd.DataFrame:
    if line in (None, "", "all") or "product_line" not in frame.columns:
        return frame
    return frame[frame["product_line"] == line]


def completed_in_period(data: RunData, line: str | None = None) -> pd.DataFrame:
    """Batches completed in the run's period (the month's output)."""
    s = in_line(data["batch_summary"], line)
    first, last = period_bounds(data.period)
    end = s["end_date"].to_numpy(dtype="datetime64[D]")
    return s[(s["status"] == "completed").to_numpy() & (end >= first) & (end <= last)]


def wip(data: RunData, line: str | None = None) -> pd.DataFrame:
    """Open batches at the period end (analyze.wip), longest open first."""
    w = in_line(data["wip"], line)
    if w.empty:
        return w
    cols = ["batch_id", "item_id", "product_line", "start_date", "days_open", "qty_started", "wip_value"]
    return w[cols].sort_values("days_open", ascending=False).reset_index(drop=True)


def kpi_values(data: RunData, line: str | None = None) -> dict[str, float]:
    """The kpis table's figures of one scope (the plant, or a product line): KPI name -> value."""
    k = data["kpis"]
    if k.empty:
        return {}
    scope = "plant" if line in (None, "", "all") else line
    mine = k[(k["scope"] == scope).to_numpy()]
    return dict(zip(mine["kpi"], mine["value"].astype("float64"), strict=True))


def cost_by_line_and_element(data: RunData, line: str | None = None) -> pd.DataFrame:
    """output_cost by product line (rows) and cost element (columns): the cost of the period's output, each
    cent once (a sub-assembly consumed by the period end is in its consumer's `subassembly` element only)."""
    out = in_line(data["output_elements"], line)
    if out.empty:
        return pd.DataFrame()
    table = _group_money(out, ["product_line", "cost_element"], "amount").unstack(fill_value=0.0)
    order = table.sum().sort_values(ascending=False).index
    return table[order]


def element_totals(data: RunData, line: str | None = None) -> pd.DataFrame:
    """Cost of the period's output per element, with its share."""
    table = cost_by_line_and_element(data, line)
    if table.empty:
        return pd.DataFrame(columns=["cost_element", "amount", "share"])
    totals = table.sum().round(2)
    out = pd.DataFrame({"cost_element": totals.index, "amount": totals.to_numpy()})
    out["share"] = out["amount"] / out["amount"].sum() if out["amount"].sum() else np.nan
    return out.sort_values("amount", ascending=False).reset_index(drop=True)


def unit_cost_trend(data: RunData, line: str | None = None, top: int = 6) -> pd.DataFrame:
    """Median unit cost per item (columns) by completion month (rows), for the most made items."""
    s = in_line(data["batch_summary"], line)
    s = s[(s["status"] == "completed") & s["unit_cost"].notna()]
    if s.empty:
        return pd.DataFrame()
    month = s["end_date"].dt.strftime("%Y-%m")
    items = s["item_id"].value_counts().head(top).index
    mine = s[s["item_id"].isin(items)]
    return mine.groupby([month[mine.index], mine["item_id"]])["unit_cost"].median().unstack()


def as_index(trend: pd.DataFrame) -> pd.DataFrame:
    """Each column relative to its own median (= 100), so items of any price share one chart."""
    return trend / trend.median() * 100.0


def top_columns(table: pd.DataFrame, keep: int, other: str) -> pd.DataFrame:
    """The `keep` largest columns by total; the rest summed into one `other` column (for charts)."""
    if table.shape[1] <= keep + 1:
        return table
    order = table.sum().sort_values(ascending=False).index
    out = table[order[:keep]].copy()
    out[other] = table[order[keep:]].sum(axis=1)
    return out


def batch_table(data: RunData, line: str | None = None) -> pd.DataFrame:
    """The period's completed batches: quantities, yield, costs and total variance."""
    done = completed_in_period(data, line)
    out = done[["batch_id", "item_id", "qty_started", "qty_good", "total_cost", "unit_cost", "scrap_cost",
                "abnormal_scrap_cost", "standard_cost"]].copy()
    out.insert(4, "yield", done["qty_good"] / done["qty_started"].where(done["qty_started"] > 0))
    v = data["variances"]
    if not v.empty:
        total = _group_money(v, ["batch_id"], "amount").rename("variance_total")
        out = out.merge(total, left_on="batch_id", right_index=True, how="left")
    return out.sort_values("unit_cost", ascending=False, na_position="last").reset_index(drop=True)


def variance_by_type(data: RunData, line: str | None = None) -> pd.DataFrame:
    v = data["variances"]
    if v.empty:
        return pd.DataFrame(columns=["variance_type", "amount"])
    done = completed_in_period(data, line)
    v = v[v["batch_id"].isin(done["batch_id"])]
    sums = _group_money(v, ["variance_type"], "amount")
    return pd.DataFrame({"variance_type": sums.index, "amount": sums.to_numpy()})


def quality_counts(data: RunData) -> pd.DataFrame:
    """Findings per severity, check and table."""
    dq = data["data_quality"]
    if dq.empty:
        return pd.DataFrame(columns=["severity", "check", "table", "count"])
    return (dq.groupby(["severity", "check", "table"], sort=False).size().rename("count").reset_index()
            .sort_values(["severity", "count"], ascending=[True, False]).reset_index(drop=True))


def lines(data: RunData) -> list[str]:
    """Product lines with batches in the run, in name order."""
    return sorted(data["batch_summary"]["product_line"].dropna().astype(str).unique())


# ------------------------------------------------------------------ analytics views


def anomalies(data: RunData, line: str | None = None) -> pd.DataFrame:
    """Flagged batches of the period, largest deviation first."""
    a = in_line(data["batch_anomalies"], line)
    if a.empty:
        return a
    cols = ["batch_id", "item_id", "product_line", "unit_cost", "reference_unit_cost", "deviation_pct", "robust_z",
            "rules", "top_driver", "top_driver_share", "top_driver_detail"]
    out = a[[c for c in cols if c in a.columns]]
    return out.reindex(out["deviation_pct"].abs().sort_values(ascending=False).index).reset_index(drop=True)


@dataclass(frozen=True)
class ControlItem:
    """One item's individuals chart: its batches' unit costs in completion order, the limits, the flagged points."""

    item: str
    values: np.ndarray
    labels: list[str]
    center: float
    lcl: float
    ucl: float
    flagged: np.ndarray


def control_items(data: RunData, line: str | None = None, top: int = 3) -> list[ControlItem]:
    """The line's main items (most batches in the window) with their individuals-chart points and limits."""
    pts = in_line(data["control_points"], line)
    stats = data["unit_cost_stats"]
    if pts.empty or stats.empty:
        return []
    out = []
    for item in pts["item_id"].value_counts().head(top).index:
        mine = pts[pts["item_id"] == item].sort_values(["end_date", "batch_id"])
        s = stats[stats["item_id"] == item].iloc[0]
        out.append(ControlItem(item=str(item), values=mine["unit_cost"].to_numpy(dtype="float64"),
                               labels=[str(x) for x in mine["batch_id"]], center=float(s["center"]),
                               lcl=float(s["lcl"]), ucl=float(s["ucl"]),
                               # red points are statistical outliers (control limits, robust z), not the 3 % rule
                               flagged=mine["rules"].fillna("").str.contains("control|robust_z").to_numpy()))
    return out


def waterfall(data: RunData, batch_id: str, keep: int = 6) -> tuple[float, pd.Series, float]:
    """(reference unit cost, per-unit drivers with the small ones summed as 'other', actual unit cost)."""
    a = data["batch_anomalies"]
    row = a[a["batch_id"] == batch_id].iloc[0]
    at = data["attribution"]
    drivers = at[at["batch_id"] == batch_id].set_index("driver")["per_unit"]
    drivers = drivers[drivers != 0]
    order = drivers.abs().sort_values(ascending=False).index
    parts = drivers[order[:keep]]
    if len(order) > keep:
        parts["other"] = drivers[order[keep:]].sum()
    return float(row["reference_unit_cost"]), parts, float(row["unit_cost"])


def quality(data: RunData, line: str | None = None) -> pd.DataFrame:
    q = in_line(data["quality_cost"], line)
    if q.empty:
        return q
    cols = ["batch_id", "item_id", "qty_tested", "qty_failed", "defect_rate", "reference_defect_rate", "scrap_cost",
            "rework_cost", "abnormal_scrap_cost", "total_cost", "flagged"]
    q = q[[c for c in cols if c in q.columns]]
    return q.sort_values(["flagged", "defect_rate"], ascending=False).reset_index(drop=True)


def margin(data: RunData, by: str, line: str | None = None, period_only: bool = True) -> pd.DataFrame:
    """Revenue, cost of sales and margin of shipments (of the period by default), grouped by `by`."""
    lines_ = in_line(data["shipment_lines"], line)
    if lines_.empty:
        return pd.DataFrame(columns=[by, "qty", "revenue", "cost_of_sales", "margin", "margin_pct"])
    if period_only:
        lines_ = lines_[lines_["ship_date"].dt.strftime("%Y-%m") == data.period]
    known = lines_[lines_["margin"].notna()]
    out = pd.DataFrame({
        "qty": known.groupby(by)["qty"].sum(),
        "revenue": _group_money(known, [by], "revenue"),
        "cost_of_sales": _group_money(known, [by], "cost_of_sales"),
        "margin": _group_money(known, [by], "margin"),
    })
    out["margin_pct"] = out["margin"] / out["revenue"].where(out["revenue"] != 0) * 100
    if "variable_cost_of_sales" in known.columns and known["variable_cost_of_sales"].notna().any():
        # contribution margin beside gross margin, over the same lines (issue 17): revenue - variable cost
        out["variable_cost_of_sales"] = _group_money(known, [by], "variable_cost_of_sales")
        out["contribution_margin"] = _group_money(known, [by], "contribution_margin")
        out["contribution_margin_pct"] = out["contribution_margin"] / out["revenue"].where(out["revenue"] != 0) * 100
    return out.sort_values("margin", ascending=False).reset_index()


ABSORPTION_SUMS = ("actual_amount", "absorbed_amount", "difference_amount")


def absorption(data: RunData, period_only: bool = True) -> pd.DataFrame:
    """The absorption table (predetermined rates: actual, absorbed, difference per pool), of the run's period by
    default; empty without rates."""
    table = data["absorption"]
    if table.empty:
        return table
    return table[table["period"] == data.period].reset_index(drop=True) if period_only else table


def absorption_trend(data: RunData) -> pd.DataFrame:
    """Per period up to the run's: the rated pools' actual, absorbed and difference (positive: under-absorbed),
    summed in cents, and the difference as a percent of the actual amount."""
    table = data["absorption"]
    if table.empty:
        return pd.DataFrame(columns=["period", "pools", *ABSORPTION_SUMS, "difference_pct"])
    out = pd.DataFrame({"pools": table.groupby("period")["pool_id"].nunique(),
                        **{c: _group_money(table, ["period"], c) for c in ABSORPTION_SUMS}})
    out["difference_pct"] = out["difference_amount"] / out["actual_amount"].where(out["actual_amount"] != 0) * 100
    return out.reset_index()


def rate_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """Each rated pool and period: its predetermined rate beside the actual rate (actual amount / the takers'
    basis total; empty when nobody took it) and actual - predetermined, per unit of the pool's basis."""
    cols = ["pool_id", "period", "cost_element", "basis", "basis_total", "rate", "actual_rate", "rate_difference",
            *ABSORPTION_SUMS]
    if table.empty:
        return pd.DataFrame(columns=cols)
    total = table["basis_total"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = np.where(total != 0, table["actual_amount"].to_numpy(dtype="float64") / total, np.nan)
    out = table.assign(actual_rate=actual, rate_difference=actual - table["rate"].to_numpy(dtype="float64"))
    return out[cols].reset_index(drop=True)
