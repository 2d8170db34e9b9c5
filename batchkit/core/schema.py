"""The input tables of the data contract (DATA-CONTRACT.md section 2), as data.

Loaders type columns from here, validation checks against it, and the docs
table in the README is generated from the same source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "str", "num", "date", "period"]
Sign = Literal["any", "nonneg", "positive"]

CONTRACT_VERSION = "1"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    sign: Sign = "any"
    batch_id: bool = False  # normalized with the params' batch_id rules


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required: bool = False
    key: tuple[str, ...] = ()  # unique together
    doc: str = ""
    extra_keys: tuple[tuple[str, ...], ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: Kind, required: bool = True, sign: Sign = "any") -> Column:
    return Column(name, kind, required, sign, batch_id=(name == "batch_id"))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "batches",
            (
                _c("batch_id", "id"),
                _c("item_id", "id"),
                _c("product_line", "str"),
                _c("site", "str", False),
                _c("start_date", "date"),
                _c("end_date", "date", False),
                _c("qty_started", "num", sign="nonneg"),
                _c("qty_good", "num", sign="nonneg"),
                _c("qty_scrap", "num", False, "nonneg"),
                _c("uom", "str", False),
                _c("status", "str", False),
            ),
            required=True,
            key=("batch_id",),
            doc="one row per production batch, finished goods and sub-assemblies alike",
        ),
        Table(
            "material_issues",
            (
                _c("batch_id", "id"),
                _c("material_id", "id"),
                _c("lot_id", "id"),
                _c("qty", "num"),
                _c("unit_cost", "num", False, "nonneg"),
                _c("date", "date"),
                _c("doc_id", "id", False),
            ),
            required=True,
            key=("doc_id",),
            doc="materials and components consumed by batches",
        ),
        Table(
            "material_lots",
            (
                _c("lot_id", "id"),
                _c("material_id", "id"),
                _c("supplier", "str", False),
                _c("received_date", "date", False),
                _c("unit_cost", "num", False, "nonneg"),
                _c("qty_received", "num", False, "nonneg"),
            ),
            key=("lot_id",),
            doc="purchased lots",
        ),
        Table(
            "operations",
            (
                _c("batch_id", "id"),
                _c("operation", "str"),
                _c("work_center", "id"),
                _c("labor_hours", "num", sign="nonneg"),
                _c("machine_hours", "num", sign="nonneg"),
                _c("date", "date"),
                _c("equipment_id", "id", False),
                _c("operator", "str", False),
                _c("doc_id", "id", False),
            ),
            key=("doc_id",),
            doc="time booked on batches (MES)",
        ),
        Table(
            "rates",
            (
                _c("work_center", "id"),
                _c("labor_rate", "num", sign="nonneg"),
                _c("machine_rate", "num", sign="nonneg"),
                _c("valid_from", "date", False),
                _c("valid_to", "date", False),
            ),
            key=("work_center", "valid_from"),
            doc="cost per hour of each work center",
        ),
        Table(
            "direct_costs",
            (
                _c("batch_id", "id"),
                _c("cost_element", "str"),
                _c("amount", "num"),
                _c("date", "date"),
                _c("vendor", "str", False),
                _c("doc_id", "id", False),
            ),
            key=("doc_id",),
            doc="costs traced straight to a batch",
        ),
        Table(
            "cost_pools",
            (
                _c("pool_id", "id"),
                _c("cost_element", "str"),
                _c("period", "period"),
                _c("amount", "num"),
                _c("product_line", "str", False),
                _c("site", "str", False),
                _c("work_center", "id", False),
            ),
            key=("pool_id", "period"),
            doc="indirect costs of a period, to allocate to batches",
        ),
        Table(
            "drivers",
            (
                _c("batch_id", "id"),
                _c("driver", "str"),
                _c("value", "num", sign="nonneg"),
                _c("period", "period"),
            ),
            key=("batch_id", "driver", "period"),
            doc="activity measures per batch, for activity-based allocation",
        ),
        Table(
            "shipments",
            (
                _c("batch_id", "id"),
                _c("customer", "str"),
                _c("ship_date", "date"),
                _c("qty", "num", sign="positive"),
                _c("revenue", "num", False, "nonneg"),
                _c("doc_id", "id", False),
            ),
            key=("doc_id",),
            doc="where batches went (recall, margin)",
        ),
        Table(
            "inspections",
            (
                _c("batch_id", "id"),
                _c("test", "str"),
                _c("result", "str"),
                _c("qty_tested", "num", sign="nonneg"),
                _c("qty_failed", "num", sign="nonneg"),
                _c("date", "date"),
            ),
            doc="quality inspections (LIMS)",
        ),
        Table(
            "nonconformances",
            (
                _c("ncr_id", "id"),
                _c("batch_id", "id"),
                _c("defect", "str"),
                _c("disposition", "str"),
                _c("qty", "num", sign="nonneg"),
                _c("date", "date"),
                _c("cost", "num", False, "nonneg"),
            ),
            key=("ncr_id",),
            doc="nonconformance reports (QMS)",
        ),
        Table(
            "standard_bom",
            (
                _c("item_id", "id"),
                _c("material_id", "id"),
                _c("qty_per_unit", "num", sign="nonneg"),
                _c("std_unit_cost", "num", sign="nonneg"),
            ),
            key=("item_id", "material_id"),
            doc="standard materials per unit of an item",
        ),
        Table(
            "standard_routing",
            (
                _c("item_id", "id"),
                _c("operation", "str"),
                _c("work_center", "id"),
                _c("labor_hours_per_unit", "num", sign="nonneg"),
                _c("machine_hours_per_unit", "num", sign="nonneg"),
                _c("std_labor_rate", "num", sign="nonneg"),
                _c("std_machine_rate", "num", sign="nonneg"),
            ),
            key=("item_id", "operation"),
            doc="standard hours and rates per unit of an item",
        ),
        Table(
            "standard_overhead",
            (
                _c("item_id", "id"),
                _c("cost_element", "str"),
                _c("std_cost_per_unit", "num", sign="nonneg"),
            ),
            key=("item_id", "cost_element"),
            doc="standard overhead per unit of an item",
        ),
    )
}

# Cost elements batchkit computes itself; pools and direct costs keep theirs.
COMPUTED_ELEMENTS = ("material", "subassembly", "labor", "machine")

NC_DISPOSITIONS = ("scrap", "rework", "use_as_is", "return")
INSPECTION_RESULTS = ("pass", "fail")

BASES = (
    "labor_hours",
    "machine_hours",
    "good_units",
    "started_units",
    "material_cost",
    "direct_cost",
    "equal",
)
