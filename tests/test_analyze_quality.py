"""Quality cost per batch, by hand on the base plant, and defect-rate outliers on a constructed item.

Base plant (period 2026-01) plus direct costs on F1: rework 30.00 and sterilization 10.00.
Totals: S1 525.00 (unchanged); F1 468.75 + 40.00 = 508.75; F2 WIP.
  scrap cost = total x scrap / started: S1 525.00 x 10/100 = 52.50; F1 508.75 x 2/50 = 20.35
  abnormal (above 2 %): S1 525.00 x (10 - 2)/100 = 42.00; F1 508.75 x (2 - 1)/50 = 10.175 -> 10.18 (half up)
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from batchkit import analyze
from batchkit.analyze.quality import COLUMNS
from tests.conftest import run_cost

QUALITY = {
    "direct_costs": """
        batch_id,cost_element,amount,date
        F1,rework,30.00,2026-01-20
        F1,sterilization,10.00,2026-01-21
    """,
    "inspections": """
        batch_id,test,result,qty_tested,qty_failed,date
        S1,leak,fail,100,3,2026-01-09
        F1,leak,fail,50,1,2026-01-24
        F1,visual,pass,48,0,2026-01-24
        F2,leak,pass,40,0,2026-02-02
    """,
    "nonconformances": """
        ncr_id,batch_id,defect,disposition,qty,date,cost
        N1,F1,burr,rework,5,2026-01-22,12.50
        N2,F1,crack,scrap,2,2026-01-23,8.00
        N3,S1,flash,Rework,3,2026-01-08,
        N4,F2,late,rework,1,2026-02-05,99.00
    """,
}


def test_quality_cost_by_hand(make_data):
    q = analyze.quality_cost(run_cost(make_data(**QUALITY)))
    assert list(q.columns[:len(COLUMNS)]) == list(COLUMNS)
    # F2's inspection and NCR are dated after January: F2 has no row
    # S1: 3 of 100 failed; rework: N3 has no cost, no rework direct cost -> 0.00
    # F1: 1 of 50 + 48 = 98 failed -> 0.010204; rework = N1 12.50 + direct 30.00 = 42.50 (N2 is scrap)
    assert q[list(COLUMNS)].to_dict("records") == [
        {"batch_id": "F1", "qty_tested": 98.0, "qty_failed": 1.0, "defect_rate": pytest.approx(1 / 98),
         "scrap_cost": 20.35, "rework_cost": 42.50, "abnormal_scrap_cost": 10.18, "flagged": False},
        {"batch_id": "S1", "qty_tested": 100.0, "qty_failed": 3.0, "defect_rate": 0.03,
         "scrap_cost": 52.50, "rework_cost": 0.00, "abnormal_scrap_cost": 42.00, "flagged": False},
    ]
    f1 = q.set_index("batch_id").loc["F1"]
    assert f1[["rework_ncr_cost", "rework_direct_cost", "nonconformances", "inspections"]].tolist() == [
        12.50, 30.00, 2, 2]
    # the full cost breakdown: 6.25 material + 262.50 sub-assembly + 160 labor + 20 machine + 40 direct + 20 pool
    assert f1[["material_cost", "subassembly_cost", "labor_cost", "machine_cost", "direct_cost", "overhead_cost",
               "total_cost"]].tolist() == [6.25, 262.50, 160.00, 20.00, 40.00, 20.00, 508.75]


def test_no_quality_records_gives_an_empty_table_with_the_columns(make_data):
    q = analyze.quality_cost(run_cost(make_data()))
    assert q.empty and list(q.columns[:len(COLUMNS)]) == list(COLUMNS)


def test_ncr_without_inspection_counts_with_no_defect_rate(make_data):
    q = analyze.quality_cost(run_cost(make_data(nonconformances="""
        ncr_id,batch_id,defect,disposition,qty,date,cost
        N1,F2,burr,rework,5,2026-01-22,7.25
    """)))
    # F2 is WIP: scrap 0 of 40 started -> 0.00; nothing tested -> rate empty, never flagged
    row = q.iloc[0]
    assert (row["batch_id"], row["qty_tested"], row["rework_cost"], row["scrap_cost"], row["flagged"]) == (
        "F2", 0.0, 7.25, 0.0, False)
    assert pd.isna(row["defect_rate"])


def test_defect_rate_outlier_is_flagged_and_normal_batch_is_not(make_data):
    # item Q, six batches tested 100 each, failures 1 2 1 0 2 and Q6 12
    # Q6: the others fail 6 of 500 -> reference (6 + 0.5) / (500 + 1) = 0.012974;
    #     P(X >= 12 | 100, 0.012974) is about 1e-8 < 0.001 -> flagged
    # Q2: the others fail 16 of 500 -> (16.5) / 501 = 0.032934 > its 0.02 -> not flagged
    fails = [1, 2, 1, 0, 2, 12]
    batches = ["batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good"]
    issues = ["batch_id,material_id,lot_id,qty,unit_cost,date"]
    insp = ["batch_id,test,result,qty_tested,qty_failed,date"]
    for i, f in enumerate(fails, start=1):
        batches.append(f"Q{i},Q,L1,2026-01-0{i},2026-01-1{i},100,100")
        issues.append(f"Q{i},M,LM,100,1,2026-01-0{i}")
        insp.append(f"Q{i},leak,{'fail' if f else 'pass'},100,{f},2026-01-1{i}")
    res = run_cost(make_data(base={}, batches="\n".join(batches), material_issues="\n".join(issues),
                             material_lots="lot_id,material_id,unit_cost\nLM,M,1", inspections="\n".join(insp)))
    q = analyze.quality_cost(res).set_index("batch_id")
    assert q["flagged"].to_dict() == {f"Q{i}": i == 6 for i in range(1, 7)}
    assert q.loc["Q6", "reference_defect_rate"] == pytest.approx(6.5 / 501)
    assert q.loc["Q6", "defect_p_value"] < 1e-7
    assert q.loc["Q2", "reference_defect_rate"] == pytest.approx(16.5 / 501)
    # with fewer tested batches of the item than min_batches, nothing is flagged
    stricter = res.params.model_copy(update={"variance": res.params.variance.model_copy(update={"min_batches": 7})})
    few = analyze.quality_cost(dataclasses.replace(res, params=stricter))
    assert not few["flagged"].any()


def test_binomial_tail_is_scipys_binomial_survival():
    import numpy as np
    from scipy.stats import binom

    from batchkit.analyze.quality import binomial_tail

    k = np.array([0, 1, 3, 10, 0, 12, 5])
    n = np.array([10, 10, 50, 100, 0, 10, 5])
    p = np.array([0.1, 0.05, 0.02, 0.3, 0.5, 0.4, 0.9])
    assert np.allclose(binomial_tail(k, n, p), binom.sf(k - 1, n, p), rtol=1e-12, atol=0)
