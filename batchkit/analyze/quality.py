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

from ..core import money
from ..core.arrow import arrow_text
from ..core.model import CostResult
from ..core.periods import period_end
from ..ledger.postings import codes

BREAKDOWN = ("material_cost", "subassembly_cost", "labor_cost", "machine_cost", "direct_cost", "overhead_cost",
             "total_cost")
COLUMNS = ("batch_id", "qty_tested", "qty_failed", "defect_rate", "scrap_cost", "rework_cost", "abnormal_scrap_cost",
           "flagged")


def _as_of(result: CostResult, table: str, date: str = "date") -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of an optional table dated on or before the period end, of batches in the run; and each row's
    position in batch_summary (integer keys from here on: pandas indexes on Arrow text convert every row to
    a Python string)."""
    frame = result.ds.get(table)
    pos = codes(frame["batch_id"], arrow_text(result.batch_summary["batch_id"]))
    keep = (frame[date].to_numpy(dtype="datetime64[s]") <= period_end(result.period)) & (pos >= 0)
    return frame[keep], pos[keep]


def _cents_by_batch(pos: np.ndarray, amount: pd.Series, n: int) -> np.ndarray:
    """Exact int64 cents per batch_summary position."""
    return money.group_sum(pos, money.to_cents(amount.fillna(0.0).to_numpy(dtype="float64")), n)


def _rework_positions(result: CostResult) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per batch_summary position: rework nonconformances' cents, direct rework cents, and whether the
    batch has any such row of each kind."""
    n = len(result.batch_summary)
    ncr, ncr_pos = _as_of(result, "nonconformances")
    direct, direct_pos = _as_of(result, "direct_costs")
    rework = ncr["disposition"].str.lower().eq("rework").to_numpy(dtype=bool, na_value=False)
    is_rework = direct["cost_element"].eq("rework").to_numpy(dtype=bool, na_value=False)
    has_ncr = np.bincount(ncr_pos[rework], minlength=n) > 0
    has_direct = np.bincount(direct_pos[is_rework], minlength=n) > 0
    return (_cents_by_batch(ncr_pos[rework], ncr.loc[rework, "cost"], n),
            _cents_by_batch(direct_pos[is_rework], direct.loc[is_rework, "amount"], n), has_ncr, has_direct)


def rework_cents(result: CostResult) -> tuple[pd.Series, pd.Series]:
    """Per batch with any (batch_id index, int64 cents): rework nonconformances' cost, direct costs booked as rework."""
    ncr_c, direct_c, has_ncr, has_direct = _rework_positions(result)
    ids = result.batch_summary["batch_id"]
    order = np.argsort(ids.to_numpy(dtype=str), kind="stable")  # batch_id order, as a groupby gives
    return tuple(pd.Series(c[order[has[order]]], index=ids.to_numpy(dtype=object)[order[has[order]]])
                 for c, has in ((ncr_c, has_ncr), (direct_c, has_direct)))


def quality_cost(result: CostResult, alpha: float = 0.001) -> pd.DataFrame:
    """The `quality_cost` table (contract columns first, then rates, counts and the batch's cost breakdown)."""
    s = result.batch_summary
    n = len(s)
    insp, insp_pos = _as_of(result, "inspections")
    _, ncr_pos = _as_of(result, "nonconformances")
    tested = insp.groupby(insp_pos, sort=True).agg(qty_tested=("qty_tested", "sum"),
                                                   qty_failed=("qty_failed", "sum"), inspections=("test", "size"))
    ncr_c_all, direct_c_all, _, _ = _rework_positions(result)
    ncr_count = np.bincount(ncr_pos, minlength=n)
    has_tests = np.zeros(n, dtype=bool)
    has_tests[tested.index.to_numpy()] = True
    rows = np.flatnonzero(has_tests | (ncr_count > 0))  # in batch_summary order
    out = pd.DataFrame({"batch_id": s["batch_id"].to_numpy(dtype=object)[rows]})

    def per_batch(values: pd.Series, fill: float | int, dtype: str) -> np.ndarray:
        full = np.full(n, fill, dtype=dtype)
        full[tested.index.to_numpy()] = values.to_numpy(dtype=dtype)
        return full[rows]

    for col in ("qty_tested", "qty_failed"):
        out[col] = per_batch(tested[col], 0.0, "float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["defect_rate"] = np.where(out["qty_tested"] > 0, out["qty_failed"] / out["qty_tested"], np.nan)
    out["scrap_cost"] = s["scrap_cost"].to_numpy()[rows]
    ncr_c = ncr_c_all[rows]
    direct_c = direct_c_all[rows]
    out["rework_cost"] = money.cents_to_float(ncr_c + direct_c)
    out["abnormal_scrap_cost"] = s["abnormal_scrap_cost"].to_numpy()[rows]
    for col in ("item_id", "product_line", "status", "scrap_rate"):
        out[col] = s[col].to_numpy()[rows]
    out["inspections"] = per_batch(tested["inspections"], 0, "int64")
    out["nonconformances"] = ncr_count[rows].astype(np.int64)
    out["rework_ncr_cost"] = money.cents_to_float(ncr_c)
    out["rework_direct_cost"] = money.cents_to_float(direct_c)
    out = _flag_defects(out, result.params.variance.min_batches, alpha)
    for col in BREAKDOWN:
        out[col] = s[col].to_numpy()[rows]
    front = [*COLUMNS, "reference_defect_rate", "defect_p_value"]
    rest = [c for c in out.columns if c not in front]
    return out[front + rest].sort_values("batch_id", kind="stable").reset_index(drop=True)


def prefetch_scipy() -> None:
    """Import scipy.special on a daemon thread while the caller keeps costing (`batchkit cost`: 0.3-0.5 s of
    imports, otherwise waited for when `quality_cost` reaches `binomial_tail`); the import lock makes
    `binomial_tail` wait for it to finish if it gets there first."""
    import threading
    from contextlib import suppress

    def load() -> None:
        with suppress(ImportError):  # binomial_tail says so itself, in the main thread
            import scipy.special  # noqa: F401

    threading.Thread(target=load, name="batchkit-prefetch-scipy", daemon=True).start()


def binomial_tail(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X >= k) for X ~ Binomial(n, p) (scipy's binom.sf(k - 1, n, p)): the regularized incomplete beta
    I_p(k, n - k + 1); 1 for k <= 0, 0 for k > n."""
    from scipy.special import betainc  # imported here: 0.2-0.3 s that every other command need not wait for

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
