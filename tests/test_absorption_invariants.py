"""Predetermined rates on random plants (tests/test_sqlmodel_equal.py `plants`): invariants that must hold for any
data and any rates (issue 17).

- absorbed + difference = actual, per pool and period, to the cent;
- each batch absorbs round(rate x its basis value), half away from zero, computed here in Decimal;
- the books balance per element: input = costed + unallocated + excluded + absorption difference;
- the absorption difference in reconciliation is the difference of the rows treated as `expense`;
- pools without a rate are split exactly as without rates;
- `difference: prorate` gives every batch its actual allocation again: the cost tables equal the run without
  rates (the ledger but for the zero rows of months a rated pool has no row yet).
"""

from __future__ import annotations

import tempfile
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit.core import money
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from tests.test_sqlmodel_equal import _folder, plants

RATES = st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("9.00"), Decimal("2.5025"), Decimal("123.456789"),
                         Decimal("0.000001"), Decimal("1000")])


@st.composite
def rated_plants(draw):
    tables, params, period = draw(plants())
    pool_ids = sorted(set(tables["cost_pools"]["pool_id"]))
    elements = sorted(set(tables["cost_pools"]["cost_element"]))
    by_pool = {p: str(draw(RATES)) for p in pool_ids if draw(st.booleans())}
    by_element = {e: str(draw(RATES)) for e in elements if draw(st.booleans())}
    return tables, params, period, {"by_pool": by_pool, "by_cost_element": by_element}


def run(ds, period, params):
    with sqlmodel.Engine(threads=1) as engine:
        return sqlmodel.cost_tables(ds, period, params, engine=engine)


def cents(values) -> np.ndarray:
    return money.to_cents(np.asarray(values, dtype="float64"))


def key(frame: pd.DataFrame) -> pd.Series:
    return frame["pool_id"] + "@" + frame["period"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow],
          max_examples=max(10, settings.default.max_examples // 3))
@given(rated_plants(), st.sampled_from(["expense", "prorate"]))
def test_absorption_invariants(plant, difference):
    tables, base, period, rates = plant
    params = Params.model_validate({**base.model_dump(), "absorption": {"rates": rates, "difference": difference}})
    with tempfile.TemporaryDirectory() as tmp:
        ds = batchkit.load_dataset(_folder(tables, tmp), params)
    assume(batchkit.validate(ds).query("severity == 'error'").empty)
    got, plain = run(ds, period, params), run(ds, period, base)
    ab = got["absorption"]
    event(f"{len(ab)} absorption rows, {int((ab['actual_amount'] == 0).sum())} without an actual amount")

    # absorbed + difference = actual, per pool and period
    assert np.array_equal(cents(ab["absorbed_amount"]) + cents(ab["difference_amount"]), cents(ab["actual_amount"]))
    # every pool with a rate (by_pool first) has its row for each period from its first row to the run's
    pools = tables["cost_pools"][tables["cost_pools"]["period"] <= period]
    expected_rate = {p: Decimal(rates["by_pool"][p]) if p in rates["by_pool"] else
                     Decimal(rates["by_cost_element"][e]) if e in rates["by_cost_element"] else None
                     for p, e in zip(pools["pool_id"], pools["cost_element"], strict=True)}
    for _, row in ab[ab["actual_amount"] != 0].iterrows():
        assert Decimal(repr(row["rate"])) == expected_rate[row["pool_id"]]
    actual_keys = set(key(pools))
    rated_actual = {k for k, p in zip(key(pools), pools["pool_id"], strict=True) if expected_rate[p] is not None}
    assert rated_actual <= set(key(ab))

    # each batch absorbs round(rate x basis), half away from zero (expense: the ledger is what was absorbed)
    led, plain_led = got["allocation_ledger"], plain["allocation_ledger"]
    rate_of = dict(zip(key(ab), ab["rate"], strict=True))
    absorbed = led[key(led).isin(rate_of)]
    if difference == "expense":
        for k, b, amount in zip(key(absorbed), absorbed["basis_value"], absorbed["amount"], strict=True):
            exact = (Decimal(repr(rate_of[k])) * Decimal(repr(b)) * 100).quantize(Decimal(1), ROUND_HALF_UP)
            assert cents([amount])[0] == int(exact)
        per_pool = absorbed.groupby(key(absorbed))["amount"].apply(lambda a: int(cents(a).sum()))
        stated = dict(zip(key(ab), cents(ab["absorbed_amount"]), strict=True))
        assert all(stated[k] == v for k, v in per_pool.items())
        # pools without a rate: split as without rates
        mine, theirs = led[~key(led).isin(rate_of)], plain_led[~key(plain_led).isin(rate_of)]
        assert mine.reset_index(drop=True).equals(theirs.reset_index(drop=True))
    else:  # prorate: the actual allocation again; the cost tables as without rates
        real = led[key(led).isin(actual_keys)].reset_index(drop=True)
        assert real.equals(plain_led)
        assert not cents(led[~key(led).isin(actual_keys)]["amount"]).any()  # months without a row: 0 again
        for name in ("batch_costs", "batch_summary", "variances"):
            assert got[name].equals(plain[name]), name

    # the books balance per element, and the period cost is the difference of the rows treated as expense
    r = got["reconciliation"]
    left = cents(r["input_amount"]) - cents(r["costed_amount"]) - cents(r["unallocated_amount"]) \
        - cents(r["excluded_amount"]) - cents(r["absorption_difference_amount"])
    assert not left.any() and not cents(r["difference"]).any()
    expensed = ab[ab["treatment"] == "expense"]
    assert cents(r["absorption_difference_amount"]).sum() == cents(expensed["difference_amount"]).sum()
    # variable + fixed = total, with rates too
    s = got["batch_summary"]
    assert np.array_equal(cents(s["variable_cost"]) + cents(s["fixed_cost"]), cents(s["total_cost"]))
