"""The contract's output tables as pandas frames, exactly as `batchkit.cost` builds them.

Money leaves the engine as BIGINT cents and becomes float64 here with
`money.cents_to_float` (the nearest double to each exact decimal); the
other floats (unit_cost, scrap_rate, basis_value) are computed here with the
same numpy operations as the numpy engine, so the frames, and the files
`batchkit.output.write_tables` writes from them, are byte-identical. Text
stays Arrow-backed (pandas' `str`), dates datetime64[s]. The engine sorts:
batch codes are batch_id ranks, so ORDER BY code is batch_id order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ...core import money
from .session import Session
from .variances import types as variance_types


def _text(col: pa.ChunkedArray) -> pd.Series:
    return pd.Series(col.to_pandas(), dtype="str")


def ints(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(col.to_numpy(), dtype=np.int64)


def _cents(col: pa.ChunkedArray) -> np.ndarray:
    return money.cents_to_float(ints(col))


def _floats(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(col.to_numpy(), dtype="float64")


def _dates(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(col.to_numpy(), dtype="datetime64[D]").astype("datetime64[s]")


def as_frame(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({k: (v.array if isinstance(v, pd.Series) else v) for k, v in columns.items()})


class Keys:
    """Text of the integer keys, fetched once: batch_id by code (codes are 0..n-1 in batch_id order) and cost
    element names by element code. Output rows carry ints; their text is an Arrow `take`."""

    def __init__(self, s: Session) -> None:
        self.batch_id = s.engine.arrow("SELECT batch_id FROM master ORDER BY code", step="keys")["batch_id"]
        elements = s.engine.arrow("SELECT eid, cost_element FROM element_dim ORDER BY eid", step="keys")
        assert elements["eid"].to_pylist() == list(range(1, elements.num_rows + 1))
        self.element = elements["cost_element"]

    def batches(self, code: pa.ChunkedArray | np.ndarray) -> pd.Series:
        return _text(self.batch_id.take(pa.array(np.asarray(code, dtype=np.int64))))

    def elements(self, eid: pa.ChunkedArray) -> pd.Series:
        return _text(self.element.take(pa.array(ints(eid) - 1)))


def batch_costs(s: Session, keys: Keys) -> pd.DataFrame:
    t = s.engine.arrow("""
        SELECT code, eid, cents FROM per_element WHERE cents <> 0 ORDER BY code, eid, part""", step="batch_costs")
    return as_frame({"batch_id": keys.batches(ints(t["code"])), "cost_element": keys.elements(t["eid"]),
                   "amount": _cents(t["cents"])})


def batch_summary(s: Session) -> pd.DataFrame:
    t = s.engine.arrow("""
        SELECT m.batch_id, m.item_id, m.product_line, m.site, r.status, m.start_date, m.end_date,
               m.qty_started, m.qty_good, m.qty_scrap, r.total, r.scrap_cents,
               r.material_cents, r.subassembly_cents, r.labor_cents, r.machine_cents, r.direct_cents, r.pool_cents,
               r.abnormal_cents, v.standard_cents, r.fixed_cents
        FROM summary AS r
        JOIN master AS m ON m.code = r.code
        LEFT JOIN variance AS v ON v.code = r.code
        ORDER BY r.code""", step="batch_summary")
    status = _text(t["status"])
    total = ints(t["total"])
    good, started, scrap = _floats(t["qty_good"]), _floats(t["qty_started"]), _floats(t["qty_scrap"])
    with np.errstate(divide="ignore", invalid="ignore"):  # as batchkit.cost: float unit cost and scrap rate
        unit = np.where((status.to_numpy() == "completed") & (good > 0), total / 100.0 / good, np.nan)
        scrap_rate = np.where(started > 0, scrap / started, np.nan)
    std = t["standard_cents"]
    standard = np.where(std.is_null().to_numpy(zero_copy_only=False), np.nan,
                        money.cents_to_float(ints(std.fill_null(0))))
    return as_frame({
        **{c: _text(t[c]) for c in ("batch_id", "item_id", "product_line", "site")},
        "status": status,
        "start_date": _dates(t["start_date"]), "end_date": _dates(t["end_date"]),
        "qty_started": started, "qty_good": good, "qty_scrap": scrap,
        "total_cost": money.cents_to_float(total),
        "unit_cost": unit,
        "scrap_cost": _cents(t["scrap_cents"]),
        "material_cost": _cents(t["material_cents"]), "subassembly_cost": _cents(t["subassembly_cents"]),
        "labor_cost": _cents(t["labor_cents"]), "machine_cost": _cents(t["machine_cents"]),
        "direct_cost": _cents(t["direct_cents"]), "overhead_cost": _cents(t["pool_cents"]),
        "scrap_rate": scrap_rate,
        "abnormal_scrap_cost": _cents(t["abnormal_cents"]),
        "standard_cost": standard,
        # issue 17, appended so the columns before keep their places: variable + fixed = total_cost, to the cent
        "variable_cost": money.cents_to_float(total - ints(t["fixed_cents"])),
        "fixed_cost": _cents(t["fixed_cents"]),
    })


def allocation_ledger(s: Session, keys: Keys, up_to: str, with_cents: bool = False) -> pd.DataFrame:
    """The allocations of the pools up to period `up_to`, in pool (period, pool_id) then batch_id order;
    `with_cents` adds the exact cents (int64) for a what-if."""
    rows = s.engine.arrow("""
        SELECT p.pool_rank, a.code, a.weight, a.places, a.cents
        FROM alloc AS a JOIN pool AS p ON p.pool_idx = a.pool_idx
        WHERE p.period <= $up_to
        ORDER BY p.pool_rank, a.code""", {"up_to": up_to}, step="allocation_ledger")
    pools = s.engine.arrow("SELECT pool_rank, pool_id, period, cost_element, basis FROM pool ORDER BY pool_rank",
                           step="ledger pools")
    at = pa.array(ints(rows["pool_rank"]) - 1)  # pool_rank is 1..n
    weight, places = ints(rows["weight"]), ints(rows["places"])
    cents = ints(rows["cents"])
    return as_frame({
        **{c: _text(pools[c].take(at)) for c in ("pool_id", "period", "cost_element")},
        "batch_id": keys.batches(ints(rows["code"])),
        "basis": _text(pools["basis"].take(at)),
        "basis_value": weight.astype("float64") / np.power(10.0, places),
        "amount": money.cents_to_float(cents),
        **({"cents": cents} if with_cents else {}),
    })


def variances(s: Session, keys: Keys) -> pd.DataFrame:
    """batch x variance type, batches in batch_id order, types in contract order (the fixed overhead split last,
    with a behavior column in standard_overhead)."""
    names = variance_types(s)
    t = s.engine.arrow(f"SELECT code, {', '.join(names)} FROM variance ORDER BY code", step="variances")
    n = t.num_rows
    cents = np.stack([ints(t[c]) for c in names], axis=1).reshape(-1)
    types = pa.array(list(names), pa.string())
    return as_frame({
        "batch_id": keys.batches(np.repeat(ints(t["code"]), len(names))),
        "variance_type": _text(types.take(pa.array(np.tile(np.arange(len(names)), n)))),
        "amount": money.cents_to_float(cents),
    })
