"""The SQL cost model (batchkit.costing.sql on DuckDB): invariants no engine detail can satisfy by accident.

The figures of the tiny plants of the other test modules are derived by hand
there (through `batchkit.cost`, which runs this model). Here, on those plants
and on random small plants (hypothesis) that exercise half cents, returns,
late postings, unknown batches, rate ranges, every basis and scope, negative
pools, sub-assemblies on several levels, reserved element names and
standards:
- the rows' order in the inputs changes nothing (same columns, dtypes, row
  order and values, so the same bytes on disk);
- the books balance: every element's input, recomputed here from the raw
  rows with Decimal (one rounding per row, half away from zero), equals
  costed + unallocated + excluded, costed being the batches' cost of it;
- each batch's elements add up to its total, so do its cost-by-kind
  columns, and its seven variances to total - standard cost;
- every pool some batch took splits to its amount to the cent.
"""

from __future__ import annotations

import random
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit.core import money
from batchkit.core.model import Dataset
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from batchkit.store.tables import write_tables as write_outputs
from tests.conftest import BASE
from tests.test_allocation import BASES as PLANT_BASES
from tests.test_allocation import PLANT
from tests.test_cost_direct import ONE_BATCH
from tests.test_genealogy_cost import TREE
from tests.test_invariants import _day, plant_tables
from tests.test_invariants import _money as _num
from tests.test_variance import STANDARDS

TABLES = sqlmodel.TABLES


def both(folder: Path, period: str, params: Params, rnd=None) -> tuple[dict[str, pd.DataFrame],
                                                                       dict[str, pd.DataFrame]]:
    """The model's tables of one folder and period: as read, and with every table's rows shuffled."""
    ds = batchkit.load_dataset(folder, params)
    batchkit.validate(ds)
    with sqlmodel.Engine(threads=2) as engine:
        as_read = sqlmodel.cost_tables(ds, period, params, engine=engine)
    with sqlmodel.Engine(threads=1) as engine:
        other = sqlmodel.cost_tables(shuffled(ds, rnd or random.Random(13)), period, params, engine=engine)
    return as_read, other


def cents(values) -> np.ndarray:
    return money.to_cents(np.asarray(values, dtype="float64"))


def assert_balanced(tables: dict[str, pd.DataFrame]) -> None:
    """The per-batch and per-element identities every run satisfies (see the module docstring)."""
    summary, costs = tables["batch_summary"], tables["batch_costs"]
    total = pd.Series(cents(summary["total_cost"]), index=summary["batch_id"].to_numpy())
    by_batch = pd.Series(cents(costs["amount"]), index=costs["batch_id"].to_numpy()).groupby(level=0).sum()
    assert (by_batch.reindex(total.index, fill_value=0) == total).all()
    kinds = sum(cents(summary[c]) for c in ("material_cost", "subassembly_cost", "labor_cost", "machine_cost",
                                            "direct_cost", "overhead_cost"))
    assert (kinds == total.to_numpy()).all()
    var = tables["variances"]
    if not var.empty:
        per = pd.Series(cents(var["amount"]), index=var["batch_id"].to_numpy()).groupby(level=0).sum()
        std = summary.set_index("batch_id")["standard_cost"]
        assert std[per.index].notna().all()
        assert (per == total[per.index] - cents(std[per.index])).all()
    rec = tables["reconciliation"].set_index("cost_element")
    assert (rec["difference"] == 0).all()
    costed = pd.Series(cents(costs["amount"]), index=costs["cost_element"].to_numpy())
    costed = costed[costed.index != "subassembly"].groupby(level=0).sum()
    assert (costed.reindex(rec.index, fill_value=0) == cents(rec["costed_amount"])).all()
    assert (cents(rec["input_amount"]) == cents(rec["costed_amount"]) + cents(rec["unallocated_amount"])
            + cents(rec["excluded_amount"])).all()


def assert_same(expected: dict[str, pd.DataFrame], got: dict[str, pd.DataFrame]) -> None:
    assert list(got) == list(expected)
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True, obj=name)


CASES = {
    # base plant: a sub-assembly S1 consumed by F1 (completed) and F2 (WIP), one machine-hours pool
    "base": (BASE, {}, "2026-01", {}),
    # every basis and scope, a one-cent tie, an unallocated pool (tests/test_allocation.py)
    "allocation": (PLANT, {}, "2026-02", {"allocation": {"by_pool": PLANT_BASES}}),
    # returns, rates changing inside the month, an unknown batch, a late posting (tests/test_cost_direct.py)
    "one batch, January": (ONE_BATCH, {}, "2026-01", {}),
    "one batch, February": (ONE_BATCH, {}, "2026-02", {}),
    # three genealogy levels, rounding per issue row (tests/test_genealogy_cost.py)
    "tree": (TREE, {}, "2026-01", {}),
    # standard BOM (with a sub-assembly line and a line never used), routing, overhead (tests/test_variance.py)
    "standards": (BASE, STANDARDS, "2026-01", {}),
    "standards, abnormal scrap above 1%": (BASE, STANDARDS, "2026-01", {"scrap": {"normal_rate": 0.01}}),
    # the sub-assembly issued in two identical rows (one group of two in the model): charged and compared to
    # the standard per row (found by the random plants below)
    "standards, identical sub-assembly rows": (BASE, {**STANDARDS, "material_issues": STANDARDS["material_issues"]
                                                      .replace("F1,SUB-A,S1,45,,2026-01-12,D2",
                                                               "F1,SUB-A,S1,22.5,,2026-01-12,D2\n"
                                                               "F1,SUB-A,S1,22.5,,2026-01-13,D2B")},
                                               "2026-01", {}),
    # places of the unit costs used: 9 (0.004999999 x 1 = 0.004999999 -> 0.00); the unused lot L-9 would
    # cut them to 7 (123456789012.5 x 10^9 passes 2^61), and 0.0050000 x 1 would round to 0.01
    "places of the unit costs used": (BASE, {
        "material_issues": BASE["material_issues"] + "    F2,TINY,L-3,1,0.004999999,2026-01-16,D5\n",
        "material_lots": BASE["material_lots"] + "    L-3,TINY,Tiny,2025-12-21,0.004999999,10\n"
                                                 "    L-9,GOLD,Gold,2025-12-21,123456789012.5,1\n"}, "2026-01", {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_row_order_changes_nothing_and_the_books_balance_on_the_fixture_plants(make_data, case):
    base, tables, period, params = CASES[case]
    as_read, shuffled_rows = both(make_data(base=base, **tables), period, Params.model_validate(params))
    assert_same(as_read, shuffled_rows)
    assert_balanced(as_read)


def test_the_files_written_are_byte_identical_whatever_the_row_order(make_data, tmp_path):
    as_read, shuffled_rows = both(make_data(base=BASE, **STANDARDS), "2026-01", Params())
    for name, tables in (("as_read", as_read), ("shuffled", shuffled_rows)):
        (tmp_path / name).mkdir()
        write_outputs(tmp_path / name, tables)
    files = sorted(p.name for p in (tmp_path / "as_read").iterdir())
    assert len(files) == 2 * (len(TABLES) + 1)  # the five cost tables and absorption, as CSV and Parquet
    for f in files:
        assert (tmp_path / "shuffled" / f).read_bytes() == (tmp_path / "as_read" / f).read_bytes(), f


# ------------------------------------------------------------------ random plants

BASIS = ["labor_hours", "machine_hours", "good_units", "started_units", "material_cost", "direct_cost", "equal",
         "driver:loads", "driver:none"]


@st.composite
def plants(draw):
    """A small plant as CSV-ready frames, valid by construction (acyclic genealogy, net issues >= 0, rates
    covering every booking), with the params and the period to cost."""
    n = draw(st.integers(1, 6))
    batches = []
    for i in range(n):
        start = draw(st.integers(0, 100))
        done = draw(st.booleans())
        decimals = draw(st.sampled_from([0, 0, 1]))  # quantities in kg now and then
        started = _num(draw, 1, 500, decimals) or 1
        good = _num(draw, 0.1, started, decimals) if done else 0
        good = min(good, started)
        scrap = _num(draw, 0, started - good, decimals)
        batches.append({"batch_id": f"B{i}", "item_id": f"I{i % 3}", "product_line": draw(st.sampled_from("LM")),
                        "site": draw(st.sampled_from(["S1", "S2", ""])), "start_date": _day(start),
                        "end_date": _day(start + draw(st.integers(0, 25))) if done else "",
                        "qty_started": started, "qty_good": good, "qty_scrap": scrap, "_start": start})
    lots = [{"lot_id": f"L{j}", "material_id": f"M{j}", "supplier": "x", "unit_cost": _num(draw, 0, 50, 4)}
            for j in range(3)]
    issues, ops, direct, drivers = [], [], [], []
    for b in batches:
        for _ in range(draw(st.integers(0, 4))):
            lot = draw(st.integers(0, 2))
            qty = _num(draw, 0.001, 200, 3)
            own = draw(st.sampled_from(["", "", _num(draw, 0, 9, 4)]))
            when = b["_start"] + draw(st.integers(0, 40))  # some after the period end: late postings
            issues.append({"batch_id": b["batch_id"], "material_id": f"M{lot}", "lot_id": f"L{lot}", "qty": qty,
                           "unit_cost": own, "date": _day(when)})
            if draw(st.booleans()):  # a return of part of it, later
                issues.append({"batch_id": b["batch_id"], "material_id": f"M{lot}", "lot_id": f"L{lot}",
                               "qty": -round(qty * draw(st.sampled_from([0.5, 1.0])), 3), "unit_cost": own,
                               "date": _day(when + draw(st.integers(0, 5)))})
        for _ in range(draw(st.integers(0, 3))):
            ops.append({"batch_id": b["batch_id"], "operation": draw(st.sampled_from(["op", "pack"])),
                        "work_center": draw(st.sampled_from(["W1", "W2"])), "labor_hours": _num(draw, 0, 12, 2),
                        "machine_hours": _num(draw, 0, 12, 3), "date": _day(b["_start"] + draw(st.integers(0, 30)))})
        if draw(st.booleans()):
            direct.append({"batch_id": b["batch_id"],
                           "cost_element": draw(st.sampled_from(["steri", "test", "material"])),
                           "amount": _num(draw, -50, 500, 3), "date": _day(b["_start"] + draw(st.integers(0, 30)))})
        if draw(st.booleans()):
            drivers.append({"batch_id": b["batch_id"], "driver": "loads", "value": _num(draw, 0, 9, 1),
                            "period": _day(b["_start"])[:7]})
    for ci, c in enumerate(batches):  # sub-assemblies: an earlier batch with output, issued after it started
        for si in range(ci):
            s = batches[si]
            if s["qty_good"] > 0 and draw(st.booleans()):
                for _ in range(draw(st.integers(1, 2))):
                    issues.append({"batch_id": c["batch_id"], "material_id": s["item_id"], "lot_id": s["batch_id"],
                                   "qty": _num(draw, 0.1, max(0.1, s["qty_good"]), 1), "unit_cost": "",
                                   "date": _day(max(s["_start"], c["_start"]) + draw(st.integers(0, 5)))})
    if draw(st.booleans()):  # rows of a batch that is not in the master: excluded
        issues.append({"batch_id": "X1", "material_id": "M0", "lot_id": "L0", "qty": 3, "unit_cost": 1.2345,
                       "date": _day(3)})
        ops.append({"batch_id": "X1", "operation": "op", "work_center": "W2", "labor_hours": 1,
                    "machine_hours": 0.5, "date": _day(4)})
    pools, by_pool = [], {}
    for k in range(draw(st.integers(0, 6))):
        pid = f"P{k}"
        pools.append({"pool_id": pid, "cost_element": draw(st.sampled_from(["oh", "dep", "energy", "labor"])),
                      "period": draw(st.sampled_from(["2026-01", "2026-02", "2026-03", "2026-04"])),
                      "amount": draw(st.sampled_from([0.01, _num(draw, -100, 5000, 2), _num(draw, 0, 900, 3)])),
                      "product_line": draw(st.sampled_from(["", "", "L", "M"])),
                      "site": draw(st.sampled_from(["", "", "S1", "S9"])),
                      "work_center": draw(st.sampled_from(["", "", "W1", "W2"]))})
        by_pool[pid] = draw(st.sampled_from(BASIS))
    for b in batches:
        del b["_start"]
    rates = [
        {"work_center": "W1", "labor_rate": 55.5, "machine_rate": 81.25, "valid_from": "", "valid_to": "2026-02-14"},
        {"work_center": "W1", "labor_rate": 60, "machine_rate": 90.125, "valid_from": "2026-02-15", "valid_to": ""},
        {"work_center": "W2", "labor_rate": 42, "machine_rate": 33.3, "valid_from": "", "valid_to": ""},
        {"work_center": "W2", "labor_rate": 44.444, "machine_rate": 30, "valid_from": "2026-03-01",
         "valid_to": "2026-03-10"}]
    tables = {
        **plant_tables(batches, issues, lots, ops, rates, direct, drivers, pools),
        "standard_bom": pd.DataFrame([
            {"item_id": "I1", "material_id": "M0", "qty_per_unit": 0.25, "std_unit_cost": 1.5},
            {"item_id": "I1", "material_id": "I0", "qty_per_unit": 1, "std_unit_cost": 7.125},
            {"item_id": "I2", "material_id": "M2", "qty_per_unit": 2.5, "std_unit_cost": 0.333}]),
        "standard_routing": pd.DataFrame([
            {"item_id": "I1", "operation": "op", "work_center": "W1", "labor_hours_per_unit": 0.05,
             "machine_hours_per_unit": 0.125, "std_labor_rate": 50, "std_machine_rate": 80.5}]),
        "standard_overhead": pd.DataFrame([{"item_id": "I2", "cost_element": "oh", "std_cost_per_unit": 0.4}]),
    }
    params = Params.model_validate({"allocation": {"by_pool": by_pool,
                                                   "default_basis": draw(st.sampled_from(BASIS[:7]))},
                                    "scrap": {"normal_rate": draw(st.sampled_from([0, 0.02, 0.125]))}})
    return tables, params, draw(st.sampled_from(["2026-01", "2026-02", "2026-03", "2026-04"]))


def _folder(tables: dict[str, pd.DataFrame], root: str) -> Path:
    for name, frame in tables.items():
        frame.to_csv(Path(root) / f"{name}.csv", index=False)
    return Path(root)


def shuffled(ds: Dataset, rnd) -> Dataset:
    """The same dataset with every table's rows in another order (their source row numbers kept); its
    findings are the original's (validity does not depend on row order)."""
    tables = {name: frame.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
              for name, frame in ds.tables.items()}
    out = Dataset(tables, ds.sources, ds.findings, ds.params, ds.root)
    out.cache["findings"] = ds.cache["findings"]
    return out


def _to_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)  # ties away from zero


def _dec(value) -> Decimal:
    return Decimal(repr(float(value)))  # as the CSV holds it (pandas writes floats by repr)


def _rate(wc: str, day: str) -> tuple[Decimal, Decimal]:
    """The plants' fixed rates table, read by hand: W1 changes on 2026-02-15; W2 has a special rate 1-10 March
    (its later valid_from wins inside the window)."""
    if wc == "W1":
        return (Decimal("55.5"), Decimal("81.25")) if day <= "2026-02-14" else (Decimal("60"), Decimal("90.125"))
    if "2026-03-01" <= day <= "2026-03-10":
        return Decimal("44.444"), Decimal("30")
    return Decimal("42"), Decimal("33.3")


def reference_inputs(tables: dict[str, pd.DataFrame], period: str) -> dict[str, int]:
    """Every element's input as of the period end, in cents, from the raw rows: one rounding per row."""
    out: dict[str, int] = {}

    def add(element: str, amount: int) -> None:
        out[element] = out.get(element, 0) + amount

    batch_ids = set(tables["batches"]["batch_id"])
    lot_cost = dict(zip(tables["material_lots"]["lot_id"], tables["material_lots"]["unit_cost"], strict=True))
    for r in tables["material_issues"].itertuples():
        if r.date[:7] <= period and r.lot_id not in batch_ids:  # purchased lots; a batch as lot is a transfer
            unit = r.unit_cost if r.unit_cost != "" else lot_cost[r.lot_id]
            add("material", _to_cents(_dec(r.qty) * _dec(unit)))
    for r in tables["operations"].itertuples():
        if r.date[:7] <= period:
            labor, machine = _rate(r.work_center, r.date)
            add("labor", _to_cents(_dec(r.labor_hours) * labor))
            add("machine", _to_cents(_dec(r.machine_hours) * machine))
    for r in tables["direct_costs"].itertuples():
        if r.date[:7] <= period:
            add(r.cost_element, _to_cents(_dec(r.amount)))
    for r in tables["cost_pools"].itertuples():
        if r.period <= period:
            add(r.cost_element, _to_cents(_dec(r.amount)))
    return out


# half the profile's examples: each costs a plant twice (about a second)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow],
          max_examples=max(10, settings.default.max_examples // 2))
@given(plants(), st.randoms(use_true_random=False))
def test_random_plants_balance_against_their_raw_rows_in_any_row_order(plant, rnd):
    tables, params, period = plant
    with tempfile.TemporaryDirectory() as tmp:
        ds = batchkit.load_dataset(_folder(tables, tmp), params)
    assume(batchkit.validate(ds).query("severity == 'error'").empty)
    with sqlmodel.Engine(threads=2) as engine:
        expected = sqlmodel.cost_tables(ds, period, params, engine=engine)
    with sqlmodel.Engine(threads=1) as engine:
        got = sqlmodel.cost_tables(shuffled(ds, rnd), period, params, engine=engine)
    assert_same(expected, got)
    assert_balanced(got)
    rec = got["reconciliation"].set_index("cost_element")
    inputs = reference_inputs(tables, period)
    assert dict(zip(rec.index, cents(rec["input_amount"]).tolist(), strict=True)) == {
        k: inputs.get(k, 0) for k in rec.index}
    assert {k for k, v in inputs.items() if v} <= set(rec.index)
    # every pool that some batch took splits to its amount in cents exactly (the amount rounded half away
    # from zero to the cent: money.to_cents; the ledger's amounts are exact cents)
    pools = tables["cost_pools"].set_index("pool_id")["amount"]
    for pid, rows in got["allocation_ledger"].groupby("pool_id"):
        assert money.to_cents(rows["amount"].to_numpy()).sum() == money.to_cents(np.array([pools[pid]]))[0]
