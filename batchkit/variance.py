"""Variances against standard cost (contract 3 and 3a), per completed batch.

For good output Q: each standard component is sum(std qty per unit x Q x std
price), rounded once; price (rate) variance is sum over actual rows of
(actual amount - std price x actual qty), rounded once, and 0 for rows with
no standard; usage (efficiency) is what remains of actual - standard.
Overhead is pools + direct costs - standard overhead. The seven components
sum exactly to total cost - standard cost of Q.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import money
from .model import CostResult

TYPES = ("material_price", "material_usage", "labor_rate", "labor_efficiency", "machine_rate",
         "machine_efficiency", "overhead")
_SAFE = float(2**62)


def _exact_group_sum(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Sum int (or Python-int object) values per group, exactly; returns object ints when needed."""
    if values.dtype != object:
        out = np.zeros(n, dtype=np.int64)
        np.add.at(out, groups, values)
        return out
    out_obj = np.array([0] * n, dtype=object)
    np.add.at(out_obj, groups, values)
    return out_obj


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a*b exactly: int64 when every product and any sum of them fits, else Python ints."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    mag = np.abs(a.astype("float64")) * np.abs(b.astype("float64"))
    if len(mag) == 0 or mag.sum() < _SAFE:
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


def _price_variance(
    code: np.ndarray, cents: np.ndarray, qty_i: np.ndarray, qp: int, std_price: np.ndarray, sp: int,
    has_std: np.ndarray, n: int,
) -> np.ndarray:
    """round(sum over rows with a standard of (actual amount - std price x qty)) per code."""
    scale = max(2, sp + qp)
    amount = _product(cents[has_std], np.full(int(has_std.sum()), 10 ** (scale - 2), dtype=np.int64))
    std = _product(std_price[has_std], qty_i[has_std]) * 10 ** (scale - sp - qp)
    if amount.dtype == object or std.dtype == object:
        terms = amount.astype(object) - std.astype(object)
    else:
        terms = amount - std
    return _to_cents(_exact_group_sum(terms, code[has_std], n), scale)


def material_rows(result: CostResult) -> pd.DataFrame:
    """The run's material rows as of the period end: purchased at lot cost, sub-assemblies at their charge.

    Columns: code, material_id, lot_id, qty_i (at `post.qty_places`), cents, kind (material/subassembly).
    Variances match them to the standard BOM; analytics split their cost into price and usage.
    """
    rf = result.extras["run"]
    post = rf.post
    mat = post.material[post.material["date"].to_numpy() <= rf.period_end]
    purchased = mat[(mat["lot_code"] < 0).to_numpy()]
    purchased = purchased[(purchased["code"] >= 0).to_numpy() & rf.universe[np.maximum(purchased["code"], 0)]]
    sub = rf.sub_rows
    # post.material keeps the position of each material_issues row as its index
    lot_ids = result.dataset.get("material_issues")["lot_id"].to_numpy(dtype=object)
    return pd.DataFrame({
        "code": np.r_[purchased["code"].to_numpy(), sub["code"].to_numpy()],
        "material_id": np.r_[purchased["material_id"].to_numpy(dtype=object),
                             sub["material_id"].to_numpy(dtype=object)],
        "lot_id": lot_ids[np.r_[purchased.index.to_numpy(), sub.index.to_numpy()].astype(np.int64)],
        "qty_i": np.r_[purchased["qty_i"].to_numpy(), sub["qty_i"].to_numpy()],
        "cents": np.r_[purchased["cents"].to_numpy(), result.extras["sub_charge"]],
        "kind": np.repeat(np.array(["material", "subassembly"], dtype=object), [len(purchased), len(sub)]),
    })


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

    rows = material_rows(result)
    rows = rows[completed[rows["code"].to_numpy()]]
    rows["item_id"] = item[rows["code"].to_numpy()]
    price_i, pp = money.scaled(bom["std_unit_cost"].to_numpy(dtype="float64"))
    bom_price = pd.DataFrame({"item_id": bom["item_id"].to_numpy(), "material_id": bom["material_id"].to_numpy(),
                              "std_price": price_i})
    rows = rows.merge(bom_price, on=["item_id", "material_id"], how="left")
    mat_actual = _exact_group_sum(rows["cents"].to_numpy(dtype=np.int64), rows["code"].to_numpy(), n)
    mat_price = _price_variance(rows["code"].to_numpy(), rows["cents"].to_numpy(dtype=np.int64),
                                rows["qty_i"].to_numpy(dtype=np.int64), post.qty_places,
                                rows["std_price"].fillna(0).to_numpy(dtype=np.int64), pp,
                                rows["std_price"].notna().to_numpy(), n)

    ops = post.operations[post.operations["date"].to_numpy() <= rf.period_end]
    ops = ops[(ops["code"] >= 0).to_numpy()]
    ops = ops[completed[ops["code"].to_numpy()]]
    ops = ops.assign(item_id=item[ops["code"].to_numpy()])
    lr_i, lrp = money.scaled(routing["std_labor_rate"].to_numpy(dtype="float64"))
    mr_i, mrp = money.scaled(routing["std_machine_rate"].to_numpy(dtype="float64"))
    rt = pd.DataFrame({"item_id": routing["item_id"].to_numpy(), "operation": routing["operation"].to_numpy(),
                       "slr": lr_i, "smr": mr_i})
    ops = ops.merge(rt, on=["item_id", "operation"], how="left")
    has_route = ops["slr"].notna().to_numpy()
    code = ops["code"].to_numpy()
    hp = post.hours_places
    out: dict[str, np.ndarray] = {}
    for kind, cents_col, hours_col, rate_col, rp, std in (
        ("labor", "labor_cents", "labor_i", "slr", lrp, std_lab),
        ("machine", "machine_cents", "machine_i", "smr", mrp, std_mach),
    ):
        actual = _exact_group_sum(ops[cents_col].to_numpy(dtype=np.int64), code, n)
        rate = _price_variance(code, ops[cents_col].to_numpy(dtype=np.int64), ops[hours_col].to_numpy(dtype=np.int64),
                               hp, ops[rate_col].fillna(0).to_numpy(dtype=np.int64), rp, has_route, n)
        out[f"{kind}_rate"] = rate
        out[f"{kind}_efficiency"] = actual - std - rate
    summary = result.batch_summary.set_index("batch_id")
    to_cents = lambda col: money.to_cents(pd.Series(ids).map(summary[col]).fillna(0).to_numpy(dtype="float64"))  # noqa: E731
    actual_oh = to_cents("overhead_cost") + to_cents("direct_cost")
    out["material_price"] = mat_price
    out["material_usage"] = mat_actual - std_mat - mat_price
    out["overhead"] = actual_oh - std_oh
    codes = np.flatnonzero(completed)
    frame = pd.DataFrame({
        "batch_id": np.repeat(ids[codes], len(TYPES)),
        "variance_type": np.tile(np.array(TYPES, dtype=object), len(codes)),
        "amount": money.cents_to_float(np.stack([out[t][codes] for t in TYPES], axis=1).reshape(-1)),
    }).sort_values(["batch_id"], kind="stable").reset_index(drop=True)
    standard = std_mat + std_lab + std_mach + std_oh
    return frame, dict(zip(ids[codes], money.cents_to_float(standard[codes]), strict=True))
