"""Human output of findings: grouped by severity, check and table, the first rows of each shown."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..core.model import Dataset
from .words import count

SHOWN_PER_GROUP = 5


def print_findings(findings: pd.DataFrame, ds: Dataset, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    tables = ", ".join(f"{t} ({count(len(f), 'row')})" for t, f in ds.tables.items())
    console.print(f"read {len(ds.tables)} tables from {ds.root or 'params sources'}: {tables}")
    if findings.empty:
        console.print("[green]no problems found[/green]")
        return
    summary = Table(title="findings", show_lines=False)
    for col in ("severity", "check", "table", "count"):
        summary.add_column(col, justify="right" if col == "count" else "left")
    groups = findings.groupby(["severity", "check", "table"], sort=False)
    for (sev, check, table), g in groups:
        style = "red" if sev == "error" else "yellow"
        summary.add_row(f"[{style}]{sev}[/{style}]", escape(check), escape(table or "-"), f"{len(g):,}")
    console.print(summary)
    for (sev, check, table), g in groups:
        style = "red" if sev == "error" else "yellow"
        console.print(f"[{style}]{sev}[/{style}] {escape(check)} in {escape(table or '-')} ({len(g):,}):")
        for message in g["message"].head(SHOWN_PER_GROUP):
            console.print(f"  {escape(str(message))}")
        if len(g) > SHOWN_PER_GROUP:
            console.print(f"  ... and {len(g) - SHOWN_PER_GROUP:,} more (use --json for all)")
    errors = int((findings["severity"] == "error").sum())
    warnings = int((findings["severity"] == "warning").sum())
    verdict = "[red]blocking errors: costing will refuse this dataset[/red]" if errors else \
        "[green]no blocking errors[/green]"
    console.print(f"{count(errors, 'error')}, {count(warnings, 'warning')}: {verdict}")
