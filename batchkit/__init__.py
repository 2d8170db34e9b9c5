"""batchkit: batch-level cost accounting and traceability for medical-device plants.

The entry points a notebook needs; each stage is a plain function on tables:
load_dataset -> validate -> cost -> (analyze, trace) -> report. The stages
live in folders named for them (core, ingest, ledger, checks, costing,
analyze, tracing, store, report, cli, demo); this face only re-exports.

Names are resolved on first use (PEP 562), so `import batchkit` and
`batchkit --version` do not pay for pandas, numpy or DuckDB.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .checks.run import validate
    from .core.errors import BatchkitError, DataError, ParamsError, ReportError, UnknownIdError
    from .core.params import load_params
    from .costing.engine import cost
    from .ingest.load import load_dataset
    from .store.cost_folder import cost_to_folder
    from .tracing.result import TraceResult
    from .tracing.walk import trace

_EXPORTS = {
    "BatchkitError": "core.errors",
    "DataError": "core.errors",
    "ParamsError": "core.errors",
    "ReportError": "core.errors",
    "UnknownIdError": "core.errors",
    "load_params": "core.params",
    "load_dataset": "ingest.load",
    "validate": "checks.run",
    "cost": "costing.engine",
    "cost_to_folder": "store.cost_folder",
    "trace": "tracing.walk",
    "TraceResult": "tracing.result",
}

__all__ = [
    "BatchkitError",
    "DataError",
    "ParamsError",
    "ReportError",
    "TraceResult",
    "UnknownIdError",
    "__version__",
    "cost",
    "cost_to_folder",
    "load_dataset",
    "load_params",
    "trace",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # the next lookup is a plain attribute
        return value
    raise AttributeError(f"module 'batchkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
