"""Variances against standard cost (contract 3 and 3a), per completed batch.

For good output Q: each standard component is sum(std qty per unit x Q x std
price), rounded once; price (rate) variance is sum over actual rows of
(actual amount - std price x actual qty), rounded once, and 0 for rows with
no standard; usage (efficiency) is what remains of actual - standard.
Overhead is pools + direct costs - standard overhead. The seven components
sum exactly to total cost - standard cost of Q.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..core import money
from ..core.arrow import arrow_text
from ..core.keys import take_text
from ..core.model import CostResult
from ..ledger.postings import codes

TYPES = ("material_price", "material_usage", "labor_rate", "labor_efficiency", "machine_rate",
         "machine_efficiency", "overhead")
_SAFE = float(2**62)
_CHUNK = 2_000_000  # material rows per slice


def _exact_group_sum(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Sum int (or Python-int object) values per group, exactly; returns object ints when needed."""
    if values.dtype != object:
        return money.group_sum(groups, values, n)
    out_obj = np.array([0] * n, dtype=object)
    np.add.at(out_obj, groups, values)
    return out_obj


def _product(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """a*b exactly: int64 when every product and any sum of them fits, else Python ints.

    `b` may be one int. The sum of |a*b| is taken as a float dot product (no array of products).
    """
    a = np.asarray(a, dtype=np.int64)
    if np.isscalar(b):
        mag = float(np.abs(a).sum(dtype="float64")) * abs(int(b))
        return a * b if len(a) == 0 or mag < _SAFE else a.astype(object) * int(b)
    b = np.asarray(b, dtype=np.int64)
    if len(a) == 0 or float(np.dot(np.abs(a).astype("float64"), np.abs(b).astype("float64"))) < _SAFE:
        return a * b
    return a.astype(object) * b.astype(object)


def _to_cents(x: np.ndarray, places: int) -> np.ndarray:
    """Exact ints at `places` decimals -> cents, rounded once, half away from zero."""
    if places <= 2:
        return (x * 10 ** (2 - places)).astype(np.int64)
    return np.asarray(money.round_half_away(x, 10 ** (places - 2))).astype(np.int64)


def _per_unit(table: pd.DataFrame, qty_col: str, price_col: str) -> tuple[pd.Series, int]:
    """Standard cost per unit of each item: sum of qty per unit x std price, exact at its places."""
    if table.empty:
        return pd.Series(dtype=object), 0
    q, qp = money.scaled(table[qty_col].to_numpy(dtype="float64"))
    pr, pp = money.scaled(table[price_col].to_numpy(dtype="float64"))
    prod = _product(q, pr)
    frame = pd.DataFrame({"item_id": table["item_id"].to_numpy(), "v": prod})
    return frame.groupby("item_id")["v"].sum(), qp + pp


def _standard(q_good: np.ndarray, gp: int, per_unit: np.ndarray, up: int) -> np.ndarray:
    """round(Q x standard per unit), once."""
    if per_unit.dtype == object:
        return _to_cents(q_good.astype(object) * per_unit, gp + up)
    return _to_cents(_product(q_good, per_unit), gp + up)


def _price_terms(
    code: np.ndarray, cents: np.ndarray, qty_i: np.ndarray, qp: int, std_price: np.ndarray, sp: int,
    has_std: np.ndarray, n: int,
) -> np.ndarray:
    """Sum over rows with a standard of (actual amount - std price x qty) per code, exact at max(2, sp + qp)."""
    scale = max(2, sp + qp)
    amount = _product(cents[has_std], 10 ** (scale - 2))
    std = _product(std_price[has_std], qty_i[has_std]) * 10 ** (scale - sp - qp)
    if amount.dtype == object or std.dtype == object:
        terms = amount.astype(object) - std.astype(object)
    else:
        terms = amount - std
    return _exact_group_sum(terms, code[has_std], n)


def _price_variance(
    code: np.ndarray, cents: np.ndarray, qty_i: np.ndarray, qp: int, std_price: np.ndarray, sp: int,
    has_std: np.ndarray, n: int,
) -> np.ndarray:
    """round(sum over rows with a standard of (actual amount - std price x qty)) per code."""
    return _to_cents(_price_terms(code, cents, qty_i, qp, std_price, sp, has_std, n), max(2, sp + qp))


def _material_positions(result: CostResult) -> tuple[np.ndarray, np.ndarray]:
    """Positions in material_issues of the run's purchased rows, and of those followed by its sub-assembly rows."""
    rf = result.extras["run"]
    mat = rf.post.material
    code = mat["code"].to_numpy()
    purchased = np.flatnonzero((mat["date"].to_numpy() <= rf.period_end) & (mat["lot_code"].to_numpy() < 0)
                               & (code >= 0) & rf.universe[np.maximum(code, 0)])
    # post.material keeps the position of each material_issues row as its index
    return purchased, np.r_[purchased, rf.sub_rows.index.to_numpy()].astype(np.int64)


def material_rows(result: CostResult) -> pd.DataFrame:
    """The run's material rows as of the period end: purchased at lot cost, sub-assemblies at their charge.

    Columns: code, material_id, lot_id, qty_i (at `post.qty_places`), cents, kind (material/subassembly).
    Analytics split their cost into price and usage; variances use the same rows.
    """
    mat = result.extras["run"].post.material
    purchased, rows = _material_positions(result)
    lot_ids = arrow_text(result.ds.get("material_issues")["lot_id"])
    return pd.DataFrame({
        "code": mat["code"].to_numpy()[rows],
        "material_id": mat["material_id"].array.take(rows),
        "lot_id": lot_ids.take(rows).to_pandas().array,
        "qty_i": mat["qty_i"].to_numpy()[rows],
        "cents": np.r_[mat["cents"].to_numpy()[purchased], result.extras["sub_charge"]],
        "kind": np.repeat(np.array(["material", "subassembly"], dtype=object), [len(purchased), len(rows) -
                                                                                 len(purchased)]),
    })


def _standard_lookup(item_of_code: pd.Series, key: pd.Series, table: pd.DataFrame, key_col: str
                     ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """at(code, rows): per row (`rows` of the `key` column, of batch `code`), the position in `table` of its
    (item of its batch, key) pair; -1 when the table has none.

    The same as a left merge on (item_id, key) when the pairs of `table` are unique, which
    validation guarantees before costing (duplicate_key is an error); integer codes, not strings.
    """
    if table.empty:
        return lambda code, rows: np.full(len(code), -1, dtype=np.int64)
    items = pc.unique(arrow_text(table["item_id"]))
    names = pc.unique(arrow_text(table[key_col]))
    pair = codes(table["item_id"], items) * len(names) + codes(table[key_col], names)
    order = np.argsort(pair, kind="stable")
    pair_sorted = pair[order]
    item_pos = codes(item_of_code, items)
    key_pos = codes(key, names).astype(np.int32)

    def at(code: np.ndarray, rows: np.ndarray) -> np.ndarray:
        row_item, row_key = item_pos[code], key_pos[rows]
        want = np.where((row_item >= 0) & (row_key >= 0), row_item * len(names) + row_key, -1)
        i = np.minimum(np.searchsorted(pair_sorted, want), len(pair) - 1)
        return np.where((want >= 0) & (pair_sorted[i] == want), order[i], -1)
    return at


def _add(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    """total + part exactly: Python ints once int64 could overflow."""
    if total.dtype == object or part.dtype == object or \
            float(np.abs(total).max(initial=0)) + float(np.abs(part).max(initial=0)) >= _SAFE:
        return total.astype(object) + part.astype(object)
    return total + part


def variances(result: CostResult) -> tuple[pd.DataFrame, dict[str, float]]:
    """The variances table (batch x type) and each batch's standard cost of its good output."""
    ds = result.dataset
    rf = result.extras["run"]
    post = rf.post
    m = post.master
    n = len(m)
    bom = ds.get("standard_bom").dropna(subset=["item_id", "material_id"])
    routing = ds.get("standard_routing").dropna(subset=["item_id", "operation"])
    overhead = ds.get("standard_overhead").dropna(subset=["item_id"])
    std_items = set(bom["item_id"]) | set(routing["item_id"]) | set(overhead["item_id"])
    status = result.batch_summary.set_index("batch_id")["status"]
    ids = m["batch_id"].to_numpy(dtype=object)
    completed = np.zeros(n, dtype=bool)
    in_summary = pd.Series(ids).map(status).to_numpy(dtype=object)
    completed[:] = (in_summary == "completed") & m["item_id"].isin(std_items).to_numpy()
    empty = pd.DataFrame({"batch_id": pd.Series([], dtype="str"), "variance_type": pd.Series([], dtype="str"),
                          "amount": pd.Series([], dtype="float64")})
    if not completed.any():
        return empty, {}
    item = m["item_id"].to_numpy(dtype=object)
    q_good, gp = money.scaled(m["qty_good"].to_numpy(dtype="float64"), post.good_places)

    def std_component(table: pd.DataFrame, qty_col: str, price_col: str) -> np.ndarray:
        per_unit, up = _per_unit(table, qty_col, price_col)
        pu = pd.Series(item).map(per_unit).fillna(0).to_numpy(dtype=object)
        if max((abs(int(v)) for v in set(pu)), default=0) < 2**62:
            pu = pu.astype(np.int64)
        return _standard(q_good, gp, pu, up)

    std_mat = std_component(bom, "qty_per_unit", "std_unit_cost")
    std_lab = std_component(routing, "labor_hours_per_unit", "std_labor_rate")
    std_mach = std_component(routing, "machine_hours_per_unit", "std_machine_rate")
    std_oh = std_component(overhead.assign(one=1.0), "one", "std_cost_per_unit")

    purchased, all_rows = _material_positions(result)
    mat = post.material
    charges = np.r_[mat["cents"].to_numpy()[purchased], result.extras["sub_charge"]]
    price_i, pp = money.scaled(bom["std_unit_cost"].to_numpy(dtype="float64"))
    bom_at = _standard_lookup(m["item_id"], mat["material_id"], bom, "material_id")
    mat_actual = np.zeros(n, dtype=np.int64)
    price_terms = np.zeros(n, dtype=np.int64)
    for lo in range(0, len(all_rows), _CHUNK):  # in slices, so the temporaries of 10 M rows never coexist
        rows, cents = all_rows[lo:lo + _CHUNK], charges[lo:lo + _CHUNK]
        code = mat["code"].to_numpy()[rows]
        done = completed[code]
        rows, code, cents = rows[done], code[done], cents[done]
        at = bom_at(code, rows)
        mat_actual += money.group_sum(code, cents, n)
        price_terms = _add(price_terms, _price_terms(
            code, cents, mat["qty_i"].to_numpy()[rows], post.qty_places,
            np.where(at >= 0, price_i[np.maximum(at, 0)] if len(price_i) else 0, 0), pp, at >= 0, n))
    mat_price = _to_cents(price_terms, max(2, pp + post.qty_places))

    ops = post.operations
    code = ops["code"].to_numpy()
    keep = (ops["date"].to_numpy() <= rf.period_end) & (code >= 0)
    keep[keep] = completed[code[keep]]
    at = _standard_lookup(m["item_id"], ops["operation"], routing, "operation")(code[keep], np.flatnonzero(keep))
    ops = ops[keep]
    lr_i, lrp = money.scaled(routing["std_labor_rate"].to_numpy(dtype="float64"))
    mr_i, mrp = money.scaled(routing["std_machine_rate"].to_numpy(dtype="float64"))
    code = ops["code"].to_numpy()
    has_route = at >= 0
    hp = post.hours_places
    out: dict[str, np.ndarray] = {}
    for kind, cents_col, hours_col, std_rate, rp, std in (
        ("labor", "labor_cents", "labor_i", lr_i, lrp, std_lab),
        ("machine", "machine_cents", "machine_i", mr_i, mrp, std_mach),
    ):
        actual = _exact_group_sum(ops[cents_col].to_numpy(dtype=np.int64), code, n)
        rate_i = np.where(has_route, std_rate[np.maximum(at, 0)] if len(std_rate) else 0, 0)
        rate = _price_variance(code, ops[cents_col].to_numpy(dtype=np.int64), ops[hours_col].to_numpy(dtype=np.int64),
                               hp, rate_i, rp, has_route, n)
        out[f"{kind}_rate"] = rate
        out[f"{kind}_efficiency"] = actual - std - rate
    summary = result.batch_summary.set_index("batch_id")
    to_cents = lambda col: money.to_cents(pd.Series(ids).map(summary[col]).fillna(0).to_numpy(dtype="float64"))  # noqa: E731
    actual_oh = to_cents("overhead_cost") + to_cents("direct_cost")
    out["material_price"] = mat_price
    out["material_usage"] = mat_actual - std_mat - mat_price
    out["overhead"] = actual_oh - std_oh
    done = np.flatnonzero(completed)
    done = done[np.argsort(post.tiebreak[done], kind="stable")]  # batch_id order, ranked as ints
    frame = pd.DataFrame({
        "batch_id": take_text(m["batch_id"], np.repeat(done, len(TYPES))),
        "variance_type": take_text(pd.Series(TYPES, dtype="str"), np.tile(np.arange(len(TYPES)), len(done))),
        "amount": money.cents_to_float(np.stack([out[t][done] for t in TYPES], axis=1).reshape(-1)),
    })
    standard = std_mat + std_lab + std_mach + std_oh
    return frame, dict(zip(ids[done], money.cents_to_float(standard[done]), strict=True))
