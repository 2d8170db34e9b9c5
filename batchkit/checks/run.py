"""Check a loaded dataset and return every problem as a findings frame.

Each check is a plain function `(ds, post, out)` in CHECKS that appends
findings; none raises for a data problem. Checks are period-independent:
`validate DATA` needs no period, and `cost` reuses the same findings.
Severity: `error` blocks costing, `warning` is reported and costing goes on.
"""

from __future__ import annotations

import pandas as pd

from ..core.findings import Findings
from ..core.model import Dataset
from ..core.schema import TABLES
from ..ledger.postings import post
from .common import Check
from .costing import check_pools, check_rates, check_standards
from .links import (
    check_batches,
    check_dates,
    check_genealogy,
    check_lots,
    check_net_issues,
    check_orphans,
    check_quality_records,
    check_shipments,
)
from .rows import (
    check_amounts,
    check_duplicate_keys,
    check_duplicate_rows,
    check_empty_required,
    check_precision,
    check_signs,
)

CHECKS: list[Check] = [
    check_empty_required,
    check_signs,
    check_precision,
    check_amounts,
    check_duplicate_keys,
    check_duplicate_rows,
    check_orphans,
    check_batches,
    check_lots,
    check_net_issues,
    check_genealogy,
    check_dates,
    check_rates,
    check_pools,
    check_quality_records,
    check_shipments,
    check_standards,
]

# checks whose verdict needs the rows of every transaction table: skipped here when the engine reads one
# (`checks.on_engine` checks those rows there; a pool with no taker shows in the reconciliation as unallocated)
NEEDS_EVERY_ROW = (check_pools,)


def validate(ds: Dataset) -> pd.DataFrame:
    """Every finding of loading and of every check, errors first (cached on the dataset)."""
    if "findings" in ds.cache:
        return ds.cache["findings"]
    out = Findings()
    structural = ds.findings
    # a required table that could not be read at all (its reason is already a finding) would only
    # add a cascade of consequences: check the rest once it is fixed
    required = [name for name, spec in TABLES.items() if spec.required]
    if all(name in ds.tables or name in ds.engine_read for name in required):
        p = post(ds)
        for check in CHECKS:
            if ds.engine_read and check in NEEDS_EVERY_ROW:
                continue
            check(ds, p, out)
    frame = pd.concat([structural, out.frame()], ignore_index=True) if len(out) else structural.copy()
    frame["row"] = frame["row"].astype("Int64")
    order = frame["severity"].map({"error": 0, "warning": 1}).fillna(2)
    frame = frame.assign(_o=order).sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    ds.cache["findings"] = frame
    return frame
