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
the dataset; the trace sees the plant as of that period end (`build`).
Given a folder, the index comes from the disk cache (`cache`) when the
inputs are unchanged; given a loaded Dataset, it is built in memory once per
period and kept on the dataset. Walking and the result tables are numpy and
Arrow: a cached trace imports neither pandas nor the loaders (`result`).
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa

from ..core import money
from ..core.engine_read import require_rows_here
from ..core.errors import ParamsError, UnknownIdError
from ..core.lean_arrow import as_arrow, equals, sort, take
from ..core.params_memo import RememberedParams
from ..core.periods import check_period
from . import cache as trace_cache
from . import udi
from .index import TraceIndex, neighbours, ranges
from .lookup import resolve
from .result import TraceResult

if TYPE_CHECKING:
    from ..core.model import CostResult, Dataset
    from ..core.params import Params

__all__ = ["Direction", "TraceResult", "at_risk_cents", "load_dataset", "open_index", "trace", "walk"]

Direction = Literal["forward", "backward"]


# ------------------------------------------------------------------ walking


def walk(index: TraceIndex, kind: str, start: int, direction: Direction) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first levels: (level per batch code, level per lot code), -1 where not reached."""
    b_level = np.full(index.batches.num_rows, -1, dtype=np.int64)
    l_level = np.full(index.lots.num_rows, -1, dtype=np.int64)
    if kind == "lot":
        l_level[start] = 0
        if direction == "backward":
            return b_level, l_level
        frontier = neighbours(index, "lot_fwd", np.array([start]))
        level = 1
    else:
        frontier, level = np.array([start]), 0
    sub = "sub_fwd" if direction == "forward" else "sub_back"
    while len(frontier):
        b_level[frontier] = level
        if direction == "backward":
            lots = neighbours(index, "lot_back", frontier)
            lots = lots[l_level[lots] < 0]
            l_level[lots] = level + 1
        nxt = neighbours(index, sub, frontier)
        frontier = nxt[b_level[nxt] < 0]
        level += 1
    return b_level, l_level


def _completed(index: TraceIndex, batch_codes: np.ndarray) -> np.ndarray:
    return equals(take(index.batches.column("status"), batch_codes), "completed")


def at_risk_cents(index: TraceIndex, batch_codes: np.ndarray) -> np.ndarray:
    """Cost at risk of each batch in cents (module doc): no sub-assembly counted twice."""
    good = index.array("batches", "good_i")[batch_codes]
    remaining = np.maximum(good - index.array("batches", "issued_i")[batch_codes], 0)
    total = index.array("batches", "total_cents")[batch_codes]
    share = money.muldiv_round(total, remaining, np.maximum(good, 1))
    wip = ~_completed(index, batch_codes)
    return np.asarray(np.where(good > 0, share, np.where(wip, total, 0)), dtype=np.int64)


def _tables(index: TraceIndex, b_level: np.ndarray, l_level: np.ndarray, start: int | None
            ) -> tuple[dict[str, pa.Table], int | None]:
    """The result tables (see TraceResult) and the cost at risk in cents (None when costing refused)."""
    codes = np.flatnonzero(b_level >= 0)
    b = take(index.batches.select(["batch_id", "item_id", "status"]), codes)
    scale = 10.0**index.qty_places
    risk = at_risk_cents(index, codes)
    total = index.array("batches", "total_cents")[codes]
    good_i, issued_i = index.array("batches", "good_i")[codes], index.array("batches", "issued_i")[codes]
    good = index.array("batches", "qty_good")[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(_completed(index, codes) & (good > 0), total / 100.0 / good, np.nan)
    costs = index.costs_ok
    missing = np.full(len(codes), np.nan)
    batches = sort(pa.table({
        "batch_id": b.column("batch_id"), "item_id": b.column("item_id"), "level": as_arrow(b_level[codes]),
        "status": b.column("status"), "qty_good": as_arrow(good), "qty_issued": as_arrow(issued_i / scale),
        "qty_at_risk": as_arrow(np.maximum(good_i - issued_i, 0) / scale),
        "unit_cost": as_arrow(unit if costs else missing),
        "total_cost": as_arrow(money.cents_to_float(total) if costs else missing),
        "cost_at_risk": as_arrow(money.cents_to_float(risk) if costs else missing),
    }), [("level", "ascending"), ("batch_id", "ascending")])
    lot_codes = np.flatnonzero(l_level >= 0)
    lots = sort(take(index.lots, lot_codes).append_column("level", as_arrow(l_level[lot_codes])),
                [("level", "ascending"), ("lot_id", "ascending")])
    shipped_by = codes if start is None else np.array([start])
    rows = ranges(index.array("shipments", "code"), shipped_by)  # in the index's order, as a filter keeps it
    ship_codes = index.array("shipments", "code")[rows]
    sh = take(index.shipments, rows)
    of = take(index.batches.select(["batch_id", "item_id"]), ship_codes)
    shipments = sort(pa.table({
        "batch_id": of.column("batch_id"), "item_id": of.column("item_id"), "level": as_arrow(b_level[ship_codes]),
        "customer": sh.column("customer"), "ship_date": sh.column("ship_date"), "qty": sh.column("qty"),
    }), [("level", "ascending"), ("batch_id", "ascending"), ("ship_date", "ascending"), ("customer", "ascending")])
    chosen = risk if start is None else risk[codes == start]
    return {"batches": batches, "lots": lots, "shipments": shipments}, int(chosen.sum()) if costs else None


# ------------------------------------------------------------------ the library API


def load_dataset(root: Path, params: Params) -> Dataset:
    """`ingest.load.load_dataset`, imported on first use: a cached trace never loads pandas or the readers."""
    from ..ingest.load import load_dataset as load

    return load(root, params)


def _period(period: str | None, params: Params | RememberedParams, fallback: Callable[[], str | None]) -> str:
    period = period or params.period
    if period is None:
        return str(fallback())
    return check_period(period)


def open_index(data: str | Path, params: Params | RememberedParams, period: str | None = None, cache: bool = True
               ) -> tuple[TraceIndex, list[str]]:
    """The index of a data folder, from the disk cache when its inputs are unchanged (`cache`).

    Remembered params (`core.params_memo`) are validated in full only when the data must be loaded.
    """
    root = Path(data)
    key = trace_cache.input_key(root, params) if trace_cache.enabled(cache) and root.is_dir() else None
    if key:
        remembered = trace_cache.read_latest_period(root, key)
        if remembered or period or params.period:
            wanted = _period(period, params, lambda: remembered)
            index = trace_cache.read_index(root, key, wanted)
            if index is not None:
                return index, []
    from .build import build_index, latest_period

    if isinstance(params, RememberedParams):
        params = params.validated()
    ds = load_dataset(root, params)
    latest = latest_period(ds)
    index = build_index(ds, _period(period, params, lambda: latest), params)
    notes = []
    if key:
        note = trace_cache.write_index(root, key, index, latest)
        notes = [note] if note else []
    return index, notes


def _dataset_index(ds: Dataset, period: str | None, params: Params, costs: CostResult | None) -> TraceIndex:
    """The index of a loaded dataset, built once per period and kept on it."""
    from .build import build_index, latest_period

    wanted = _period(period or (costs.period if costs else None), params, lambda: latest_period(ds))
    index: TraceIndex | None = ds.cache.get(("trace_index", wanted))
    if index is None:
        index = ds.cache[("trace_index", wanted)] = build_index(ds, wanted, params, costs)
    return index


def trace(data: Dataset | str | Path, id_or_udi: str, *, direction: Direction = "forward",
          period: str | None = None, params: Params | RememberedParams | None = None,
          costs: CostResult | None = None, cache: bool = True) -> TraceResult:
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
    notes: list[str] = []
    if isinstance(data, str | PathLike):
        if params is None:
            from ..core.params import load_params

            params = load_params()
        require_rows_here(params, "trace")
        index, notes = open_index(data, params, period, cache)
    else:
        params = params.validated() if isinstance(params, RememberedParams) else params or data.params
        require_rows_here(params, "trace")
        index = _dataset_index(data, period, params, costs)
    try:
        kind, code, resolved = resolve(index, text, params.batch_id)
    except UnknownIdError:
        if parsed is not None or not udi.raw_candidate(id_or_udi):
            raise
        text, parsed = udi.lot_of(id_or_udi)
        kind, code, resolved = resolve(index, text, params.batch_id)
    b_level, l_level = walk(index, kind, code, direction)
    own = code if (direction == "backward" and kind == "batch") else None
    tables, cents = _tables(index, b_level, l_level, own)
    return TraceResult(
        id=resolved, query=id_or_udi, direction=direction, kind=kind, period=index.period,
        udi=parsed.to_dict() if parsed else None, tables=tables,
        cost_at_risk=None if cents is None else cents / 100.0, warnings=index.warnings + notes,
    )
