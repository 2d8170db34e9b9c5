"""Allocation what-if: unit costs under several allocation configurations, side by side.

Only pools move between configurations. Everything else stays in the
engine session `cost()` opened on the dataset (`costing.sql.open_session`,
cached on it): priced issues, operations, direct costs and the basis sums.
Each configuration re-runs the pool statement, the candidate and split
statements of the pools whose basis it changes (the session keeps every
pool's split per basis: `costing.sql.reallocation`) and the sub-assembly
roll-up (`costing.sql.totals`), because a sub-assembly's charge to its
consumers depends on its pool shares. The figures of the last few
configurations are kept too, so a notebook that re-runs its baseline beside
a new configuration costs only the new one. With the params' own rules,
unit costs are exactly `cost()`'s.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..checks.run import validate
from ..core import money
from ..core.errors import ParamsError
from ..core.findings import raise_if_errors
from ..core.keys import pool_batch_columns, rank
from ..core.model import Dataset
from ..core.params import Allocation, Params, params_error
from ..core.periods import run_period
from ..costing import sql
from ..costing.engine import RunView, engine_errors, postings_codes, run_view
from ..costing.sql import absorption as absorption_sql
from ..costing.sql.session import Session
from ..costing.workspace import engine_for


@dataclass
class WhatIf:
    """Results side by side; the first configuration is the baseline every change is measured against."""

    configs: dict[str, Allocation]
    unit_costs: pd.DataFrame  # batch_id, item_id, product_line, status, qty_good, one column per config
    total_costs: pd.DataFrame  # the same with each batch's total cost (exact cents), WIP included
    movers: pd.DataFrame  # config, batch: unit cost vs the baseline, the largest absolute and relative changes
    items: pd.DataFrame  # per item: unit cost of its good output under each config, and changes
    timings: dict[str, float] = field(default_factory=dict)
    # the baseline's `absorption` table (predetermined rates, issue 17); None when the params configure none
    absorption: pd.DataFrame | None = None
    # what `sensitivity` is built from: each config's allocations, the postings layout, the config names
    allocations: tuple[list[_Figures], Any, list[str]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def sensitivity(self) -> pd.DataFrame:
        """Pool x batch: allocated amount under each config, and changes; built when first read.

        At 16x it has 2.7 M rows and took 1-2 s of every what-if call, while a notebook iterating on
        allocation rules mostly reads unit costs, items and movers; reading it once costs what it cost before."""
        if self.allocations is None:
            return pd.DataFrame()
        figures, post, names = self.allocations
        return _sensitivity(figures, post, names)


@dataclass
class _Figures:
    """One configuration's figures on integer keys, kept for later calls (a notebook re-runs its baseline)."""

    total: np.ndarray  # per postings code: total cents
    unsorted_keys: np.ndarray  # its allocations: pool row x n + postings code (unique), in the engine's order
    unsorted_cents: np.ndarray  # their cents
    absorbed: pd.DataFrame | None  # the `absorption` table under it (predetermined rates), else None

    @cached_property
    def _by_key(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.unsorted_keys, kind="stable")
        return self.unsorted_keys[order], self.unsorted_cents[order]

    @property
    def keys(self) -> np.ndarray:
        """The allocations' keys, sorted: only `sensitivity` needs them so (sorting 2.7 M at 16x took 0.25 s of
        every what-if call), so they are sorted on first use."""
        return self._by_key[0]

    @property
    def cents(self) -> np.ndarray:
        """The allocations' cents, in `keys`' order."""
        return self._by_key[1]


KEEP_FIGURES = 4  # configurations kept per base (at 16x each holds 2.7 M allocations: about 45 MB)


@dataclass
class _Rows:
    """The batches of a what-if's unit and total cost tables: the period's, in batch_id order, with the columns
    no configuration changes (built once per base: at 16x 0.3 s of every call)."""

    batches: pd.DataFrame  # batch_id, item_id, product_line, status, qty_good
    take: np.ndarray  # postings code of each row
    good: np.ndarray  # qty_good of each row
    costed: np.ndarray  # per row: completed with good output, so it has a unit cost
    done: np.ndarray  # per postings code: in the period, completed with good output (`items`)


def _rows(rf: RunView) -> _Rows:
    m = rf.post.master
    inside = np.flatnonzero(rf.universe)
    take = inside[np.argsort(rf.post.tiebreak[inside], kind="stable")]  # batch_id string order, as ranks
    e = m["end_date"].to_numpy(dtype="datetime64[s]")
    completed = ~np.isnat(e) & (e <= rf.period_end)
    good = m["qty_good"].to_numpy(dtype="float64")
    batches = pd.DataFrame({"batch_id": m["batch_id"].to_numpy(dtype=object)[take],
                            "item_id": m["item_id"].to_numpy()[take],
                            "product_line": m["product_line"].to_numpy()[take],
                            "status": np.where(completed[take], "completed", "wip"), "qty_good": good[take]})
    return _Rows(batches, take, good[take], (completed & (good > 0))[take], completed & (good > 0) & rf.universe)


@dataclass
class _Base:
    """What does not depend on the allocation rules, per dataset and period (and the figures of the last few
    configurations, by rules and params)."""

    rf: RunView
    session: Session
    code_of: np.ndarray  # engine code (batch_id rank) -> postings code
    figures: dict[str, _Figures] = field(default_factory=dict)

    @cached_property
    def rows(self) -> _Rows:
        return _rows(self.rf)


def _rules(name: str, config: Mapping[str, Any] | Allocation, base: Allocation) -> Allocation:
    """An Allocation as is, or a params fragment merged onto the params' allocation (maps merged key by key)."""
    if isinstance(config, Allocation):
        return config
    fragment = config["allocation"] if set(config) == {"allocation"} else config
    merged = base.model_dump()
    for key, value in fragment.items():
        merged[key] = {**merged[key], **value} if isinstance(value, Mapping) and isinstance(merged.get(key), dict) \
            else value
    try:
        return Allocation.model_validate(merged)
    except ValidationError as exc:
        raise params_error(exc, f"what-if config {name!r}") from None


def run_frame(ds: Dataset, period: str, params: Params) -> _Base:
    """The period's run: the batches in it (postings layout) and the engine session holding the priced rows."""
    rf = run_view(ds, period)
    session = sql.open_session(ds, engine_for(ds, params))
    return _Base(rf, session, postings_codes(rf.post))


def _base(ds: Dataset, period: str, params: Params) -> _Base:
    key = ("whatif_base", period)
    if key not in ds.cache:
        raise_if_errors(validate(ds))  # like cost(): no figures from a dataset with blocking errors
        ds.cache[key] = run_frame(ds, period, params)
    base: _Base = ds.cache[key]
    return base


def whatif(ds: Dataset, configs: Mapping[str, Mapping[str, Any] | Allocation], period: str | None = None,
           params: Params | None = None, top: int = 20) -> WhatIf:
    """Cost `period` under each allocation configuration; changes are measured against the first one.

    `configs` maps a name to an `Allocation` or a params fragment such as
    {"default_basis": "labor_hours"} or {"allocation": {"by_cost_element": {"energy": "equal"}}},
    merged onto `params.allocation`. `movers` keeps, per config, the `top`
    batches by absolute and by relative change of unit cost.
    """
    params = params or ds.params
    period = run_period(period, params.period)
    if not configs:
        raise ParamsError("what-if needs at least one allocation configuration", key="configs")
    rules = {name: _rules(name, cfg, params.allocation) for name, cfg in configs.items()}
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    base = _base(ds, period, params)
    post = base.rf.post
    timings["base"] = time.perf_counter() - t0
    totals: dict[str, np.ndarray] = {}
    figures: list[_Figures] = []
    for name, rule in rules.items():
        t0 = time.perf_counter()
        fig = _figures(base, rule, period, params)
        totals[name] = fig.total
        figures.append(fig)
        timings[f"reallocate {name}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m, rows = post.master, base.rows
    unit = rows.batches.copy()
    total = rows.batches.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, per_code in totals.items():
            cents = per_code[rows.take]
            unit[name] = np.where(rows.costed, cents / 100.0 / rows.good, np.nan)  # as cost() computes it
            total[name] = money.cents_to_float(cents)
    names = list(rules)
    out = WhatIf(configs=rules, unit_costs=unit, total_costs=total, movers=_movers(unit, names, top),
                 items=_items(totals, rows.done, m, names),
                 timings=timings, absorption=figures[0].absorbed, allocations=(figures, post, names))
    timings["tables"] = time.perf_counter() - t0
    return out


def _figures(base: _Base, rule: Allocation, period: str, params: Params) -> _Figures:
    """A configuration's figures: kept ones if these rules and params were costed on this base before."""
    key = rule.model_dump_json() + params.model_dump_json()
    fig = base.figures.get(key)
    if fig is not None:
        return fig
    with engine_errors():
        got = sql.totals(base.session, rule, period, params)
        # the rates' table while its rules' tables are in the session
        absorbed = absorption_sql.frame(base.session) if params.absorption.active else None
    n = len(base.code_of)
    total = np.zeros(n, dtype=np.int64)
    total[base.code_of[got.code]] = got.total
    # a rated pool's month without a cost_pools row (absorbed ahead of its invoice) has no pool row to name
    # it (pool_idx < 0): it counts in the totals, not in the pool-by-pool sensitivity
    row = got.pool_idx >= 0
    keys = got.pool_idx[row] * n + base.code_of[got.alloc_code[row]]
    fig = _Figures(total, keys, got.cents[row], absorbed)
    if len(base.figures) >= KEEP_FIGURES:
        del base.figures[next(iter(base.figures))]  # the oldest
    base.figures[key] = fig
    return fig


def _change(frame: pd.DataFrame, base: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    before = frame[base].to_numpy(dtype="float64")
    change = frame[name].to_numpy(dtype="float64") - before
    with np.errstate(divide="ignore", invalid="ignore"):
        return change, np.where(before != 0, 100.0 * change / before, np.nan)


def _movers(unit: pd.DataFrame, names: list[str], top: int) -> pd.DataFrame:
    """Per later config: the batches whose unit cost moves most against the baseline, absolutely or relatively."""
    parts = []
    done = unit[unit[names[0]].notna()]
    for name in names[1:]:
        change, pct = _change(done, names[0], name)
        part = done[["batch_id", "item_id", "product_line"]].assign(
            config=name, base_unit_cost=done[names[0]].to_numpy(), unit_cost=done[name].to_numpy(), change=change,
            change_pct=pct)
        part["rank_abs"] = part["change"].abs().rank(ascending=False, method="first").astype(np.int64)
        part["rank_pct"] = part["change_pct"].abs().rank(ascending=False, method="first").fillna(len(part) + 1) \
            .astype(np.int64)
        parts.append(part[(part["rank_abs"] <= top) | (part["rank_pct"] <= top)])
    cols = ["config", "batch_id", "item_id", "product_line", "base_unit_cost", "unit_cost", "change", "change_pct",
            "rank_abs", "rank_pct"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.sort_values(["config", "rank_pct"], kind="stable").reset_index(drop=True)


def _items(totals: dict[str, np.ndarray], done: np.ndarray, m: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per item: total cost of its completed batches / their good units, under each config."""
    frame = pd.DataFrame({"item_id": m["item_id"].to_numpy()[done], "qty_good": m["qty_good"].to_numpy()[done]})
    for name in names:
        frame[name] = totals[name][done]
    g = frame.groupby("item_id", sort=True).sum()
    out = pd.DataFrame({"item_id": g.index, "batches": frame.groupby("item_id", sort=True).size().to_numpy(),
                        "qty_good": g["qty_good"].to_numpy()})
    for name in names:
        out[name] = g[name].to_numpy() / 100.0 / out["qty_good"].to_numpy()
    for name in names[1:]:
        out[f"change_{name}"], out[f"change_pct_{name}"] = _change(out, names[0], name)
    if len(names) > 1:
        biggest = out[[f"change_pct_{n}" for n in names[1:]]].abs().max(axis=1)
        out = out.iloc[np.argsort(-biggest.to_numpy(), kind="stable")]
    return out.reset_index(drop=True)


def _descending_then(first: np.ndarray, then: np.ndarray) -> np.ndarray:
    """The stable order of rows by `first` descending, then `then` ascending (both int64 >= 0):
    `np.lexsort((then, -first))`, as one stable argsort of both packed into an int64 when they fit (2.7 M rows
    at 16x: 0.3 s instead of 0.9 s)."""
    if not len(first):
        return np.arange(0, dtype=np.int64)
    top, low_bits = int(first.max()), int(then.max()).bit_length()
    if (top.bit_length() + low_bits) < 63:
        return np.argsort(((top - first) << low_bits) | then, kind="stable")
    return np.lexsort((then, -first))


def _sensitivity(figures: list[_Figures], post: Any, names: list[str]) -> pd.DataFrame:
    """Pool x batch: what each config allocates (0 where a batch takes no part) and the change vs the baseline.

    Each config's keys are sorted and unique, so their union is a merge (a stable sort of sorted runs) and each
    config's place in it a binary search: no hashing of every allocation of every config.
    """
    n = len(post.master)
    merged = np.sort(np.concatenate([f.keys for f in figures]), kind="stable")
    keys = merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged
    cents = []  # per config, one column: contiguous, so that ordering it is one gather
    for f in figures:
        if len(f.keys) == len(keys):  # the config allocates to every (pool, batch) of the union
            cents.append(f.cents)
        else:
            col = np.zeros(len(keys), dtype=np.int64)
            col[np.searchsorted(keys, f.keys)] = f.cents
            cents.append(col)
    pools = post.pools
    if len(names) > 1:  # biggest change first, then pool_id and batch_id in string order (ranked as ints)
        biggest = np.abs(np.stack([c - cents[0] for c in cents[1:]])).max(axis=0)
        order = _descending_then(biggest, rank(pools["pool_id"])[keys // n] * n + post.tiebreak[keys % n])
        keys, cents = keys[order], [c[order] for c in cents]  # ordered before the text columns exist
    out = pd.DataFrame(pool_batch_columns(pools, post.master["batch_id"], keys // n, keys % n))
    for name, c in zip(names, cents, strict=True):
        out[name] = money.cents_to_float(c)
    for name, c in zip(names[1:], cents[1:], strict=True):
        out[f"change_{name}"] = money.cents_to_float(c - cents[0])
    return out
