"""Pool allocation: every basis, every scope, largest remainder, unallocated pools.

Three batches are active in February 2026 (D starts in March):
  A  line L1 site S1  2026-01-20 .. 2026-02-10  started 100 good 90  (completed in Feb)
  B  line L1 site S2  2026-02-01 .. open        started  50 good  0  (WIP)
  C  line L2 site S1  2026-02-05 .. 2026-02-25  started 200 good 150 (completed in Feb)
February hours: A WC1 1 labor / 2 machine; B WC1 3/0 and WC2 0/4; C WC2 2/2.
February purchased material: A 100.00; B 50.00; C 250.00 issued - 50.00 returned = 200.00.
February direct costs: A 30.00, C 10.00. Drivers (sterilization_load_m3): A 2.5, C 7.5.
"""

from __future__ import annotations

import pytest

from batchkit.core.params import Params
from tests.conftest import findings_of, run_cost

PLANT = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        A,I1,L1,S1,2026-01-20,2026-02-10,100,90,10
        B,I1,L1,S2,2026-02-01,,50,0,0
        C,I2,L2,S1,2026-02-05,2026-02-25,200,150,0
        D,I2,L2,S1,2026-03-01,,10,0,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        A,M,L1,2,10,2026-01-25,D0
        A,M,L1,10,10,2026-02-02,D1
        B,M,L1,5,10,2026-02-03,D2
        C,M,L1,25,10,2026-02-06,D3
        C,M,L1,-5,10,2026-02-07,D4
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L1,M,Acme,2026-01-01,10,1000
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        A,op,WC1,5,5,2026-01-25
        A,op,WC1,1,2,2026-02-02
        B,op,WC1,3,0,2026-02-03
        B,op,WC2,0,4,2026-02-04
        C,op,WC2,2,2,2026-02-06
    """,
    "rates": """
        work_center,labor_rate,machine_rate
        WC1,10,10
        WC2,10,10
    """,
    "direct_costs": """
        batch_id,cost_element,amount,date
        A,sterilization,30.00,2026-02-09
        C,sterilization,10.00,2026-02-20
    """,
    "drivers": """
        batch_id,driver,value,period
        A,sterilization_load_m3,2.5,2026-02
        C,sterilization_load_m3,7.5,2026-02
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount,product_line,site,work_center
        P0,overhead,2026-01,50.00,,,
        P1,overhead,2026-02,100.00,,,
        P2,energy,2026-02,100.00,,,WC2
        P3,quality,2026-02,100.00,,,
        P4,cleanroom,2026-02,100.00,L1,,
        P5,depreciation,2026-02,100.00,,S1,
        P6,outsourcing_oh,2026-02,100.00,,,
        P7,overhead,2026-02,100.00,L2,,
        P8,steri_oh,2026-02,100.00,,,
        P9,overhead,2026-02,100.00,,S3,
        P10,overhead,2026-02,0.01,L1,,
        P11,quality,2026-02,100.00,,,WC2
    """,
}

BASES = {
    "P0": "machine_hours", "P1": "labor_hours", "P2": "machine_hours", "P3": "good_units",
    "P4": "started_units", "P5": "material_cost", "P6": "direct_cost", "P7": "equal",
    "P8": "driver:sterilization_load_m3", "P9": "equal", "P10": "equal", "P11": "good_units",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from tests.conftest import write_tables

    folder = write_tables(tmp_path_factory.mktemp("plant"), PLANT)
    params = Params.model_validate({"allocation": {"by_pool": BASES}})
    return run_cost(folder, "2026-02", params)


def ledger(result, pool: str) -> dict[str, tuple[float, float]]:
    led = result.allocation_ledger
    rows = led[led["pool_id"] == pool]
    return {b: (v, a) for b, v, a in zip(rows["batch_id"], rows["basis_value"], rows["amount"], strict=True)}


def test_labor_hours_in_the_pool_period_only(result):
    # Feb labor hours A 1, B 3, C 2 (A's January hours do not count): 100 x 1/6 = 16.666..,
    # 50.00, 33.333..; floors 16.66 + 50.00 + 33.33 = 99.99; the cent goes to A (.666 > .333)
    assert ledger(result, "P1") == {"A": (1, 16.67), "B": (3, 50.00), "C": (2, 33.33)}


def test_work_center_scope_measures_hours_there(result):
    # machine hours on WC2 only: B 4, C 2 -> 66.666.. and 33.333..; the cent goes to B
    assert ledger(result, "P2") == {"B": (4, 66.67), "C": (2, 33.33)}


def test_good_units_of_batches_completed_in_the_period(result):
    # A 90 and C 150 completed in Feb (B is WIP): 100 x 90/240 = 37.50, 62.50
    assert ledger(result, "P3") == {"A": (90, 37.50), "C": (150, 62.50)}


def test_started_units_of_active_batches_within_a_line(result):
    # line L1, active in Feb: A 100, B 50 -> 66.666.., 33.333..; the cent goes to A
    assert ledger(result, "P4") == {"A": (100, 66.67), "B": (50, 33.33)}


def test_material_cost_nets_returns_within_a_site(result):
    # site S1: A 100.00, C 250.00 - 50.00 = 200.00 -> 33.333.., 66.666..; the cent goes to C
    assert ledger(result, "P5") == {"A": (100.0, 33.33), "C": (200.0, 66.67)}


def test_direct_cost_basis(result):
    # A 30.00, C 10.00 -> 75.00, 25.00
    assert ledger(result, "P6") == {"A": (30.0, 75.00), "C": (10.0, 25.00)}


def test_equal_shares_among_active_batches_of_a_line(result):
    # line L2 active in Feb: only C (D starts in March)
    assert ledger(result, "P7") == {"C": (1, 100.00)}


def test_driver_basis(result):
    # sterilization_load_m3: A 2.5, C 7.5 -> 25.00, 75.00
    assert ledger(result, "P8") == {"A": (2.5, 25.00), "C": (7.5, 75.00)}


def test_tie_goes_to_the_smaller_batch_id(result):
    # one cent, equal basis A and B: remainders tie, A < B gets it
    assert ledger(result, "P10") == {"A": (1, 0.01), "B": (1, 0.00)}


def test_work_center_scope_admits_batches_with_hours_there_whatever_the_basis(result):
    # good_units within WC2: B and C have hours on WC2, but only C completed in Feb -> C takes all
    assert ledger(result, "P11") == {"C": (150, 100.00)}


def test_pool_with_no_batch_is_unallocated_and_reported(result):
    rec = result.reconciliation.set_index("cost_element")
    # P9 (site S3, no batch there) is the only unallocated pool: 100.00 of overhead
    assert rec.loc["overhead", "unallocated_amount"] == 100.00
    # overhead input: P0 50 + P1 100 + P7 100 + P9 100 + P10 0.01 = 350.01
    assert rec.loc["overhead", "input_amount"] == 350.01
    assert rec.loc["overhead", "costed_amount"] == 250.01
    found = findings_of(result.data_quality, "unallocated_pool")
    assert len(found) == 1
    assert found.loc[0, ["severity", "table", "row", "column", "value"]].tolist() == [
        "warning", "cost_pools", 11, "pool_id", "P9"]
    assert "P9" in found.loc[0, "message"] and "site 'S3'" in found.loc[0, "message"]


def test_earlier_pools_are_allocated_in_their_own_period(result):
    # P0 (Jan, machine hours): only A is active in January (5 h) -> A takes all 50.00
    assert ledger(result, "P0") == {"A": (5, 50.00)}


def test_every_pool_sums_to_its_amount_and_the_books_balance(result):
    led = result.allocation_ledger
    sums = led.groupby("pool_id")["amount"].sum().round(2).to_dict()
    assert sums == {"P0": 50.0, "P1": 100.0, "P2": 100.0, "P3": 100.0, "P4": 100.0, "P5": 100.0, "P6": 100.0,
                    "P7": 100.0, "P8": 100.0, "P10": 0.01, "P11": 100.0}
    assert (result.reconciliation["difference"] == 0).all()


def test_negative_pool_is_allocated_as_a_credit(make_data):
    data = make_data(base=PLANT, cost_pools="""
        pool_id,cost_element,period,amount
        PN,overhead,2026-02,-100.00
    """)
    params = Params.model_validate({"allocation": {"default_basis": "labor_hours"}})
    result = run_cost(data, "2026-02", params)
    # like P1 with the sign flipped: -16.67, -50.00, -33.33
    assert ledger(result, "PN") == {"A": (1, -16.67), "B": (3, -50.00), "C": (2, -33.33)}
    assert len(findings_of(result.data_quality, "negative_pool")) == 1


def test_only_pool_with_a_basis_nobody_has_is_unallocated_not_a_crash(make_data):
    # the dataset's only pool goes by good_units in March, when no batch completes: no candidate at all
    data = make_data(base=PLANT, cost_pools="""
        pool_id,cost_element,period,amount
        PQ,quality,2026-03,40.00
    """)
    params = Params.model_validate({"allocation": {"default_basis": "good_units"}})
    result = run_cost(data, "2026-03", params)
    assert result.allocation_ledger.empty
    assert result.reconciliation.set_index("cost_element").loc["quality", "unallocated_amount"] == 40.00


def test_a_pool_nobody_can_take_when_no_batch_has_any_basis(make_data):
    """Found by the property test: no batch completed, a good_units pool used to crash (IndexError)."""
    folder = make_data(operations=None, rates=None, batches="""
        batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good
        S1,SUB-A,c,2026-01-02,,100,0
        F1,CATH-1,c,2026-01-12,,50,0
    """, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date
        S1,RESIN,L-1,10,12.5,2026-01-02
    """)
    result = run_cost(folder, allocation__default_basis="good_units")
    rec = result.reconciliation.set_index("cost_element")
    assert rec.loc["overhead", "unallocated_amount"] == 100.0 and rec["difference"].eq(0).all()
    assert findings_of(result.data_quality, "unallocated_pool").loc[0, "value"] == "P-OH"
