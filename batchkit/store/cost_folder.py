"""The `cost` job end to end: load, validate, cost, write the tables and the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.findings import counts
from ..core.model import CostResult
from ..core.params import Params
from ..costing import workspace
from ..costing.engine import cost
from ..ingest.load import load_dataset
from .atomic import atomic_folder
from .closing import Reopen, ensure_open
from .manifest import build_manifest, file_entries, input_entries, write_manifest
from .snapshot import snapshot_writer
from .tables import TableWriter

# The contract's output tables (section 6), in the order people read them.
CORE_TABLES = ("batch_summary", "batch_costs", "allocation_ledger", "variances", "reconciliation", "data_quality",
               "absorption")
ANALYTICS_TABLES = ("batch_anomalies", "quality_cost", "kpis")
OUTPUT_TABLES = CORE_TABLES + ANALYTICS_TABLES  # each written as CSV and Parquet


def resolved_params(params: Params, data: Path | None, period: str) -> dict[str, Any]:
    resolved = params.resolved()
    resolved["period"] = period
    if data is not None:
        resolved["data"] = str(Path(data).resolve())
    return resolved


def output_tables(result: CostResult) -> dict[str, Any]:
    """The core tables plus the analytics the contract lists (sections 6, 7): batch_anomalies, quality_cost, kpis."""
    add_analytics(result)
    return dict(result.tables)


def add_analytics(result: CostResult) -> None:
    """Compute the analytics tables onto the result (once: kept there)."""
    from .. import analyze

    if "batch_anomalies" not in result.tables:
        result.tables["batch_anomalies"] = analyze.anomalies(result)
        result.tables["quality_cost"] = analyze.quality_cost(result)
    if "kpis" not in result.tables:
        result.tables["kpis"] = analyze.kpis(result)


def write_cost_folder(folder: Path, result: CostResult, params: Params) -> dict[str, Any]:
    """Write the cost tables, the input snapshot (params audit.snapshot_inputs) and their manifest into `folder`
    (already a temporary folder)."""
    ds = result.dataset
    with snapshot_writer(folder, ds.tables if ds is not None and params.audit.snapshot_inputs else None) as snap, \
            TableWriter(folder) as writer:
        computed = set(result.tables)
        for name in sorted(computed):  # the cost tables are written while the analytics are computed
            writer.add(name, result.tables[name])
        add_analytics(result)
        for name in sorted(set(result.tables) - computed):
            writer.add(name, result.tables[name])
        tables = writer.entries()
    tables += snap
    content = build_manifest(
        command="cost",
        period=result.period,
        params=resolved_params(params, ds.root if ds else None, result.period),
        inputs=input_entries(ds.sources if ds else {}),
        outputs=file_entries(folder, tables),
        quality=counts(result.data_quality),
    )
    result.extras["manifest_sha256"] = write_manifest(folder, content)
    return content


def cost_to_folder(data: str | Path | None, period: str, out: str | Path, params: Params,
                   reopen: Reopen | None = None) -> tuple[CostResult, dict[str, Any]]:
    """Cost `data` for `period` into `out` (replaced atomically); nothing is written on a data error.

    A closed `out` is refused (FolderClosed) unless `reopen` (closing.plan_reopen) says how to replace it.
    """
    if reopen is None:
        ensure_open(out)
    ds = load_dataset(data, params)
    from ..analyze.quality import prefetch_scipy

    prefetch_scipy()  # quality_cost's binomial tail needs it; imported while the period is costed
    with atomic_folder(Path(out), keep_previous=reopen.closed_dir if reopen else None) as tmp:
        try:  # the engine spills (past params engine.memory_limit) inside the temporary folder; a data error
            result = cost(ds, period, params, spill_parent=tmp)  # found meanwhile removes the folder, unwritten
        finally:
            workspace.close(ds)  # its spill folder goes before the tables are written and swapped in
        content = write_cost_folder(tmp, result, params)
        if reopen is not None:
            reopen.compare(tmp)
    if reopen is not None:
        reopen.keep()
    return result, content
