"""The answer of one trace: Arrow tables, with pandas frames made only for the callers that ask.

A trace's tables are small (the affected batches, their lots and shipments)
and come out of an index of Arrow tables. The command line prints them and
writes the contract's JSON straight from Arrow, so a cached `batchkit trace`
never imports pandas (half a second); a notebook or the recall workbook asks
for `.batches`, `.lots`, `.shipments` or `.customers` and gets the same
pandas frames as always, converted on first use and kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..core.lean_arrow import as_arrow, as_numpy, sort, starts, take, valid, where

if TYPE_CHECKING:
    import pandas as pd

# text columns that pandas used to build from the affected batches' numpy columns: with no batch at all
# they are object dtype, as they always were (pandas infers no text dtype from an empty object column)
_BATCH_TEXT = {"batches": ("batch_id", "item_id", "status"), "shipments": ("batch_id", "item_id")}


@dataclass
class TraceResult:
    """One trace: the tables a recall coordinator needs and the contract's JSON."""

    id: str  # the lot as written, or the normalized batch ID
    query: str  # what was asked (an ID or a UDI)
    direction: str
    kind: str  # "lot" or "batch"
    period: str
    udi: dict[str, Any] | None
    # "batches": batch_id, item_id, level, status, qty_good, qty_issued, qty_at_risk, unit_cost, total_cost,
    #            cost_at_risk; "lots": lot_id, material_id, supplier, received_date, level;
    # "shipments": batch_id, item_id, level, customer, ship_date, qty. Each sorted by level, then ID.
    tables: dict[str, pa.Table]
    cost_at_risk: float | None
    warnings: list[str] = field(default_factory=list)
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def batches(self) -> pd.DataFrame:
        """Affected batches (forward) or inputs (backward), by level then batch ID."""
        return self._frame("batches")

    @property
    def lots(self) -> pd.DataFrame:
        """Purchased lots reached, by level then lot ID."""
        return self._frame("lots")

    @property
    def shipments(self) -> pd.DataFrame:
        """Shipments of the affected batches, by level, batch, ship date and customer."""
        return self._frame("shipments")

    @property
    def customers(self) -> pd.DataFrame:
        """Shipments by customer: shipments, batches, units, first and last ship date."""
        if "customers" not in self._frames:
            self._frames["customers"] = self.customer_table().to_pandas()
        return self._frames["customers"]

    def customer_table(self) -> pa.Table:
        """`customers` as Arrow: one row per customer named on a shipment, in customer order.

        Sorted rather than grouped (Arrow's group_by loads pandas through pyarrow.dataset); units
        are summed with math.fsum, the correctly rounded sum of each customer's quantities.
        """
        s = self.tables["shipments"]
        s = where(s, valid(s.column("customer")))
        first = sort(s, [("customer", "ascending"), ("ship_date", "ascending")])  # missing dates last,
        last = sort(s, [("customer", "ascending"), ("ship_date", "descending")])  # in both orders
        by_batch = sort(s, [("customer", "ascending"), ("batch_id", "ascending")])
        n = first.num_rows
        new = starts(first.column("customer"))
        group = np.flatnonzero(new)
        # sorted by batch within each customer: a new batch differs from the row before it
        new_batch = new | starts(by_batch.column("batch_id"))
        qty = as_numpy(first.column("qty"))
        sums = [math.fsum(part[~np.isnan(part)]) for part in np.split(qty, group[1:])] if n else []
        return pa.table({
            "customer": take(first.column("customer"), group),
            "shipments": as_arrow(np.diff(np.append(group, n)).astype(np.int64)),
            "batches": as_arrow(np.add.reduceat(new_batch, group).astype(np.int64) if n else group),
            "qty": as_arrow(np.array(sums, dtype=np.float64)),
            "first_ship": take(first.column("ship_date"), group),
            "last_ship": take(last.column("ship_date"), group),
        })

    def _frame(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            frame = self.tables[name].to_pandas()
            if name in _BATCH_TEXT and not self.tables["batches"].num_rows:
                frame = frame.astype(dict.fromkeys(_BATCH_TEXT[name], object))
            self._frames[name] = frame
        return self._frames[name]

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's `trace --json` object (plus kind, period, query, udi and warnings)."""
        t = self.tables
        return {
            "id": self.id,
            "direction": self.direction,
            "batches": records(t["batches"], ["batch_id", "item_id", "level", "qty_good", "unit_cost", "total_cost"]),
            "lots": records(t["lots"], ["lot_id", "material_id", "supplier", "level"]),
            "shipments": records(t["shipments"], ["batch_id", "customer", "ship_date", "qty"]),
            "cost_at_risk": self.cost_at_risk,
            "kind": self.kind,
            "period": self.period,
            "query": self.query,
            "udi": self.udi,
            "warnings": list(self.warnings),
        }


def values(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """A column as Python values for people and JSON: dates as YYYY-MM-DD, missing (null or NaN) as None."""
    out: list[Any] = column.to_pylist()
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        return [None if v is None else v.strftime("%Y-%m-%d") for v in out]
    if pa.types.is_floating(column.type):
        return [None if v is None or math.isnan(v) else v for v in out]
    return out


def records(table: pa.Table, columns: list[str]) -> list[dict[str, Any]]:
    """Rows of `columns` as JSON-ready dicts (see `values`)."""
    cols = [values(table.column(c)) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*cols, strict=True)]
