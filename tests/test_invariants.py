"""Invariants on random plants (hypothesis): pools split exactly, books balance, row order does not matter."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit.core.params import Params

DAY0 = np.datetime64("2026-01-01")
BASES = ["labor_hours", "machine_hours", "good_units", "started_units", "material_cost", "direct_cost", "equal",
         "driver:loads"]


def _day(offset: int) -> str:
    return str(DAY0 + int(offset))


def _money(draw, lo: float, hi: float, places: int) -> float:
    return round(draw(st.floats(lo, hi, allow_nan=False)), places)



def plant_tables(batches: list[dict], issues: list[dict], lots: list[dict], ops: list[dict], rates: list[dict],
                 direct: list[dict], drivers: list[dict], pools: list[dict]) -> dict[str, pd.DataFrame]:
    """A random plant's rows as the input tables, each with its columns even when it has no row."""
    return {
        "batches": pd.DataFrame(batches),
        "material_issues": pd.DataFrame(issues, columns=["batch_id", "material_id", "lot_id", "qty", "unit_cost",
                                                         "date"]),
        "material_lots": pd.DataFrame(lots),
        "operations": pd.DataFrame(ops, columns=["batch_id", "operation", "work_center", "labor_hours",
                                                 "machine_hours", "date"]),
        "rates": pd.DataFrame(rates),
        "direct_costs": pd.DataFrame(direct, columns=["batch_id", "cost_element", "amount", "date"]),
        "drivers": pd.DataFrame(drivers, columns=["batch_id", "driver", "value", "period"]),
        "cost_pools": pd.DataFrame(pools, columns=["pool_id", "cost_element", "period", "amount", "product_line",
                                                   "site", "work_center"]),
    }


@st.composite
def plants(draw):
    """A small random plant whose genealogy is acyclic by construction (consumers come later)."""
    n = draw(st.integers(1, 7))
    batches = []
    for i in range(n):
        start = draw(st.integers(0, 80))
        done = draw(st.booleans())
        started = draw(st.integers(1, 500))
        good = draw(st.integers(1, started)) if done else 0
        scrap = draw(st.integers(0, started - good))
        end = _day(start + draw(st.integers(0, 20))) if done else ""
        batches.append({"batch_id": f"B{i}", "item_id": f"I{i % 3}", "product_line": draw(st.sampled_from("LM")),
                        "site": draw(st.sampled_from(["S1", "S2"])), "start_date": _day(start), "end_date": end,
                        "qty_started": started, "qty_good": good, "qty_scrap": scrap, "_start": start})
    lots = [{"lot_id": f"L{j}", "material_id": f"M{j}", "supplier": "x", "unit_cost": _money(draw, 0, 50, 4)}
            for j in range(3)]
    issues, ops, direct, drivers = [], [], [], []
    for b in batches:
        for _ in range(draw(st.integers(0, 4))):
            issues.append({"batch_id": b["batch_id"], "material_id": "M0", "lot_id": f"L{draw(st.integers(0, 2))}",
                           "qty": _money(draw, 0.001, 200, 3), "unit_cost": "",
                           "date": _day(b["_start"] + draw(st.integers(0, 15)))})
        for _ in range(draw(st.integers(0, 3))):
            wc = draw(st.sampled_from(["W1", "W2"]))
            ops.append({"batch_id": b["batch_id"], "operation": "op", "work_center": wc,
                        "labor_hours": _money(draw, 0, 12, 2), "machine_hours": _money(draw, 0, 12, 2),
                        "date": _day(b["_start"] + draw(st.integers(0, 15)))})
        if draw(st.booleans()):
            direct.append({"batch_id": b["batch_id"], "cost_element": draw(st.sampled_from(["steri", "test"])),
                           "amount": _money(draw, -50, 500, 2), "date": _day(b["_start"] + draw(st.integers(0, 9)))})
        if draw(st.booleans()):
            drivers.append({"batch_id": b["batch_id"], "driver": "loads", "value": _money(draw, 0, 9, 1),
                            "period": _day(b["_start"])[:7]})
    for ci, c in enumerate(batches):  # sub-assemblies: an earlier batch with output, issued after it started
        for si in range(ci):
            s = batches[si]
            if s["qty_good"] > 0 and draw(st.booleans()):
                when = max(s["_start"], c["_start"]) + draw(st.integers(0, 5))
                issues.append({"batch_id": c["batch_id"], "material_id": s["item_id"], "lot_id": s["batch_id"],
                               "qty": draw(st.integers(1, s["qty_good"])), "unit_cost": "", "date": _day(when)})
    if draw(st.booleans()):  # rows of a batch that is not in the master
        issues.append({"batch_id": "X1", "material_id": "M0", "lot_id": "L0", "qty": 3, "unit_cost": 1.25,
                       "date": _day(3)})
    pools, by_pool = [], {}
    for k in range(draw(st.integers(0, 6))):
        pid = f"P{k}"
        pools.append({"pool_id": pid, "cost_element": draw(st.sampled_from(["oh", "dep", "energy"])),
                      "period": draw(st.sampled_from(["2026-01", "2026-02", "2026-03"])),
                      "amount": _money(draw, -100, 5000, 2),
                      "product_line": draw(st.sampled_from(["", "", "L", "M"])),
                      "site": draw(st.sampled_from(["", "", "S1"])),
                      "work_center": draw(st.sampled_from(["", "", "W1"]))})
        by_pool[pid] = draw(st.sampled_from(BASES))
    for b in batches:
        del b["_start"]
    rates = [{"work_center": "W1", "labor_rate": 55.5, "machine_rate": 81.25, "valid_from": "",
              "valid_to": "2026-02-14"},
             {"work_center": "W1", "labor_rate": 60, "machine_rate": 90.125, "valid_from": "2026-02-15",
              "valid_to": ""},
             {"work_center": "W2", "labor_rate": 42, "machine_rate": 33.3, "valid_from": "", "valid_to": ""}]
    tables = plant_tables(batches, issues, lots, ops, rates, direct, drivers, pools)
    return tables, by_pool


def _cost(tables: dict[str, pd.DataFrame], by_pool: dict[str, str], period: str = "2026-03"):
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in tables.items():
            frame.to_csv(Path(tmp) / f"{name}.csv", index=False)
        params = Params.model_validate({"allocation": {"by_pool": by_pool}})
        ds = batchkit.load_dataset(tmp, params)
        errors = batchkit.validate(ds).query("severity == 'error'")
        assert errors.empty, errors["message"].tolist()
        return batchkit.cost(ds, period, params)


def _cents(values) -> np.ndarray:
    return np.rint(np.asarray(values, dtype="float64") * 100).astype(np.int64)


SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: conftest profiles


@SETTINGS
@given(plants())
def test_each_pool_splits_to_the_cent_and_the_books_balance(plant):
    tables, by_pool = plant
    result = _cost(tables, by_pool)
    led = result.allocation_ledger
    pools = tables["cost_pools"]
    rec = result.reconciliation
    unallocated = int(_cents(rec["unallocated_amount"]).sum())
    expected_unallocated = 0
    for _, pool in pools.iterrows():
        mine = led[led["pool_id"] == pool["pool_id"]]
        if mine.empty:
            expected_unallocated += round(pool["amount"] * 100)
        else:
            assert int(_cents(mine["amount"]).sum()) == round(pool["amount"] * 100)
    assert unallocated == expected_unallocated
    # per element: input = costed + unallocated + excluded, to the cent
    assert (_cents(rec["input_amount"]) == _cents(rec["costed_amount"]) + _cents(rec["unallocated_amount"])
            + _cents(rec["excluded_amount"])).all()
    # the whole dataset: batch costs (transfers excepted) + unallocated + excluded = inputs
    bc = result.batch_costs
    costed = int(_cents(bc.loc[bc["cost_element"] != "subassembly", "amount"]).sum())
    assert costed + unallocated + int(_cents(rec["excluded_amount"]).sum()) == int(_cents(rec["input_amount"]).sum())
    # totals are the sum of their elements
    per_batch = bc.groupby("batch_id")["amount"].apply(lambda a: int(_cents(a).sum()))
    s = result.batch_summary.set_index("batch_id")
    assert (per_batch.reindex(s.index).fillna(0).astype(int).to_numpy() == _cents(s["total_cost"])).all()


@SETTINGS
@given(plants(), st.randoms(use_true_random=False))
def test_costs_do_not_depend_on_row_order(plant, rnd):
    tables, by_pool = plant
    shuffled = {name: frame.sample(frac=1.0, random_state=rnd.randint(0, 2**31)) for name, frame in tables.items()}
    first, second = _cost(tables, by_pool), _cost(shuffled, by_pool)
    for name in ("batch_costs", "batch_summary", "allocation_ledger", "reconciliation", "variances"):
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name], check_exact=True)
