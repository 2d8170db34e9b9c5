"""Predetermined overhead rates on a 3-batch plant, by hand (issue 17; params `absorption:`).

The plant: batches A, B, C (started in January; A and C completed in January, B in February), one work
center WC1 at 5.00 per machine hour and 0 per labor hour, and one depreciation pool P-DEP of 90.00 in
2026-01 allocated by machine hours (the default basis). January machine hours: A 2, B 3, C 4 (9 in all);
February: B 1. Materials: 1.00 per unit; A and B 10 units (10.00), C 20 units (20.00).

At actual (no rates) P-DEP splits 90.00 x 2/9, 3/9, 4/9 = 20.00, 30.00, 40.00.
Every figure below is derived in the comments next to its assertion.
"""

from __future__ import annotations

import pytest

from batchkit import load_dataset
from batchkit.core.params import Params
from batchkit.costing import sql as sqlmodel

PLANT = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        A,ITEM-X,L1,S,2026-01-02,2026-01-20,10,10,0
        B,ITEM-X,L1,S,2026-01-03,2026-02-10,10,10,0
        C,ITEM-Y,L2,S,2026-01-04,2026-01-25,20,20,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        A,M1,L1,10,1.00,2026-01-02,D1
        B,M1,L1,10,1.00,2026-01-03,D2
        C,M1,L1,20,1.00,2026-01-04,D3
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L1,M1,Acme,2025-12-01,1.00,1000
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        A,mold,WC1,0,2,2026-01-05
        B,mold,WC1,0,3,2026-01-06
        C,mold,WC1,0,4,2026-01-07
        B,pack,WC1,0,1,2026-02-03
    """,
    "rates": """
        work_center,labor_rate,machine_rate,valid_from,valid_to
        WC1,0,5.00,,
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount
        P-DEP,depreciation,2026-01,90.00
    """,
}


def tables(make_data, period: str = "2026-01", base: dict | None = None, **params):
    p = Params.model_validate(params)
    ds = load_dataset(make_data(base=base or PLANT), p)
    with sqlmodel.Engine(threads=1) as engine:
        return sqlmodel.cost_tables(ds, period, p, engine=engine)


def ledger(t) -> dict[tuple[str, str, str], float]:
    led = t["allocation_ledger"]
    return {(p, per, b): a for p, per, b, a in zip(led["pool_id"], led["period"], led["batch_id"], led["amount"],
                                                    strict=True)}


def absorption_rows(t) -> list[dict]:
    return t["absorption"].to_dict("records")


def recon(t, element: str) -> dict:
    r = t["reconciliation"]
    return r[r["cost_element"] == element].iloc[0].to_dict()


def test_under_absorbed_9_00_per_machine_hour_over_9_hours(make_data):
    t = tables(make_data, absorption={"rates": {"by_pool": {"P-DEP": 9.00}}})
    # absorbed = 9.00 x hours: A 2 -> 18.00, B 3 -> 27.00, C 4 -> 36.00; the ledger is what batches were charged
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 18.00, ("P-DEP", "2026-01", "B"): 27.00,
                         ("P-DEP", "2026-01", "C"): 36.00}
    # 18 + 27 + 36 = 81.00 absorbed of 90.00 actual: 9.00 under-absorbed (positive), left as a period cost
    assert absorption_rows(t) == [{
        "pool_id": "P-DEP", "period": "2026-01", "cost_element": "depreciation", "basis": "machine_hours",
        "rate": 9.0, "basis_total": 9.0, "actual_amount": 90.00, "absorbed_amount": 81.00,
        "difference_amount": 9.00, "treatment": "expense"}]
    # books: input 90.00 = costed 81.00 + unallocated 0 + excluded 0 + absorption difference 9.00
    assert recon(t, "depreciation") == {"cost_element": "depreciation", "input_amount": 90.0, "costed_amount": 81.0,
                                        "unallocated_amount": 0.0, "excluded_amount": 0.0, "difference": 0.0,
                                        "absorption_difference_amount": 9.0}
    s = t["batch_summary"].set_index("batch_id")
    # A: material 10.00 + machine 2 x 5.00 = 10.00 + absorbed depreciation 18.00 = 38.00;
    # variable = material + machine = 20.00, fixed = the pool (fixed unless named) = 18.00
    assert (s.loc["A", "total_cost"], s.loc["A", "variable_cost"], s.loc["A", "fixed_cost"]) == (38.0, 20.0, 18.0)
    assert s.loc["A", "overhead_cost"] == 18.0


def test_over_absorption_has_a_negative_difference(make_data):
    t = tables(make_data, absorption={"rates": {"by_pool": {"P-DEP": 11.00}}})
    # 11.00 x 2, 3, 4 = 22.00, 33.00, 44.00: 99.00 absorbed of 90.00 -> difference 90 - 99 = -9.00 (over-absorbed)
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 22.00, ("P-DEP", "2026-01", "B"): 33.00,
                         ("P-DEP", "2026-01", "C"): 44.00}
    row = absorption_rows(t)[0]
    assert (row["absorbed_amount"], row["difference_amount"]) == (99.00, -9.00)
    # 90.00 = costed 99.00 + absorption difference -9.00
    r = recon(t, "depreciation")
    assert (r["costed_amount"], r["absorption_difference_amount"], r["difference"]) == (99.0, -9.0, 0.0)


def test_prorate_charges_the_difference_back_to_the_actual_split(make_data):
    actual = tables(make_data)
    t = tables(make_data, absorption={"rates": {"by_pool": {"P-DEP": 9.00}}, "difference": "prorate"})
    # absorbed 18, 27, 36; the 9.00 difference goes back by machine hours 2:3:4 = 2.00, 3.00, 4.00, so each
    # batch carries 20.00, 30.00, 40.00: the actual split, the same ledger as without rates
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 20.00, ("P-DEP", "2026-01", "B"): 30.00,
                         ("P-DEP", "2026-01", "C"): 40.00}
    assert t["allocation_ledger"].equals(actual["allocation_ledger"])
    assert t["batch_summary"].equals(actual["batch_summary"])
    row = absorption_rows(t)[0]
    assert (row["absorbed_amount"], row["difference_amount"], row["treatment"]) == (81.0, 9.0, "prorate")
    # nothing left as a period cost: input 90 = costed 90
    r = recon(t, "depreciation")
    assert (r["costed_amount"], r["absorption_difference_amount"]) == (90.0, 0.0)


def test_a_pool_with_a_rate_but_no_actual_row_absorbs_anyway(make_data):
    # February: P-DEP has no row (the invoice has not arrived); B books 1 machine hour in February
    t = tables(make_data, "2026-02", absorption={"rates": {"by_pool": {"P-DEP": 9.00}}})
    # January as before (81.00 absorbed, +9.00); February: B absorbs 9.00 x 1 = 9.00 of an actual 0: -9.00
    assert absorption_rows(t) == [
        {"pool_id": "P-DEP", "period": "2026-01", "cost_element": "depreciation", "basis": "machine_hours",
         "rate": 9.0, "basis_total": 9.0, "actual_amount": 90.0, "absorbed_amount": 81.0, "difference_amount": 9.0,
         "treatment": "expense"},
        {"pool_id": "P-DEP", "period": "2026-02", "cost_element": "depreciation", "basis": "machine_hours",
         "rate": 9.0, "basis_total": 1.0, "actual_amount": 0.0, "absorbed_amount": 9.0, "difference_amount": -9.0,
         "treatment": "expense"}]
    assert ledger(t)[("P-DEP", "2026-02", "B")] == 9.00
    # inception to date: input 90.00 = costed 18 + 27 + 36 + 9 = 90.00 + difference 9.00 - 9.00 = 0
    r = recon(t, "depreciation")
    assert (r["input_amount"], r["costed_amount"], r["absorption_difference_amount"], r["difference"]) == \
        (90.0, 90.0, 0.0, 0.0)
    # B as of February: material 10 + machine (3 + 1) x 5 = 20 + depreciation 27 + 9 = 36: 66.00, fixed 36.00
    b = t["batch_summary"].set_index("batch_id").loc["B"]
    assert (b["total_cost"], b["variable_cost"], b["fixed_cost"]) == (66.0, 30.0, 36.0)


def test_prorate_of_a_pool_with_no_actual_row_takes_the_absorbed_back(make_data):
    t = tables(make_data, "2026-02", absorption={"rates": {"by_pool": {"P-DEP": 9.00}}, "difference": "prorate"})
    # February's actual is 0: B absorbed 9.00 and the -9.00 difference is charged back: B carries 0.00
    assert ledger(t)[("P-DEP", "2026-02", "B")] == 0.0
    assert [r["treatment"] for r in absorption_rows(t)] == ["prorate", "prorate"]
    assert recon(t, "depreciation")["absorption_difference_amount"] == 0.0


def test_each_allocation_rounds_half_up_and_by_pool_wins_over_by_cost_element(make_data):
    t = tables(make_data, absorption={"rates": {"by_pool": {"P-DEP": 2.5025},
                                                "by_cost_element": {"depreciation": 100}}})
    # by_pool first: 2.5025 x 2 = 5.005 -> 5.01 (half up), x 3 = 7.5075 -> 7.51, x 4 = 10.01;
    # absorbed 5.01 + 7.51 + 10.01 = 22.53, difference 90.00 - 22.53 = 67.47
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 5.01, ("P-DEP", "2026-01", "B"): 7.51,
                         ("P-DEP", "2026-01", "C"): 10.01}
    row = absorption_rows(t)[0]
    assert (row["rate"], row["absorbed_amount"], row["difference_amount"]) == (2.5025, 22.53, 67.47)


def test_a_rate_by_cost_element_and_a_rated_pool_nobody_takes(make_data):
    pools = """
        pool_id,cost_element,period,amount,product_line,site,work_center
        P-DEP,depreciation,2026-01,90.00,,,
        P-E,energy,2026-01,40.00,,,WC9
    """
    t = tables(make_data, base={**PLANT, "cost_pools": pools},
               absorption={"rates": {"by_cost_element": {"energy": 1.25, "depreciation": 10}}})
    # P-DEP at 10.00: 20, 30, 40 = 90.00, difference 0; P-E is scoped to WC9, where nobody booked hours:
    # nothing absorbed, its 40.00 is all difference (a period cost), never "unallocated"
    rows = {r["pool_id"]: r for r in absorption_rows(t)}
    assert (rows["P-DEP"]["absorbed_amount"], rows["P-DEP"]["difference_amount"]) == (90.0, 0.0)
    assert (rows["P-E"]["rate"], rows["P-E"]["basis_total"], rows["P-E"]["absorbed_amount"],
            rows["P-E"]["difference_amount"], rows["P-E"]["treatment"]) == (1.25, 0.0, 0.0, 40.0, "expense")
    r = recon(t, "energy")
    assert (r["input_amount"], r["costed_amount"], r["unallocated_amount"], r["absorption_difference_amount"]) == \
        (40.0, 0.0, 0.0, 40.0)


def test_without_rates_the_absorption_table_is_empty_and_nothing_else_moves(make_data):
    t = tables(make_data)
    assert list(t["absorption"].columns) == ["pool_id", "period", "cost_element", "basis", "rate", "basis_total",
                                             "actual_amount", "absorbed_amount", "difference_amount", "treatment"]
    assert t["absorption"].empty
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 20.0, ("P-DEP", "2026-01", "B"): 30.0,
                         ("P-DEP", "2026-01", "C"): 40.0}
    assert recon(t, "depreciation")["absorption_difference_amount"] == 0.0
    # the added columns come last, after every column the table had
    assert list(t["batch_summary"].columns)[-3:] == ["standard_cost", "variable_cost", "fixed_cost"]
    assert list(t["reconciliation"].columns)[-2:] == ["difference", "absorption_difference_amount"]


@pytest.mark.parametrize("bad", [{"by_pool": {"P-DEP": -1}}, {"by_pool": {"P-DEP": "nine"}},
                                 {"by_cost_element": {"energy": 0.0000001}}])
def test_a_bad_rate_is_a_params_error_naming_the_key(bad):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"absorption\.rates"):
        Params.model_validate({"absorption": {"rates": bad}})


def test_the_data_format_page_documents_the_params_columns_and_table():
    from batchkit.core.reference import DOCS, data_format_page
    from batchkit.costing.sql.absorption import COLUMNS

    page = data_format_page()
    for word in ("cost_behavior", "absorption: {rates:", "difference: prorate", "variable_cost", "fixed_cost",
                 "absorption_difference_amount", *COLUMNS):
        assert word in page, word
    assert (DOCS / "DATA-FORMAT.md").read_text(encoding="utf-8") == page  # regenerated


def test_a_rate_times_a_basis_past_64_bits_is_computed_wide_to_the_cent(make_data):
    ops = PLANT["operations"].replace("A,mold,WC1,0,2,2026-01-05", "A,mold,WC1,0,10000000,2026-01-05")
    p = Params.model_validate({"absorption": {"rates": {"by_pool": {"P-DEP": 999999.999999}}}})
    ds = load_dataset(make_data(base={**PLANT, "operations": ops}), p)
    with sqlmodel.Engine(threads=1) as engine:
        t = sqlmodel.cost_tables(ds, "2026-01", p, engine=engine)
        wide = sqlmodel.open_session(ds, engine).wide_steps
    # the rate as an integer at 6 places, 999999999999, x 10^7 hours passes 2^63 (9.2 x 10^18): computed wide
    # A: 999999.999999 x 10^7 = 9999999999990.00 exactly; B: x 3 = 2999999.999997 -> 3000000.00 (half up);
    # C: x 4 = 3999999.999996 -> 4000000.00
    assert "absorbed" in wide
    assert ledger(t) == {("P-DEP", "2026-01", "A"): 9999999999990.00, ("P-DEP", "2026-01", "B"): 3000000.00,
                         ("P-DEP", "2026-01", "C"): 4000000.00}
    row = absorption_rows(t)[0]
    # absorbed 9999999999990 + 3000000 + 4000000 = 10000006999990.00; difference 90.00 - 10000006999990.00
    # = -10000006999900.00 (over-absorbed)
    assert row["absorbed_amount"] == 10000006999990.00
    assert row["difference_amount"] == -10000006999900.00
