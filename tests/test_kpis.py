"""The kpis table on a 2-level plant, every figure worked out by hand below; and its invariants.

Period 2026-02. Line Catheters: sub-assembly S1 (completed in February) is consumed by F1 (completed)
and F2 (still open); S0 is a sub-assembly completed in January that F1 also consumes. Line Gadgets: three
batches of one item, no genealogy.

Hand calculation (rates WC1 50/h labor, 80/h machine; WC2 40/h, 20/h; pool P-OH 100.00 by machine hours):
  S0 (Jan): resin 2 x 12.50 = 25.00; good 10 -> 2.50 a unit
  pool P-OH 100.00 over February machine hours S1 3 h, F1 1 h, F2 1 h (5 h): S1 60.00, F1 20.00, F2 20.00
  S1: resin 10 x 12.50 = 125.00, WC1 2 h x 50 + 3 h x 80 = 340.00, pool 60.00 -> 525.00; good 90 -> 5.8333..
  F1: S1 44 x 525.00 / 90 = 256.666.. -> 256.67; S0 3 x 25.00 / 10 = 7.50; tube 50 x 0.125 = 6.25;
      WC2 4 h x 40 + 1 h x 20 = 180.00; pool 20.00 -> 470.42
  F2 (open): S1 31 x 525.00 / 90 = 180.833.. -> 180.83; WC2 1 x 40 + 1 x 20 = 60.00; pool 20.00 -> 260.83
  G1: resin 4 x 12.50 = 50.00 + rework (direct cost) 5.00 = 55.00; good 20 -> 2.75
  G2: resin 4.32 x 12.50 = 54.00; good 20 -> 2.70
  G3: resin 4 x 12.50 = 50.00; good 20 -> 2.50
Completed in February: S1, F1, G1, G2, G3 = 525.00 + 470.42 + 55.00 + 54.00 + 50.00 = 1,154.42
  of which S1's cost consumed by F1 and F2 by the period end: 256.67 + 180.83 = 437.50 (transferred_cost),
  so output_cost = 1,154.42 - 437.50 = 716.92 (= F1 470.42 + G1..G3 159.00 + S1's 15 units in stock 87.50).
  S0's 7.50 in F1 is January's output passed on: in F1's cost, not transferred out of this period's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from batchkit.analyze.headline import kpis, transferred_cents
from batchkit.core import money
from batchkit.core.kpi_codes import KPIS
from tests.conftest import run_cost

PLANT = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        S0,SUB,Catheters,SZ,2026-01-10,2026-01-20,10,10,0
        S1,SUB,Catheters,SZ,2026-02-01,2026-02-05,100,90,10
        F1,FIN,Catheters,SZ,2026-02-06,2026-02-20,50,48,2
        F2,FIN,Catheters,SZ,2026-02-10,,40,0,0
        G1,GADGET,Gadgets,SZ,2026-02-02,2026-02-12,20,20,0
        G2,GADGET,Gadgets,SZ,2026-02-03,2026-02-13,20,20,0
        G3,GADGET,Gadgets,SZ,2026-02-04,2026-02-14,20,20,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S0,RESIN,L-1,2,12.5,2026-01-15,D0
        S1,RESIN,L-1,10,12.5,2026-02-01,D1
        F1,SUB,S1,44,,2026-02-06,D2
        F1,SUB,S0,3,,2026-02-06,D3
        F1,TUBE,L-2,50,0.125,2026-02-06,D4
        F2,SUB,S1,31,,2026-02-10,D5
        G1,RESIN,L-1,4,12.5,2026-02-02,D6
        G2,RESIN,L-1,4.32,12.5,2026-02-03,D7
        G3,RESIN,L-1,4,12.5,2026-02-04,D8
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L-1,RESIN,Acme,2025-12-20,12.5,1000
        L-2,TUBE,TubeCo,2025-12-21,0.125,5000
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        S1,mold,WC1,2,3,2026-02-03
        F1,assemble,WC2,4,1,2026-02-13
        F2,assemble,WC2,1,1,2026-02-16
    """,
    "rates": """
        work_center,labor_rate,machine_rate,valid_from,valid_to
        WC1,50,80,,
        WC2,40,20,,
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount
        P-OH,overhead,2026-02,100.00
    """,
    "direct_costs": """
        batch_id,cost_element,amount,date,doc_id
        G1,rework,5.00,2026-02-10,X1
    """,
    "nonconformances": """
        ncr_id,batch_id,defect,disposition,qty,date,cost
        N1,F1,leak,rework,2,2026-02-18,15.00
    """,
    "shipments": """
        batch_id,customer,ship_date,qty,revenue,doc_id
        F1,Hospital,2026-02-25,40,600.00,SH1
        G1,Clinic,2026-02-26,10,40.00,SH2
        F1,Hospital,2026-03-02,5,75.00,SH3
    """,
}


@pytest.fixture
def result(make_data):
    return run_cost(make_data(base=PLANT), "2026-02", variance__min_batches=2)


def _table(result) -> dict[tuple[str, str], float]:
    k = kpis(result)
    return {(s, n): v for s, n, v in zip(k["scope"], k["kpi"], k["value"], strict=True)}


def test_costs_behind_the_hand_calculation(result):
    s = result.batch_summary.set_index("batch_id")["total_cost"]
    assert s.to_dict() == {"F1": 470.42, "F2": 260.83, "G1": 55.00, "G2": 54.00, "G3": 50.00, "S0": 25.00,
                           "S1": 525.00}


def test_output_cost_counts_no_cent_twice(result):
    k = _table(result)
    assert transferred_cents(result).to_dict() == {"S0": 750, "S1": 43750, "F1": 0, "F2": 0, "G1": 0, "G2": 0,
                                                   "G3": 0}
    assert k["plant", "transferred_cost"] == 437.50  # 256.67 + 180.83, S1 into F1 and F2
    assert k["plant", "output_cost"] == 716.92  # 1,154.42 - 437.50
    assert k["Catheters", "output_cost"] == 557.92  # S1 525.00 + F1 470.42 - 437.50
    assert k["Catheters", "transferred_cost"] == 437.50
    assert k["Gadgets", "output_cost"] == 159.00  # 55.00 + 54.00 + 50.00
    assert k["Gadgets", "transferred_cost"] == 0.0


def test_volumes_and_yield(result):
    k = _table(result)
    assert (k["plant", "batches_completed"], k["Catheters", "batches_completed"], k["Gadgets", "batches_completed"]) \
        == (5, 2, 3)
    assert k["plant", "good_units"] == 198  # 90 + 48 + 3 x 20
    assert k["plant", "yield_pct"] == 94.29  # 198 / (100 + 50 + 60) = 94.2857.. %
    assert k["Catheters", "yield_pct"] == 92.00  # 138 / 150
    assert k["Gadgets", "yield_pct"] == 100.00


def test_scrap_and_quality_cost(result):
    k = _table(result)
    # S1: 525.00 x 10 / 100 = 52.50; F1: 470.42 x 2 / 50 = 18.8168 -> 18.82; G: no scrap
    assert k["plant", "scrap_cost"] == 71.32
    # above 2 % normal scrap: S1 (10 - 2) / 100 x 525.00 = 42.00; F1 (2 - 1) / 50 x 470.42 = 9.4084 -> 9.41
    assert k["plant", "abnormal_scrap_cost"] == 51.41
    # scrap 71.32 + rework: F1's NCR 15.00 + G1's rework direct cost 5.00
    assert k["plant", "quality_cost"] == 91.32
    assert k["Catheters", "quality_cost"] == 86.32
    assert k["Gadgets", "quality_cost"] == 5.00


def test_work_in_progress(result):
    k = _table(result)
    assert k["plant", "wip_value"] == 260.83  # F2
    assert k["plant", "wip_batches"] == 1
    assert k["plant", "wip_days"] == 19.0  # 2026-02-10 .. 2026-02-28, both counted
    assert k["Gadgets", "wip_value"] == 0.0 and k["Gadgets", "wip_batches"] == 0
    assert np.isnan(k["Gadgets", "wip_days"])


def test_unit_cost_within_3pct(result):
    k = _table(result)
    # Gadgets: unit costs 2.75, 2.70, 2.50, median 2.70: G1 +1.85 %, G2 0 %, G3 -7.41 % -> 2 of 3
    assert k["Gadgets", "unit_cost_within_3pct"] == 66.67
    # SUB: S0 (January, in the window) 2.50 and S1 5.8333, median 4.1667: S1 +40 % -> 0 of 1;
    # FIN has only F1 completed (fewer than min_batches 2): no reference, left out
    assert k["Catheters", "unit_cost_within_3pct"] == 0.0
    assert k["plant", "unit_cost_within_3pct"] == 50.0  # 2 of the 4 batches with a reference


def test_gross_margin(result):
    k = _table(result)
    # F1: 40 x 470.42 / 48 = 392.0166.. -> 392.02; 600.00 - 392.02 = 207.98. G1: 10 x 55.00 / 20 = 27.50;
    # 40.00 - 27.50 = 12.50. SH3 ships in March: not this period's.
    assert k["Catheters", "gross_margin"] == 207.98
    assert k["Gadgets", "gross_margin"] == 12.50
    assert k["plant", "gross_margin"] == 220.48


def test_table_shape_units_and_order(result):
    k = kpis(result)
    assert list(k.columns) == ["scope", "kpi", "value", "unit"]
    assert list(k["scope"].unique()) == ["plant", "Catheters", "Gadgets"]
    assert list(k["kpi"].head(len(KPIS))) == list(KPIS)
    units = dict(zip(k["kpi"], k["unit"], strict=False))
    assert units["output_cost"] == "CNY" and units["yield_pct"] == "%" and units["wip_days"] == "days"
    assert units["batches_completed"] == "batches" and units["good_units"] == "units"


def test_the_plant_is_the_sum_of_its_lines(result):
    k = kpis(result).pivot(index="kpi", columns="scope", values="value")
    for name, code in KPIS.items():
        if code.kind in ("money", "count", "units"):
            assert k.loc[name, "plant"] == pytest.approx(k.loc[name, "Catheters"] + k.loc[name, "Gadgets"]), name


def test_every_subassembly_cent_charged_is_transferred_once(make_data):
    """Σ of every batch's transferred cents = Σ of the sub-assembly element its consumers were charged."""
    from tests.test_genealogy_cost import TREE

    result = run_cost(make_data(base=TREE))
    charged = money.to_cents(result.batch_summary["subassembly_cost"].to_numpy()).sum()
    assert int(transferred_cents(result).sum()) == int(charged) == 4333 + 2000 + 2333  # F1, F2, M1
    k = _table(result)
    done = result.batch_summary[result.batch_summary["status"] == "completed"]
    assert k["plant", "output_cost"] + k["plant", "transferred_cost"] == pytest.approx(done["total_cost"].sum())


def test_written_into_every_cost_folder(make_data, tmp_path):
    from batchkit.core.params import Params
    from batchkit.store.cost_folder import OUTPUT_TABLES, cost_to_folder

    assert "kpis" in OUTPUT_TABLES
    out = tmp_path / "out"
    cost_to_folder(make_data(base=PLANT), "2026-02", out, Params())
    csv = pd.read_csv(out / "kpis.csv")
    parquet = pd.read_parquet(out / "kpis.parquet")
    assert list(csv.columns) == list(parquet.columns) == ["scope", "kpi", "value", "unit"]
    row = csv[(csv["scope"] == "plant") & (csv["kpi"] == "output_cost")].iloc[0]
    assert row["value"] == 716.92 and row["unit"] == "CNY"


def test_output_by_element_sums_to_output_cost(result):
    from batchkit.analyze.headline import output_elements

    out = output_elements(result)
    by = {(r.product_line, r.cost_element): r.amount for r in out.itertuples()}
    # S1 gives 437.50 of its 525.00 (material 125.00, labor 100.00, machine 240.00, overhead 60.00) to F1 and F2:
    # 437.50 x 125/525 = 104.1666.., x 100/525 = 83.333.., x 240/525 = 200.0, x 60/525 = 50.0; floors 104 + 83
    # + 200 + 50 = 437 (.50 apart from cents): in cents 10416.66.., 8333.33.., 20000, 5000 -> floors 10416, 8333,
    # 20000, 5000 = 43749; the last cent to the largest remainder (material's .66): 10417.
    # Catheters material: S1 125.00 - 104.17 + F1 tube 6.25 = 27.08; sub-assembly: F1's 256.67 + 7.50 = 264.17
    assert by["Catheters", "material"] == 27.08
    assert by["Catheters", "subassembly"] == 264.17
    assert by["Catheters", "labor"] == 176.67  # S1 100.00 - 83.33 + F1 160.00
    assert by["Catheters", "machine"] == 60.00  # S1 240.00 - 200.00 + F1 20.00
    assert by["Catheters", "overhead"] == 30.00  # S1 60.00 - 50.00 + F1 20.00
    assert round(out.loc[out["product_line"] == "Catheters", "amount"].sum(), 2) == 557.92  # = output_cost
    assert round(out["amount"].sum(), 2) == 716.92
