"""Variable and fixed cost per batch (issue 17; params `cost_behavior:`), by hand and as invariants.

The base plant (tests/conftest.py BASE): S1 (a sub-assembly, 90 good) costs material 10 x 12.50 = 125.00,
labor 2 x 50 = 100.00, machine 3 x 80 = 240.00 and its share of the 100.00 overhead pool (machine hours
3 of 5: 60.00) = 525.00; F1 consumes 45 of S1, F2 30. Defaults: material, labor, machine, direct costs
variable; pools fixed unless named.
"""

from __future__ import annotations

import tempfile

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit.core import money
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from tests.conftest import BASE
from tests.test_sqlmodel_equal import _folder, plants


def summary(make_data, base=None, period: str = "2026-01", **params):
    p = Params.model_validate(params)
    ds = batchkit.load_dataset(make_data(base=base or BASE), p)
    with sqlmodel.Engine(threads=1) as engine:
        s = sqlmodel.cost_tables(ds, period, p, engine=engine)["batch_summary"]
    return {b: (t, v, f) for b, t, v, f in zip(s["batch_id"], s["total_cost"], s["variable_cost"], s["fixed_cost"],
                                               strict=True)}


def test_defaults_pools_fixed_and_the_sub_assembly_carries_its_split(make_data):
    got = summary(make_data)
    # S1: fixed = the pool's 60.00; variable = 525.00 - 60.00 = 465.00
    # F1: own pool share 20.00 (1 machine hour of 5) + the fixed part of 45 units of S1, 45 x 60.00 / 90 = 30.00
    #     -> fixed 50.00; total 468.75 (tests/test_cost_direct.py), variable 418.75
    # F2: 20.00 + 30 x 60.00 / 90 = 20.00 -> 40.00 of 255.00, variable 215.00
    assert got == {"F1": (468.75, 418.75, 50.0), "F2": (255.0, 215.0, 40.0), "S1": (525.0, 465.0, 60.0)}


def test_the_fixed_part_of_a_charge_rounds_half_up_per_row(make_data):
    pools = "pool_id,cost_element,period,amount\nP-OH,overhead,2026-01,100.01\n"
    got = summary(make_data, base={**BASE, "cost_pools": pools})
    # 100.01 by machine hours 3:1:1: 60.006, 20.002, 20.002 -> floors 60.00, 20.00, 20.00, the cent left to
    # the largest remainder (S1, .6): S1 60.01, F1 20.00, F2 20.00. S1 total 465.00 + 60.01 = 525.01
    # F1: charge 45 x 525.01 / 90 = 262.505 -> 262.51; its fixed part 45 x 60.01 / 90 = 30.005 -> 30.01 (half up),
    #     variable part 262.51 - 30.01 = 232.50; fixed 20.00 + 30.01 = 50.01;
    #     total 6.25 + 160 + 20 + 20.00 + 262.51 = 468.76, variable 468.76 - 50.01 = 418.75
    # F2: charge 30 x 525.01 / 90 = 175.0033 -> 175.00, fixed part 30 x 60.01 / 90 = 20.0033 -> 20.00;
    #     total 40 + 20 + 20.00 + 175.00 = 255.00, fixed 40.00
    assert got == {"F1": (468.76, 418.75, 50.01), "F2": (255.0, 215.0, 40.0), "S1": (525.01, 465.0, 60.01)}


def test_named_elements_override_the_defaults(make_data):
    direct = "batch_id,cost_element,amount,date\nF1,sterilization,12.34,2026-01-20\n"
    got = summary(make_data, base={**BASE, "direct_costs": direct},
                  cost_behavior={"labor": "fixed", "overhead": "variable", "sterilization": "fixed"})
    # S1: fixed = labor 100.00 (overhead now variable): 100.00 of 525.00
    # F1: own labor 4 x 40 = 160.00 + sterilization 12.34 + 45 x 100.00 / 90 = 50.00 -> 222.34;
    #     total 468.75 + 12.34 = 481.09, variable 481.09 - 222.34 = 258.75
    # F2: labor 40.00 + 30 x 100 / 90 = 33.333 -> 33.33: 73.33 of 255.00, variable 181.67
    assert got == {"F1": (481.09, 258.75, 222.34), "F2": (255.0, 181.67, 73.33), "S1": (525.0, 425.0, 100.0)}


def _cents(frame, column):
    return money.to_cents(frame[column].to_numpy(dtype="float64"))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow],
          max_examples=max(10, settings.default.max_examples // 3))
@given(plants(), st.sampled_from(["default", "all fixed", "all variable"]))
def test_variable_plus_fixed_is_total_and_all_fixed_carries_through_every_level(plant, mode):
    tables, params, period = plant
    elements = {"material", "labor", "machine", *tables["cost_pools"]["cost_element"],
                *tables["direct_costs"]["cost_element"]}
    behavior = {} if mode == "default" else {e: mode.split()[1] for e in elements}
    params = Params.model_validate({**params.model_dump(), "cost_behavior": behavior})
    with tempfile.TemporaryDirectory() as tmp:
        ds = batchkit.load_dataset(_folder(tables, tmp), params)
    assume(batchkit.validate(ds).query("severity == 'error'").empty)
    with sqlmodel.Engine(threads=1) as engine:
        s = sqlmodel.cost_tables(ds, period, params, engine=engine)["batch_summary"]
    total, variable, fixed = (_cents(s, c) for c in ("total_cost", "variable_cost", "fixed_cost"))
    assert np.array_equal(variable + fixed, total)
    if mode == "all fixed":  # every element fixed: a charge's fixed part is the charge (same rounding)
        assert np.array_equal(fixed, total)
    elif mode == "all variable":
        assert not fixed.any()
    else:  # default: fixed is the pools (own shares and the sub-assemblies' carried parts)
        overhead = _cents(s, "overhead_cost")
        has_sub = _cents(s, "subassembly_cost") != 0
        assert np.array_equal(fixed[~has_sub], overhead[~has_sub])
