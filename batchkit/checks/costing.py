"""Checks of what costing needs: rates, pools and their bases, standards."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..core import money
from ..core.findings import Findings
from ..core.model import Dataset
from ..core.schema import COMPUTED_ELEMENTS, OVERHEAD_BEHAVIORS
from ..ledger.allocation import pool_bases, pool_takers_cached
from ..ledger.postings import Postings
from ..ledger.rates import RATE_AMBIGUOUS, RATE_MISSING
from .common import flag, fmt


def check_rates(ds: Dataset, post: Postings, out: Findings) -> None:
    if "operations" not in ds.tables or ds.tables["operations"].empty:
        return
    ops = ds.tables["operations"]
    if "rates" not in ds.tables:
        out.add("error", "missing_table", "rates", None, None, "",
                "operations book hours but there is no rates table (rates.csv) to cost them")
        return
    rt = ds.tables["rates"]
    flag(out, ds, "rates", rt, (rt["valid_to"] < rt["valid_from"]).to_numpy(), "error", "bad_rate_range",
          "valid_to", lambda r: f"valid_to {str(r['valid_to'])[:10]} is before valid_from {str(r['valid_from'])[:10]}")
    status = post.operations["rate_status"].to_numpy()
    dated = ops["date"].notna().to_numpy() & ops["work_center"].notna().to_numpy()
    flag(out, ds, "operations", ops, dated & (status == RATE_MISSING), "error", "missing_rate", "work_center",
          lambda r: f"no rate for work center {r['work_center']!r} on {str(r['date'])[:10]} (add a rates row "
          "covering that date)")
    flag(out, ds, "operations", ops, dated & (status == RATE_AMBIGUOUS), "error", "ambiguous_rate",
          "work_center", lambda r: f"two rates for work center {r['work_center']!r} share the latest valid_from "
          f"in force on {str(r['date'])[:10]}")


def check_pools(ds: Dataset, post: Postings, out: Findings) -> None:
    """Pools nobody can take, negative pools, negative bases, reserved element names."""
    if "cost_pools" not in ds.tables:
        return
    cp = ds.tables["cost_pools"]
    alloc = pool_takers_cached(ds.cache, post, ds.params.allocation)
    pools = post.pools
    left = alloc.unallocated["pool_idx"].to_numpy()
    basis_of = dict(zip(range(len(pools)), _bases(ds, pools), strict=True))
    for i in left:
        p = pools.iloc[int(i)]
        scope = ", ".join(f"{k} {p[k]!r}" for k in ("product_line", "site", "work_center") if pd.notna(p[k]))
        out.add("warning", "unallocated_pool", "cost_pools", int(p["_row"]), "pool_id", p["pool_id"],
                f"{ds.source_name('cost_pools')} row {p['_row']} column pool_id: pool {p['pool_id']!r} "
                f"({p['period']}, {money.format_cents(int(p['cents']))}) has no batch to take it: no batch "
                f"{'in scope ' + scope + ' ' if scope else ''}has {basis_of[int(i)]} in {p['period']}; "
                "reported as unallocated")
    flag(out, ds, "cost_pools", cp, cp["amount"].to_numpy(dtype="float64") < 0, "warning", "negative_pool",
          "amount", lambda r: f"pool amount {fmt(r['amount'])} is negative (a credit); allocated as such")
    neg = alloc.negative
    for pool_idx, code, value in zip(neg["pool_idx"], neg["code"], neg["basis_value"], strict=True):
        p = pools.iloc[int(pool_idx)]
        bid = post.master["batch_id"].iloc[int(code)]
        out.add("warning", "negative_basis", "cost_pools", int(p["_row"]), "pool_id", p["pool_id"],
                f"{ds.source_name('cost_pools')} row {p['_row']} column pool_id: batch {bid!r} has a negative "
                f"net basis {fmt(value)} in {p['period']}; left out of pool {p['pool_id']!r}")
    for name in ("cost_pools", "direct_costs"):
        if name in ds.tables:
            f = ds.tables[name]
            flag(out, ds, name, f, f["cost_element"].isin(COMPUTED_ELEMENTS).to_numpy(), "warning",
                  "reserved_element", "cost_element",
                  lambda r: f"cost element {r['cost_element']!r} is one batchkit computes itself; "
                  "it will be added to that element")


def _bases(ds: Dataset, pools: pd.DataFrame) -> Iterable[str]:
    return pool_bases(pools, ds.params.allocation)


def check_standards(ds: Dataset, post: Postings, out: Findings) -> None:
    """Completed items without any standard get no variances: say so once per item. A standard overhead
    behavior other than fixed or variable is an error: it decides which variance the overhead lands in."""
    if "standard_overhead" in ds.tables:
        so = ds.tables["standard_overhead"]
        behavior = so["behavior"].str.strip().str.lower()
        flag(out, ds, "standard_overhead", so, (so["behavior"].notna() & ~behavior.isin(OVERHEAD_BEHAVIORS))
             .to_numpy(), "error", "bad_overhead_behavior", "behavior",
             lambda r: f"behavior {r['behavior']!r} is not fixed or variable")
    if not any(t in ds.tables for t in ("standard_bom", "standard_routing", "standard_overhead")):
        return
    items = set()
    for t in ("standard_bom", "standard_routing", "standard_overhead"):
        if t in ds.tables:
            items |= set(ds.tables[t]["item_id"].dropna())
    m = post.master
    done = m[m["end_date"].notna()]
    lacking = done[~done["item_id"].isin(items)].groupby("item_id").agg(n=("batch_id", "size"),
                                                                          _row=("_row", "min"))
    for item, n, row in zip(lacking.index, lacking["n"], lacking["_row"], strict=True):
        out.add("warning", "no_standard", "batches", int(row), "item_id", item,
                f"{ds.source_name('batches')} row {row} column item_id: item {item!r} has no standard cost; "
                f"its {n} completed batch{'es' if n > 1 else ''} get no variances")
