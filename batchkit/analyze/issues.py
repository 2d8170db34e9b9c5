"""The run's material issue rows as analytics need them: sub-assembly charges and window batches' priced rows.

Computed from what every cost result has (batch_summary's exact totals, the
dataset's priced rows `ledger.postings.post`, cached by validation), on
integer keys: never a pandas index over millions of Arrow strings.

A sub-assembly issue row is charged qty x total / qty_good of the consumed
batch, half away from zero per row (contract 3a): the consumed batch's total
is final when its consumers are charged (genealogy order), so batch_summary's
total_cost gives each row's charge exactly as costing made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core import money
from ..core.arrow import arrow_text
from ..core.model import CostResult, Dataset
from ..core.periods import period_end
from ..ledger.postings import Postings, codes, post

KINDS = ("material", "subassembly")  # kind codes 0 and 1


@dataclass
class Charges:
    """Sub-assembly issue rows dated by the period end between two batches of the run."""

    rows: np.ndarray  # positions in material_issues
    supplier: np.ndarray  # positions in batch_summary of the consumed batch
    consumer: np.ndarray  # and of the consuming batch
    cents: np.ndarray  # each row's charge


def summary_positions(result: CostResult, batch_ids: pd.Series) -> np.ndarray:
    """Position in batch_summary of each ID (-1 when not a batch of the run), by Arrow's hash lookup."""
    return codes(batch_ids, arrow_text(result.batch_summary["batch_id"]))


def subassembly_charges(result: CostResult) -> Charges:
    """The run's sub-assembly issue rows and their charges, computed once per cost result (the attribution and
    the KPIs both ask): kept on the dataset's postings next to the frame it was computed from."""
    ds = result.dataset
    if ds is None or not ds.has("material_issues"):
        empty = np.zeros(0, dtype=np.int64)
        return Charges(empty, empty, empty, empty)
    p = post(ds)  # its integer batch codes (rows of p.master) for batch_id and lot_id
    kept = p.cache.get("subassembly_charges")
    # the same summary object (held here, so its id cannot be reused) and period: the same charges
    if kept is not None and kept[0] is result.batch_summary and kept[1] == result.period:
        return cast(Charges, kept[2])
    charges = _charges(result, ds, p)
    p.cache["subassembly_charges"] = (result.batch_summary, result.period, charges)
    return charges


def _charges(result: CostResult, ds: Dataset, p: Postings) -> Charges:
    s = result.batch_summary
    empty = np.zeros(0, dtype=np.int64)
    mi = ds.tables["material_issues"]
    of_code = np.r_[summary_positions(result, p.master["batch_id"]), -1]  # code -1 (no batch) -> -1
    supplier = of_code[p.material["lot_code"].to_numpy()]
    consumer = of_code[p.material["code"].to_numpy()]
    dated = mi["date"].to_numpy(dtype="datetime64[s]") <= period_end(result.period)
    rows = np.flatnonzero((supplier >= 0) & (consumer >= 0) & dated & mi["qty"].notna().to_numpy())
    if not len(rows):
        return Charges(empty, empty, empty, empty)
    sup = supplier[rows]
    total = money.to_cents(s["total_cost"].to_numpy(dtype="float64"))[sup]
    good_i, gp = money.scaled(s["qty_good"].to_numpy(dtype="float64")[sup])
    qty_i, qp = money.scaled(mi["qty"].to_numpy(dtype="float64")[rows])
    # qty x total / good with both quantities at the same number of places (good > 0: validation refuses 0)
    num = qty_i * 10 ** max(0, gp - qp)
    den = np.maximum(good_i, 1) * 10 ** max(0, qp - gp)
    return Charges(rows, sup, consumer[rows], money.muldiv_round(num, total, den))


@dataclass
class MaterialRows:
    """Material rows of chosen batches as of the period end: purchased ones at lot cost, then sub-assembly
    issues at their charge (each part in material_issues order)."""

    position: np.ndarray  # in material_issues
    batch: np.ndarray  # the caller's number of the row's batch
    kind: np.ndarray  # 0 material, 1 subassembly
    qty: np.ndarray  # float64, as issued
    amount: np.ndarray  # float64 money (exact cents / 100)


def material_rows(result: CostResult, batch_of_code: np.ndarray) -> MaterialRows:
    """The rows of the batches with `batch_of_code[code] >= 0` (code: the batch's row in `post(ds).master`)."""
    p = post(result.ds)
    mat = p.material
    code = mat["code"].to_numpy()
    mine = (code >= 0) & (batch_of_code[np.maximum(code, 0)] >= 0)
    mine &= mat["date"].to_numpy(dtype="datetime64[s]") <= period_end(result.period)
    purchased = np.flatnonzero(mine & (mat["lot_code"].to_numpy() < 0))
    charges = subassembly_charges(result)
    keep = mine[charges.rows]
    sub, sub_cents = charges.rows[keep], charges.cents[keep]
    position = np.r_[purchased, sub].astype(np.int64)
    cents = np.r_[mat["cents"].to_numpy()[purchased], sub_cents]
    return MaterialRows(
        position=position,
        batch=batch_of_code[code[position]],
        kind=np.repeat(np.array([0, 1], dtype=np.int64), [len(purchased), len(sub)]),
        qty=mat["qty_i"].to_numpy()[position] / 10.0**p.qty_places,
        amount=cents / 100.0,
    )


def text_codes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An int code per text value (equal texts, equal codes), -1 for missing: Arrow's dictionary encoding."""
    enc = pa.chunked_array([values]) if isinstance(values, pa.Array) else values
    enc = enc.combine_chunks().dictionary_encode() if enc.num_chunks != 1 else enc.chunk(0).dictionary_encode()
    idx = enc.indices
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)

