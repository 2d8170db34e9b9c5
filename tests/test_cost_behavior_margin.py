"""Contribution margin beside gross margin (issue 17): revenue - variable cost of the units shipped.

The plant is tests/test_absorption.py's (no rates): in January A costs material 10.00 + machine 2 x 5.00 +
its depreciation share 20.00 = 40.00 (variable 20.00, fixed 20.00) for 10 good units; C costs
20.00 + 20.00 + 40.00 = 80.00 (variable 40.00) for 20 good; B is still open (WIP: no unit cost, no margin).
So A and C both cost 4.00 a unit, of which 2.00 is variable.

The cost tables come from the SQL model, as `batchkit.cost` returns them once it runs on it.
"""

from __future__ import annotations

import math

import pytest

import batchkit
from batchkit.analyze import sales
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel
from tests.test_absorption import PLANT

SHIPMENTS = """
    batch_id,customer,ship_date,qty,revenue,doc_id
    A,CUST1,2026-01-21,3,30.00,S1
    C,CUST1,2026-01-26,5,50.00,S2
    C,CUST2,2026-01-27,1,7.77,S3
    B,CUST2,2026-01-28,1,9.00,S4
"""


@pytest.fixture
def result(make_data):
    params = Params()
    ds = batchkit.load_dataset(make_data(base={**PLANT, "shipments": SHIPMENTS}), params)
    result = batchkit.cost(ds, "2026-01", params)
    with sqlmodel.Engine(threads=1) as engine:
        result.tables.update(sqlmodel.cost_tables(ds, "2026-01", params, engine=engine))
    return result


def rows(result, by: str) -> dict[str, tuple]:
    m = sales.contribution_margin(result, by)
    key = {"batch": "batch_id", "item": "item_id"}.get(by, by)
    cols = ["revenue", "cost_of_sales", "margin", "variable_cost_of_sales", "contribution_margin"]
    return {k: tuple(m.loc[i, c] for c in cols) for i, k in enumerate(m[key])}


def test_each_line_has_its_variable_cost_and_contribution(result):
    lines = sales.shipment_lines(result)
    got = list(zip(lines["batch_id"], lines["variable_cost_of_sales"], lines["contribution_margin"], strict=True))
    # A: 3 x 2.00 = 6.00, 30.00 - 6.00 = 24.00; C: 5 x 2.00 = 10.00 -> 40.00; 1 x 2.00 -> 7.77 - 2.00 = 5.77;
    # B: WIP, no variable cost of sales and no contribution
    assert got[:3] == [("A", 6.0, 24.0), ("C", 10.0, 40.0), ("C", 2.0, 5.77)]
    assert got[3][0] == "B" and math.isnan(got[3][1]) and math.isnan(got[3][2])


def test_contribution_by_customer_line_item_and_batch(result):
    # CUST1: revenue 30 + 50 = 80.00, cost 12 + 20 = 32.00, margin 48.00, variable 6 + 10 = 16.00, contribution 64
    # CUST2: only C's line has a margin: 7.77, 4.00, 3.77, 2.00, 5.77 (B's 9.00 is revenue without margin)
    assert rows(result, "customer") == {"CUST1": (80.0, 32.0, 48.0, 16.0, 64.0), "CUST2": (7.77, 4.0, 3.77, 2.0, 5.77)}
    m = sales.contribution_margin(result, "customer").set_index("customer")
    assert m.loc["CUST1", "contribution_margin_pct"] == 80.0  # 100 x 64 / 80
    assert m.loc["CUST2", "revenue_without_margin"] == 9.0
    # L1 (A; B has no margin): 30, 12, 18, 6, 24; L2 (C): 57.77, 24.00, 33.77, 12.00, 45.77
    assert rows(result, "product_line") == {"L1": (30.0, 12.0, 18.0, 6.0, 24.0),
                                            "L2": (57.77, 24.0, 33.77, 12.0, 45.77)}
    assert rows(result, "item") == {"ITEM-X": (30.0, 12.0, 18.0, 6.0, 24.0),
                                    "ITEM-Y": (57.77, 24.0, 33.77, 12.0, 45.77)}
    assert rows(result, "batch") == {"A": (30.0, 12.0, 18.0, 6.0, 24.0), "B": (0.0, 0.0, 0.0, 0.0, 0.0),
                                     "C": (57.77, 24.0, 33.77, 12.0, 45.77)}


def test_contribution_is_margin_plus_the_fixed_cost_of_the_units_shipped(result):
    # per line: contribution - margin = cost of sales - variable cost of sales = the fixed part, >= 0 here
    lines = sales.shipment_lines(result).dropna(subset=["margin"])
    fixed = (lines["cost_of_sales"] - lines["variable_cost_of_sales"]).round(2)
    assert ((lines["contribution_margin"] - lines["margin"]).round(2) == fixed).all()
    assert list(fixed) == [6.0, 10.0, 2.0]  # 3, 5 and 1 units x 2.00 fixed a unit


def test_without_variable_cost_in_the_summary_contribution_is_unknown(result):
    result.tables["batch_summary"] = result.tables["batch_summary"].drop(columns=["variable_cost", "fixed_cost"])
    m = sales.contribution_margin(result, "customer")
    assert m["contribution_margin"].isna().all() and m["margin"].notna().all()


def test_gross_margin_is_the_contribution_table_without_its_contribution_columns(result):
    for by in ("batch", "item", "product_line", "customer"):
        full = sales.contribution_margin(result, by)
        assert sales.margin(result, by).equals(full.drop(columns=list(sales.CONTRIBUTION)))
        assert list(full.columns[-3:]) == list(sales.CONTRIBUTION)
