"""Reports: papermill notebooks per period and product line, rendered to HTML and Excel.

Notebooks call `Report.open(...)` and the functions of `sections`; `run_pack`
is what `batchkit run` calls.
"""

from __future__ import annotations

from . import sections, views
from .data import RunData
from .page import Report

__all__ = ["Report", "RunData", "sections", "views"]
