"""Margin of shipped units and WIP at the period end, by hand on the base plant (period 2026-01).

Base plant totals: S1 525.00 / 90 good = 5.8333../unit; F1 468.75 / 48 good = 9.765625/unit; F2 WIP 255.00.
Added: F3 (stents) started 2026-01-30, open, no postings; F4 (catheters) started 2026-01-20, ends 2026-02-05
(so WIP at January's end), TUBE 20 x 0.125 = 2.50 on 2026-01-21 (no hours: the pool is unchanged).
"""

from __future__ import annotations

import pandas as pd
import pytest

from batchkit import analyze
from tests.conftest import BASE, run_cost

BATCHES = BASE["batches"].rstrip() + """
        F3,STENT-1,stents,SZ,2026-01-30,,10,0,0
        F4,CATH-1,catheters,SZ,2026-01-20,2026-02-05,10,10,0
"""
ISSUES = BASE["material_issues"].rstrip() + """
        F4,TUBE,L-2,20,0.125,2026-01-21,D9
"""
SHIPMENTS = """
    batch_id,customer,ship_date,qty,revenue
    F1,Hosp-A,2026-01-26,10,150.00
    F1,Dist-B,2026-01-28,7,100.00
    F1,Hosp-A,2026-01-29,3,
    S1,Hosp-A,2026-01-27,5,40.00
    F1,Hosp-A,2026-02-03,2,30.00
    F2,Dist-B,2026-01-30,1,20.00
    XX,Dist-B,2026-01-30,1,20.00
"""


@pytest.fixture
def result(make_data):
    return run_cost(make_data(batches=BATCHES, material_issues=ISSUES, shipments=SHIPMENTS))


def test_margin_by_batch_by_hand(result):
    # F1 10 units: 10 x 468.75 / 48 = 97.65625 -> 97.66; margin 150.00 - 97.66 = 52.34
    # F1 7 units: 68.359375 -> 68.36; margin 100.00 - 68.36 = 31.64
    # F1 3 units, no revenue: no margin (counted in lines_without_margin)
    # S1 5 units: 5 x 525 / 90 = 29.1666.. -> 29.17; margin 40.00 - 29.17 = 10.83
    # F2 is WIP (no unit cost): no margin. February's line and the unknown batch XX are left out.
    m = analyze.margin(result, by="batch")
    assert m.to_dict("records") == [
        {"batch_id": "F1", "item_id": "CATH-1", "product_line": "catheters", "shipments": 3, "qty": 20.0,
         "revenue": 250.00, "cost_of_sales": 166.02, "margin": 83.98, "margin_pct": pytest.approx(33.592),
         "lines_without_margin": 1, "revenue_without_margin": 0.0},
        {"batch_id": "F2", "item_id": "CATH-1", "product_line": "catheters", "shipments": 1, "qty": 1.0,
         "revenue": 0.0, "cost_of_sales": 0.0, "margin": 0.0, "margin_pct": pytest.approx(float("nan"), nan_ok=True),
         "lines_without_margin": 1, "revenue_without_margin": 20.00},
        {"batch_id": "S1", "item_id": "SUB-A", "product_line": "catheters", "shipments": 1, "qty": 5.0,
         "revenue": 40.00, "cost_of_sales": 29.17, "margin": 10.83, "margin_pct": pytest.approx(27.075),
         "lines_without_margin": 0, "revenue_without_margin": 0.0},
    ]


def test_margin_by_customer_item_and_line(result):
    # Hosp-A: F1 10 (52.34), F1 3 (none), S1 5 (10.83) -> revenue 190.00, cost 126.83, margin 63.17
    # Dist-B: F1 7 (31.64), F2 1 (none) -> revenue 100.00, cost 68.36, margin 31.64
    c = analyze.margin(result, by="customer").set_index("customer")
    assert c.loc["Hosp-A", ["shipments", "qty", "revenue", "cost_of_sales", "margin", "lines_without_margin"]] \
        .tolist() == [3, 18.0, 190.00, 126.83, 63.17, 1]
    assert c.loc["Dist-B", ["shipments", "qty", "revenue", "cost_of_sales", "margin", "lines_without_margin"]] \
        .tolist() == [2, 8.0, 100.00, 68.36, 31.64, 1]
    i = analyze.margin(result, by="item").set_index("item_id")
    assert i["margin"].to_dict() == {"CATH-1": 83.98, "SUB-A": 10.83}
    line = analyze.margin(result, by="product_line")
    assert line[["product_line", "margin"]].values.tolist() == [["catheters", 94.81]]


def test_shipment_lines_keep_the_unknowns_visible(result):
    from batchkit.analyze.sales import shipment_lines

    lines = shipment_lines(result)
    f1_no_revenue = lines[(lines["batch_id"] == "F1") & lines["revenue"].isna()].iloc[0]
    # the cost of the 3 units is known (29.296875 -> 29.30) though the margin is not
    assert f1_no_revenue["cost_of_sales"] == 29.30 and pd.isna(f1_no_revenue["margin"])


def test_wip_value_and_days_open_by_hand(result):
    # period end 2026-01-31; days open counts both ends:
    # F2 from 2026-01-15: 17 days, 255.00; F3 from 2026-01-30: 2 days, 0.00; F4 from 2026-01-20: 12 days, 2.50
    w = analyze.wip(result)
    assert w[["batch_id", "days_open", "wip_value"]].values.tolist() == [["F2", 17, 255.00], ["F3", 2, 0.00],
                                                                          ["F4", 12, 2.50]]
    # catheters: F2 and F4 -> 257.50, mean days (17 + 12) / 2 = 14.5, max 17,
    #   value-weighted (17 x 255 + 12 x 2.50) / 257.50 = 4365 / 257.5 = 16.951456
    # stents: F3 -> 0.00, 2 days; weighting by a zero value is undefined
    by_line = analyze.wip_days_by_line(result).set_index("product_line")
    assert by_line.loc["catheters"].tolist() == pytest.approx([2, 257.50, 14.5, 17, 16.951456])
    assert by_line.loc["stents", ["wip_batches", "wip_value", "avg_wip_days", "max_wip_days"]].tolist() == [
        1, 0.0, 2.0, 2]
    assert pd.isna(by_line.loc["stents", "value_weighted_days"])


def test_margin_rejects_an_unknown_grouping(result):
    with pytest.raises(ValueError, match="by must be one of batch, item, product_line, customer, got 'site'"):
        analyze.margin(result, by="site")
