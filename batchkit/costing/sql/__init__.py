"""batchkit's cost model as SQL on an in-process engine (DuckDB), what `batchkit.cost` computes with.

    tables = cost_tables(ds, "2026-06", params)      # batch_costs, batch_summary, allocation_ledger, ...
    result = allocate(ds, other_rules)              # a what-if: only the pools re-allocated

The statements are written once, in DuckDB's dialect restricted to what
sqlglot carries to Spark (`dialect`); `engine.Engine` is the only module that
imports duckdb. The steps, in the order data flows:

    inputs          Arrow tables in, the decimal places of every number
    batches         the master coded in batch_id order; small dimensions
    standards       standard BOM, routing, overhead as exact integers
    pricing         issues, direct costs, pools in exact cents, summed per batch and month
    rates           the rate in force per (work center, date); operations priced per row
    bases           allocation bases per month and batch (period and rules independent)
    allocation      pools by rules and scope, largest remainder
    reallocation    a what-if's allocation from splits kept per (pool, basis): only changed pools split again
    rollup          a period's own costs, sub-assemblies level by level, summary cents
    absorption      predetermined rates: absorbed, actual, over/under-absorbed difference (params absorption)
    behavior        variable and fixed cost (params cost_behavior), carried through sub-assemblies
    reconciliation  inputs = costed + unallocated + excluded + absorption difference per element
    variances       seven variance types and the standard cost of completed batches
    outputs         the contract's frames (money becomes float64 only here)

with `exact` (narrow/wide integer SQL), `session` (shared state and timings),
`sql` (small spellings) and `errors`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...checks.on_engine import run_engine_checks
from ...checks.run import validate
from ...core.model import Dataset
from ...core.params import Allocation, Params
from ...core.periods import PERIOD_RE, period_bounds
from ...engine.connection import Engine
from . import (
    absorption,
    allocation,
    bases,
    batches,
    behavior,
    inputs,
    outputs,
    pricing,
    rates,
    reallocation,
    reconciliation,
    rollup,
    standards,
    variances,
)
from .errors import SqlModelError
from .session import Session

__all__ = ["ABSORPTION", "AllocationResult", "Engine", "SqlModelError", "Totals", "all_findings", "allocate",
           "cost_tables", "engine_findings", "open_session", "totals"]

TABLES = ("batch_costs", "batch_summary", "allocation_ledger", "variances", "reconciliation")
ABSORPTION = "absorption"  # the predetermined-rate table cost_tables adds after TABLES (empty without rates)


def open_session(ds: Dataset, engine: Engine | None = None, checked: bool = True) -> Session:
    """Load a validated dataset into an engine and run the steps that depend on neither period nor rules.

    Cached on the dataset (per engine), as `postings.post` caches the priced rows validation reads.
    `checked=False` skips validation: only for `costing.overlap`, which validates on another thread and
    throws the session away when the data has an error.
    """
    key = ("sqlmodel", id(engine) if engine is not None else None)
    cached = ds.cache.get(key)
    if isinstance(cached, Session):
        return cached
    if checked:
        _refuse_errors(ds)
    engine = engine or Engine()
    t0 = time.perf_counter()
    s = Session(engine, registered(ds, engine))
    s.timings["inputs"] = time.perf_counter() - t0
    if ds.engine_read and checked:
        _refuse_engine_errors(ds, engine)
    with s.phase("pricing"):
        batches.build(s)
        standards.build(s)
        pricing.lots(s)
        pricing.issues(s)
        pricing.direct(s)
        pricing.pools(s)
        rates.in_force(s)
        rates.operations(s)
    with s.phase("bases"):
        bases.build(s)
    ds.cache[key] = s
    return s


def registered(ds: Dataset, engine: Engine) -> inputs.Places:
    """The dataset's tables registered on `engine` (once per engine: the engine-read ones typed there) and the
    decimal places of their numbers."""
    key = ("registered", id(engine))
    if key not in ds.cache:
        ds.cache[key] = inputs.register(engine, ds)
    places: inputs.Places = ds.cache[key]
    return places


def _refuse_errors(ds: Dataset) -> None:
    findings = validate(ds)
    errors = findings[findings["severity"] == "error"]
    if len(errors):
        first = errors.iloc[0]
        raise SqlModelError("validate", f"{len(errors)} blocking data error(s), first: {first['message']}")


def engine_findings(ds: Dataset, engine: Engine) -> pd.DataFrame:
    """The findings of the tables `engine` reads itself (`checks.on_engine`), once per dataset and engine;
    empty when it reads none. Needs the inputs registered (`open_session`)."""
    key = ("engine findings", id(engine))
    if key not in ds.cache:
        typed = inputs.typed_columns(ds, engine)
        where = {name: str(ds.sources[name]["location"]) for name in typed}
        ds.cache[key] = run_engine_checks(engine, typed, where, ds.params.batch_id).frame()
    found: pd.DataFrame = ds.cache[key]
    return found


def all_findings(ds: Dataset, engine: Engine) -> pd.DataFrame:
    """Every finding of the dataset: this process's checks (`checks.run.validate`) and, for the tables the
    engine reads itself, the engine's (their inputs registered on `engine` first), errors first."""
    here = validate(ds)
    if not ds.engine_read:
        return here
    registered(ds, engine)
    both = pd.concat([here, engine_findings(ds, engine)], ignore_index=True)
    both["row"] = both["row"].astype("Int64")
    order = both["severity"].map({"error": 0, "warning": 1}).fillna(2)
    return both.assign(_o=order).sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _refuse_engine_errors(ds: Dataset, engine: Engine) -> None:
    found = engine_findings(ds, engine)
    errors = found[found["severity"] == "error"]
    if len(errors):
        raise SqlModelError("validate", f"{len(errors)} blocking data error(s) in the tables the engine reads, "
                                        f"first: {errors.iloc[0]['message']}")


def _check_period(period: str | None, params: Params) -> str:
    period = period or params.period
    if not period or not PERIOD_RE.match(str(period)):
        raise SqlModelError("period", f"period must be YYYY-MM, got {period!r}")
    return str(period)


def _set_period(s: Session, period: str, params: Params) -> None:
    """The statements' period parameters: the run's month, its last day and the normal scrap rate."""
    _, end = period_bounds(period)
    year, month = (int(x) for x in period.split("-"))
    s.params.update(period=period, period_end=end.astype(object), run_month=year * 12 + month,
                    **inputs.normal_rate(params))


def _costed(s: Session, rules: Allocation, period: str, params: Params, what_if: bool = False) -> None:
    """Allocate the pools up to `period` under `rules` and build the period's per-batch tables.

    A what-if allocates from kept splits (`reallocation`) and skips `per_element`, which only cost's outputs read.
    """
    _set_period(s, period, params)
    with s.phase("allocation"):
        if what_if:
            reallocation.allocate(s, rules, period, params.absorption, s.params["run_month"])
        else:
            allocation.allocate(s, rules, up_to=period, absorption=params.absorption,
                                run_month=s.params["run_month"])
    behaviour = tuple(sorted(params.cost_behavior.items()))
    done_for = (s.rules_key, period, s.params["rate_i"], s.params["rate_scale"],
                params.absorption.model_dump_json(), behaviour)
    built = s.rolled_up
    if built is None or built[0] != done_for or not (built[1] or what_if):  # a what-if's baseline is usually
        with s.phase("rollup"):                                               # what cost() just built
            behavior.register(s, params.cost_behavior)
            rollup.build(s, (period, behaviour), elements=not what_if)
        s.rolled_up = (done_for, not what_if)


def cost_tables(ds: Dataset, period: str | None = None, params: Params | None = None,
                engine: Engine | None = None, checked: bool = True) -> dict[str, pd.DataFrame]:
    """The contract's cost tables for `period` (batch_costs, batch_summary with standard_cost, variable_cost and
    fixed_cost, allocation_ledger, variances, reconciliation, then absorption), as
    `batchkit.cost(ds, period, params).tables` holds them. (`checked`: see `open_session`.)"""
    params = params or ds.params
    period = _check_period(period, params)
    s = open_session(ds, engine, checked)
    _costed(s, params.allocation, period, params)
    with s.phase("rollup"):
        reconciliation.inputs(s)
    with s.phase("variances"):
        variances.build(s)
    with s.phase("outputs"):
        keys = outputs.Keys(s)
        return {
            "batch_costs": outputs.batch_costs(s, keys),
            "batch_summary": outputs.batch_summary(s),
            "allocation_ledger": outputs.allocation_ledger(s, keys, period),
            "variances": outputs.variances(s, keys),
            "reconciliation": reconciliation.frame(s),
            ABSORPTION: absorption.frame(s),
        }


@dataclass
class Totals:
    """One set of rules' figures for a what-if, on integer keys: each batch's total and each allocation."""

    code: np.ndarray  # engine codes (batch_id ranks) of the batches in the run
    total: np.ndarray  # their total cents
    pool_idx: np.ndarray  # allocations of the pools up to the period (in no order): pool row, batch code, cents
    alloc_code: np.ndarray
    cents: np.ndarray


def totals(s: Session, rules: Allocation, period: str, params: Params) -> Totals:
    """Re-allocate under `rules` and roll `period` up again on an open session (what-if).

    Only the pool statement, the candidate and split statements of pools whose basis changed (`reallocation`)
    and the roll-up run; the priced rows, basis sums and earlier splits stay.
    """
    period = _check_period(period, params)
    _costed(s, rules, period, params, what_if=True)
    t = s.engine.arrow("SELECT code, total FROM summary ORDER BY code", step="what-if totals")
    a = s.engine.arrow("SELECT a.pool_idx, a.code, a.cents FROM alloc AS a JOIN pool AS p ON p.pool_idx = a.pool_idx "
                       "WHERE p.period <= $period", {"period": period},
                       step="what-if allocations")
    return Totals(outputs.ints(t["code"]), outputs.ints(t["total"]), outputs.ints(a["pool_idx"]),
                  outputs.ints(a["code"]), outputs.ints(a["cents"]))


@dataclass
class AllocationResult:
    """One set of rules' allocations: ledger rows (pool x batch, with cents), pools nobody took, and the
    batches left out for a negative basis."""

    ledger: pd.DataFrame
    unallocated: pd.DataFrame
    negative: pd.DataFrame


def allocate(source: Dataset | Session, rules: Allocation, up_to: str | None = None,
             engine: Engine | None = None) -> AllocationResult:
    """Allocate every pool (up to period `up_to`) under `rules`, alone: for a what-if.

    `source` is a dataset (its session on `engine` is opened, or reused) or an
    open session. The priced rows and basis sums stay materialized in the
    session, so each further set of rules re-runs only the pool, candidate and
    split statements.
    """
    s = source if isinstance(source, Session) else open_session(source, engine)
    allocation.allocate(s, rules, up_to)
    ledger = outputs.allocation_ledger(s, outputs.Keys(s), up_to or allocation.NO_PERIOD_LIMIT, with_cents=True)
    other: dict[str, Any] = {}
    for name, sql in (
        ("unallocated", "SELECT p.pool_id, p.period, p.cost_element, p.basis, p.cents FROM pool AS p "
                        "LEFT JOIN pool_weight AS w ON w.pool_idx = p.pool_idx WHERE w.pool_idx IS NULL "
                        "ORDER BY p.period, p.pool_id"),
        ("negative", "SELECT p.pool_id, p.period, m.batch_id, c.weight, c.places FROM cand AS c "
                     "JOIN pool AS p ON p.pool_idx = c.pool_idx JOIN master AS m ON m.code = c.code "
                     "WHERE c.weight < 0 ORDER BY p.period, p.pool_id, c.code"),
    ):
        other[name] = s.engine.df(sql, step=name)
    return AllocationResult(ledger, other["unallocated"], other["negative"])
