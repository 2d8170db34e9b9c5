"""Analytics for cost analysts: plain functions on a `CostResult` (and its dataset) returning DataFrames.

A later stage than `cost`: it imports the cost engine, never the reverse.
`batchkit cost` writes `batch_anomalies`, `quality_cost` and `kpis` (see `store.cost_folder`).
"""

from __future__ import annotations

from .headline import kpis
from .quality import quality_cost
from .sales import margin
from .scenarios import WhatIf, whatif
from .stats import anomalies, attribution, unit_cost_stats
from .work_in_progress import wip, wip_days_by_line

__all__ = ["WhatIf", "anomalies", "attribution", "kpis", "margin", "quality_cost", "unit_cost_stats", "whatif", "wip",
           "wip_days_by_line"]
