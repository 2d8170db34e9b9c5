"""The named checks `validate` runs, in order: each a plain function `(ds, post, out)` that appends findings."""

from __future__ import annotations

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
