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
                _c("behavior", "str", False),
            ),
            key=("item_id", "cost_element"),
            doc="standard overhead per unit of an item",
        ),
    )
}

# Transaction tables a source may leave to the engine to read (`sources.TABLE.path:` / `spark_table:`,
# `ingest.on_engine`): the large ones. Master data (batches, lots, rates, pools, standards) is read here, where
# its row order (first row of a lot, a pool's position) and its checks live.
ENGINE_READ_TABLES = ("material_issues", "operations", "direct_costs")

# Cost elements batchkit computes itself; pools and direct costs keep theirs.
COMPUTED_ELEMENTS = ("material", "subassembly", "labor", "machine")

NC_DISPOSITIONS = ("scrap", "rework", "use_as_is", "return")
INSPECTION_RESULTS = ("pass", "fail")
OVERHEAD_BEHAVIORS = ("fixed", "variable")  # standard_overhead.behavior: fixed overhead splits its variance

BASES = (
    "labor_hours",
    "machine_hours",
    "good_units",
    "started_units",
    "material_cost",
    "direct_cost",
    "equal",
)

# What each input column means (docs/DATA-FORMAT.md is generated from TABLES and this; a test checks every
# column has its meaning). Kept apart from the column tuples so that typing rules and words change separately.
COLUMN_DOCS: dict[str, dict[str, str]] = {
    "batches": {
        "batch_id": "the batch (lot) produced; unique",
        "item_id": "the item the batch produces (finished good or sub-assembly)",
        "product_line": "the reporting line; reports and kpis are per line as written here",
        "site": "the plant; a pool with a site scope only goes to batches of that site",
        "start_date": "when production started; a batch is in a run once it started by the period end",
        "end_date": "when it was completed; empty: still open (work in progress)",
        "qty_started": "units put into production",
        "qty_good": "good units out (0 while open); the unit cost divides by it",
        "qty_scrap": "units scrapped (empty = 0); scrap cost = total cost x qty_scrap / qty_started",
        "uom": "unit of measure (shown, not converted)",
        "status": "e.g. released, quarantined, rejected (does not change costing)",
    },
    "material_issues": {
        "batch_id": "the consuming batch",
        "material_id": "the item consumed",
        "lot_id": "the lot consumed: a purchased lot (material_lots) or the batch_id of a sub-assembly batch",
        "qty": "quantity issued; negative = returned to stock (the net per batch and lot must be >= 0)",
        "unit_cost": "actual cost per unit; empty: from material_lots; ignored when lot_id is a batch "
                     "(its cost per good unit is charged)",
        "date": "posting date; counts when on or before the run's period end",
        "doc_id": "source document line, for audit and the duplicate check",
    },
    "material_lots": {
        "lot_id": "the purchased lot; unique",
        "material_id": "the material of the lot",
        "supplier": "who supplied it (recall reports, anomaly drivers)",
        "received_date": "goods receipt",
        "unit_cost": "cost per unit, used when an issue row has none",
        "qty_received": "quantity received",
    },
    "operations": {
        "batch_id": "the batch the time is booked on",
        "operation": "routing step (matched to standard_routing)",
        "work_center": "where; its rate in force on the date prices the hours",
        "labor_hours": "labor hours",
        "machine_hours": "machine hours",
        "date": "booking date",
        "equipment_id": "machine used (shown, not costed)",
        "operator": "who (shown, not costed)",
        "doc_id": "source document line",
    },
    "rates": {
        "work_center": "the work center",
        "labor_rate": "cost per labor hour",
        "machine_rate": "cost per machine hour",
        "valid_from": "first day the rate applies (empty: always); the latest valid_from in force wins",
        "valid_to": "last day it applies (empty: open-ended)",
    },
    "direct_costs": {
        "batch_id": "the batch charged",
        "cost_element": "e.g. sterilization, outsourcing, inspection, packaging, transport, rework",
        "amount": "the cost (negative: a credit)",
        "date": "posting date",
        "vendor": "who charged it",
        "doc_id": "source document line",
    },
    "cost_pools": {
        "pool_id": "the pool; unique within a period",
        "cost_element": "e.g. overhead, depreciation, energy, cleanroom, quality; chooses the basis in params",
        "period": "the month whose batches share it (YYYY-MM)",
        "amount": "the amount to allocate",
        "product_line": "scope: only batches of this line (empty: every line)",
        "site": "scope: only batches of this site",
        "work_center": "scope: only batches with hours on this work center, measured there",
    },
    "drivers": {
        "batch_id": "the batch",
        "driver": "activity measure, e.g. setups, sterilization_load_m3 (basis driver:<name>)",
        "value": "the batch's measure in the period",
        "period": "the month (YYYY-MM)",
    },
    "shipments": {
        "batch_id": "the batch shipped",
        "customer": "who received it (recall, margin)",
        "ship_date": "shipping date",
        "qty": "units shipped (> 0)",
        "revenue": "revenue of the line (margin = revenue - qty x unit cost)",
        "doc_id": "source document line",
    },
    "inspections": {
        "batch_id": "the batch inspected",
        "test": "the test",
        "result": "pass or fail",
        "qty_tested": "units tested",
        "qty_failed": "units failed (defect rate = failed / tested)",
        "date": "test date",
    },
    "nonconformances": {
        "ncr_id": "the nonconformance report; unique",
        "batch_id": "the batch concerned",
        "defect": "what was wrong",
        "disposition": "scrap, rework, use_as_is or return",
        "qty": "units concerned",
        "date": "date of the report",
        "cost": "its cost (rework NCRs count in rework and quality cost)",
    },
    "standard_bom": {
        "item_id": "the item",
        "material_id": "a material (or sub-assembly item) of its standard bill of materials",
        "qty_per_unit": "standard quantity per good unit",
        "std_unit_cost": "standard price per unit of the material",
    },
    "standard_routing": {
        "item_id": "the item",
        "operation": "a routing step (matched to operations.operation)",
        "work_center": "where",
        "labor_hours_per_unit": "standard labor hours per good unit",
        "machine_hours_per_unit": "standard machine hours per good unit",
        "std_labor_rate": "standard cost per labor hour",
        "std_machine_rate": "standard cost per machine hour",
    },
    "standard_overhead": {
        "item_id": "the item",
        "cost_element": "an overhead element (a pool's or direct cost's element)",
        "std_cost_per_unit": "standard cost per good unit",
        "behavior": "fixed or variable (empty: variable); given, the fixed overhead variance splits into "
                    "overhead_spending and overhead_volume",
    },
}
