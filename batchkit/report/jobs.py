"""What a report pack is made of, as types: the planned reports, the jobs that run them, and how each ended."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Direction = Literal["forward", "backward"]


@dataclass(frozen=True)
class ReportPlan:
    """One report of a pack: which notebook renders it, for which line (or recall ID), under what title."""

    name: str  # file stem of its HTML and workbook: period_overview, line-<slug>, recall-<slug>
    notebook: str  # notebook stem in notebooks/
    title: str  # in the pack's language
    line: str = "all"
    trace_id: str | None = None
    direction: Direction = "forward"


@dataclass(frozen=True)
class PageMeta:
    """The header and footer every HTML page shows (`templates/batchkit` reads them from the notebook)."""

    title: str
    meta: list[tuple[str, str]]  # (label, value) rows of the header
    footer: str
    page_title: str = ""  # the browser tab and the printout's header: report, line and period

    def as_metadata(self) -> dict[str, Any]:
        return {"title": self.title, "meta": [list(row) for row in self.meta], "footer": self.footer}


@dataclass(frozen=True)
class ReportJob:
    """Everything a kernel needs to execute and render one report."""

    plan: ReportPlan
    notebook: Path  # the source notebook
    executed: Path  # where the executed notebook is kept
    html: Path
    cwd: Path
    formats: tuple[str, ...]
    parameters: dict[str, str]  # injected as papermill does
    meta: PageMeta

    @property
    def name(self) -> str:
        return self.plan.name


@dataclass
class ReportStatus:
    """How one report ended: `error` is the failing cell's exception in one line."""

    name: str
    ok: bool = True
    error: str = ""
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    def record(self, plan: ReportPlan) -> dict[str, Any]:
        """The pack manifest's entry for this report."""
        return {"name": self.name, "line": plan.line, **{k: v for k, v in asdict(self).items() if k != "name"}}
