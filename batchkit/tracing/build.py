"""Building the trace index (`index.TraceIndex`) of a loaded dataset as of one period end.

It uses the same priced postings the cost engine uses (so batch codes and
sub-assembly detection agree) and sees the plant as of the period end, like
`cost`: batches started by then, material issues and shipments dated by then
(undated rows count, so that a data error never hides a consumer in a recall).
Edges are unique (supplier, consumer) pairs, the net quantity issued counted
into the supplier's `issued_i`. This is the one place a trace needs pandas:
the frames are handed over as Arrow tables.
"""

from __future__ import annotations

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
from .index import TraceIndex


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
    """The index of `ds` as of the end of `period`; costs from `costs` or a cost run (module doc)."""
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
    n = max(len(batches), len(lots))
    tables = {"batches": _arrow(batches), "lots": _arrow(lots), "shipments": _arrow(shipments),
              **_edges("sub", sub_edges["src"].to_numpy(), sub_edges["dst"].to_numpy(), n),
              **_edges("lot", lot_edges["src"].to_numpy(), lot_edges["dst"].to_numpy(), n)}
    return TraceIndex(period=period, tables=tables, qty_places=places, costs_ok=refused is None,
                      warnings=[refused] if refused else [])


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """One frame as one Arrow table in one chunk per column (so the cache maps each column in whole)."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None).combine_chunks()
    for i, col in enumerate(table.schema):
        if pa.types.is_null(col.type):  # an empty text column (no batches): still text
            table = table.set_column(i, col.name, table.column(i).cast(pa.string()))
    return table


def _edges(name: str, src: np.ndarray, dst: np.ndarray, nodes: int) -> dict[str, pa.Table]:
    """`<name>_fwd` (key src, nb dst) and `<name>_back` (key dst, nb src), each sorted by key then nb.

    `src, dst` come sorted by (src, dst). Codes are int32 when they fit (always, in practice): half
    the cache on disk and half what a walk reads.
    """
    kind = np.int32 if nodes < 2**31 else np.int64
    back = np.lexsort((src, dst))
    return {f"{name}_fwd": pa.table({"key": src.astype(kind), "nb": dst.astype(kind)}),
            f"{name}_back": pa.table({"key": dst[back].astype(kind), "nb": src[back].astype(kind)})}
