"""Human output of `diff` and `audit-log`: plain aligned text (scripts can use --json or the workbook)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import click
import pandas as pd

from ..core.money import format_money
from ..store.diff import CostDiff
from .words import count


def _money(x: Any) -> str:
    return "" if x is None or pd.isna(x) else format_money(float(x))


def signed_money(x: Any) -> str:
    """Money with its sign: +3.75, -6.25, 0.00."""
    text = _money(x)
    return text if not text or text.startswith("-") or float(x) == 0 else f"+{text}"


def columns(cells: Iterable[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows of cells as aligned lines (cells in `right` right-aligned)."""
    rows = [list(r) for r in cells]
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            .rstrip() for r in rows]


def _head(frame: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, str]:
    more = len(frame) - limit
    return frame.head(limit), (f"  ... and {more:,} more (--json or --out for all)" if more > 0 else "")


def print_diff(d: CostDiff, limit: int = 20) -> None:
    """What changed, section by section: batches, elements, input rows, params, pools, notes."""
    s = d.summary()
    for side, info in (("old", d.old), ("new", d.new)):
        click.echo(f"{side}: {info['folder']} ({info['kind']} {info['period']}, run {info['run_time']}, manifest "
                   f"{str(info['manifest_sha256'])[:12]})")
    click.echo(f"cost in batches: {_money(s['old_costed_amount'])} -> {_money(s['new_costed_amount'])} "
               f"({signed_money(s['delta_costed_amount'])}); {count(s['batches_changed'], 'batch')} changed")
    if len(d.batch_totals):
        shown, more = _head(d.batch_totals, limit)
        click.echo("\nbatches (largest change first):")
        rows = [("batch", "item", "change", "old", "new", "delta")] + [
            (r.batch_id, str(r.item_id), r.change, _money(r.old_total_cost), _money(r.new_total_cost),
             signed_money(r.delta_cost)) for r in shown.itertuples(index=False)]
        click.echo("\n".join("  " + x for x in columns(rows, right=frozenset({3, 4, 5}))))
        if more:
            click.echo(more)
        shown, more = _head(d.batches, limit)
        click.echo("\nby batch and element:")
        rows = [("batch", "element", "old", "new", "delta")] + [
            (r.batch_id, r.cost_element, _money(r.old_amount), _money(r.new_amount), signed_money(r.delta_amount))
            for r in shown.itertuples(index=False)]
        click.echo("\n".join("  " + x for x in columns(rows, right=frozenset({2, 3, 4}))))
        if more:
            click.echo(more)
    changed_tables = d.input_tables[(d.input_tables[["added", "removed", "changed"]].sum(axis=1) > 0)
                                    | (d.input_tables["compared"] == "file")]
    click.echo(f"\ninput rows: {s['input_rows_added']:,} added, {s['input_rows_removed']:,} removed, "
               f"{s['input_rows_changed']:,} changed")
    for r in changed_tables.itertuples(index=False):
        if r.compared == "file":
            click.echo(f"  {r.table}: {r.note}")
        else:
            click.echo(f"  {r.table}: {r.added:,} added, {r.removed:,} removed, {r.changed:,} changed"
                       + (f" ({r.note})" if r.note else ""))
    shown, more = _head(d.inputs, limit)
    for r in shown.itertuples(index=False):
        where = f"row {r.new_row}" if r.change != "removed" else f"row {r.old_row}"
        key = f" {r.key}" if r.key else ""
        what = f"{r.old_values} -> {r.new_values}" if r.change == "changed" else (r.new_values or r.old_values)
        click.echo(f"    {r.change:<8} {r.table}{key} ({where}): {what}")
    if more:
        click.echo(more)
    click.echo(f"\nparams: {len(d.params)} changed")
    for r in d.params.itertuples(index=False):
        click.echo(f"  {r.key}: {r.old!r} -> {r.new!r}")
    click.echo(f"\npools whose allocation moved: {len(d.pools)}")
    for r in d.pools.itertuples(index=False):
        basis = r.new_basis if r.old_basis == r.new_basis else f"{r.old_basis} -> {r.new_basis}"
        click.echo(f"  {r.pool_id} {r.period} ({r.cost_element}): {_money(r.old_amount)} -> {_money(r.new_amount)} "
                   f"by {basis}; moved by {r.reasons.replace(';', ', ')}")
    for note in d.notes:
        click.echo(f"\nnote: {note}")


def print_log(frame: pd.DataFrame) -> None:
    """The run log, one line per run: number, start, command, period, status, who, reason, folder."""
    rows = [("line", "start (UTC)", "command", "period", "status", "user@host", "reason", "out", "chain")]
    for r in frame.itertuples(index=False):
        rows.append((str(r.line), str(r.start or "")[:19].replace("T", " "), str(r.command or ""),
                     str(r.period or ""), str(r.status or r.message or "")[:40], f"{r.user or ''}@{r.host or ''}",
                     str(r.reason or ""), str(r.out or ""), str(r.chain)))
    click.echo("\n".join(columns(rows)))
