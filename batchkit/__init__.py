"""batchkit: batch-level cost accounting and traceability for medical-device plants.

The entry points a notebook needs; each stage is a plain function on frames:
load_dataset -> validate -> cost -> (analyze, trace) -> report.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .cost import cost
from .errors import BatchkitError, DataError, ParamsError, ReportError, UnknownIdError
from .load import load_dataset
from .params import load_params
from .pipeline import cost_to_folder
from .trace import TraceResult, trace
from .validate import validate

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
