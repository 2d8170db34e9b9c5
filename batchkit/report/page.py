"""`Report`: what a report notebook holds on to. It shows sections and remembers tables for Excel.

Each notebook cell calls one method: `rep.kpis(...)`, `rep.table(...)`,
`rep.chart(...)`. The method renders escaped HTML (so data values can
never inject markup) and records the table, and `rep.save()` writes the
report's workbook with the same figures.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import charts
from .chart_model import Chart
from .data import RunData
from .excel import Sheet, write_workbook
from .fmt import html_table
from .i18n import Translator


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))  # type: ignore[no-untyped-call]


@dataclass
class Report:
    name: str
    data: RunData
    language: str = "en"
    line: str = "all"
    out_dir: Path | None = None
    sheets: list[Sheet] = field(default_factory=list)
    workbook: Path | None = None
    trace: Any = None  # a TraceResult, for recall reports
    whatif: Any = None  # an analyze.WhatIf, for the allocation what-if
    restatement: Any = None  # a store.diff.CostDiff, for the restatement report
    dataset: Any = None
    params: Any = None
    _heading: str = ""  # the last section heading, until something else is shown
    tail_sheets: list[Sheet] = field(default_factory=list)  # sheets that go after every table (headline figures)

    def __post_init__(self) -> None:
        self.t = Translator(self.language)
        # charts speak Chinese only when a CJK font exists; otherwise English, never boxes
        self.cjk_font = charts.setup_fonts(self.language)
        self.chart_t = self.t if (self.language != "zh-CN" or self.cjk_font) else Translator("en")

    @classmethod
    def open(cls, *, name: str, period: str, product_line: str = "all", language: str = "en", run_dir: str = "",
             data: str = "", params_path: str = "", output_dir: str = "") -> Report:
        """From a notebook's parameters: read a run folder, or cost `data` now when there is none."""
        if run_dir:
            run = RunData.from_folder(Path(run_dir) / "tables")
        else:
            run = RunData.from_data(data, period, params_path or None)
        rep = cls(name=name, data=run, language=language, line=product_line or "all",
                  out_dir=Path(output_dir) if output_dir else None)
        if language == "zh-CN" and not rep.cjk_font:
            rep.note(rep.t("text.font_fallback"))
        return rep

    @classmethod
    def for_recall(cls, *, name: str, trace_id: str, direction: str = "forward", period: str = "",
                   language: str = "en", data: str = "", params_path: str = "", output_dir: str = "") -> Report:
        """A recall report: trace `trace_id` (a lot, a batch or a scanned UDI) in `data`."""
        from ..core.params import load_params
        from ..tracing.walk import trace

        params = load_params(params_path or None)
        result = trace(data or params.data or "", trace_id, direction=direction,  # type: ignore[arg-type]
                       period=period or None, params=params)
        run = RunData(period=result.period, currency=params.currency, tables={})
        rep = cls(name=name, data=run, language=language, out_dir=Path(output_dir) if output_dir else None)
        rep.trace = result
        return rep

    @classmethod
    def for_whatif(cls, *, name: str, configs: dict[str, Any], period: str, language: str = "en", data: str = "",
                   params_path: str = "", output_dir: str = "") -> Report:
        """An allocation what-if: the dataset is loaded and priced once; `rep.compare(configs)` re-allocates."""
        from ..core.params import load_params
        from ..ingest.load import load_dataset

        params = load_params(params_path or None, {"period": period})
        ds = load_dataset(data or params.data, params)
        run = RunData(period=period, currency=params.currency, tables={})
        rep = cls(name=name, data=run, language=language, out_dir=Path(output_dir) if output_dir else None)
        rep.dataset, rep.params = ds, params
        rep.compare(configs)
        return rep

    def compare(self, configs: dict[str, Any]) -> Any:
        """Cost the period under each allocation configuration (the first is the baseline)."""
        from ..analyze.scenarios import whatif

        self.whatif = whatif(self.dataset, configs, self.data.period, self.params)
        return self.whatif

    # ------------------------------------------------------------ sections

    def heading(self, key: str, **fields: Any) -> None:
        self._heading = self.t(key, **fields)
        _display(f"<h2>{html.escape(self._heading)}</h2>")

    def text(self, key: str, **fields: Any) -> None:
        values = {k: html.escape(str(v)) for k, v in fields.items()}
        _display(f"<p class=\"bk-text\">{self.t(key, **values)}</p>")

    def note(self, message: str) -> None:
        _display(f"<p class=\"bk-note\">{html.escape(message)}</p>")

    def kpis(self, items: list[tuple[str, str]]) -> None:
        """A row of headline figures: (translation key of the label, formatted value)."""
        self.cards([(self.t(k), v) for k, v in items])

    def cards(self, items: list[tuple[str, str]], notes: list[str] | None = None) -> None:
        """Headline figures (label, value); with `notes`, card i carries footnote i+1, listed under the cards."""
        cards = []
        for i, (label, value) in enumerate(items):
            mark = f'<sup><a href="#bk-note-{i + 1}">{i + 1}</a></sup>' if notes else ""
            cards.append(f'<div class="bk-kpi"><div class="bk-kpi-v">{html.escape(value)}</div>'
                         f'<div class="bk-kpi-l">{html.escape(label)}{mark}</div></div>')
        foot = ""
        if notes:
            items_html = "".join(f'<li id="bk-note-{i + 1}">{html.escape(n)}</li>' for i, n in enumerate(notes))
            foot = (f'<details class="bk-defs" open><summary>{html.escape(self.t("text.kpi_notes"))}</summary>'
                    f"<ol>{items_html}</ol></details>")
        _display(f'<div class="bk-kpis">{"".join(cards)}</div>{foot}')

    def table(self, title_key: str, frame: pd.DataFrame, *, max_rows: int | None = 40, excel: bool = True,
              chart: dict[str, Any] | None = None, highlight: pd.Series | None = None, sheet: str | None = None,
              numeric: str | dict[str, str] | None = None, show: bool = True,
              row_kinds: tuple[str, ...] | None = None, **fields: Any) -> None:
        """Show a formatted table and keep all of its rows for the workbook (`show=False`: the workbook only)."""
        title = self.t(title_key, **fields)
        if not show:
            if excel:
                self.sheets.append(Sheet(sheet or title, frame.reset_index(drop=True), chart, numeric, row_kinds))
            return
        # the section heading right above already says it: no second title
        caption = "" if title == self._heading else f"<h3>{html.escape(title)}</h3>"
        self._heading = ""
        if frame.empty:
            _display(f"{caption}<p class=\"bk-empty\">{html.escape(self.t('table.empty'))}</p>")
        else:
            _display(caption + html_table(frame, self.t, currency=self.data.currency, max_rows=max_rows,
                                          highlight=highlight, numeric=numeric,
                                          workbook=excel and self.out_dir is not None))
        if excel:
            self.sheets.append(Sheet(sheet or title, frame.reset_index(drop=True), chart, numeric, row_kinds))

    def chart(self, figure: Chart | bytes, alt_key: str, **fields: Any) -> None:
        """Show a chart (a `Chart` from `charts`, drawn as SVG, or PNG bytes) with its alt text.

        An image, not inline SVG: every chart's ids stay its own, and its text is not the page's text."""
        self._heading = ""
        alt = html.escape(self.t(alt_key, **fields))
        data, mime = (charts.svg(figure), "image/svg+xml") if isinstance(figure, Chart) else (figure, "image/png")
        src = base64.b64encode(data).decode("ascii")
        _display(f'<figure class="bk-chart"><img src="data:{mime};base64,{src}" alt="{alt}"></figure>')

    # ------------------------------------------------------------ output

    def save(self) -> None:
        """Write <name>.xlsx next to the HTML (its path in `self.workbook`); without an output folder, say on
        the page that no workbook was written instead of doing nothing silently."""
        if self.out_dir is None:
            self.note(self.t("text.no_workbook"))
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.workbook = self.out_dir / f"{self.name}.xlsx"
        write_workbook(self.workbook, self.sheets + self.tail_sheets, self.t, self.data.currency)
