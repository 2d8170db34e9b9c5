"""The genealogy index a trace walks: batches, purchased lots, who consumed what, shipments, costs.

Built once per dataset and period (`build.build_index`, from the same priced
postings the cost engine uses), then walked many times. It is Arrow tables,
so the disk cache (`cache`) maps its files back in without a copy and a
cached trace never imports pandas:

  batches    batch_id, item_id, in_run, start_date, status, qty_good, good_i, issued_i, total_cents
             (row position = batch code)
  lots       lot_id, material_id, supplier, received_date (row position = lot code)
  shipments  code (batch), customer, ship_date, qty: sorted by code, ship date, customer
  sub_fwd, sub_back, lot_fwd, lot_back
             the edges as (key, nb) pairs sorted by key then nb: `sub_fwd` supplier batch -> consumer
             batch, `sub_back` consumer -> supplier, `lot_fwd` lot -> consumer batch, `lot_back`
             consumer batch -> lot. A walk finds a node's neighbours by binary search on `key`, so
             it reads only the pages it needs and sorts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..core.lean_arrow import as_numpy

TABLES = ("batches", "lots", "shipments", "sub_fwd", "sub_back", "lot_fwd", "lot_back")
EDGES = ("sub_fwd", "sub_back", "lot_fwd", "lot_back")


@dataclass
class TraceIndex:
    """Genealogy and costs of one dataset as of one period end (module doc)."""

    period: str
    tables: dict[str, pa.Table]  # TABLES
    qty_places: int  # good_i and issued_i are exact ints at this many decimals
    costs_ok: bool
    warnings: list[str] = field(default_factory=list)
    _arrays: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def batches(self) -> pa.Table:
        return self.tables["batches"]

    @property
    def lots(self) -> pa.Table:
        return self.tables["lots"]

    @property
    def shipments(self) -> pa.Table:
        return self.tables["shipments"]

    def array(self, table: str, column: str) -> np.ndarray:
        """A numeric column as numpy, kept: a view of the mapped file when nothing is missing (`core.lean_arrow`)."""
        if (table, column) not in self._arrays:
            self._arrays[(table, column)] = as_numpy(self.tables[table].column(column))
        return self._arrays[(table, column)]

    def meta(self) -> dict[str, Any]:
        return {"period": self.period, "qty_places": self.qty_places, "costs_ok": self.costs_ok,
                "warnings": self.warnings}


def ranges(key: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Positions of every row whose (sorted) `key` is one of `nodes`, in key order, without a Python loop."""
    starts = np.searchsorted(key, nodes, "left")
    sizes = np.searchsorted(key, nodes, "right") - starts
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(nodes, kind="stable")  # key order, whatever the order of `nodes`
    starts, sizes = starts[order], sizes[order]
    return np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(total)


def neighbours(index: TraceIndex, edges: str, nodes: np.ndarray) -> np.ndarray:
    """The distinct neighbours of `nodes` through one of EDGES, sorted."""
    key, nb = index.array(edges, "key"), index.array(edges, "nb")
    found = np.sort(nb[ranges(key, np.asarray(nodes, dtype=key.dtype))]).astype(np.int64)
    # np.unique would do, but its first call imports numpy.ma (10 ms of a cached trace)
    return found[np.append(True, found[1:] != found[:-1])] if len(found) else found
