"""Recall traceability (contract section 6, `trace`): forward and backward genealogy with cost at risk.

`trace(data, id_or_udi)` answers, for a purchased lot or a batch (typed, or
scanned from a device label as a GS1 UDI): which batches consumed it at any
depth (forward) or what it was made of (backward), level by level, where
the affected batches shipped, and what the affected units cost.

Levels are breadth-first distances: a batch reached directly and through a
sub-assembly is at the smaller level. Forward from a lot its consumers are
level 1; forward or backward from a batch the batch itself is level 0.

Cost at risk, in exact cents (rounded half away from zero once per batch):
  - a batch with good output: unit cost x (qty_good - net qty of it issued to
    other batches), i.e. total x remaining / qty_good, so a sub-assembly's
    cost is not counted again in its consumers. A WIP batch none of whose
    output was issued keeps its whole cost to date; one whose partial output
    was issued keeps the part it has not passed on;
  - a WIP batch without good output: its whole cost to date;
  - a completed batch with no good output: 0 (nothing left to recall).
Forward it sums every affected batch; backward it is the start batch's own
(the batch under investigation). When costing refuses the dataset (error
findings), the genealogy is still traced and `cost_at_risk` is None with the
reason in `warnings`: a recall needs the answer even on imperfect data.

Period: `period`, else params `period`, else the month of the latest date in
the dataset; the trace sees the plant as of that period end (`trace_index`).
Given a folder, the index comes from the disk cache (`trace_cache`) when the
inputs are unchanged; given a loaded Dataset, it is built in memory once per
period and kept on the dataset.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..core import money
from ..core.errors import ParamsError, UnknownIdError
from ..core.model import CostResult, Dataset
from ..core.params import BatchIdRules, Params, load_params
from ..core.periods import check_period
from ..ingest.ids import normalize_ids
from ..ingest.load import load_dataset
from . import cache as trace_cache
from . import udi
from .index import TraceIndex, build_index, latest_period

Direction = Literal["forward", "backward"]


@dataclass
class TraceResult:
    """One trace: the frames a recall coordinator needs and the contract's JSON."""

    id: str  # the lot as written, or the normalized batch ID
    query: str  # what was asked (an ID or a UDI)
    direction: str
    kind: str  # "lot" or "batch"
    period: str
    udi: dict[str, Any] | None
    batches: pd.DataFrame  # batch_id, item_id, level, status, qty_good, qty_issued, qty_at_risk, unit_cost, ...
    lots: pd.DataFrame  # lot_id, material_id, supplier, received_date, level
    shipments: pd.DataFrame  # batch_id, item_id, level, customer, ship_date, qty
    cost_at_risk: float | None
    warnings: list[str] = field(default_factory=list)

    @property
    def customers(self) -> pd.DataFrame:
        """Shipments by customer: shipments, batches, units, first and last ship date."""
        s = self.shipments
        return (s.groupby("customer", sort=True)
                .agg(shipments=("qty", "size"), batches=("batch_id", "nunique"), qty=("qty", "sum"),
                     first_ship=("ship_date", "min"), last_ship=("ship_date", "max"))
                .reset_index())

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's `trace --json` object (plus kind, period, query, udi and warnings)."""
        return {
            "id": self.id,
            "direction": self.direction,
            "batches": _records(self.batches, ["batch_id", "item_id", "level", "qty_good", "unit_cost",
                                               "total_cost"]),
            "lots": _records(self.lots, ["lot_id", "material_id", "supplier", "level"]),
            "shipments": _records(self.shipments, ["batch_id", "customer", "ship_date", "qty"]),
            "cost_at_risk": self.cost_at_risk,
            "kind": self.kind,
            "period": self.period,
            "query": self.query,
            "udi": self.udi,
            "warnings": list(self.warnings),
        }


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    out = frame[columns].astype(object)
    for col in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            out[col] = frame[col].dt.strftime("%Y-%m-%d").astype(object)
        elif pd.api.types.is_integer_dtype(frame[col]):
            out[col] = frame[col].astype(int).astype(object)
    records: list[dict[str, Any]] = out.where(frame[columns].notna(), None).to_dict("records")
    return records


# ------------------------------------------------------------------ walking


def _neighbours(indptr: np.ndarray, nb: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """All neighbours of `nodes` in a CSR adjacency, without a Python loop over nodes."""
    starts, stops = indptr[nodes], indptr[nodes + 1]
    sizes = stops - starts
    if not sizes.sum():
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    return np.unique(nb[offsets])


def walk(index: TraceIndex, kind: str, start: int, direction: Direction) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first levels: (level per batch code, level per lot code), -1 where not reached."""
    b_level = np.full(len(index.batches), -1, dtype=np.int64)
    l_level = np.full(len(index.lots), -1, dtype=np.int64)
    if kind == "lot":
        l_level[start] = 0
        if direction == "backward":
            return b_level, l_level
        frontier = _neighbours(*index.adjacency("lot_fwd"), np.array([start]))
        level = 1
    else:
        frontier, level = np.array([start]), 0
    sub = index.adjacency("sub_fwd" if direction == "forward" else "sub_back")
    while len(frontier):
        b_level[frontier] = level
        if direction == "backward":
            lots = _neighbours(*index.adjacency("lot_back"), frontier)
            lots = lots[l_level[lots] < 0]
            l_level[lots] = level + 1
        nxt = _neighbours(*sub, frontier)
        frontier = nxt[b_level[nxt] < 0]
        level += 1
    return b_level, l_level


def at_risk_cents(index: TraceIndex, batch_codes: np.ndarray) -> np.ndarray:
    """Cost at risk of each batch in cents (module doc): no sub-assembly counted twice."""
    b = index.batches
    good = b["good_i"].to_numpy()[batch_codes]
    remaining = np.maximum(good - b["issued_i"].to_numpy()[batch_codes], 0)
    total = b["total_cents"].to_numpy()[batch_codes]
    share = money.muldiv_round(total, remaining, np.maximum(good, 1))
    wip = b["status"].to_numpy()[batch_codes] == "wip"
    return np.where(good > 0, share, np.where(wip, total, 0)).astype(np.int64)


def _frames(index: TraceIndex, b_level: np.ndarray, l_level: np.ndarray, start: int | None
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int | None]:
    codes = np.flatnonzero(b_level >= 0)
    b = index.batches.iloc[codes]
    scale = 10.0**index.qty_places
    risk = at_risk_cents(index, codes)
    total = b["total_cents"].to_numpy()
    good = b["qty_good"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where((b["status"].to_numpy() == "completed") & (good > 0), total / 100.0 / good, np.nan)
    costs = index.costs_ok
    batches = pd.DataFrame({
        "batch_id": b["batch_id"].to_numpy(), "item_id": b["item_id"].to_numpy(), "level": b_level[codes],
        "status": b["status"].to_numpy(), "qty_good": good, "qty_issued": b["issued_i"].to_numpy() / scale,
        "qty_at_risk": np.maximum(b["good_i"].to_numpy() - b["issued_i"].to_numpy(), 0) / scale,
        "unit_cost": unit if costs else np.nan,
        "total_cost": money.cents_to_float(total) if costs else np.nan,
        "cost_at_risk": money.cents_to_float(risk) if costs else np.nan,
        "_code": codes,
    }).sort_values(["level", "batch_id"], kind="stable").reset_index(drop=True)
    lot_codes = np.flatnonzero(l_level >= 0)
    lots = index.lots.iloc[lot_codes].assign(level=l_level[lot_codes])
    lots = lots.sort_values(["level", "lot_id"], kind="stable").reset_index(drop=True)
    sh = index.shipments
    shipped = sh[np.isin(sh["code"].to_numpy(), codes if start is None else [start])]
    shipped = shipped.merge(batches[["_code", "batch_id", "item_id", "level"]], left_on="code", right_on="_code")
    shipments = (shipped[["batch_id", "item_id", "level", "customer", "ship_date", "qty"]]
                 .sort_values(["level", "batch_id", "ship_date", "customer"], kind="stable").reset_index(drop=True))
    chosen = risk if start is None else risk[codes == start]
    return batches.drop(columns="_code"), lots, shipments, int(chosen.sum()) if costs else None


# ------------------------------------------------------------------ resolving the ID


def _suggest(index: TraceIndex, normalized: str, rules: BatchIdRules) -> list[str]:
    ids = pd.concat([index.lots["lot_id"], index.batches["batch_id"]], ignore_index=True).dropna()
    # reset_index: ids.normalize_ids aligns its result on a 0..n-1 index
    ids = ids[(ids.str.len() - len(normalized)).abs() <= 3].reset_index(drop=True)
    norm = normalize_ids(ids, rules)
    by_norm = dict(zip(norm, ids, strict=True))
    close = difflib.get_close_matches(normalized, list(by_norm), n=5, cutoff=0.6)
    return [by_norm[c] for c in close]


def resolve(index: TraceIndex, text: str, rules: BatchIdRules) -> tuple[str, int, str]:
    """(kind, code, ID) of a lot (as written, trimmed) or a batch (normalized); UnknownIdError otherwise."""
    written = text.strip()
    lot = np.flatnonzero(index.lots["lot_id"].to_numpy() == written)
    if len(lot):
        return "lot", int(lot[0]), written
    normalized = str(normalize_ids(pd.Series([written], dtype="str"), rules).iloc[0])
    batch = np.flatnonzero(index.batches["batch_id"].to_numpy() == normalized)
    if len(batch):
        code = int(batch[0])
        if not index.batches["in_run"].iloc[code]:
            start = str(index.batches["start_date"].iloc[code])[:10]
            raise UnknownIdError(f"batch {normalized!r} started on {start}, after the end of {index.period}: "
                                 "trace a later --period")
        return "batch", code, normalized
    suggestions = _suggest(index, normalized, rules)
    message = f"unknown ID {written!r}: not a purchased lot or a batch (after normalization: {normalized!r})"
    if suggestions:
        message += "; close matches: " + ", ".join(suggestions)
    raise UnknownIdError(message, suggestions=suggestions)


# ------------------------------------------------------------------ the library API


def _period(period: str | None, params: Params, fallback: Callable[[], str | None]) -> str:
    period = period or params.period
    if period is None:
        return str(fallback())
    return check_period(period)


def open_index(data: str | Path, params: Params, period: str | None = None, cache: bool = True
               ) -> tuple[TraceIndex, list[str]]:
    """The index of a data folder, from the disk cache when its inputs are unchanged (`trace_cache`)."""
    root = Path(data)
    key = trace_cache.input_key(root, params) if trace_cache.enabled(cache) and root.is_dir() else None
    if key:
        remembered = trace_cache.read_latest_period(root, key)
        if remembered or period or params.period:
            wanted = _period(period, params, lambda: remembered)
            index = trace_cache.read_index(root, key, wanted)
            if index is not None:
                return index, []
    ds = load_dataset(root, params)
    latest = latest_period(ds)
    index = build_index(ds, _period(period, params, lambda: latest), params)
    notes = []
    if key:
        note = trace_cache.write_index(root, key, index, latest)
        notes = [note] if note else []
    return index, notes


def trace(data: Dataset | str | Path, id_or_udi: str, *, direction: Direction = "forward",
          period: str | None = None, params: Params | None = None, costs: CostResult | None = None,
          cache: bool = True) -> TraceResult:
    """Trace a lot or batch (or the lot of a GS1 UDI) through a dataset; see the module doc.

    `data` is a data folder (the index is cached on disk next to it) or a
    loaded Dataset (the index is kept on it). `costs` reuses a cost run of
    the same dataset and period instead of costing again.
    """
    if direction not in ("forward", "backward"):
        raise ParamsError(f"direction must be forward or backward, got {direction!r}", key="direction")
    parsed = None
    text = id_or_udi
    if udi.looks_like_udi(id_or_udi):
        text, parsed = udi.lot_of(id_or_udi)
    if isinstance(data, Dataset):
        params = params or data.params
        wanted = _period(period or (costs.period if costs else None), params, lambda: latest_period(data))
        index = data.cache.get(("trace_index", wanted))
        if index is None:
            index = data.cache[("trace_index", wanted)] = build_index(data, wanted, params, costs)
        notes: list[str] = []
    else:
        params = params or load_params()
        index, notes = open_index(data, params, period, cache)
    try:
        kind, code, resolved = resolve(index, text, params.batch_id)
    except UnknownIdError:
        if parsed is not None or not udi.raw_candidate(id_or_udi):
            raise
        text, parsed = udi.lot_of(id_or_udi)
        kind, code, resolved = resolve(index, text, params.batch_id)
    b_level, l_level = walk(index, kind, code, direction)
    own = code if (direction == "backward" and kind == "batch") else None
    batches, lots, shipments, cents = _frames(index, b_level, l_level, own)
    return TraceResult(
        id=resolved, query=id_or_udi, direction=direction, kind=kind, period=index.period,
        udi=parsed.to_dict() if parsed else None, batches=batches, lots=lots, shipments=shipments,
        cost_at_risk=None if cents is None else cents / 100.0, warnings=index.warnings + notes,
    )
