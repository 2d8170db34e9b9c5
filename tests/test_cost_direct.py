"""Direct costs of a batch: materials at lot cost with returns, hours at dated rates, direct costs.

Every expected figure is computed by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import amounts, run_cost, summary_row

ONE_BATCH = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        B1,ITEM,L1,S1,2026-01-05,2026-01-20,100,95,5
    """,
    # lot L1 costs 3.333 a unit (taken from material_lots: the rows leave unit_cost empty)
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        B1,RES,L1,10,,2026-01-05,D1
        B1,RES,L1,-2,,2026-01-08,D2
        B1,CAP,L2,3,0.125,2026-01-06,D3
        B1,CAP,L2,1,0.125,2026-02-03,D4
        X9,RES,L1,5,,2026-01-07,D5
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L1,RES,Acme,2025-12-01,3.333,100
        L2,CAP,Capco,2025-12-01,0.125,100
    """,
    # WC1 changes rates on 2026-01-15. WC2 has an open-ended row and a short special rate
    # 2026-01-10..12 whose later valid_from wins inside that window only.
    "rates": """
        work_center,labor_rate,machine_rate,valid_from,valid_to
        WC1,50,80,,2026-01-14
        WC1,60,90,2026-01-15,
        WC2,40,20,,
        WC2,45,25,2026-01-10,2026-01-12
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        B1,mold,WC1,1.5,2,2026-01-10
        B1,mold,WC1,1,1,2026-01-15
        B1,assy,WC2,2,1,2026-01-11
        B1,assy,WC2,2,1,2026-01-13
    """,
    "direct_costs": """
        batch_id,cost_element,amount,date,vendor,doc_id
        B1,sterilization,120.50,2026-01-21,SteriCo,DC1
    """,
    "cost_pools": None,
}


@pytest.fixture
def one_batch(make_data):
    return make_data(base=ONE_BATCH)


def test_materials_use_lot_cost_net_returns_and_round_per_row(one_batch):
    result = run_cost(one_batch, "2026-01")
    # RES: 10 x 3.333 = 33.33; return -2 x 3.333 = -6.666 -> -6.67 (half away from zero)
    # CAP: 3 x 0.125 = 0.375 -> 0.38; the 2026-02-03 row is after the period end: not yet
    # material = 33.33 - 6.67 + 0.38 = 27.04
    assert amounts(result, "B1")["material"] == 27.04


def test_late_posting_counts_in_the_next_period(one_batch):
    result = run_cost(one_batch, "2026-02")
    # 27.04 + 1 x 0.125 = 0.125 -> 0.13 => 27.17
    assert amounts(result, "B1")["material"] == 27.17


def test_hours_cost_at_the_rate_in_force_on_the_booking_date(one_batch):
    result = run_cost(one_batch, "2026-01")
    # WC1 2026-01-10: 1.5 h x 50 = 75.00 labor, 2 h x 80 = 160.00 machine
    # WC1 2026-01-15: 1 x 60 = 60.00, 1 x 90 = 90.00 (new rate from that day)
    # WC2 2026-01-11: special rate 45/25 -> 90.00, 25.00
    # WC2 2026-01-13: special expired, open row 40/20 -> 80.00, 20.00
    got = amounts(result, "B1")
    assert got["labor"] == 75 + 60 + 90 + 80  # 305.00
    assert got["machine"] == 160 + 90 + 25 + 20  # 295.00


def test_summary_totals_unit_and_scrap_cost(one_batch):
    row = summary_row(run_cost(one_batch, "2026-01"), "B1")
    # total = 27.04 + 305 + 295 + 120.50 = 747.54; unit = 747.54 / 95 (not rounded)
    # scrap cost = 747.54 x 5 / 100 = 37.377 -> 37.38
    # abnormal: normal 2 % of 100 = 2 units; 3 abnormal -> 747.54 x 3 / 100 = 22.4262 -> 22.43
    assert row["total_cost"] == 747.54
    assert row["unit_cost"] == pytest.approx(747.54 / 95, rel=1e-15)
    assert row["scrap_cost"] == 37.38
    assert row["abnormal_scrap_cost"] == 22.43
    assert row["status"] == "completed"
    assert (row["material_cost"], row["labor_cost"], row["machine_cost"], row["direct_cost"]) == (
        27.04, 305.0, 295.0, 120.5)


def test_rows_of_unknown_batches_are_excluded_in_reconciliation(one_batch):
    rec = run_cost(one_batch, "2026-01").reconciliation.set_index("cost_element")
    # X9 is not in batches: 5 x 3.333 = 16.665 -> 16.67 excluded; input = 27.04 + 16.67 = 43.71
    assert rec.loc["material"].to_dict() == {
        "input_amount": 43.71, "costed_amount": 27.04, "unallocated_amount": 0.0, "excluded_amount": 16.67,
        "difference": 0.0, "absorption_difference_amount": 0.0,  # issue 17's column: no predetermined rates
    }
    assert rec.loc["sterilization", "input_amount"] == 120.50
    assert (rec["difference"] == 0).all()


def test_wip_batch_has_cost_to_date_but_no_unit_cost(make_data):
    data = make_data(base=ONE_BATCH, batches="""
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        B1,ITEM,L1,S1,2026-01-05,2026-02-10,100,95,5
    """)
    jan = summary_row(run_cost(data, "2026-01"), "B1")
    # ends in February: WIP at the end of January, cost to date 747.54, scrap share still reported
    assert jan["status"] == "wip"
    assert pd.isna(jan["unit_cost"])
    assert jan["total_cost"] == 747.54
    assert jan["scrap_cost"] == 37.38
    feb = summary_row(run_cost(data, "2026-02"), "B1")
    assert feb["status"] == "completed"
    assert feb["total_cost"] == 747.54 + 0.13


def test_batch_starting_after_the_period_is_not_reported(make_data):
    data = make_data(base=ONE_BATCH, batches="""
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        B1,ITEM,L1,S1,2026-01-05,2026-01-20,100,95,5
        B2,ITEM,L1,S1,2026-02-01,,10,0,0
    """)
    result = run_cost(data, "2026-01")
    assert list(result.batch_summary["batch_id"]) == ["B1"]
