"""Batch-to-batch statistics and anomalies on constructed series, every figure by hand.

Run period 2026-06, window 6 periods (2026-01..2026-06), min_batches 5, threshold 3 %, robust z 3.5.
Every batch starts 100 (X6: 104) and makes 100 good units, so unit cost = total / 100.

Item X (material M1 at the lot price + 8 labor hours at 50.00 = 4.00/unit; X4 8.2 h = 4.10/unit):
  X0 2025-12 M1 100 @ 50.00 (lot LX)            -> 54.00  (before the window: not counted)
  X1 2026-01 M1 100 @ 6.00 (LA)                 -> 10.00
  X2 2026-02 M1 100 @ 6.20 (LB)                 -> 10.20
  X3 2026-03 M1 100 @ 5.80 (LC)                 -> 9.80
  X4 2026-04 M1 100 @ 6.00 (LA), 8.2 h          -> 10.10
  X5 2026-06 M1 100 @ 6.00 (LA)                 -> 10.00   the normal batch of June
  X6 2026-06 started 104, M1 106 @ 6.50 (LD, supplier Zeta) -> (689 + 400) / 100 = 10.89   the planted outlier
  sorted 9.80 10.00 10.00 10.10 10.20 10.89: median (10.00 + 10.10) / 2 = 10.05
  |x - median| 0.05 0.15 0.25 0.05 0.05 0.84 -> sorted 0.05 0.05 0.05 0.15 0.25 0.84: MAD 0.10, sigma 0.14826
  individuals in end_date order 10.00 10.20 9.80 10.10 10.00 10.89: mean 60.99 / 6 = 10.165
  moving ranges 0.20 0.40 0.30 0.10 0.89: MR-bar 1.89 / 5 = 0.378; limits 10.165 +- 2.66 x 0.378 = 9.15952 .. 11.17048
  X6: deviation 100 x 0.84 / 10.05 = 8.3582 % (> 3), z 0.84 / 0.14826 = 5.6657 (> 3.5), 10.89 < 11.17048
  X5: deviation -0.4975 %, z -0.05 / 0.14826 = -0.3372, inside the limits: not flagged
Item Y (material only, a slow drift): 9.70 9.75 9.80 9.85 9.90 and Y6 (June) 10.10
  median (9.80 + 9.85) / 2 = 9.825; |dev| .125 .075 .025 .025 .075 .275 -> MAD (.075 + .075) / 2 = .075
  Y6: deviation 100 x .275 / 9.825 = 2.799 % (< 3), z .275 / (1.4826 x .075) = 2.4731 (< 3.5)
  mean 59.1 / 6 = 9.85, MR-bar (4 x .05 + .20) / 5 = .08, UCL 9.85 + .2128 = 10.0628 < 10.10: out of control only
Item W (material only): 10 10 10 10 and W5 (June) 11: median 10, MAD 0 -> mean absolute deviation 1/5 = 0.2,
  z = 1 / (1.253314 x 0.2) = 3.98942; deviation 10 %; mean 10.2, MR-bar 1/4 = .25, UCL 10.865 < 11
Item Z: two batches (10, then 20 in June): fewer than min_batches, never flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from scipy.stats import median_abs_deviation

from batchkit import analyze
from batchkit.analyze.stats import ANOMALY_COLUMNS, window
from tests.conftest import run_cost
from tests.test_invariants import SETTINGS, _cost, plants

# batch: (item, start, end, started, [(material, lot, qty, unit_cost)], labor hours)
SERIES = {
    "X0": ("X", "2025-12-01", "2025-12-10", 100, [("M1", "LX", 100, 50.00)], 8),
    "X1": ("X", "2026-01-05", "2026-01-20", 100, [("M1", "LA", 100, 6.00)], 8),
    "X2": ("X", "2026-02-05", "2026-02-20", 100, [("M1", "LB", 100, 6.20)], 8),
    "X3": ("X", "2026-03-05", "2026-03-20", 100, [("M1", "LC", 100, 5.80)], 8),
    "X4": ("X", "2026-04-05", "2026-04-20", 100, [("M1", "LA", 100, 6.00)], 8.2),
    "X5": ("X", "2026-06-01", "2026-06-10", 100, [("M1", "LA", 100, 6.00)], 8),
    "X6": ("X", "2026-06-05", "2026-06-20", 104, [("M1", "LD", 106, 6.50)], 8),
    **{f"Y{i + 1}": ("Y", f"2026-0{i + 1}-02", f"2026-0{i + 1}-12", 100, [("M2", "LY", 100, c)], 0)
       for i, c in enumerate([9.70, 9.75, 9.80, 9.85, 9.90, 10.10])},
    **{f"W{i + 1}": ("W", f"2026-0{i + 2}-02", f"2026-0{i + 2}-12", 100, [("M3", "LW", 100, c)], 0)
       for i, c in enumerate([10, 10, 10, 10, 11])},
    "Z1": ("Z", "2026-05-02", "2026-05-12", 100, [("M4", "LZ", 100, 10)], 0),
    "Z2": ("Z", "2026-06-02", "2026-06-12", 100, [("M4", "LZ", 100, 20)], 0),
}


def plant() -> dict[str, str]:
    batches = ["batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good,qty_scrap"]
    issues = ["batch_id,material_id,lot_id,qty,unit_cost,date"]
    ops = ["batch_id,operation,work_center,labor_hours,machine_hours,date"]
    for b, (item, start, end, started, mats, hours) in SERIES.items():
        batches.append(f"{b},{item},L1,{start},{end},{started},100,{started - 100}")
        issues += [f"{b},{m},{lot},{q},{c},{start}" for m, lot, q, c in mats]
        if hours:
            ops.append(f"{b},op,WC1,{hours},0,{start}")
    lots = """
        lot_id,material_id,supplier,unit_cost
        LA,M1,Acme,6.00
        LB,M1,Acme,6.20
        LC,M1,Bolt,5.80
        LD,M1,Zeta,6.50
        LX,M1,Old,50.00
        LY,M2,Acme,
        LW,M3,Acme,
        LZ,M4,Acme,
    """
    return {"batches": "\n".join(batches), "material_issues": "\n".join(issues), "material_lots": lots,
            "operations": "\n".join(ops), "rates": "work_center,labor_rate,machine_rate\nWC1,50,0"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from tests.conftest import write_tables

    return run_cost(write_tables(tmp_path_factory.mktemp("series"), plant()), "2026-06")


def test_unit_costs_are_the_constructed_series(result):
    s = result.batch_summary.set_index("batch_id")["unit_cost"]
    assert s["X6"] == pytest.approx(10.89) and s["X4"] == pytest.approx(10.10) and s["X0"] == pytest.approx(54.00)


def test_median_mad_and_control_limits_by_hand(result):
    st = analyze.unit_cost_stats(result).set_index("item_id")
    x = st.loc["X"]
    assert x["n"] == 6  # X0 ended before the window
    assert x[["median", "mad", "robust_sigma", "center", "mr_bar", "lcl", "ucl"]].tolist() == pytest.approx(
        [10.05, 0.10, 0.14826, 10.165, 0.378, 9.15952, 11.17048])
    assert x[["min", "max"]].tolist() == pytest.approx([9.80, 10.89])
    assert st.loc["Y", ["median", "mad", "center", "mr_bar", "ucl"]].tolist() == pytest.approx(
        [9.825, 0.075, 9.85, 0.08, 10.0628])
    assert st.loc["W", ["median", "mad", "center", "mr_bar", "ucl"]].tolist() == pytest.approx([10, 0, 10.2, 0.25,
                                                                                              10.865])
    assert st["enough"].to_dict() == {"W": True, "X": True, "Y": True, "Z": False}
    # scipy's MAD agrees (robust sigma uses the contract's 1.4826, scipy's 'normal' scale 1.482602...)
    assert median_abs_deviation([10.0, 10.2, 9.8, 10.1, 10.0, 10.89]) == pytest.approx(x["mad"])


def test_planted_outliers_are_flagged_and_normal_batches_are_not(result):
    a = analyze.anomalies(result)
    assert list(a.columns) == list(ANOMALY_COLUMNS)
    assert a["batch_id"].tolist() == ["W5", "X6", "Y6"]  # not X5, Z2 (too few), nor anything before June
    rules = dict(zip(a["batch_id"], a["rules"], strict=True))
    assert rules == {"X6": "deviation;robust_z", "Y6": "control", "W5": "deviation;robust_z;control"}
    x6 = a.set_index("batch_id").loc["X6"]
    assert x6[["item_id", "product_line", "period", "n_window"]].tolist() == ["X", "L1", "2026-06", 6]
    assert x6[["unit_cost", "reference_unit_cost", "deviation_per_unit", "deviation_pct", "robust_z"]].tolist() \
        == pytest.approx([10.89, 10.05, 0.84, 8.358209, 5.665722], rel=1e-6)
    w5 = a.set_index("batch_id").loc["W5"]
    assert w5["robust_z"] == pytest.approx(1 / (1.253314 * 0.2))  # MAD 0: mean absolute deviation instead
    w = window(result).set_index("batch_id")
    assert w.loc["X5", ["deviation_pct", "robust_z"]].tolist() == pytest.approx([-0.497512, -0.337245], rel=1e-5)
    assert w.loc["X5", "rules"] == "" and w.loc["Z2", "rules"] == ""
    assert w.loc["W1", "robust_z"] == 0.0


def test_attribution_of_the_outlier_by_hand(result):
    # X6 against the median batches X5 and X4 (sorted X3 X1 X5 X4 X2 X6: the 3rd and 4th):
    #   reference per unit: material (6.00 + 6.00) / 2 = 6.00, labor (4.00 + 4.10) / 2 = 4.05 (sum 10.05)
    #   reference yield: started per good (1.00 + 1.00) / 2 = 1; X6 1.04 -> restate X6 at x 1 / 1.04
    #   X6 restated: material 6.89 / 1.04 = 6.625, labor 4.00 / 1.04 = 3.846154
    #   M1's reference price: median of 6.00 6.20 5.80 6.00 6.00 6.50 = 6.00
    #   material price = (689.00 - 6.00 x 106) / 100 / 1.04 = 0.53 / 1.04 = 0.509615 (all of it lot LD, Zeta)
    #   material usage = (6.625 - 6.00) - 0.509615 = 0.12 / 1.04 = 0.115385
    #   labor = 3.846154 - 4.05 = -0.203846; scrap = 10.89 - (6.625 + 3.846154) = 0.418846
    #   sum 0.509615 + 0.115385 - 0.203846 + 0.418846 = 0.84 = 10.89 - 10.05
    att = analyze.attribution(result, ["X6"])
    got = dict(zip(att["driver"], att["per_unit"], strict=True))
    assert got == pytest.approx({"material_price": 0.53 / 1.04, "material_usage": 0.12 / 1.04,
                                 "labor": 4 / 1.04 - 4.05, "machine": 0.0, "scrap": 10.89 * 0.04 / 1.04})
    assert att["per_unit"].sum() == pytest.approx(0.84, abs=1e-12)
    assert att["share"].sum() == pytest.approx(1.0, abs=1e-12)
    detail = dict(zip(att["driver"], att["detail"], strict=True))
    assert detail["material_price"] == "lot LD of M1 from supplier Zeta (+0.5096/unit)"
    assert detail["scrap"] == "yield 96.2 % vs 100.0 % in the reference"
    x6 = analyze.anomalies(result).set_index("batch_id").loc["X6"]
    assert x6[["top_driver", "top_driver_detail", "top_driver_lot", "top_driver_material",
               "top_driver_supplier"]].tolist() == ["material_price", detail["material_price"], "LD", "M1", "Zeta"]
    price = att[att["driver"] == "material_price"].iloc[0]
    assert price[["lot_id", "supplier"]].tolist() == ["LD", "Zeta"] and price["lot_per_unit"] == pytest.approx(
        0.53 / 1.04)
    assert x6["top_driver_share"] == pytest.approx(0.53 / 1.04 / 0.84)  # 60.7 % of the extra 0.84 per unit


def test_window_scope_and_by_line(result):
    # judging the whole window flags nothing more here; by line gives the same groups (one line)
    assert analyze.anomalies(result, scope="window")["batch_id"].tolist() == ["W5", "X6", "Y6"]
    st = analyze.unit_cost_stats(result, by_line=True)
    assert st[["item_id", "product_line", "n"]].values.tolist() == [["W", "L1", 5], ["X", "L1", 6], ["Y", "L1", 6],
                                                                     ["Z", "L1", 2]]
    # a 1-period window (June only) leaves X with X5 and X6
    assert analyze.unit_cost_stats(result, window_periods=1).set_index("item_id").loc["X", "n"] == 2


def test_no_completed_batches_gives_an_empty_table_with_the_columns(make_data):
    res = run_cost(make_data(), "2026-01")
    a = analyze.anomalies(res)
    assert a.empty and list(a.columns) == list(ANOMALY_COLUMNS)


# random plants (tests.test_invariants), costed for 2026-03
costed_plants = plants().map(lambda plant: _cost(*plant))


@SETTINGS
@given(costed_plants)
def test_drivers_sum_to_the_deviation_of_every_batch(res):
    w = window(res)
    att = analyze.attribution(res, w["batch_id"].tolist())
    if w.empty:
        assert att.empty
        return
    total = att.groupby("batch_id")["per_unit"].sum()
    dev = w.set_index("batch_id")["deviation_per_unit"].reindex(total.index)
    scale = np.maximum(w["unit_cost"].abs().max(), 1.0)
    assert np.allclose(total.to_numpy(), dev.to_numpy(), rtol=0, atol=1e-9 * scale)
    assert set(att["batch_id"]) == set(w["batch_id"])
    assert not pd.isna(att["per_unit"]).any()
