"""Human output of a trace: what was traced, a table per level with totals, batches, lots, customers."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..core.money import format_money
from ..tracing.walk import TraceResult
from .words import count


def _qty(x: float) -> str:
    return "" if pd.isna(x) else f"{x:,.3f}".rstrip("0").rstrip(".")


def _day(x: object) -> str:
    return "" if pd.isna(x) else str(x)[:10]


def _money(x: float) -> str:
    return "-" if pd.isna(x) else format_money(x)


def _table(title: str, columns: list[str], right: set[str], footer: dict[str, str] | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_footer=footer is not None)
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", footer=(footer or {}).get(col, ""))
    return table


def levels_table(r: TraceResult, currency: str) -> Table:
    """Batches and lots per level with a total row; units and cost at risk for forward traces."""
    b, lots = r.batches, r.lots
    per = pd.DataFrame({
        "batches": b.groupby("level").size(), "wip": b[b["status"] == "wip"].groupby("level").size(),
        "lots": lots.groupby("level").size(), "good": b.groupby("level")["qty_good"].sum(),
        "at_risk": b.groupby("level")["qty_at_risk"].sum(),
        "cost": b.groupby("level")["cost_at_risk"].sum(min_count=1),
    }).fillna({"batches": 0, "wip": 0, "lots": 0})
    forward = r.direction == "forward"
    risk = "-" if r.cost_at_risk is None else format_money(r.cost_at_risk, currency)
    foot = {"level": "total", "batches": f"{len(b):,}", "WIP": f"{int((b['status'] == 'wip').sum()):,}",
            "lots": f"{len(lots):,}", "qty good": _qty(b["qty_good"].sum())}
    if forward:
        foot |= {"units at risk": _qty(b["qty_at_risk"].sum()), "cost at risk": risk}
    table = _table("affected batches by level" if forward else "inputs by level", list(foot),
                   set(foot) - {"level"}, foot)
    for level, row in per.iterrows():
        cells = [str(level), f"{int(row['batches']):,}", f"{int(row['wip']):,}", f"{int(row['lots']):,}",
                 _qty(row["good"])]
        table.add_row(*cells, *([_qty(row["at_risk"]), _money(row["cost"])] if forward else []))
    return table


ID_COLUMNS = {"batch", "lot", "item", "material"}  # never shrunk or cut, however narrow the terminal


def _rows(console: Console, table: Table, frame: pd.DataFrame, cells: Callable[[pd.Series], list[object]],
          max_rows: int, what: str) -> None:
    rows = [[str(c) for c in cells(row)] for _, row in frame.head(max_rows).iterrows()]
    for k, column in enumerate(table.columns):
        if column.header in ID_COLUMNS:
            column.no_wrap = True
            column.min_width = max([len(str(column.header)), *(len(r[k]) for r in rows)])
    for r in rows:
        table.add_row(*[escape(c) for c in r])
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"  ... and {len(frame) - max_rows:,} more {what} (use --json or --out FILE.xlsx for all)")


def print_trace(r: TraceResult, console: Console | None = None, *, currency: str = "", max_rows: int = 30) -> None:
    """Print a trace for people; money with the params' currency, long lists cut at `max_rows`."""
    console = console or Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{r.direction} trace of {r.kind} {escape(r.id)}[/bold], as of the end of {r.period}")
    if r.udi:
        u = r.udi
        console.print("scanned UDI: " + escape(", ".join(f"{k} {u[k]}" for k in ("gtin", "lot", "expiry", "serial")
                                                         if u.get(k))))
    console.print(levels_table(r, currency))
    if not r.batches.empty:
        _rows(console, _table("batches", ["level", "batch", "item", "status", "qty good", "issued on",
                                          "at risk", "unit cost", "cost at risk"],
                              {"level", "qty good", "issued on", "at risk", "unit cost", "cost at risk"}),
              r.batches, lambda x: [x["level"], x["batch_id"], x["item_id"], x["status"], _qty(x["qty_good"]),
                                    _qty(x["qty_issued"]), _qty(x["qty_at_risk"]),
                                    "-" if pd.isna(x["unit_cost"]) else f"{x['unit_cost']:,.4f}",
                                    _money(x["cost_at_risk"])], max_rows, "batches")
    if not r.lots.empty:
        _rows(console, _table("purchased lots", ["level", "lot", "material", "supplier", "received"], {"level"}),
              r.lots, lambda x: [x["level"], x["lot_id"], x["material_id"], "" if pd.isna(x["supplier"])
                                 else x["supplier"], _day(x["received_date"])], max_rows, "lots")
    if not r.shipments.empty:
        _rows(console, _table("shipments", ["level", "batch", "item", "customer", "shipped", "units"],
                              {"level", "units"}),
              r.shipments, lambda x: [x["level"], x["batch_id"], x["item_id"], x["customer"], _day(x["ship_date"]),
                                      _qty(x["qty"])], max_rows, "shipments")
        c = r.customers
        foot = {"customer": count(len(c), "customer"), "shipments": f"{int(c['shipments'].sum()):,}",
                "batches": f"{r.shipments['batch_id'].nunique():,}", "units": _qty(c["qty"].sum())}
        _rows(console, _table("shipments by customer", ["customer", "shipments", "batches", "units", "first",
                                                       "last"], {"shipments", "batches", "units"}, foot),
              c, lambda x: [x["customer"], f"{x['shipments']:,}", f"{x['batches']:,}", _qty(x["qty"]),
                            _day(x["first_ship"]), _day(x["last_ship"])], max_rows, "customers")
    elif r.direction == "forward":
        console.print("no shipments of the affected batches")
    risk = "not available" if r.cost_at_risk is None else format_money(r.cost_at_risk, currency)
    console.print(f"[bold]{count(len(r.batches), 'batch')}, {count(len(r.lots), 'lot')}, "
                  f"{count(len(r.shipments), 'shipment')} to {count(r.shipments['customer'].nunique(), 'customer')}; "
                  f"cost at risk {risk}[/bold]")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
