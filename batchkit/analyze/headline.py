"""The `kpis` table: the period's headline figures for the plant and each product line, exact to the cent.

Money KPIs are integer sums of the per-batch cents of the cost result, so a
line's figures add up to the plant's exactly. Definitions: `core.kpi_codes`
(the same words the docs and the reports' footnotes show).

The one figure that needs more than a sum is `transferred_cost`: the part of
a completed batch's cost that other batches consumed by the period end. It is
recomputed from the issue rows exactly as costing charges them (contract 3a:
qty x total / qty_good of the consumed batch, half away from zero per row), so
output_cost counts a sub-assembly's cent once: in the finished batch that
consumed it, or in the sub-assembly itself while it is still in stock.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ..core import money
from ..core.kpi_codes import KPIS
from ..core.model import CostResult
from ..core.periods import period_bounds
from .issues import subassembly_charges
from .quality import rework_cents
from .sales import shipment_lines
from .stats import window
from .work_in_progress import wip

COLUMNS = ("scope", "kpi", "value", "unit")
PLANT = "plant"
WITHIN_PCT = 3.0  # the seed's stability target: unit cost within 3 % of the item's reference
PLACES = {"pct": 2, "days": 1}  # non-money values are stored rounded (half up) to these places


def transferred_cents(result: CostResult) -> pd.Series:
    """Per batch of the run (batch_id index, int64 cents): its cost charged into other batches by the period end."""
    s = result.batch_summary
    c = subassembly_charges(result)  # integer positions: no pandas index over the issues' Arrow text
    return pd.Series(money.group_sum(c.supplier, c.cents, len(s)), index=pd.Index(s["batch_id"]))


def batch_figures(result: CostResult) -> pd.DataFrame:
    """One row per batch of the run with the per-batch parts every KPI sums (cents as int64)."""
    s = result.batch_summary
    first, last = period_bounds(result.period)
    end = s["end_date"].to_numpy(dtype="datetime64[D]")
    done = (s["status"] == "completed").to_numpy() & (end >= first) & (end <= last)
    ids = s["batch_id"]
    ncr_c, direct_c = rework_cents(result)
    rework = (ncr_c.reindex(ids).fillna(0) + direct_c.reindex(ids).fillna(0)).to_numpy(dtype=np.int64)
    w = wip(result)
    days = pd.Series(w["days_open"].to_numpy(), index=w["batch_id"].to_numpy()).reindex(ids).to_numpy()
    win = window(result)
    this = win[(win["period"] == result.period).to_numpy()
               & (win["n_window"] >= result.params.variance.min_batches).to_numpy()]
    within = pd.Series(this["deviation_pct"].abs().to_numpy() <= WITHIN_PCT, index=this["batch_id"].to_numpy())
    has_ref = ids.isin(within.index).to_numpy()
    return pd.DataFrame({
        "batch_id": ids.to_numpy(dtype=object),
        "product_line": s["product_line"].to_numpy(dtype=object),
        "done": done,
        "open": (s["status"] == "wip").to_numpy(),
        "total_c": money.to_cents(s["total_cost"].to_numpy(dtype="float64")),
        "transferred_c": transferred_cents(result).to_numpy(),
        "scrap_c": money.to_cents(s["scrap_cost"].to_numpy(dtype="float64")),
        "abnormal_c": money.to_cents(s["abnormal_scrap_cost"].to_numpy(dtype="float64")),
        "rework_c": rework,
        "qty_good": s["qty_good"].to_numpy(dtype="float64"),
        "qty_started": s["qty_started"].to_numpy(dtype="float64"),
        "days_open": days,
        "has_ref": has_ref,
        "within": has_ref & within.reindex(ids).fillna(False).to_numpy(dtype=bool),
    })


def _margin_cents(result: CostResult) -> pd.Series:
    """Gross margin (int cents) of the period's shipment lines that have one, per product line."""
    lines = shipment_lines(result)
    month = lines["ship_date"].to_numpy(dtype="datetime64[M]")
    mine = lines[(month == np.datetime64(result.period, "M")) & lines["_known"].to_numpy()]
    return (mine["_rev"] - mine["_cost"]).groupby(mine["product_line"].to_numpy()).sum()


def _round(value: float, places: int) -> float:
    if not np.isfinite(value):
        return float("nan")
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _scope(b: pd.DataFrame, margin_c: int) -> dict[str, float]:
    d = b[b["done"]]
    o = b[b["open"]]
    started = float(d["qty_started"].sum())
    total = int(d["total_c"].sum())
    transferred = int(d["transferred_c"].sum())
    ref = int(d["has_ref"].sum())
    cents = {
        "output_cost": total - transferred,
        "transferred_cost": transferred,
        "scrap_cost": int(d["scrap_c"].sum()),
        "abnormal_scrap_cost": int(d["abnormal_c"].sum()),
        "quality_cost": int(d["scrap_c"].sum() + d["rework_c"].sum()),
        "wip_value": int(o["total_c"].sum()),
        "gross_margin": margin_c,
    }
    values: dict[str, float] = {k: c / 100.0 for k, c in cents.items()}
    values.update({
        "batches_completed": float(len(d)),
        "good_units": float(d["qty_good"].sum()),
        "yield_pct": 100.0 * float(d["qty_good"].sum()) / started if started > 0 else float("nan"),
        "wip_batches": float(len(o)),
        "wip_days": float(o["days_open"].mean()) if len(o) else float("nan"),
        "unit_cost_within_3pct": 100.0 * float(d["within"].sum()) / ref if ref else float("nan"),
    })
    return values


def kpis(result: CostResult) -> pd.DataFrame:
    """The kpis table: scope (`plant`, then each product line in name order) x KPI, in registry order."""
    b = batch_figures(result)
    margin = _margin_cents(result)
    scopes = [(PLANT, b, int(margin.sum()))]
    for line in sorted(b["product_line"].dropna().astype(str).unique()):
        scopes.append((line, b[(b["product_line"] == line).to_numpy()], int(margin.get(line, 0))))
    rows = []
    for scope, frame, margin_c in scopes:
        values = _scope(frame, margin_c)
        for name, code in KPIS.items():
            value = values[name]
            if code.kind in PLACES:
                value = _round(value, PLACES[code.kind])
            rows.append((scope, name, value, code.unit(result.params.currency)))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["value"] = out["value"].astype("float64")
    return out


def output_elements(result: CostResult) -> pd.DataFrame:
    """output_cost by product line and cost element: product_line, cost_element, amount (exact; sums to output_cost).

    The elements of the period's completed batches, less what other batches consumed of them: a completed
    batch's transferred cents are taken off its own elements in proportion to them (largest remainder, so to
    the cent), and stay in the consumers' `subassembly` element. Nothing is counted twice.
    """
    b = batch_figures(result)
    done = b[b["done"].to_numpy()]
    bc = result.batch_costs
    bc = bc[bc["batch_id"].isin(done["batch_id"]).to_numpy()]
    rows = bc.assign(cents=money.to_cents(bc["amount"].to_numpy(dtype="float64")))
    taken = np.zeros(len(rows), dtype=np.int64)
    transferred = pd.Series(done["transferred_c"].to_numpy(), index=done["batch_id"].to_numpy())
    giving = transferred[transferred != 0]
    if len(giving):
        mine = rows["batch_id"].isin(giving.index).to_numpy() & (rows["cents"] > 0).to_numpy()
        sub = rows[mine]
        group, names = pd.factorize(sub["batch_id"])
        share = money.largest_remainder(giving.reindex(names).to_numpy(dtype=np.int64), group,
                                        sub["cents"].to_numpy(dtype=np.int64), np.arange(len(sub)))
        taken[np.flatnonzero(mine)] = share
    line = pd.Series(done["product_line"].to_numpy(), index=done["batch_id"].to_numpy())
    rows = rows.assign(product_line=line.reindex(rows["batch_id"]).to_numpy(), cents=rows["cents"] - taken)
    sums = rows.groupby(["product_line", "cost_element"], sort=True)["cents"].sum()
    sums = sums[sums != 0]
    return pd.DataFrame({"product_line": sums.index.get_level_values(0).to_numpy(dtype=object),
                         "cost_element": sums.index.get_level_values(1).to_numpy(dtype=object),
                         "amount": money.cents_to_float(sums.to_numpy(dtype=np.int64))})
