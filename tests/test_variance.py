"""Variances against standard (contract 3a), computed by hand for batch F1 of the base plant.

F1 makes CATH-1, Q = 48 good units. Actual:
  TUBE 50 x 0.125 = 6.25; CAP 10 x 0.30 = 3.00 (not in the standard BOM);
  SUB-A 45 units of S1 at 525.00/90 = 262.50 (sub-assembly, matched to the BOM like a material)
  assemble on WC2: 4 labor h x 40 = 160.00, 1 machine h x 20 = 20.00
  pool P-OH (machine hours S1 3, F1 1, F2 1 of 100.00): 20.00; no direct costs
  total = 6.25 + 3.00 + 262.50 + 160.00 + 20.00 + 20.00 = 471.75
Standard for CATH-1 per unit: TUBE 1 x 0.12, SUB-A 1 x 5.50, GLUE 0.01 x 20 (never issued);
  assemble 0.08 labor h at 38, 0.02 machine h at 20.5; overhead 0.40.
"""

from __future__ import annotations

import pytest

from tests.conftest import findings_of, run_cost

STANDARDS = {
    "standard_bom": """
        item_id,material_id,qty_per_unit,std_unit_cost
        CATH-1,TUBE,1,0.12
        CATH-1,SUB-A,1,5.50
        CATH-1,GLUE,0.01,20
    """,
    "standard_routing": """
        item_id,operation,work_center,labor_hours_per_unit,machine_hours_per_unit,std_labor_rate,std_machine_rate
        CATH-1,assemble,WC2,0.08,0.02,38,20.5
    """,
    "standard_overhead": """
        item_id,cost_element,std_cost_per_unit
        CATH-1,overhead,0.40
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,12.5,2026-01-02,D1
        F1,SUB-A,S1,45,,2026-01-12,D2
        F1,TUBE,L-2,50,0.125,2026-01-12,D3
        F2,SUB-A,S1,30,,2026-01-15,D4
        F1,CAP,L-3,10,0.30,2026-01-12,D5
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L-1,RESIN,Acme,2025-12-20,12.5,1000
        L-2,TUBE,TubeCo,2025-12-21,0.125,5000
        L-3,CAP,Capco,2025-12-21,0.30,5000
    """,
}


@pytest.fixture
def result(make_data):
    return run_cost(make_data(**STANDARDS))


def test_each_variance_component_by_hand(result):
    v = result.tables["variances"]
    f1 = dict(zip(v[v["batch_id"] == "F1"]["variance_type"], v[v["batch_id"] == "F1"]["amount"], strict=True))
    # material: std = 48 x (0.12 + 5.50 + 0.01 x 20) = 48 x 5.82 = 279.36
    #   price = (6.25 - 0.12 x 50) + (262.50 - 5.50 x 45) + 0 for CAP = 0.25 + 15.00 = 15.25
    #   usage = 271.75 - 279.36 - 15.25 = -22.86
    #   (= TUBE 2 x 0.12 + SUB-A -3 x 5.5 + GLUE -0.48 x 20 + CAP 3.00 = 0.24 - 16.5 - 9.6 + 3.00)
    # labor: std = 48 x 0.08 x 38 = 145.92; rate = 160 - 38 x 4 = 8.00; efficiency = 160 - 145.92 - 8 = 6.08
    # machine: std = 48 x 0.02 x 20.5 = 19.68; rate = 20 - 20.5 x 1 = -0.50; efficiency = 20 - 19.68 + 0.50 = 0.82
    # overhead: 20.00 allocated + 0 direct - 48 x 0.40 = 0.80
    assert f1 == {
        "material_price": 15.25, "material_usage": -22.86, "labor_rate": 8.00, "labor_efficiency": 6.08,
        "machine_rate": -0.50, "machine_efficiency": 0.82, "overhead": 0.80,
    }


def test_components_sum_to_actual_minus_standard(result):
    s = result.batch_summary.set_index("batch_id")
    v = result.tables["variances"]
    # standard cost of 48 = 279.36 + 145.92 + 19.68 + 19.20 = 464.16; 471.75 - 464.16 = 7.59
    assert s.loc["F1", "total_cost"] == 471.75
    assert s.loc["F1", "standard_cost"] == 464.16
    assert round(v[v["batch_id"] == "F1"]["amount"].sum(), 2) == 7.59


def test_only_completed_batches_of_items_with_standards(result):
    # S1 (SUB-A) has no standard; F2 is WIP
    assert set(result.tables["variances"]["batch_id"]) == {"F1"}
    found = findings_of(result.data_quality, "no_standard")
    assert found[["severity", "table", "column", "value"]].to_dict("records") == [
        {"severity": "warning", "table": "batches", "column": "item_id", "value": "SUB-A"}]
    assert "its 1 completed batch get no variances" in found.loc[0, "message"]


def test_an_operation_without_standard_and_a_routing_step_never_booked(make_data):
    # F1 also books 'inspect' on WC2 (not in the routing): 0.5 labor h x 40 = 20.00, no machine hours (pool unchanged)
    # the routing gains 'pack' (0.01 labor h per unit at 30), which F1 never books
    ops = """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        S1,mold,WC1,2,3,2026-01-03
        F1,assemble,WC2,4,1,2026-01-13
        F1,inspect,WC2,0.5,0,2026-01-14
        F2,assemble,WC2,1,1,2026-01-16
    """
    routing = STANDARDS["standard_routing"].rstrip() + "\n        CATH-1,pack,WC2,0.01,0,30,0\n"
    result = run_cost(make_data(**{**STANDARDS, "operations": ops, "standard_routing": routing}))
    v = result.tables["variances"]
    f1 = dict(zip(v[v["batch_id"] == "F1"]["variance_type"], v[v["batch_id"] == "F1"]["amount"], strict=True))
    # labor: actual 160.00 + 20.00 = 180.00; std = 48 x (0.08 x 38 + 0.01 x 30) = 48 x 3.34 = 160.32
    #   rate = 160 - 38 x 4 = 8.00 ('inspect' has no standard rate: 0)
    #   efficiency = 180 - 160.32 - 8 = 11.68
    #     (= assemble 0.16 h x 38 = 6.08 + inspect 20.00 + pack -0.48 h x 30 = -14.40)
    # machine, material and overhead as in the first test
    assert f1 == {
        "material_price": 15.25, "material_usage": -22.86, "labor_rate": 8.00, "labor_efficiency": 11.68,
        "machine_rate": -0.50, "machine_efficiency": 0.82, "overhead": 0.80,
    }
    # total 471.75 + 20.00 = 491.75; standard 279.36 + 160.32 + 19.68 + 19.20 = 478.56; 491.75 - 478.56 = 13.19
    s = result.batch_summary.set_index("batch_id")
    assert (s.loc["F1", "total_cost"], s.loc["F1", "standard_cost"]) == (491.75, 478.56)
    assert round(sum(f1.values()), 2) == 13.19
