"""Analytics for cost analysts: plain functions on a `CostResult` (and its dataset) returning DataFrames.

A later stage than `cost`: it imports the cost engine, never the reverse.
`batchkit cost` writes `batch_anomalies` and `quality_cost` (see `pipeline`).
"""

from __future__ import annotations

from .margin import margin
from .quality import quality_cost
from .stats import anomalies, attribution, unit_cost_stats
from .whatif import WhatIf, whatif
from .wip import wip, wip_days_by_line

__all__ = ["WhatIf", "anomalies", "attribution", "margin", "quality_cost", "unit_cost_stats", "whatif", "wip",
           "wip_days_by_line"]
