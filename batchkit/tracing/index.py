"""The genealogy index a trace walks: batches, purchased lots, who consumed what, shipments, costs.

Built once per dataset and period from the same priced postings the cost
engine uses (so batch codes and sub-assembly detection agree), then walked
many times. It sees the plant as of the period end, like `cost`: batches
started by then, material issues and shipments dated by then (undated
rows count, so that a data error never hides a consumer in a recall).

Edges are unique (supplier, consumer) pairs with the net quantity issued,
sorted by supplier (forward walks slice them directly); the reverse order is
sorted on demand for backward walks. Everything is plain frames of ints,
floats and strings so the index can be stored in Arrow files
(`trace_cache`) and read back in a fraction of the load time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core import money
from ..core.errors import DataError
from ..core.model import CostResult, Dataset
from ..core.params import Params
from ..core.periods import period_bounds
from ..core.schema import TABLES
from ..ingest.ids import normalize_ids
from ..ledger.postings import codes, gather, post

FRAMES = ("batches", "lots", "sub_edges", "lot_edges", "shipments")


@dataclass
class TraceIndex:
    """Genealogy and costs of one dataset as of one period end; row position = code."""

    period: str
    batches: pd.DataFrame  # batch_id, item_id, in_run, status, good_i, issued_i, total_cents, has_cost
    lots: pd.DataFrame  # lot_id, material_id, supplier, received_date
    sub_edges: pd.DataFrame  # src (supplier batch), dst (consumer batch), qty_i: sorted by src
    lot_edges: pd.DataFrame  # src (lot), dst (consumer batch): sorted by src
    shipments: pd.DataFrame  # code, customer, ship_date, qty: sorted by code
    qty_places: int  # good_i and issued_i are exact ints at this many decimals
    costs_ok: bool
    warnings: list[str] = field(default_factory=list)
    _csr: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def adjacency(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, neighbours) of 'sub_fwd', 'lot_fwd' (by supplier) or 'sub_back', 'lot_back' (by consumer)."""
        if name not in self._csr:
            edges = self.sub_edges if name.startswith("sub") else self.lot_edges
            src, dst = edges["src"].to_numpy(), edges["dst"].to_numpy()
            if name.endswith("back"):
                order = np.argsort(dst, kind="stable")
                key, nb, n = dst[order], src[order], len(self.batches)
            else:
                key, nb, n = src, dst, len(self.batches) if name.startswith("sub") else len(self.lots)
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(key, minlength=n), out=indptr[1:])
            self._csr[name] = (indptr, nb)
        return self._csr[name]

    def meta(self) -> dict[str, Any]:
        return {"period": self.period, "qty_places": self.qty_places, "costs_ok": self.costs_ok,
                "warnings": self.warnings}


def latest_period(ds: Dataset) -> str:
    """The month of the latest date anywhere in the dataset (the default period of a trace)."""
    latest = None
    for name, frame in ds.tables.items():
        if name == "rates":  # validity ends such as 2099-12-31 are not activity
            continue
        for col in TABLES[name].columns:
            if col.kind == "date" and col.name in frame.columns and frame[col.name].notna().any():
                value = frame[col.name].max()
                latest = value if latest is None else max(latest, value)
    if latest is None:
        raise DataError("cannot choose a period: the dataset has no dates; pass --period YYYY-MM", check="period")
    return str(np.datetime64(latest, "M"))


def _as_of(dates: pd.Series | np.ndarray, end: np.datetime64) -> np.ndarray:
    d = np.asarray(dates, dtype="datetime64[s]")
    return np.asarray(np.isnat(d) | (d <= end), dtype=bool)


def _isin(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """values.isin(pool) through Arrow's hash lookup (pandas' isin on Arrow strings loops in Python)."""
    return codes(values, pa.array(pool, pa.string(), from_pandas=True)) >= 0


def _lots(ds: Dataset, issue_lots: pd.Series, issue_materials: pd.Series, batch_ids: pd.Series) -> pd.DataFrame:
    """Purchased lots: the lot master, then lots named only by issues (material from the first issue).

    A lot master row naming a batch (after normalization) is that batch, as for material issues.
    """
    master = ds.get("material_lots")
    master = master[master["lot_id"].notna()].drop_duplicates("lot_id", keep="first").reset_index(drop=True)
    master = master[~_isin(normalize_ids(master["lot_id"], ds.params.batch_id), batch_ids)]
    lots = master[["lot_id", "material_id", "supplier", "received_date"]]
    extra = pd.DataFrame({"lot_id": issue_lots.to_numpy(), "material_id": issue_materials.to_numpy()})
    extra = extra[extra["lot_id"].notna()].drop_duplicates("lot_id", keep="first").reset_index(drop=True)
    extra = extra[~_isin(extra["lot_id"], lots["lot_id"])]
    out = pd.concat([lots, extra], ignore_index=True)
    out["supplier"] = out["supplier"].astype("str")
    out["received_date"] = out["received_date"].astype("datetime64[s]")
    return out.reset_index(drop=True)


def _costs(ds: Dataset, period: str, params: Params, costs: CostResult | None, ids: pd.Series
           ) -> tuple[np.ndarray | None, str | None]:
    """Total cents per batch code, or None and why costing refused this dataset."""
    if costs is None:
        from ..costing.engine import cost

        try:
            costs = cost(ds, period, params)
        except DataError as exc:
            return None, (f"cost_at_risk and batch costs are not available: costing refuses this dataset "
                          f"({exc}); the genealogy and shipments are complete; run `batchkit validate` to fix it")
    elif costs.period != period:
        raise DataError(f"the cost result is for {costs.period}, the trace for {period}: pass period={costs.period!r}",
                        check="period")
    s = costs.batch_summary
    pos = codes(s["batch_id"], pa.array(ids, pa.string(), from_pandas=True))
    total = np.zeros(len(ids), dtype=np.int64)
    found = pos >= 0
    total[pos[found]] = money.to_cents(s["total_cost"].to_numpy(dtype="float64"))[found]
    return total, None


def build_index(ds: Dataset, period: str, params: Params | None = None, costs: CostResult | None = None
                ) -> TraceIndex:
    """The index of `ds` as of the end of `period`; costs from `costs` or a cost run (see module doc)."""
    blocked = ds.findings[ds.findings["check"].isin(["missing_table", "unreadable", "empty_file", "encoding"])
                          & ds.findings["table"].isin(["batches", "material_issues"])]
    if not blocked.empty:
        raise DataError(f"cannot trace: {blocked.iloc[0]['message']}", table=blocked.iloc[0]["table"],
                        check=blocked.iloc[0]["check"])
    params = params or ds.params
    p = post(ds)
    m = p.master
    _, end = period_bounds(period)
    end = end.astype("datetime64[s]")
    in_run = ~(m["start_date"].to_numpy(dtype="datetime64[s]") > end)
    mi = ds.get("material_issues")
    mat = p.material
    keep = _as_of(mat["date"], end) & gather(in_run, mat["code"].to_numpy(), False).astype(bool)

    sub = mat[keep & (mat["lot_code"].to_numpy() >= 0) & (mat["lot_code"] != mat["code"]).to_numpy()]
    sub_edges = (sub.groupby(["lot_code", "code"], as_index=False, sort=True)["qty_i"].sum()
                 .rename(columns={"lot_code": "src", "code": "dst"}))
    purchased = (mat["lot_code"] < 0).to_numpy()
    lots = _lots(ds, mi["lot_id"][purchased], mi["material_id"][purchased], m["batch_id"])
    bought = keep & purchased & mi["lot_id"].notna().to_numpy()
    lot_src = codes(mi["lot_id"][bought], pa.array(lots["lot_id"], pa.string(), from_pandas=True))
    lot_edges = (pd.DataFrame({"src": lot_src, "dst": mat["code"].to_numpy()[bought]})
                 .drop_duplicates().sort_values(["src", "dst"], kind="stable").reset_index(drop=True))

    # quantities as exact ints at one common number of places
    places = max(p.qty_places, p.good_places)
    good_i, _ = money.scaled(m["qty_good"].to_numpy(dtype="float64"), p.good_places)
    good_i = good_i * 10 ** (places - p.good_places)
    issued_i = np.zeros(len(m), dtype=np.int64)
    np.add.at(issued_i, sub_edges["src"].to_numpy(), sub_edges["qty_i"].to_numpy() * 10 ** (places - p.qty_places))
    sub_edges["qty_i"] = sub_edges["qty_i"] * 10 ** (places - p.qty_places)

    ends = m["end_date"].to_numpy(dtype="datetime64[s]")
    total, refused = _costs(ds, period, params, costs, m["batch_id"])
    batches = pd.DataFrame({
        "batch_id": m["batch_id"].to_numpy(), "item_id": m["item_id"].to_numpy(), "in_run": in_run,
        "start_date": m["start_date"].to_numpy(dtype="datetime64[s]"),
        "status": np.where(~np.isnat(ends) & (ends <= end), "completed", "wip"),
        "qty_good": m["qty_good"].to_numpy(dtype="float64"), "good_i": good_i, "issued_i": issued_i,
        "total_cents": total if total is not None else np.zeros(len(m), dtype=np.int64),
    })

    sh = ds.get("shipments")
    code = codes(sh["batch_id"], pa.array(m["batch_id"], pa.string(), from_pandas=True))
    ok = _as_of(sh["ship_date"], end) & gather(in_run, code, False).astype(bool)
    shipments = (pd.DataFrame({"code": code[ok], "customer": sh["customer"].to_numpy()[ok],
                               "ship_date": sh["ship_date"].to_numpy(dtype="datetime64[s]")[ok],
                               "qty": sh["qty"].to_numpy(dtype="float64")[ok]})
                 .sort_values(["code", "ship_date", "customer"], kind="stable").reset_index(drop=True))
    shipments["customer"] = shipments["customer"].astype("str")
    return TraceIndex(period=period, batches=batches, lots=lots, sub_edges=sub_edges, lot_edges=lot_edges,
                      shipments=shipments, qty_places=places, costs_ok=refused is None,
                      warnings=[refused] if refused else [])
