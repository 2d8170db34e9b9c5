"""Multi-level costing: sub-assemblies charged at their cost per good unit, in genealogy order.

Genealogy (3 levels of batches above purchased lots):
  R1 (molded part)   <- lot LR  100 x 1.00           = 100.00, good 30 -> 3.333.. per unit
  M1 (sub-assembly)  <- R1 7 units, lot LM 10 x 1.00
  F1 (finished)      <- M1 4 units, R1 5 units
  F2 (finished, WIP) <- M1 3 units
M1 consumes R1 partially (7 of 30) and shares it with F1 (5 of 30).
"""

from __future__ import annotations

import pandas as pd

from tests.conftest import amounts, findings_of, run_cost

TREE = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        R1,PART,L1,S1,2026-01-02,2026-01-05,30,30,0
        M1,SUBA,L1,S1,2026-01-06,2026-01-09,5,5,0
        F1,FIN,L1,S1,2026-01-10,2026-01-15,2,2,0
        F2,FIN,L1,S1,2026-01-12,,3,0,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        R1,RESIN,LR,100,1.00,2026-01-02,D1
        M1,PART,R1,7,,2026-01-06,D2
        M1,FOIL,LM,10,1.00,2026-01-06,D3
        F1,SUBA,M1,4,,2026-01-10,D4
        F1,PART,R1,5,,2026-01-10,D5
        F2,SUBA,M1,1,,2026-01-12,D6
        F2,SUBA,M1,2,,2026-01-13,D7
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        LR,RESIN,Acme,2025-12-01,1.00,1000
        LM,FOIL,Foilco,2025-12-01,1.00,1000
    """,
    "operations": None,
    "rates": None,
    "cost_pools": None,
}


def test_three_levels_roll_up_with_rounding_per_issue_row(make_data):
    result = run_cost(make_data(base=TREE))
    # R1: 100.00; unit 100/30
    # M1: 7 x 100/30 = 23.333.. -> 23.33 sub-assembly + 10.00 material = 33.33; unit 33.33/5 = 6.666
    # F1: 4 x 33.33/5 = 26.664 -> 26.66 and 5 x 100/30 = 16.666.. -> 16.67: subassembly 43.33
    # F2 (WIP): 1 x 6.666 = 6.666 -> 6.67 and 2 x 6.666 = 13.332 -> 13.33: subassembly 20.00
    assert amounts(result, "R1") == {"material": 100.00}
    assert amounts(result, "M1") == {"material": 10.00, "subassembly": 23.33}
    assert amounts(result, "F1") == {"subassembly": 43.33}
    assert amounts(result, "F2") == {"subassembly": 20.00}
    s = result.batch_summary.set_index("batch_id")
    assert s.loc["M1", "unit_cost"] == 33.33 / 5
    assert s.loc["F2", "status"] == "wip" and pd.isna(s.loc["F2", "unit_cost"])


def test_sub_assembly_transfers_are_left_out_of_reconciliation(make_data):
    rec = run_cost(make_data(base=TREE)).reconciliation
    # inputs are only the purchased lots: 100.00 + 10.00; transfers are not an input
    assert rec.to_dict("records") == [{
        "cost_element": "material", "input_amount": 110.00, "costed_amount": 110.00,
        "unallocated_amount": 0.0, "excluded_amount": 0.0, "difference": 0.0,
        "absorption_difference_amount": 0.0,  # issue 17's column: no predetermined rates, nothing left over
    }]


def test_sub_assembly_costs_include_its_pools_and_late_costs(make_data):
    data = make_data(base=TREE, direct_costs="""
        batch_id,cost_element,amount,date
        R1,inspection,50.00,2026-01-20
    """)
    result = run_cost(data)
    # R1 now 150.00 (inspection posted after its consumers used it still counts): unit 5.00
    # M1: 7 x 5 = 35.00 + 10.00 = 45.00, unit 9.00; F1: 4 x 9 = 36.00 + 5 x 5 = 25.00 = 61.00
    assert amounts(result, "M1")["subassembly"] == 35.00
    assert amounts(result, "F1")["subassembly"] == 61.00


def test_a_genealogy_cycle_is_an_error_naming_the_rows(make_data):
    import batchkit
    from batchkit.core.params import Params

    data = make_data(base=TREE, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        R1,RESIN,LR,100,1.00,2026-01-02,D1
        R1,SUBA,M1,1,,2026-01-09,D2
        M1,PART,R1,7,,2026-01-06,D3
    """)
    ds = batchkit.load_dataset(data, Params())
    found = findings_of(ds, "genealogy_cycle")
    assert found[["severity", "table", "row", "column", "value"]].to_dict("records") == [
        {"severity": "error", "table": "material_issues", "row": 3, "column": "lot_id", "value": "M1"}]
    assert "cycle among batches M1 -> R1" in found.loc[0, "message"]
    assert "rows 3, 4" in found.loc[0, "message"]


def test_a_batch_issued_to_itself_is_a_cycle(make_data):
    import batchkit
    from batchkit.core.params import Params

    data = make_data(base=TREE, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        R1,RESIN,LR,100,1.00,2026-01-02,D1
        R1,PART,R1,1,,2026-01-04,D2
    """)
    found = findings_of(batchkit.load_dataset(data, Params()), "genealogy_cycle")
    assert len(found) == 1 and "'R1' consumes itself" in found.loc[0, "message"]


def test_consuming_a_batch_without_good_output_is_an_error(make_data):
    import batchkit
    from batchkit.core.params import Params

    data = make_data(base=TREE, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        R1,RESIN,LR,100,1.00,2026-01-02,D1
        F1,FIN,F2,1,,2026-01-14,D2
    """)
    found = findings_of(batchkit.load_dataset(data, Params()), "consumes_no_output")
    assert found[["severity", "row", "value"]].to_dict("records") == [
        {"severity": "error", "row": 3, "value": "F2"}]


def test_over_consumption_is_a_warning(make_data):
    import batchkit
    from batchkit.core.params import Params

    data = make_data(base=TREE, material_issues="""
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        R1,RESIN,LR,100,1.00,2026-01-02,D1
        M1,PART,R1,20,,2026-01-06,D2
        F1,PART,R1,12,,2026-01-10,D3
    """)
    found = findings_of(batchkit.load_dataset(data, Params()), "overconsumed_subassembly")
    # 20 + 12 = 32 issued of R1's 30 good units: 2 too many
    assert found.loc[0, "severity"] == "warning"
    assert found.loc[0, "message"].endswith("issued 32 units in all, more than its qty_good 30 (2 too many)")
