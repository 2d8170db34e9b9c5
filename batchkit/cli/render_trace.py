"""Human output of a trace: what was traced, a table per level with totals, batches, lots, customers.

It reads the trace's Arrow tables (`TraceResult.tables`), not its pandas
frames, so that printing a cached trace does not import pandas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..core import money
from ..core.lean_arrow import as_numpy, count_distinct, equals
from ..core.money import format_money
from ..tracing.result import TraceResult
from .words import count


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _qty(x: float | None) -> str:
    return "" if _missing(x) else f"{x:,.3f}".rstrip("0").rstrip(".")


def _day(x: object) -> str:
    return "" if _missing(x) else str(x)[:10]


def _money(x: float | None) -> str:
    return "-" if x is None or _missing(x) else format_money(x)


def _table(title: str, columns: list[str], right: set[str], footer: dict[str, str] | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_footer=footer is not None)
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", footer=(footer or {}).get(col, ""))
    return table


def _floats(table: pa.Table, column: str) -> np.ndarray:
    return np.asarray(as_numpy(table.column(column)), dtype="float64")


def levels_table(r: TraceResult, currency: str) -> Table:
    """Batches and lots per level with a total row; units and cost at risk for forward traces."""
    b, lots = r.tables["batches"], r.tables["lots"]
    level, lot_level = as_numpy(b.column("level")), as_numpy(lots.column("level"))
    wip = equals(b.column("status"), "wip")
    good, at_risk = _floats(b, "qty_good"), _floats(b, "qty_at_risk")
    risk = _floats(b, "cost_at_risk")
    forward = r.direction == "forward"
    total_risk = "-" if r.cost_at_risk is None else format_money(r.cost_at_risk, currency)
    foot = {"level": "total", "batches": f"{len(level):,}", "WIP": f"{int(wip.sum()):,}",
            "lots": f"{len(lot_level):,}", "qty good": _qty(float(np.nansum(good)))}
    if forward:
        foot |= {"units at risk": _qty(float(np.nansum(at_risk))), "cost at risk": total_risk}
    table = _table("affected batches by level" if forward else "inputs by level", list(foot),
                   set(foot) - {"level"}, foot)
    for lv in sorted(set(level.tolist()) | set(lot_level.tolist())):
        here = level == lv
        cells = [str(lv), f"{int(here.sum()):,}", f"{int((here & wip).sum()):,}", f"{int((lot_level == lv).sum()):,}",
                 _qty(float(np.nansum(good[here])) if here.any() else None)]
        if forward:
            cents = money.to_cents(risk[here & ~np.isnan(risk)])  # exact cents, summed as integers
            cost = int(cents.sum()) / 100.0 if len(cents) else None
            cells += [_qty(float(np.nansum(at_risk[here])) if here.any() else None), _money(cost)]
        table.add_row(*cells)
    return table


ID_COLUMNS = {"batch", "lot", "item", "material"}  # never shrunk or cut, however narrow the terminal


def _rows(console: Console, table: Table, frame: pa.Table, cells: Callable[[dict[str, Any]], list[object]],
          max_rows: int, what: str) -> None:
    rows = [[str(c) for c in cells(row)] for row in frame.slice(0, max_rows).to_pylist()]
    for k, column in enumerate(table.columns):
        if column.header in ID_COLUMNS:
            column.no_wrap = True
            column.min_width = max([len(str(column.header)), *(len(r[k]) for r in rows)])
    for r in rows:  # Text, not markup: data is printed as written, never parsed
        table.add_row(*[Text(c) for c in r])
    console.print(table)
    if frame.num_rows > max_rows:
        console.print(f"  ... and {frame.num_rows - max_rows:,} more {what} (use --json or --out FILE.xlsx for all)")


def print_trace(r: TraceResult, console: Console | None = None, *, currency: str = "", max_rows: int = 30) -> None:
    """Print a trace for people; money with the params' currency, long lists cut at `max_rows`."""
    # emoji=False: a customer or lot named ":warning:" is printed as written (markup is escaped below)
    console = console or Console(highlight=False, soft_wrap=True, emoji=False)
    console.print(f"[bold]{r.direction} trace of {r.kind} {escape(r.id)}[/bold], as of the end of {r.period}")
    if r.udi:
        u = r.udi
        console.print("scanned UDI: " + escape(", ".join(f"{k} {u[k]}" for k in ("gtin", "lot", "expiry", "serial")
                                                         if u.get(k))))
    console.print(levels_table(r, currency))
    batches, lots, shipments = r.tables["batches"], r.tables["lots"], r.tables["shipments"]
    if batches.num_rows:
        _rows(console, _table("batches", ["level", "batch", "item", "status", "qty good", "issued on",
                                          "at risk", "unit cost", "cost at risk"],
                              {"level", "qty good", "issued on", "at risk", "unit cost", "cost at risk"}),
              batches, lambda x: [x["level"], x["batch_id"], x["item_id"], x["status"], _qty(x["qty_good"]),
                                  _qty(x["qty_issued"]), _qty(x["qty_at_risk"]),
                                  "-" if _missing(x["unit_cost"]) else f"{x['unit_cost']:,.4f}",
                                  _money(x["cost_at_risk"])], max_rows, "batches")
    if lots.num_rows:
        _rows(console, _table("purchased lots", ["level", "lot", "material", "supplier", "received"], {"level"}),
              lots, lambda x: [x["level"], x["lot_id"], x["material_id"], "" if _missing(x["supplier"])
                               else x["supplier"], _day(x["received_date"])], max_rows, "lots")
    if shipments.num_rows:
        _rows(console, _table("shipments", ["level", "batch", "item", "customer", "shipped", "units"],
                              {"level", "units"}),
              shipments, lambda x: [x["level"], x["batch_id"], x["item_id"], x["customer"], _day(x["ship_date"]),
                                    _qty(x["qty"])], max_rows, "shipments")
        c = r.customer_table()
        shipped = int(as_numpy(c.column("shipments")).sum())
        foot = {"customer": count(c.num_rows, "customer"), "shipments": f"{shipped:,}",
                "batches": f"{count_distinct(shipments.column('batch_id')):,}",
                "units": _qty(float(np.nansum(_floats(c, "qty"))))}
        _rows(console, _table("shipments by customer", ["customer", "shipments", "batches", "units", "first",
                                                       "last"], {"shipments", "batches", "units"}, foot),
              c, lambda x: [x["customer"], f"{x['shipments']:,}", f"{x['batches']:,}", _qty(x["qty"]),
                            _day(x["first_ship"]), _day(x["last_ship"])], max_rows, "customers")
    elif r.direction == "forward":
        console.print("no shipments of the affected batches")
    risk = "not available" if r.cost_at_risk is None else format_money(r.cost_at_risk, currency)
    customers = count_distinct(shipments.column("customer"))
    console.print(f"[bold]{count(batches.num_rows, 'batch')}, {count(lots.num_rows, 'lot')}, "
                  f"{count(shipments.num_rows, 'shipment')} to {count(customers, 'customer')}; "
                  f"cost at risk {risk}[/bold]")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
