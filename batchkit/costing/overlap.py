"""Cost while the checks run: the SQL model on a worker thread, validation on the caller's.

Validation (numpy and pandas, one Python thread) and the SQL cost model
(DuckDB, which releases the GIL while a statement runs, on its own threads)
do not need each other's results: the model needs the data free of blocking
errors only for its tables to be *used*, not to compute them. So on a
dataset not yet validated, `tables_and_findings` starts the model on a
worker thread and validates meanwhile; on two cores the two overlap, which
saves most of the shorter one's time (at 16x about 9 s of 40).

An error finding or an interrupt (SIGINT, SIGTERM, a notebook's stop)
interrupts the engine, waits for the worker, closes the engine (a later
`cost` opens a fresh one) and raises what a sequential run would have
raised: the DataError naming table, row and column, or the interrupt. If the
data is clean, the model's own failure (an overflow, say) is raised as
before. An engine that cannot be stopped from another thread (Spark) and a
dataset already validated run in turn, as before, and so does a dataset whose
transaction tables the engine reads itself (their checks run on the engine).
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd

from ..checks.run import validate
from ..core.findings import raise_if_errors
from ..core.model import Dataset
from ..core.params import Params
from ..engine.connection import Engine
from . import workspace
from .sql import all_findings, cost_tables


def tables_and_findings(ds: Dataset, period: str, params: Params, engine: Engine
                        ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The cost tables of `period` and the dataset's findings; raises DataError on an error finding."""
    if ds.engine_read:  # the checks of the engine's rows run on the engine, once its inputs are registered
        findings = all_findings(ds, engine)
        raise_if_errors(findings)
        return cost_tables(ds, period, params, engine=engine, checked=False), findings
    if "findings" in ds.cache or not engine.runs_beside_checks:
        findings = validate(ds)
        raise_if_errors(findings)
        return cost_tables(ds, period, params, engine=engine), findings
    done: dict[str, Any] = {}

    def model() -> None:
        try:
            done["tables"] = cost_tables(ds, period, params, engine=engine, checked=False)
        except BaseException as exc:  # handed to the caller's thread, which decides what it means
            done["error"] = exc

    worker = threading.Thread(target=model, name="batchkit-cost", daemon=True)
    worker.start()
    try:
        findings = validate(ds)
        if (findings["severity"] == "error").any():
            _stop(ds, engine, worker)
            raise_if_errors(findings)
        worker.join()
    except BaseException:
        _stop(ds, engine, worker)
        raise
    if "error" in done:
        raise done["error"]
    return done["tables"], findings


def _stop(ds: Dataset, engine: Engine, worker: threading.Thread) -> None:
    """Interrupt the model, wait for its thread, and close the engine (its half-built session goes with it)."""
    if worker.is_alive():
        engine.interrupt()
        worker.join()
    workspace.close(ds)
