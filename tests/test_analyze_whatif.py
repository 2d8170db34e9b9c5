"""Allocation what-if on the base plant (period 2026-01), unit costs under two bases by hand.

P-OH 100.00 of overhead; everything else is fixed:
  S1: resin 125.00 + labor 2 h x 50 = 100.00 + machine 3 h x 80 = 240.00 -> 465.00 + pool; 90 good
  F1: tube 6.25 + labor 160.00 + machine 20.00 -> 186.25 + 45 units of S1 + pool; 48 good
machine hours (S1 3, F1 1, F2 1): S1 60.00, F1 20.00, F2 20.00
  S1 525.00 / 90 = 5.833333; F1 charge 45 x 525.00 / 90 = 262.50 -> 468.75 / 48 = 9.765625
labor hours (S1 2, F1 4, F2 1): 28.5714 57.1428 14.2857 -> floors 28.57 57.14 14.28, the cent to F2 (.57)
  S1 493.57 / 90 = 5.484111; F1 charge 45 x 493.57 / 90 = 246.785 -> 246.79 (half up)
  F1 186.25 + 246.79 + 57.14 = 490.18 / 48 = 10.212083
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given

import batchkit
from batchkit import analyze
from batchkit.core.errors import DataError, ParamsError
from batchkit.core.params import Allocation, Params
from tests.test_analyze_stats import costed_plants
from tests.test_invariants import SETTINGS


@pytest.fixture
def ds(make_data):
    return batchkit.load_dataset(make_data(), Params())


def test_unit_costs_under_two_bases_by_hand(ds):
    w = analyze.whatif(ds, {"machine": {"default_basis": "machine_hours"}, "labor": {"default_basis": "labor_hours"}},
                       "2026-01", Params())
    u = w.unit_costs.set_index("batch_id")
    assert u.loc["S1", ["machine", "labor"]].tolist() == pytest.approx([525.00 / 90, 493.57 / 90])
    assert u.loc["F1", ["machine", "labor"]].tolist() == pytest.approx([468.75 / 48, 490.18 / 48])
    assert u.loc["F2", ["machine", "labor"]].isna().all()  # WIP: no unit cost
    t = w.total_costs.set_index("batch_id")
    # F2 (WIP) also takes 30 of S1: 175.00 -> 30 x 493.57 / 90 = 164.523 -> 164.52; pool 20.00 -> 14.29
    assert t.loc["F2", ["machine", "labor"]].tolist() == [255.00, 255.00 - 175.00 + 164.52 - 20.00 + 14.29]
    # movers vs the first config: S1 -0.349222 (-5.9867 %), F1 +0.446458 (+4.5717 %)
    mv = w.movers.set_index("batch_id")
    assert mv.loc[["S1", "F1"], "change"].tolist() == pytest.approx([493.57 / 90 - 525 / 90,
                                                                     490.18 / 48 - 468.75 / 48])
    assert mv.loc[["S1", "F1"], "change_pct"].tolist() == pytest.approx([-5.986667, 4.571733], rel=1e-6)
    assert mv.loc["S1", "rank_pct"] == 1 and mv.loc["F1", "rank_abs"] == 1
    # items: each batch is its item's only completed batch here
    it = w.items.set_index("item_id")
    assert it.loc["CATH-1", ["machine", "labor"]].tolist() == pytest.approx([468.75 / 48, 490.18 / 48])
    # per pool: who gains and who loses
    sens = w.sensitivity[["pool_id", "batch_id", "machine", "labor", "change_labor"]]
    assert sens.values.tolist() == [["P-OH", "F1", 20.00, 57.14, 37.14], ["P-OH", "S1", 60.00, 28.57, -31.43],
                                    ["P-OH", "F2", 20.00, 14.29, -5.71]]


def test_a_fragment_merges_onto_the_params_and_an_allocation_is_taken_as_is(ds):
    params = Params.model_validate({"allocation": {"by_pool": {"P-OH": "labor_hours"}}})
    w = analyze.whatif(ds, {"params": {}, "equal_default": {"default_basis": "equal"},
                            "equal": Allocation(default_basis="equal")}, "2026-01", params)
    assert w.configs["params"].by_pool == {"P-OH": "labor_hours"}
    assert w.configs["equal_default"].by_pool == {"P-OH": "labor_hours"}  # by_pool still wins
    # equal: 33.33 each and the leftover cent to the smallest batch_id, F1 (ties): F1 33.34
    # S1 465 + 33.33 = 498.33 / 90; F1 charge 45 x 498.33 / 90 = 249.165 -> 249.17; 186.25 + 249.17 + 33.34 = 468.76
    u = w.unit_costs.set_index("batch_id")
    assert u.loc["S1", ["params", "equal_default", "equal"]].tolist() == pytest.approx(
        [493.57 / 90, 493.57 / 90, 498.33 / 90])
    assert u.loc["F1", "equal"] == pytest.approx(468.76 / 48)


def test_a_bad_config_names_itself_and_the_key(ds):
    with pytest.raises(ParamsError) as err:
        analyze.whatif(ds, {"base": {}, "typo": {"default_basis": "labour_hours"}}, "2026-01", Params())
    assert str(err.value).startswith("what-if config 'typo': default_basis: unknown basis 'labour_hours'")
    assert err.value.key == "default_basis"


def test_reallocating_does_not_reprice_or_recost(ds, monkeypatch):
    batchkit.cost(ds, "2026-01", Params())
    analyze.whatif(ds, {"a": {}, "b": {"default_basis": "labor_hours"}}, "2026-01", Params())

    def boom(*args, **kwargs):
        raise AssertionError("materials and hours were priced or summed again")

    monkeypatch.setattr("batchkit.ledger.postings._price_materials", boom)
    monkeypatch.setattr("batchkit.ledger.postings._price_operations", boom)
    monkeypatch.setattr("batchkit.analyze.scenarios.run_frame", boom)
    w = analyze.whatif(ds, {"a": {}, "c": {"default_basis": "equal"}}, "2026-01", Params())
    assert w.unit_costs.set_index("batch_id").loc["S1", "c"] == pytest.approx(498.33 / 90)


@SETTINGS
@given(costed_plants)
def test_the_params_own_allocation_gives_exactly_the_costs_of_cost(res):
    params = res.params
    w = analyze.whatif(res.dataset, {"own": params.allocation, "equal": {"default_basis": "equal"}}, res.period,
                       params)
    s = res.batch_summary.set_index("batch_id")
    u = w.unit_costs.set_index("batch_id")
    t = w.total_costs.set_index("batch_id")
    assert list(u.index) == list(s.index)
    pd.testing.assert_series_equal(u["own"], s["unit_cost"], check_names=False, check_exact=True)
    pd.testing.assert_series_equal(t["own"], s["total_cost"], check_names=False, check_exact=True)
    # every pool of the run splits to the cent under the other basis too (or is left unallocated by both)
    assert "sensitivity" not in vars(w)  # built when first read, then kept
    sens = w.sensitivity
    assert w.sensitivity is sens
    if not sens.empty:
        per_pool = sens.groupby(["pool_id", "period"])[["own", "equal"]].sum().round(2)
        led = res.allocation_ledger.groupby(["pool_id", "period"])["amount"].sum().round(2)
        assert per_pool["own"].reindex(led.index).tolist() == led.tolist()


def test_a_dataset_with_blocking_errors_is_refused_as_by_cost(make_data):
    data = make_data(rates="work_center,labor_rate,machine_rate\nWC1,50,80\n")  # WC2 has no rate
    ds = batchkit.load_dataset(data, Params())
    with pytest.raises(DataError) as err:
        analyze.whatif(ds, {"a": {}}, "2026-01", Params())
    with pytest.raises(DataError) as by_cost:
        batchkit.cost(ds, "2026-01", Params())
    assert str(err.value) == str(by_cost.value)
