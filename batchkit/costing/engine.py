"""The cost model (contract section 3): each batch's cost to the cent, as of a period end.

A batch's cost is inception-to-date: materials at actual lot cost, hours at
the rate in force on the booking date, direct costs, and its share of every
pool of every period up to the run's period. Sub-assembly batches are
charged to their consumers level by level (genealogy order). Everything is
int64 cents until the output frames, where money becomes float64 values that
are exactly cents/100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks.run import validate
from ..core import money
from ..core.findings import raise_if_errors
from ..core.genealogy import levels
from ..core.keys import pool_batch_columns, rank, take_text
from ..core.model import CostResult, Dataset
from ..core.params import Params
from ..core.periods import period_bounds, run_period
from ..ledger.allocation import Allocations, allocations, sum_by
from ..ledger.postings import Postings, post

ELEMENT_ORDER = ("material", "subassembly", "labor", "machine")


@dataclass
class RunFrame:
    """The postings of one run (dated on or before the period end), in cents per batch code."""

    post: Postings
    period: str
    period_end: np.datetime64
    universe: np.ndarray  # per code: started by the period end
    own: pd.DataFrame  # code, cost_element, cents, kind (material/labor/machine/direct/pool)
    sub_rows: pd.DataFrame  # sub-assembly issues: row index, code, lot_code, qty_i, date
    excluded: pd.DataFrame  # cost_element, cents: rows naming unknown or not-yet-started batches
    inputs: pd.DataFrame  # cost_element, cents: every input as of the period end
    pools_in_run: pd.DataFrame  # pool rows with period <= run period
    ledger: pd.DataFrame  # allocations of those pools
    unallocated: pd.DataFrame  # pool rows nobody took


def _inside(code: np.ndarray, universe: np.ndarray) -> np.ndarray:
    """Rows of batches in the run (known and started by the period end); the others are excluded."""
    return (code >= 0) & universe[np.maximum(code, 0)]


def _per_batch(code: np.ndarray, cents: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes of the batches that have rows, in code order; their exact sums)."""
    has = np.flatnonzero(np.bincount(code, minlength=n) > 0)
    return has, money.group_sum(code, cents, n)[has]


def sum_by_element(code: np.ndarray, element: np.ndarray, cents: np.ndarray) -> pd.DataFrame:
    """code, cost_element, cents: exact sums per (batch code, element), in order of first appearance.

    As groupby(["code", "cost_element"], sort=False) on integer keys; rows with no element are left out.
    """
    el, names = pd.factorize(element)
    ok = el >= 0
    keys, sums = sum_by(code[ok] * max(len(names), 1) + el[ok], cents[ok])
    pair_code, pair_el = np.divmod(keys, max(len(names), 1))
    return pd.DataFrame({"code": pair_code, "cost_element": np.asarray(names, dtype=object)[pair_el],
                         "cents": sums})


def run_frame(ds: Dataset, period: str, rules: Params) -> RunFrame:
    p = post(ds)
    _, end = period_bounds(period)
    end = end.astype("datetime64[s]")
    universe = p.master["start_date"].to_numpy(dtype="datetime64[s]") <= end
    n = len(p.master)
    own_parts: list[pd.DataFrame] = []
    excl_parts: list[pd.DataFrame] = []
    input_parts: list[pd.DataFrame] = []

    def add(code: np.ndarray, element: str, cents: np.ndarray, kind: str) -> None:
        """Rows of one element: summed per batch in the run; totals of the excluded rows and of all rows."""
        inside = _inside(code, universe)
        has, sums = _per_batch(code[inside], cents[inside], n)
        own_parts.append(pd.DataFrame({"code": has, "cost_element": element, "cents": sums, "kind": kind}))
        if (~inside).any():
            excl_parts.append(pd.DataFrame({"cost_element": [element], "cents": [cents[~inside].sum()]}))
        if len(cents):
            input_parts.append(pd.DataFrame({"cost_element": [element], "cents": [cents.sum()]}))

    mat = p.material
    purchased = (mat["date"].to_numpy() <= end) & (mat["lot_code"].to_numpy() < 0)
    add(mat["code"].to_numpy()[purchased], "material", mat["cents"].to_numpy()[purchased], "material")
    ops = p.operations[p.operations["date"].to_numpy() <= end]
    add(ops["code"].to_numpy(), "labor", ops["labor_cents"].to_numpy(), "labor")
    add(ops["code"].to_numpy(), "machine", ops["machine_cents"].to_numpy(), "machine")
    direct = p.direct[p.direct["date"].to_numpy() <= end]
    element = direct["cost_element"].to_numpy(dtype=object)
    for name in pd.unique(direct["cost_element"].dropna()):  # a handful of elements (sterilization, ...)
        rows = element == name
        add(direct["code"].to_numpy()[rows], name, direct["cents"].to_numpy()[rows], "direct")

    alloc: Allocations = allocations(ds.cache, p, rules.allocation)
    pools = p.pools.assign(pool_idx=np.arange(len(p.pools)))
    pools_in_run = pools[(pools["period"].fillna("9999-99") <= period).to_numpy()]
    in_run = np.zeros(len(pools), dtype=bool)
    in_run[pools_in_run["pool_idx"].to_numpy()] = True
    ledger = alloc.ledger[in_run[alloc.ledger["pool_idx"].to_numpy()]]
    element_of_pool = pools["cost_element"].to_numpy(dtype=object)
    own_parts.append(sum_by_element(ledger["code"].to_numpy(), element_of_pool[ledger["pool_idx"].to_numpy()],
                                    ledger["cents"].to_numpy()).assign(kind="pool"))
    input_parts.append(pd.DataFrame({"cost_element": pools_in_run["cost_element"].to_numpy(),
                                     "cents": pools_in_run["cents"].to_numpy()}))
    unallocated = pools_in_run[pools_in_run["pool_idx"].isin(set(alloc.unallocated["pool_idx"]))]

    sub = mat[(mat["date"].to_numpy() <= end) & (mat["lot_code"].to_numpy() >= 0)]
    sub_rows = sub[_inside(sub["code"].to_numpy(), universe)]

    def total(parts: list[pd.DataFrame]) -> pd.DataFrame:
        empty = pd.DataFrame({"cost_element": pd.Series([], dtype="str"), "cents": pd.Series([], dtype="int64")})
        frame = pd.concat([empty] + [f[["cost_element", "cents"]] for f in parts], ignore_index=True)
        return frame.groupby("cost_element", as_index=False, sort=True)["cents"].sum()

    return RunFrame(
        post=p, period=period, period_end=end, universe=universe,
        own=pd.concat(own_parts, ignore_index=True),
        sub_rows=sub_rows, excluded=total(excl_parts), inputs=total(input_parts),
        pools_in_run=pools_in_run, ledger=ledger, unallocated=unallocated,
    )


def roll_up(own_total: np.ndarray, sub_rows: pd.DataFrame, post: Postings) -> tuple[np.ndarray, np.ndarray]:
    """Charge sub-assemblies to their consumers in genealogy order.

    Returns (total cents per code, charge cents per sub-assembly issue row).
    A row is charged qty x (S's total / S's qty_good), rounded half away from zero.
    """
    total = own_total.astype(np.int64).copy()
    charge = np.zeros(len(sub_rows), dtype=np.int64)
    if sub_rows.empty:
        return total, charge
    consumer = sub_rows["code"].to_numpy()
    supplier = sub_rows["lot_code"].to_numpy()
    lv = levels(len(total), supplier, consumer).level
    good_i, gp = money.scaled(post.master["qty_good"].to_numpy(dtype="float64"), post.good_places)
    qp = post.qty_places
    qty = sub_rows["qty_i"].to_numpy() * 10 ** max(0, gp - qp)
    divisor = good_i[supplier] * 10 ** max(0, qp - gp)
    for level in range(1, int(lv.max()) + 1):
        rows = np.flatnonzero(lv[consumer] == level)
        if not len(rows):
            continue
        s = supplier[rows]
        charge[rows] = money.muldiv_round(qty[rows], total[s], np.maximum(divisor[rows], 1))
        total += money.group_sum(consumer[rows], charge[rows], len(total))
    return total, charge


def _status(post: Postings, end: np.datetime64) -> np.ndarray:
    e = post.master["end_date"].to_numpy(dtype="datetime64[s]")
    return np.where(~np.isnat(e) & (e <= end), "completed", "wip")


def _scrap_costs(post: Postings, total: np.ndarray, normal_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Scrap cost = total x scrap / started; abnormal = the part above the normal rate."""
    m = post.master
    gp = post.good_places
    started, _ = money.scaled(m["qty_started"].to_numpy(dtype="float64"), gp)
    scrap, _ = money.scaled(m["qty_scrap"].to_numpy(dtype="float64"), gp)
    has = started > 0
    safe = np.where(has, started, 1)
    scrap_cost = np.where(has, money.muldiv_round(total, scrap, safe), 0)
    rate_i, rp = money.scaled(np.array([normal_rate]))
    excess = scrap * 10**rp - rate_i[0] * started
    excess = np.where(excess > 0, excess, 0)
    abnormal = np.where(has, money.muldiv_round(total, excess, safe * 10**rp), 0)
    return scrap_cost, abnormal


def cost(ds: Dataset, period: str | None = None, params: Params | None = None) -> CostResult:
    """Cost every batch started by the end of `period`; refuses (DataError) on error findings."""
    params = params or ds.params
    period = run_period(period, params.period)
    findings = validate(ds)
    raise_if_errors(findings)
    rf = run_frame(ds, period, params)
    p = rf.post
    n = len(p.master)
    own = sum_by_element(rf.own["code"].to_numpy(), rf.own["cost_element"].to_numpy(dtype=object),
                         rf.own["cents"].to_numpy())
    total, charge = roll_up(money.group_sum(own["code"].to_numpy(), own["cents"].to_numpy(), n), rf.sub_rows, p)
    has, sums = _per_batch(rf.sub_rows["code"].to_numpy(), charge, n)
    sub = pd.DataFrame({"code": has, "cost_element": "subassembly", "cents": sums})
    per_element = pd.concat([own, sub], ignore_index=True)
    tables = _output_tables(rf, per_element, total, params)
    tables["data_quality"] = findings
    result = CostResult(period=period, tables=tables, params=params, dataset=ds)
    result.extras.update(run=rf, total_cents=total, sub_charge=charge, per_element=per_element)
    from .variance import variances

    tables["variances"], standard = variances(result)
    summary = tables["batch_summary"]
    summary["standard_cost"] = summary["batch_id"].map(standard).astype("float64")
    return result


def _output_tables(rf: RunFrame, per_element: pd.DataFrame, total: np.ndarray, params: Params
                   ) -> dict[str, pd.DataFrame]:
    p = rf.post
    m = p.master
    inside = np.flatnonzero(rf.universe)
    pe = per_element[per_element["cents"] != 0]
    # sorted by batch_id then cost_element, on integer ranks (tiebreak is the batch_id's rank in string order)
    code = pe["code"].to_numpy()
    order = np.lexsort((rank(pe["cost_element"]), p.tiebreak[code]))
    batch_costs = pd.DataFrame({
        "batch_id": take_text(m["batch_id"], code[order]),
        "cost_element": take_text(pe["cost_element"], order),
        "amount": money.cents_to_float(pe["cents"].to_numpy()[order]),
    })

    status = _status(p, rf.period_end)
    scrap_cost, abnormal = _scrap_costs(p, total, params.scrap.normal_rate)
    good = m["qty_good"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where((status == "completed") & (good > 0), total / 100.0 / good, np.nan)
        started = m["qty_started"].to_numpy(dtype="float64")
        scrap_rate = np.where(started > 0, m["qty_scrap"].to_numpy(dtype="float64") / started, np.nan)
    by_kind = _kind_columns(per_element, rf.own, len(m))
    summary = pd.DataFrame({
        **{c: m[c].array for c in ("batch_id", "item_id", "product_line", "site")},
        "status": status,
        "start_date": m["start_date"].to_numpy(),
        "end_date": m["end_date"].to_numpy(),
        "qty_started": started,
        "qty_good": good,
        "qty_scrap": m["qty_scrap"].to_numpy(dtype="float64"),
        "total_cost": money.cents_to_float(total),
        "unit_cost": unit,
        "scrap_cost": money.cents_to_float(scrap_cost),
        **{k: money.cents_to_float(v) for k, v in by_kind.items()},
        "scrap_rate": scrap_rate,
        "abnormal_scrap_cost": money.cents_to_float(abnormal),
    }).iloc[inside[np.argsort(p.tiebreak[inside], kind="stable")]].reset_index(drop=True)

    pools = p.pools
    led = rf.ledger
    pool, code = led["pool_idx"].to_numpy(), led["code"].to_numpy()
    order = np.lexsort((p.tiebreak[code], rank(pools["pool_id"])[pool], rank(pools["period"])[pool]))
    pool, code = pool[order], code[order]
    ledger = pd.DataFrame({
        **pool_batch_columns(pools, m["batch_id"], pool, code),
        "basis": take_text(led["basis"], order),
        "basis_value": led["basis_value"].to_numpy()[order],
        "amount": money.cents_to_float(led["cents"].to_numpy()[order]),
    })

    return {
        "batch_costs": batch_costs,
        "batch_summary": summary,
        "allocation_ledger": ledger,
        "reconciliation": _reconciliation(rf, per_element),
    }


def _kind_columns(per_element: pd.DataFrame, own: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """Per batch: material, subassembly, labor, machine, direct and pool (overhead) cents."""
    kind = own["kind"].to_numpy(dtype=object)
    sub = per_element[per_element["cost_element"] == "subassembly"]

    def of(k: str) -> np.ndarray:
        rows = kind == k
        return money.group_sum(own["code"].to_numpy()[rows], own["cents"].to_numpy()[rows], n)

    return {"material_cost": of("material"),
            "subassembly_cost": money.group_sum(sub["code"].to_numpy(), sub["cents"].to_numpy(), n),
            "labor_cost": of("labor"), "machine_cost": of("machine"), "direct_cost": of("direct"),
            "overhead_cost": of("pool")}


def _reconciliation(rf: RunFrame, per_element: pd.DataFrame) -> pd.DataFrame:
    """Per element: input = costed + unallocated + excluded, to the cent (subassembly is a transfer)."""
    costed = per_element[per_element["cost_element"] != "subassembly"].groupby("cost_element")["cents"].sum()
    unalloc = rf.unallocated.groupby("cost_element")["cents"].sum()
    excluded = rf.excluded.set_index("cost_element")["cents"]
    inputs = rf.inputs.set_index("cost_element")["cents"]
    elements = sorted(set(inputs.index) | set(costed.index), key=_element_key)
    frame = pd.DataFrame({"cost_element": elements})
    for name, series in (("input", inputs), ("costed", costed), ("unallocated", unalloc), ("excluded", excluded)):
        cents = series.reindex(elements).fillna(0).astype(np.int64).to_numpy()
        frame[f"{name}_amount"] = money.cents_to_float(cents)
        frame[f"_{name}"] = cents
    frame["difference"] = money.cents_to_float(frame["_input"] - frame["_costed"] - frame["_unallocated"]
                                               - frame["_excluded"])
    return frame.drop(columns=["_input", "_costed", "_unallocated", "_excluded"])


def _element_key(element: str) -> tuple[int, str]:
    return (ELEMENT_ORDER.index(element) if element in ELEMENT_ORDER else len(ELEMENT_ORDER), element)
