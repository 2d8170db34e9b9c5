"""Reports: papermill notebooks per period and product line, rendered to HTML and Excel.

Notebooks call `Report.open(...)` and the functions of `sections`; `run_pack`
is what `batchkit run` calls. Names are resolved on first use (PEP 562): the
`batchkit run` process costs and schedules notebooks without importing
the report sections and workbook writer, which only the kernels need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import sections, views
    from .data import RunData
    from .page import Report

_EXPORTS = {"Report": ".page", "RunData": ".data"}
_MODULES = ("sections", "views")

__all__ = ["Report", "RunData", "sections", "views"]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return import_module(f".{name}", __name__)
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
