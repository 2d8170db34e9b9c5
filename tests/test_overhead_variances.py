"""Fixed overhead spending and volume variances (issue 17 item 4): standard_overhead with a behavior column.

The plant is tests/test_absorption.py's: A (ITEM-X, 10 good, 2 machine hours) and C (ITEM-Y, 20 good, 4 machine
hours) complete in January; B is work in progress. Materials 1.00 a unit (A 10.00, C 20.00), machine 5.00 an hour
(A 10.00, C 20.00), the depreciation pool P-DEP of 90.00 by machine hours (A 2/9, B 3/9, C 4/9).

Standards, overhead only (no BOM or routing: all material and machine cost is usage/efficiency):
ITEM-X depreciation 1.50 a unit, fixed (A: 10 x 1.50 = 15.00), and energy 0.50, variable (A: 5.00), so A's
standard is 20.00; ITEM-Y depreciation 2.00 a unit, fixed (C: 20 x 2.00 = 40.00). Every figure below is worked out
in the comments next to its assertion.
"""

from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit import load_dataset
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from tests.test_absorption import PLANT
from tests.test_absorption_invariants import RATES, cents, rated_plants
from tests.test_sqlmodel_equal import _folder

STANDARD = """
    item_id,cost_element,std_cost_per_unit,behavior
    ITEM-X,depreciation,1.50,fixed
    ITEM-X,energy,0.50,variable
    ITEM-Y,depreciation,2.00,Fixed
"""
WITH_BEHAVIOR = {**PLANT, "standard_overhead": STANDARD}
WITHOUT_BEHAVIOR = {**PLANT, "standard_overhead": """
    item_id,cost_element,std_cost_per_unit
    ITEM-X,depreciation,1.50
    ITEM-X,energy,0.50
    ITEM-Y,depreciation,2.00
"""}
SEVEN = ["material_price", "material_usage", "labor_rate", "labor_efficiency", "machine_rate", "machine_efficiency",
         "overhead"]
NINE = [*SEVEN, "overhead_spending", "overhead_volume"]


def run(make_data, base, **params):
    p = Params.model_validate(params)
    ds = load_dataset(make_data(base=base), p)
    with sqlmodel.Engine(threads=1) as engine:
        return sqlmodel.cost_tables(ds, "2026-01", p, engine=engine)


def variances(t) -> dict[str, dict[str, float]]:
    v = t["variances"]
    return {b: dict(zip(g["variance_type"], g["amount"], strict=True)) for b, g in v.groupby("batch_id")}


def test_expense_the_batch_carries_what_it_absorbed_no_spending_and_the_volume_against_standard(make_data):
    t = run(make_data, WITH_BEHAVIOR, absorption={"rates": {"by_pool": {"P-DEP": 9.00}}})
    v = variances(t)
    assert list(t["variances"]["variance_type"][:9]) == NINE
    # A: charged = absorbed = 9.00 x 2 = 18.00: spending 18 - 18 = 0; volume 18.00 - fixed standard 15.00 = 3.00;
    # overhead = pools 18.00 - rated fixed 18.00 - (standard 20.00 - fixed 15.00) = -5.00 (energy never came)
    assert v["A"] == {"material_price": 0, "material_usage": 10.0, "labor_rate": 0, "labor_efficiency": 0,
                      "machine_rate": 0, "machine_efficiency": 10.0, "overhead": -5.0, "overhead_spending": 0.0,
                      "overhead_volume": 3.0}
    # 10 + 10 - 5 + 0 + 3 = 18.00 = total (10 + 10 + 18 = 38.00) - standard 20.00
    # C: absorbed 9.00 x 4 = 36.00 against 40.00 standard: volume -4.00 (favorable); overhead 36 - 36 - 0 = 0
    assert (v["C"]["overhead"], v["C"]["overhead_spending"], v["C"]["overhead_volume"]) == (0.0, 0.0, -4.0)
    s = t["batch_summary"].set_index("batch_id")
    for b in ("A", "C"):
        assert round(sum(v[b].values()), 2) == round(s.loc[b, "total_cost"] - s.loc[b, "standard_cost"], 2)
    assert "B" not in v  # work in progress: no variances


def test_prorate_the_spending_variance_is_the_batch_share_of_the_under_absorption(make_data):
    t = run(make_data, WITH_BEHAVIOR, absorption={"rates": {"by_pool": {"P-DEP": 9.00}}, "difference": "prorate"})
    v = variances(t)
    # A carries its actual 20.00 (90 x 2/9) of which it absorbed 18.00: spending 2.00 (its 2/9 of the 9.00
    # under-absorbed), volume 18.00 - 15.00 = 3.00, overhead 20 - 20 - 5 = -5.00; all nine: 10 + 10 - 5 + 2 + 3
    # = 20.00 = 40.00 - 20.00
    assert (v["A"]["overhead"], v["A"]["overhead_spending"], v["A"]["overhead_volume"]) == (-5.0, 2.0, 3.0)
    assert round(sum(v["A"].values()), 2) == 20.0
    # C carries 40.00, absorbed 36.00: spending 4.00, volume 36 - 40 = -4.00: its fixed overhead met standard
    assert (v["C"]["overhead"], v["C"]["overhead_spending"], v["C"]["overhead_volume"]) == (0.0, 4.0, -4.0)


def test_over_absorption_gives_a_favorable_spending_variance(make_data):
    t = run(make_data, WITH_BEHAVIOR, absorption={"rates": {"by_pool": {"P-DEP": 11.00}}, "difference": "prorate"})
    v = variances(t)
    # A absorbed 11.00 x 2 = 22.00, carries its actual 20.00: spending 20 - 22 = -2.00; volume 22 - 15 = 7.00
    assert (v["A"]["overhead_spending"], v["A"]["overhead_volume"], v["A"]["overhead"]) == (-2.0, 7.0, -5.0)


def test_without_a_predetermined_rate_the_fixed_overhead_stays_in_overhead(make_data):
    t = run(make_data, WITH_BEHAVIOR)
    v = variances(t)
    # A: actual split 20.00 - standard 20.00 = 0 in overhead; the two new types are written, at 0
    assert (v["A"]["overhead"], v["A"]["overhead_spending"], v["A"]["overhead_volume"]) == (0.0, 0.0, 0.0)
    # C: 40.00 - 40.00 = 0
    assert (v["C"]["overhead"], v["C"]["overhead_spending"], v["C"]["overhead_volume"]) == (0.0, 0.0, 0.0)


def test_a_fixed_standard_of_an_element_without_a_rate_stays_in_overhead(make_data):
    standard = STANDARD + "    ITEM-X,quality,0.30,fixed\n"
    t = run(make_data, {**PLANT, "standard_overhead": standard}, absorption={"rates": {"by_pool": {"P-DEP": 9.00}}})
    v = variances(t)
    # quality has no rated pool: its 10 x 0.30 = 3.00 of standard stays in overhead: -5.00 - 3.00 = -8.00;
    # volume still 18.00 - 15.00 = 3.00
    assert (v["A"]["overhead"], v["A"]["overhead_volume"]) == (-8.0, 3.0)


def test_without_the_behavior_column_the_outputs_are_those_of_before(make_data):
    rates = {"rates": {"by_pool": {"P-DEP": 9.00}}}
    t = run(make_data, WITHOUT_BEHAVIOR, absorption=rates)
    assert sorted(set(t["variances"]["variance_type"])) == sorted(SEVEN)
    # A: overhead = pools 18.00 - standard 20.00 = -2.00 (the fixed and variable standard together)
    assert variances(t)["A"]["overhead"] == -2.0
    with_column = run(make_data, WITH_BEHAVIOR, absorption=rates)
    # the other tables do not depend on the column
    for name in ("batch_costs", "batch_summary", "allocation_ledger", "reconciliation", "absorption"):
        assert t[name].equals(with_column[name]), name
    # the nine on the same batch regroup the seven: overhead -2.00 = -5.00 + 0 + 3.00
    nine = variances(with_column)["A"]
    assert nine["overhead"] + nine["overhead_spending"] + nine["overhead_volume"] == -2.0


def test_a_behavior_other_than_fixed_or_variable_is_an_error_naming_the_row(make_data):
    bad = STANDARD.replace("ITEM-X,energy,0.50,variable", "ITEM-X,energy,0.50,semi")
    ds = load_dataset(make_data(base={**PLANT, "standard_overhead": bad}), Params())
    f = batchkit.validate(ds)
    row = f[f["check"] == "bad_overhead_behavior"].iloc[0]
    # header is row 1: the energy line is row 3
    assert (row["severity"], row["table"], row["row"], row["column"]) == ("error", "standard_overhead", 3,
                                                                          "behavior")
    assert "'semi' is not fixed or variable" in row["message"]


@st.composite
def behavior_plants(draw):
    tables, params, period, rates = draw(rated_plants())
    so = tables["standard_overhead"]
    rows = [{"item_id": f"I{i}", "cost_element": e, "std_cost_per_unit": draw(RATES),
             "behavior": draw(st.sampled_from(["fixed", "variable", ""]))}
            for i in range(3) for e in ("oh", "dep", "energy") if draw(st.booleans())]
    tables["standard_overhead"] = so.__class__(rows or [{"item_id": "I2", "cost_element": "oh",
                                                         "std_cost_per_unit": 0.4, "behavior": "fixed"}])
    return tables, params, period, rates


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow],
          max_examples=max(8, settings.default.max_examples // 8))
@given(behavior_plants(), st.sampled_from(["expense", "prorate"]))
def test_the_nine_types_sum_to_total_less_standard_and_regroup_the_seven(plant, difference):
    tables, base, period, rates = plant
    params = Params.model_validate({**base.model_dump(), "absorption": {"rates": rates, "difference": difference}})
    plain = tables["standard_overhead"].drop(columns="behavior")
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as tmp_plain:
        ds = load_dataset(_folder(tables, tmp), params)
        ds_plain = load_dataset(_folder({**tables, "standard_overhead": plain}, tmp_plain), params)
    assume(batchkit.validate(ds).query("severity == 'error'").empty)
    with sqlmodel.Engine(threads=1) as engine:
        got = sqlmodel.cost_tables(ds, period, params, engine=engine)
    with sqlmodel.Engine(threads=1) as engine:
        seven = sqlmodel.cost_tables(ds_plain, period, params, engine=engine)
    v, s = got["variances"], got["batch_summary"].set_index("batch_id")
    # per batch: the nine sum to total cost - standard cost, to the cent
    per = v.assign(c=cents(v["amount"])).groupby("batch_id")["c"].sum()
    assert np.array_equal(per.to_numpy(), (cents(s.loc[per.index, "total_cost"])
                                           - cents(s.loc[per.index, "standard_cost"])))
    # and regroup the seven: overhead + spending + volume = the overhead without the column, the rest unchanged
    wide = v.pivot(index="batch_id", columns="variance_type", values="amount")
    old = seven["variances"].pivot(index="batch_id", columns="variance_type", values="amount")
    if old.empty:  # no completed batch with a standard
        assert wide.empty
        return
    assert sorted(old.columns) == sorted(SEVEN)
    if not tables["standard_overhead"]["behavior"].astype(str).str.strip().ne("").any():
        # no row has a behavior value (the draw gave "" everywhere): the contract keeps the seven types as they
        # were, so the variances equal those without the column, row for row
        pd.testing.assert_frame_equal(wide, old)
        return
    for c in SEVEN[:-1]:
        assert np.array_equal(cents(wide[c]), cents(old[c]))
    assert np.array_equal(cents(wide["overhead"]) + cents(wide["overhead_spending"]) + cents(wide["overhead_volume"]),
                          cents(old["overhead"]))
    if difference == "expense":  # the batch carries what it absorbed: no spending variance on a batch
        assert not cents(wide["overhead_spending"]).any()


def test_the_split_statements_transpile_to_spark_without_warnings(make_data, caplog):
    import logging

    import sqlglot
    from sqlglot.errors import ErrorLevel

    from tests.test_sqlmodel_transpile import FORBIDDEN

    p = Params.model_validate({"absorption": {"rates": {"by_pool": {"P-DEP": 9.00}}, "difference": "prorate"}})
    ds = load_dataset(make_data(base=WITH_BEHAVIOR), p)
    with sqlmodel.Engine(threads=1) as engine:
        sqlmodel.cost_tables(ds, "2026-01", p, engine=engine)
        session = sqlmodel.open_session(ds, engine)
        emitted = [(st.step, st.sql) for st in engine.log if st.step in ("std_overhead", "standard", "fixed_oh",
                                                                           "variance", "behavior", "rated")]
        emitted += [(f"{n} (wide)", sql) for n, sql in session.wide_sql.items() if n == "standard"]
    assert {"fixed_oh", "variance", "standard (wide)"} <= {s for s, _ in emitted}
    caplog.set_level(logging.WARNING, logger="sqlglot")
    for step, sql in emitted:
        assert len(sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)) == 1, step
        assert not any(word in sql.upper() for word in FORBIDDEN), step
        assert "P-DEP" not in sql and "depreciation" not in sql, step  # values stay out of the SQL text
    assert not caplog.records, [r.getMessage() for r in caplog.records]


@pytest.mark.slow
def test_the_split_is_the_same_on_spark(make_data):
    from batchkit.engine.spark import SparkEngine

    for difference in ("expense", "prorate"):
        p = Params.model_validate({"absorption": {"rates": {"by_pool": {"P-DEP": 9.00}}, "difference": difference}})
        with sqlmodel.Engine(threads=1) as engine:
            expected = sqlmodel.cost_tables(load_dataset(make_data(base=WITH_BEHAVIOR), p), "2026-01", p,
                                            engine=engine)
        with SparkEngine() as spark:
            got = sqlmodel.cost_tables(load_dataset(make_data(base=WITH_BEHAVIOR), p), "2026-01", p, engine=spark)
        pd.testing.assert_frame_equal(got["variances"], expected["variances"], check_exact=True)
        assert list(got["variances"]["variance_type"][:9]) == NINE
