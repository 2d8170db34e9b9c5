"""The cost model (contract section 3): each batch's cost to the cent, as of a period end.

A batch's cost is inception-to-date: materials at actual lot cost, hours at
the rate in force on the booking date, direct costs, and its share of every
pool of every period up to the run's period. Sub-assembly batches are
charged to their consumers level by level (genealogy order). The relational
work runs as SQL on the in-process engine (`costing.sql` on
`engine.connection.Engine`, settings from params `engine:`), in integer
cents; money becomes float64 values that are exactly cents/100 only in the
output frames.

Besides the tables, a result carries (`extras`) what the analytics read per
batch in the numpy layout of `ledger.postings` (codes = positions in
`post.master`): the run's view (`run`), total cents, cents per element and
each sub-assembly issue row's charge.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import Interrupted
from ..core.model import CostResult, Dataset
from ..core.params import Params
from ..core.periods import period_bounds, run_period
from ..engine.connection import EngineError
from ..ledger.postings import Postings, post
from . import workspace
from .overlap import tables_and_findings
from .sql import all_findings, open_session
from .sql.errors import SqlModelError
from .sql.outputs import ints
from .sql.session import Session
from .workspace import engine_for

# the contract's order of the cost tables (section 6), as the files are listed in the manifest
TABLE_ORDER = ("batch_costs", "batch_summary", "allocation_ledger", "reconciliation", "data_quality", "variances",
               "absorption")


@dataclass
class RunView:
    """The run in the postings' layout, for the analytics: which batches are in it and its sub-assembly rows."""

    post: Postings
    period: str
    period_end: np.datetime64
    universe: np.ndarray  # per code: started by the period end
    sub_rows: pd.DataFrame  # sub-assembly issues of the run (index = row of material_issues): code, lot_code, qty_i


def cost(ds: Dataset, period: str | None = None, params: Params | None = None,
         spill_parent: Path | None = None) -> CostResult:
    """Cost every batch started by the end of `period`; refuses (DataError) on error findings.

    `spill_parent` is where the engine may spill past params engine.memory_limit (an output's temporary
    folder); without it, a temporary directory removed when the engine closes.
    """
    params = params or ds.params
    period = run_period(period, params.period)
    engine = engine_for(ds, params, spill_parent)
    with engine_errors():
        computed, findings = tables_and_findings(ds, period, params, engine)  # the checks run meanwhile
        session = open_session(ds, engine)
        view = run_view(ds, period)
        extras = _per_batch(session, view)
    tables = {name: (findings if name == "data_quality" else computed[name]) for name in TABLE_ORDER}
    result = CostResult(period=period, tables=tables, params=params, dataset=ds)
    result.extras.update(run=view, **extras)
    return result


def validate_all(ds: Dataset, params: Params | None = None) -> pd.DataFrame:
    """Every finding of the dataset, errors first: this process's checks and, when the engine reads tables
    itself (`sources.TABLE.path:` / `spark_table:`), the engine's checks of those (on the engine params name,
    closed afterwards)."""
    from ..checks.run import validate

    if not ds.engine_read:
        return validate(ds)
    params = params or ds.params
    try:
        with engine_errors():
            return all_findings(ds, engine_for(ds, params))
    finally:
        workspace.close(ds)


@contextmanager
def engine_errors() -> Iterator[None]:
    """A failed statement as the one-line SqlModelError naming its step (an overflow, say), or, when a
    SIGINT/SIGTERM made DuckDB abandon the statement, the interrupt itself (the run unwinds, exit 128 + n)."""
    try:
        yield
    except EngineError as exc:
        Interrupted.raise_if_received()
        raise SqlModelError(exc.step, str(exc).split(": ", 1)[-1]) from None


def run_view(ds: Dataset, period: str) -> RunView:
    p = post(ds)  # validation priced the rows already (cached on the dataset)
    _, end = period_bounds(period)
    end = end.astype("datetime64[s]")
    universe = p.master["start_date"].to_numpy(dtype="datetime64[s]") <= end
    mat = p.material
    code, lot = mat["code"].to_numpy(), mat["lot_code"].to_numpy()
    keep = (mat["date"].to_numpy() <= end) & (lot >= 0) & (code >= 0)
    keep[keep] = universe[code[keep]]
    return RunView(post=p, period=period, period_end=end, universe=universe,
                   sub_rows=mat.loc[keep, ["code", "lot_code", "qty_i", "date"]])


def postings_codes(p: Postings) -> np.ndarray:
    """Per engine code (the batch_id's rank, `costing.sql.batches`), the batch's postings code (its position in
    `post.master`): `post.tiebreak` is that rank, so this is its inverse permutation."""
    code_of = np.empty(len(p.master), dtype=np.int64)
    code_of[p.tiebreak] = np.arange(len(p.master))
    return code_of


def _per_batch(s: Session, view: RunView) -> dict[str, object]:
    """total_cents (per postings code), per_element (code, cost_element, cents) and sub_charge (per sub row)."""
    p = view.post
    n = len(p.master)
    if s.n_batches != n:
        raise SqlModelError("per batch", f"the engine holds {s.n_batches} batches, the postings {n}")
    code_of = postings_codes(p)
    e = s.engine
    totals = e.arrow("SELECT code, total FROM summary", step="per batch totals")
    total = np.zeros(n, dtype=np.int64)
    total[code_of[ints(totals["code"])]] = ints(totals["total"])
    pe = e.arrow("SELECT p.code, d.cost_element, p.cents FROM per_element AS p "
                 "JOIN element_dim AS d ON d.eid = p.eid ORDER BY p.code, p.eid, p.part", step="per batch elements")
    per_element = pd.DataFrame({"code": code_of[ints(pe["code"])],
                                "cost_element": pd.Series(pe["cost_element"].to_pandas(), dtype="str").array,
                                "cents": ints(pe["cents"])})
    return {"total_cents": total, "per_element": per_element, "sub_charge": _sub_charges(s, view, code_of)}


def _sub_charges(s: Session, view: RunView, code_of: np.ndarray) -> np.ndarray:
    """Each sub-assembly row's charge: the engine charges groups of identical rows (n_rows x one row's charge)."""
    rows = view.sub_rows
    if rows.empty:
        return np.zeros(0, dtype=np.int64)
    groups = s.engine.arrow("SELECT DISTINCT code, lot_code, sub_qty_i, charge // n_rows AS each FROM sub_charge",
                            step="sub-assembly row charges")
    rank = view.post.tiebreak  # postings code -> engine code
    shift = s.places.qty - view.post.qty_places  # the two read the same column: normally 0
    qty = rows["qty_i"].to_numpy(dtype=np.int64) * 10 ** max(shift, 0) // 10 ** max(-shift, 0)
    want = pd.DataFrame({"code": rank[rows["code"].to_numpy()], "lot_code": rank[rows["lot_code"].to_numpy()],
                         "sub_qty_i": qty})
    have = pd.DataFrame({c: ints(groups[c]) for c in ("code", "lot_code", "sub_qty_i", "each")})
    charge = want.merge(have, how="left", on=["code", "lot_code", "sub_qty_i"], validate="many_to_one")["each"]
    if charge.isna().any():
        raise SqlModelError("sub-assembly row charges", "a sub-assembly issue row has no charge from the engine")
    return np.asarray(charge.to_numpy(dtype=np.int64), dtype=np.int64)
