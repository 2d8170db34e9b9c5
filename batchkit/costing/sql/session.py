"""A dataset loaded into an engine: the state the model's steps share.

Everything that depends neither on the period nor on the allocation rules
(inputs, priced rows, basis sums) is built once per session and stays
materialized, so a second period or a what-if with other rules re-runs only
what depends on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ...engine.connection import Engine
from . import exact
from .inputs import Places


def scale_params(p: Places) -> dict[str, int]:
    """The statements' integer parameters: powers of ten that bring exact integers to cents (from the places).

    Each `<name>_mul` / `<name>_div` pair turns a product at some places into
    cents as round(product * mul / div), one of the two being 1.
    """
    out: dict[str, int] = {}

    def pair(name: str, places: int) -> None:
        out[f"{name}_mul"], out[f"{name}_div"] = exact.to_cents(places)

    pair("issue", p.qty + p.unit)
    pair("labor", p.hours + p.labor_rate)
    pair("machine", p.hours + p.machine_rate)
    pair("direct", p.direct)
    pair("pool", p.pool)
    pair("std_mat", p.good + p.bom_qty + p.bom_price)
    pair("std_lab", p.good + p.std_labor_hours + p.std_labor_rate)
    pair("std_mach", p.good + p.std_machine_hours + p.std_machine_rate)
    pair("std_oh", p.good + p.std_overhead)
    # price (rate) variance terms at scale s = max(2, price places + qty places): cents * a - std price * qty * b
    for name, price, qty in (("mat_var", p.bom_price, p.qty), ("lab_var", p.std_labor_rate, p.hours),
                             ("mach_var", p.std_machine_rate, p.hours)):
        s = max(2, price + qty)
        out[f"{name}_a"], out[f"{name}_b"] = 10 ** (s - 2), 10 ** (s - price - qty)
        pair(name, s)
    # sub-assembly charge qty x total / qty_good with qty and qty_good brought to one scale
    out["sub_qty_mul"], out["sub_good_mul"] = 10 ** max(0, p.good - p.qty), 10 ** max(0, p.qty - p.good)
    out["hours_places"], out["driver_places"], out["good_places"] = p.hours, p.driver, p.good
    return out


@dataclass
class KeptSplits:
    """The splits a what-if made, per (pool row, basis): each pair's id and the table part holding its rows."""

    pair: dict[tuple[int, str], int] = field(default_factory=dict)
    part: list[str] = field(default_factory=list)  # per pair id


@dataclass
class Session:
    engine: Engine
    places: Places
    params: dict[str, Any] = field(default_factory=dict)
    wide_steps: list[str] = field(default_factory=list)  # steps that needed 128-bit products
    rules_key: str | None = None  # the allocation rules the `alloc` table holds
    pools_up_to: str | None = None  # and the last period it allocated
    # ((rules, period, scrap rate, ...), with per_element?): what the per-batch tables were built for
    rolled_up: tuple[Any, ...] | None = None
    rollup_base: tuple[Any, int] | None = None  # (period, cost behavior) the roll-up's rule-free tables hold; levels
    kept: KeptSplits = field(default_factory=KeptSplits)  # a what-if's splits (`reallocation`)
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per phase (`phase`)
    wide_sql: dict[str, str] = field(default_factory=dict)  # each exact step's wide form, run or not (tests)

    def __post_init__(self) -> None:
        self.params = {**scale_params(self.places), **self.places.scales(), "clip": exact.CLIP, **self.params}

    @property
    def n_batches(self) -> int:
        return int(self.engine.arrow("SELECT count(*) AS n FROM master", step="master size")["n"][0].as_py())

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a phase of the run (statements and the Python around them), adding up repeated phases."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0

    def scaled(self, column: str, name: str) -> str:
        """SQL for an input double column as an exact integer at the places of `name` (`exact.from_double`)."""
        return exact.from_double(column, f"${name}_scale", ties=name in self.places.ties)

    def exact(self, name: str, build: Callable[[bool], str], extra: dict[str, Any] | None = None) -> None:
        """Materialize `build(wide)` as `name`, narrow first (`exact.run_exact`)."""
        self.wide_sql[name] = build(True)
        if exact.run_exact(self.engine, name, build, {**self.params, **(extra or {})}):
            self.wide_steps.append(name)

    def table(self, name: str, sql: str, extra: dict[str, Any] | None = None) -> None:
        self.engine.table(name, sql, {**self.params, **(extra or {})})
