"""The `cost` job end to end: load, validate, cost, write the tables and the manifest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.findings import counts
from ..core.lanes import two_lanes
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

if TYPE_CHECKING:
    import pandas as pd

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


# each analytics table's share of the work at 16x (anomalies about 5 s alone, KPIs 1.5 s, quality cost 0.6 s):
# anomalies on one lane, KPIs then quality cost on the other
ANALYTICS_WEIGHT = {"batch_anomalies": 3, "kpis": 2, "quality_cost": 1}


def add_analytics(result: CostResult) -> None:
    """Compute the analytics tables onto the result (once: kept there), on two threads (`core.lanes`).

    Once the cost tables are written, these are one Python thread's work while
    the other core waits; the window and the sub-assembly charges they share are
    computed first, once, so neither lane computes them again.
    """
    from .. import analyze
    from ..analyze.issues import subassembly_charges
    from ..analyze.stats import window

    jobs: dict[str, Callable[[CostResult], pd.DataFrame]] = {
        "batch_anomalies": analyze.anomalies, "quality_cost": analyze.quality_cost, "kpis": analyze.kpis}
    todo = [name for name in jobs if name not in result.tables]
    if not todo or skipped_analytics(result):
        return
    if len(todo) > 1:  # what both lanes read, each on a lane of its own
        shared: dict[str, Callable[[CostResult], object]] = {"window": window,
                                                             "subassembly_charges": subassembly_charges}
        two_lanes(list(shared), lambda name: 0, lambda name: shared[name](result))
    done = two_lanes(todo, ANALYTICS_WEIGHT.__getitem__, lambda name: jobs[name](result))
    result.tables.update(done)  # in the contract's order, whichever lane finished first


def skipped_analytics(result: CostResult) -> dict[str, str]:
    """The analytics tables not computed for this result, each with why: all three when the engine reads a
    transaction table itself, since they read its rows in this process (anomaly attribution by material,
    rework and scrap, transferred cost). Written as nothing rather than as figures without those rows."""
    ds = result.dataset
    if ds is None or not ds.engine_read:
        return {}
    why = (f"not computed: it reads the rows of {', '.join(ds.engine_read)} in this process, and the engine "
           "reads them (sources path:/spark_table:)")
    return dict.fromkeys(ANALYTICS_TABLES, why)


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
        extra={"not_computed": skipped} if (skipped := skipped_analytics(result)) else None,
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
