"""Quality cost per batch: defect rate, scrap and rework cost, abnormal scrap, and defect-rate outliers.

One row per batch of the run with inspections or nonconformances dated on or
before the period end. scrap_cost and abnormal_scrap_cost are the ones `cost`
computed (contract 3a). rework_cost = the `cost` of rework nonconformances
(QMS) + direct costs booked as `rework` (in the ledger); both parts are shown
(`rework_ncr_cost`, `rework_direct_cost`) because a plant that books the
same rework in both places counts it twice, and only its analyst can tell.

Defect-rate outliers (`flagged`): a batch is compared with the pooled rate of
the *other* batches of its item and line that were tested (leave-one-out, so
a bad batch does not raise its own bar), with half a failure and one test
added (so a history without failures still gives a rate above 0). It is
flagged when its rate is above that and P(X >= failed) for X ~
Binomial(tested, rate) is below `alpha` (exact tail, scipy), and the item has
at least `variance.min_batches` tested batches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc  # scipy.stats would cost `batchkit cost` 0.5 s more to import

from ..core import money
from ..core.model import CostResult

BREAKDOWN = ("material_cost", "subassembly_cost", "labor_cost", "machine_cost", "direct_cost", "overhead_cost",
             "total_cost")
COLUMNS = ("batch_id", "qty_tested", "qty_failed", "defect_rate", "scrap_cost", "rework_cost", "abnormal_scrap_cost",
           "flagged")


def _as_of(result: CostResult, table: str, date: str = "date") -> pd.DataFrame:
    """Rows of an optional table dated on or before the period end, of batches in the run."""
    frame = result.ds.get(table)
    end = result.extras["run"].period_end
    keep = (frame[date].to_numpy(dtype="datetime64[s]") <= end) & frame["batch_id"].isin(
        result.batch_summary["batch_id"]).to_numpy()
    return frame[keep]


def _cents_by_batch(frame: pd.DataFrame, amount: pd.Series) -> pd.Series:
    return pd.Series(money.to_cents(amount.fillna(0.0).to_numpy(dtype="float64")),
                     index=frame["batch_id"].to_numpy()).groupby(level=0).sum()


def rework_cents(result: CostResult) -> tuple[pd.Series, pd.Series]:
    """Per batch with any (batch_id index, int64 cents): rework nonconformances' cost, direct costs booked as rework."""
    ncr = _as_of(result, "nonconformances")
    direct = _as_of(result, "direct_costs")
    rework = ncr["disposition"].str.lower().eq("rework").to_numpy()
    is_rework = direct["cost_element"].eq("rework").to_numpy()
    return (_cents_by_batch(ncr[rework], ncr.loc[rework, "cost"]),
            _cents_by_batch(direct[is_rework], direct.loc[is_rework, "amount"]))


def quality_cost(result: CostResult, alpha: float = 0.001) -> pd.DataFrame:
    """The `quality_cost` table (contract columns first, then rates, counts and the batch's cost breakdown)."""
    insp = _as_of(result, "inspections")
    ncr = _as_of(result, "nonconformances")
    tested = insp.groupby("batch_id").agg(qty_tested=("qty_tested", "sum"), qty_failed=("qty_failed", "sum"),
                                          inspections=("test", "size"))
    ncr_cost, direct_cost = rework_cents(result)
    ncr_count = ncr.groupby("batch_id").size()
    s = result.batch_summary.set_index("batch_id")
    ids = s.index[s.index.isin(tested.index) | s.index.isin(ncr_count.index)]
    out = pd.DataFrame({"batch_id": ids.to_numpy(dtype=object)})
    for col in ("qty_tested", "qty_failed"):
        out[col] = tested[col].reindex(ids).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["defect_rate"] = np.where(out["qty_tested"] > 0, out["qty_failed"] / out["qty_tested"], np.nan)
    out["scrap_cost"] = s["scrap_cost"].reindex(ids).to_numpy()
    ncr_c = ncr_cost.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    direct_c = direct_cost.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    out["rework_cost"] = money.cents_to_float(ncr_c + direct_c)
    out["abnormal_scrap_cost"] = s["abnormal_scrap_cost"].reindex(ids).to_numpy()
    for col in ("item_id", "product_line", "status", "scrap_rate"):
        out[col] = s[col].reindex(ids).to_numpy()
    out["inspections"] = tested["inspections"].reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    out["nonconformances"] = ncr_count.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    out["rework_ncr_cost"] = money.cents_to_float(ncr_c)
    out["rework_direct_cost"] = money.cents_to_float(direct_c)
    out = _flag_defects(out, result.params.variance.min_batches, alpha)
    for col in BREAKDOWN:
        out[col] = s[col].reindex(ids).to_numpy()
    front = [*COLUMNS, "reference_defect_rate", "defect_p_value"]
    rest = [c for c in out.columns if c not in front]
    return out[front + rest].sort_values("batch_id", kind="stable").reset_index(drop=True)


def binomial_tail(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X >= k) for X ~ Binomial(n, p) (scipy's binom.sf(k - 1, n, p)): the regularized incomplete beta
    I_p(k, n - k + 1); 1 for k <= 0, 0 for k > n."""
    k, n, p = (np.asarray(a, dtype="float64") for a in (k, n, p))
    inside = (k > 0) & (k <= n)
    with np.errstate(invalid="ignore"):
        tail = betainc(np.where(inside, k, 1.0), np.where(inside, n - k + 1, 1.0), p)
    return np.where(k <= 0, 1.0, np.where(k > n, 0.0, tail))


def _flag_defects(out: pd.DataFrame, min_batches: int, alpha: float) -> pd.DataFrame:
    """Leave-one-out pooled defect rate of the item and line, and the exact binomial tail of each batch."""
    keys = [out["item_id"], out["product_line"]]
    has = out["qty_tested"] > 0
    tested = out["qty_tested"].where(has, 0.0)
    failed = out["qty_failed"].where(has, 0.0)
    group_tested = tested.groupby(keys, dropna=False).transform("sum")
    group_failed = failed.groupby(keys, dropna=False).transform("sum")
    n_tested = has.astype(np.int64).groupby(keys, dropna=False).transform("sum")
    ref = (group_failed - failed + 0.5) / (group_tested - tested + 1.0)
    k = np.floor(out["qty_failed"].to_numpy())
    p_value = binomial_tail(k, np.floor(out["qty_tested"].to_numpy()), ref.to_numpy())
    p_value = np.where(has, p_value, np.nan)
    flagged = (has & (n_tested >= min_batches) & (out["defect_rate"] > ref)).to_numpy() & (p_value < alpha)
    return out.assign(flagged=flagged, reference_defect_rate=ref.where(has).to_numpy(), defect_p_value=p_value)
