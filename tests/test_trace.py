"""Recall traceability: levels, shipments and cost at risk on a hand-built plant, computed by hand.

Genealogy (purchased lots at the bottom, 3 levels of batches above them):

  L-RES-01 (resin, Acme Polymers, 2.00) -> C1 (hub, 50 x 2.00 = 100.00, good 100, unit 1.00)
  C1 -> S1 (sub-assembly) 60 units            : 60 x 1.00          =  60.00
  L-TUB-07 (tube, TubeCo, 0.50) -> S1 40      : 40 x 0.50          =  20.00 -> S1 80.00, good 39
  S1 -> F1 20 units                           : 20 x 80/39 = 41.0256 ->  41.03
  L-FOI-03 (foil, PackCo, 1.00) -> F1 10      :                       10.00 -> F1 51.03, good 20
  S1 -> F2 15 units                           : 15 x 80/39 = 30.7692 ->  30.77
  C1 -> F2 12 units, then 2 returned (net 10) : 12.00 - 2.00        =  10.00 -> F2 40.77, good 16
  S1 -> W1 2 units (W1 is WIP, no output yet) :  2 x 80/39 =  4.1026 ->   4.10
  L-FOI-03 -> W1 5                            :                        5.00 -> W1  9.10
  L-TUB-07 -> X1 4 (unrelated to the resin)   :                        2.00 -> X1  2.00, good 5

F1 and F2 share the sub-assembly S1, which is consumed partially (37 of 39);
F2 reaches C1 both directly and through S1. Shipments, all in February:
F1 -> Hospital A 12, Clinic B 8; F2 -> Hospital A 10, Distributor C 5; X1 -> Hospital A 5.
"""

from __future__ import annotations

import json
import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import batchkit
from batchkit.core.errors import UdiError, UnknownIdError
from batchkit.core.params import Params
from tests.conftest import write_tables
from tests.test_cli import batchkit as run_cli

PLANT = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        C1,HUB,cath,SZ,2026-01-02,2026-01-04,100,100,0
        S1,SUBA,cath,SZ,2026-01-05,2026-01-08,40,39,1
        F1,CATH,cath,SZ,2026-01-10,2026-01-14,20,20,0
        F2,CATH,cath,SZ,2026-01-11,2026-01-15,16,16,0
        W1,CATH,cath,SZ,2026-01-20,,10,0,0
        X1,TUBESET,cath,SZ,2026-01-06,2026-01-07,5,5,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        C1,RESIN,L-RES-01,50,,2026-01-02,D1
        S1,HUB,C1,60,,2026-01-05,D2
        S1,TUBE,L-TUB-07,40,,2026-01-05,D3
        F1,SUBA,S1,20,,2026-01-10,D4
        F1,FOIL,L-FOI-03,10,,2026-01-10,D5
        F2,SUBA,S1,15,,2026-01-11,D6
        F2,HUB,C1,12,,2026-01-11,D7
        F2,HUB,C1,-2,,2026-01-12,D8
        W1,SUBA,S1,2,,2026-01-20,D9
        W1,FOIL,L-FOI-03,5,,2026-01-20,D10
        X1,TUBE,L-TUB-07,4,,2026-01-06,D11
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L-RES-01,RESIN,Acme Polymers,2025-12-20,2.00,1000
        L-TUB-07,TUBE,TubeCo,2025-12-21,0.50,1000
        L-FOI-03,FOIL,PackCo,2025-12-22,1.00,1000
    """,
    "shipments": """
        batch_id,customer,ship_date,qty
        F1,Hospital A,2026-02-03,12
        F1,Clinic B,2026-02-04,8
        F2,Hospital A,2026-02-05,10
        F2,Distributor C,2026-02-06,5
        X1,Hospital A,2026-02-02,5
    """,
    "operations": None,
    "rates": None,
    "cost_pools": None,
}
GTIN = "09506000134352"  # GS1's example GTIN; check digit 2


@pytest.fixture
def plant(make_data):
    return make_data(base=PLANT)


def run(folder, what, **kw):
    return batchkit.trace(folder, what, params=Params(), **kw)


def table(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(r) for r in frame[columns].itertuples(index=False)]


def test_forward_from_a_purchased_lot_every_level_shipment_and_cost_at_risk(plant):
    r = run(plant, "L-RES-01")
    assert (r.id, r.kind, r.direction, r.period) == ("L-RES-01", "lot", "forward", "2026-02")
    # C1 consumed the resin (1); S1 and F2 consumed C1 (2; F2 also via S1, but the shorter path counts);
    # F1 and W1 consumed S1 (3). X1 never touched the resin.
    assert table(r.batches, ["batch_id", "level", "status", "qty_good", "qty_issued", "qty_at_risk"]) == [
        ("C1", 1, "completed", 100, 70, 30),  # 60 to S1 + 12 - 2 to F2 = 70 issued
        ("F2", 2, "completed", 16, 0, 16),
        ("S1", 2, "completed", 39, 37, 2),  # 20 + 15 + 2 issued of 39
        ("F1", 3, "completed", 20, 0, 20),
        ("W1", 3, "wip", 0, 0, 0),
    ]
    assert table(r.batches, ["batch_id", "total_cost", "cost_at_risk"]) == [
        ("C1", 100.00, 30.00),  # 100.00 x 30/100
        ("F2", 40.77, 40.77),  # all 16 units, shipped or not
        ("S1", 80.00, 4.10),  # 80.00 x 2/39 = 4.1026 -> 4.10
        ("F1", 51.03, 51.03),
        ("W1", 9.10, 9.10),  # WIP: its whole cost to date
    ]
    assert r.batches["unit_cost"].tolist()[:3] == [1.0, 40.77 / 16, 80.00 / 39]
    assert math.isnan(r.batches["unit_cost"].iloc[4])
    # 30.00 + 40.77 + 4.10 + 51.03 + 9.10 = 135.00 = every purchased input of the affected batches
    # (resin 100.00 + tube into S1 20.00 + foil into F1 10.00 and into W1 5.00): nothing counted twice
    assert r.cost_at_risk == 135.00
    assert table(r.lots, ["lot_id", "material_id", "supplier", "level"]) == [
        ("L-RES-01", "RESIN", "Acme Polymers", 0)]
    assert table(r.shipments, ["batch_id", "level", "customer", "ship_date", "qty"]) == [
        ("F2", 2, "Hospital A", pd.Timestamp("2026-02-05"), 10),
        ("F2", 2, "Distributor C", pd.Timestamp("2026-02-06"), 5),
        ("F1", 3, "Hospital A", pd.Timestamp("2026-02-03"), 12),
        ("F1", 3, "Clinic B", pd.Timestamp("2026-02-04"), 8),
    ]
    assert table(r.customers, ["customer", "shipments", "batches", "qty"]) == [
        ("Clinic B", 1, 1, 8), ("Distributor C", 1, 1, 5), ("Hospital A", 2, 2, 22)]
    assert r.warnings == []


def test_forward_from_the_shared_sub_assembly_includes_itself(plant):
    r = run(plant, "S1")
    assert table(r.batches, ["batch_id", "level", "cost_at_risk"]) == [
        ("S1", 0, 4.10), ("F1", 1, 51.03), ("F2", 1, 40.77), ("W1", 1, 9.10)]
    # 4.10 + 51.03 + 40.77 + 9.10 = 105.00
    assert r.cost_at_risk == 105.00
    assert r.lots.empty and len(r.shipments) == 4


def test_forward_from_a_second_lot_reaches_other_branches(plant):
    r = run(plant, "L-TUB-07")
    assert table(r.batches, ["batch_id", "level"]) == [("S1", 1), ("X1", 1), ("F1", 2), ("F2", 2), ("W1", 2)]
    # S1 4.10 + X1 2.00 + F1 51.03 + F2 40.77 + W1 9.10 = 107.00 (C1 is upstream: not affected)
    assert r.cost_at_risk == 107.00
    assert table(r.shipments, ["batch_id", "customer", "qty"])[0] == ("X1", "Hospital A", 5)


def test_backward_from_a_finished_batch_lists_every_input_at_its_depth(plant):
    r = run(plant, "F1", direction="backward")
    assert table(r.batches, ["batch_id", "level"]) == [("F1", 0), ("S1", 1), ("C1", 2)]
    assert table(r.lots, ["lot_id", "material_id", "supplier", "received_date", "level"]) == [
        ("L-FOI-03", "FOIL", "PackCo", pd.Timestamp("2025-12-22"), 1),
        ("L-TUB-07", "TUBE", "TubeCo", pd.Timestamp("2025-12-21"), 2),
        ("L-RES-01", "RESIN", "Acme Polymers", pd.Timestamp("2025-12-20"), 3),
    ]
    # backward: the batch under investigation's own units, 51.03; its shipments
    assert r.cost_at_risk == 51.03
    assert table(r.shipments, ["batch_id", "customer", "qty"]) == [("F1", "Hospital A", 12), ("F1", "Clinic B", 8)]


def test_backward_takes_the_shorter_path_and_a_lot_has_no_inputs(plant):
    r = run(plant, "F2", direction="backward")
    assert table(r.batches, ["batch_id", "level"]) == [("F2", 0), ("C1", 1), ("S1", 1)]
    assert table(r.lots, ["lot_id", "level"]) == [("L-RES-01", 2), ("L-TUB-07", 2)]
    lot = run(plant, "L-FOI-03", direction="backward")
    assert lot.batches.empty and table(lot.lots, ["lot_id", "level"]) == [("L-FOI-03", 0)]
    assert lot.cost_at_risk == 0.0


def test_an_earlier_period_sees_the_plant_as_of_its_end(plant):
    r = run(plant, "L-RES-01", period="2026-01")
    assert r.period == "2026-01" and r.shipments.empty  # every shipment is dated February
    assert r.cost_at_risk == 135.00


def test_batch_ids_are_normalized_and_lots_compared_as_written(plant):
    assert run(plant, " f-2 ").id == "F2"
    with pytest.raises(UnknownIdError) as exc:
        run(plant, "L-RES-0X")
    assert str(exc.value) == ("unknown ID 'L-RES-0X': not a purchased lot or a batch (after normalization: "
                              "'LRES0X'); close matches: L-RES-01")
    assert exc.value.suggestions == ["L-RES-01"]


def test_a_lot_master_row_naming_a_batch_does_not_hide_the_batch(make_data):
    lots = PLANT["material_lots"] + "        S1,SUBA,In-house,2026-01-08,,39\n"
    r = run(make_data(base={**PLANT, "material_lots": lots}), "S1")
    # validation calls that an error, so costing refuses; the genealogy is traced all the same
    assert (r.kind, r.cost_at_risk) == ("batch", None)
    assert r.batches["batch_id"].tolist() == ["S1", "F1", "F2", "W1"]
    assert "lot 'S1' is both a purchased lot and a batch" in r.warnings[0]


def test_a_wip_sub_assembly_keeps_only_what_it_has_not_passed_on(make_data):
    data = make_data(base={**PLANT, "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        W2,SUBA,cath,SZ,2026-01-02,,20,10,0
        F3,CATH,cath,SZ,2026-01-05,2026-01-06,2,2,0
    """, "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date
        W2,RESIN,L-RES-01,25,,2026-01-02
        F3,SUBA,W2,4,,2026-01-05
    """, "shipments": None})
    r = run(data, "L-RES-01")
    # W2 (WIP, 10 good so far): 25 x 2.00 = 50.00; F3 is charged 4 x 50.00/10 = 20.00
    # W2 keeps 50.00 x 6/10 = 30.00, F3 20.00: 50.00 in all, the resin once
    assert table(r.batches, ["batch_id", "status", "cost_at_risk"]) == [
        ("W2", "wip", 30.00), ("F3", "completed", 20.00)]
    assert r.cost_at_risk == 50.00


def test_a_dataset_costing_refuses_is_still_traced_without_costs(make_data):
    data = make_data(base={**PLANT, "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        F1,assemble,WC1,two,1,2026-01-10
    """, "rates": "work_center,labor_rate,machine_rate\nWC1,40,20\n"})
    r = run(data, "L-RES-01")
    assert r.cost_at_risk is None
    assert r.batches["batch_id"].tolist() == ["C1", "F2", "S1", "F1", "W1"] and len(r.shipments) == 4
    assert r.batches["total_cost"].isna().all()
    assert r.warnings[0].startswith("cost_at_risk and batch costs are not available: costing refuses this dataset "
                                    "(operations.csv row 2 column labor_hours: 'two' is not a number)")
    assert r.to_json_dict()["cost_at_risk"] is None


def test_a_udi_is_traced_by_its_lot_in_either_form(plant):
    label = f"(01){GTIN}(17)270200(10)F1(21)SN0001"
    r = run(plant, label)
    assert (r.id, r.kind, r.query) == ("F1", "batch", label)
    assert r.udi == {"gtin": GTIN, "lot": "F1", "serial": "SN0001", "expiry": "2027-02-28", "production_date": None,
                     "elements": {"01": GTIN, "17": "270200", "10": "F1", "21": "SN0001"}}
    scanned = f"]d201{GTIN}10F1\x1d17270228"
    assert run(plant, scanned).id == "F1"
    assert run(plant, f"01{GTIN}10F1").udi["lot"] == "F1"  # a raw digit run without GS, tried after the IDs
    with pytest.raises(UnknownIdError, match="unknown ID 'F9'"):
        run(plant, f"(01){GTIN}(10)F9")
    with pytest.raises(UdiError, match="check digit"):
        run(plant, "(01)09506000134353(10)F1")


def test_a_loaded_dataset_and_a_cost_result_can_be_reused(plant):
    ds = batchkit.load_dataset(plant, Params())
    result = batchkit.cost(ds, "2026-02", Params())
    r = batchkit.trace(ds, "L-RES-01", costs=result)
    assert (r.period, r.cost_at_risk) == ("2026-02", 135.00)
    assert batchkit.trace(ds, "S1").cost_at_risk == 105.00


def test_json_has_exactly_the_contract_keys(plant):
    d = run(plant, "L-RES-01").to_json_dict()
    contract = {"id", "direction", "batches", "lots", "shipments", "cost_at_risk"}
    assert contract <= set(d)
    assert [set(b) for b in d["batches"]] == [{"batch_id", "item_id", "level", "qty_good", "unit_cost",
                                               "total_cost"}] * 5
    assert d["batches"][4] == {"batch_id": "W1", "item_id": "CATH", "level": 3, "qty_good": 0.0, "unit_cost": None,
                               "total_cost": 9.10}
    assert d["lots"] == [{"lot_id": "L-RES-01", "material_id": "RESIN", "supplier": "Acme Polymers", "level": 0}]
    assert d["shipments"][0] == {"batch_id": "F2", "customer": "Hospital A", "ship_date": "2026-02-05", "qty": 10.0}
    assert json.loads(json.dumps(d)) == d


# ------------------------------------------------------------------ CLI


def cli(*args: str):
    return run_cli(*args)


def test_cli_json_and_exit_codes(plant, tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("currency: CNY\n")
    ok = cli("trace", "L-RES-01", "--data", str(plant), "--json", "--params", str(params))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["cost_at_risk"] == 135.00
    unknown = cli("trace", "L-RES-0X", "--data", str(plant), "--params", str(params))
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[0] == (
        "error: unknown ID 'L-RES-0X': not a purchased lot or a batch (after normalization: 'LRES0X'); "
        "close matches: L-RES-01")
    bad_udi = cli("trace", "(01)09506000134352(99)X", "--data", str(plant), "--params", str(params))
    assert bad_udi.returncode == 1
    assert bad_udi.stderr.startswith("error: UDI position 20: unknown or unsupported GS1 application identifier (99)")
    usage = cli("trace", "L-RES-01", "--data", str(plant), "--direction", "sideways")
    assert usage.returncode == 2 and "sideways" in usage.stderr
    assert cli("trace", "L-RES-01", "--data", str(plant), "--out", "x.csv").returncode == 2


def test_cli_prints_levels_customers_and_totals(plant, tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("currency: CNY\n")
    out = cli("trace", "L-RES-01", "--data", str(plant), "--params", str(params))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("forward trace of lot L-RES-01, as of the end of 2026-02")
    assert "CNY 135.00" in text and "Distributor C" in text and "3 customers" in text
    assert "5 batches, 1 lot, 4 shipments to 3 customers; cost at risk CNY 135.00" in text


def test_cli_recall_workbook_matches_the_json_and_keeps_formulas_as_text(make_data, tmp_path):
    evil = "=cmd|' /C calc'!A0"
    data = make_data(base={**PLANT, "shipments": f"""
        batch_id,customer,ship_date,qty
        F1,"{evil}",2026-02-03,12
        F1,+Clinic,2026-02-04,8
    """})
    xlsx = tmp_path / "recall.xlsx"
    proc = cli("trace", "L-RES-01", "--data", str(data), "--json", "--out", str(xlsx))
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    wb = openpyxl.load_workbook(xlsx)
    # the recall report's workbook (report.recall_book): translated headers, money headers with the currency
    assert wb.sheetnames == ["Summary", "Shipments by customer", "Batches", "Shipments", "Lots"]
    ws = wb["Batches"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Batch", "Item", "Level", "Status", "Good qty", "Issued to other batches"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:J6"
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    assert [(x["Batch"], x["Level"], x["Total cost (CNY)"]) for x in rows] == [
        (b["batch_id"], b["level"], b["total_cost"]) for b in d["batches"]]
    assert ws.cell(row=2, column=header.index("Total cost (CNY)") + 1).number_format == "#,##0.00"
    sh = wb["Shipments"]
    customers = [sh.cell(row=i, column=4) for i in (2, 3)]
    assert [c.value for c in customers] == [evil, "+Clinic"]
    assert all(c.data_type == "s" for c in customers)
    assert sh.cell(row=2, column=5).number_format == "yyyy-mm-dd"
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=3) if r[0].value}
    assert summary["cost at risk (CNY)"] == d["cost_at_risk"] == 135.00
    assert summary["customers"] == 2


# ------------------------------------------------------------------ invariants


@st.composite
def genealogies(draw):
    """A random plant whose batches consume lots and earlier batches (acyclic by construction)."""
    n = draw(st.integers(1, 7))
    batches = ["batch_id,item_id,product_line,start_date,end_date,qty_started,qty_good"]
    issues = ["batch_id,material_id,lot_id,qty,unit_cost,date"]
    for i in range(n):
        done = draw(st.booleans())
        batches.append(f"B{i},I,L,2026-01-{i + 1:02d},{f'2026-01-{i + 2:02d}' if done else ''},100,"
                       f"{draw(st.integers(1, 100)) if done else 0}")
        for lot in draw(st.lists(st.integers(0, 2), max_size=3, unique=True)):
            issues.append(f"B{i},M{lot},L-{lot},{draw(st.integers(1, 9))},1.5,2026-01-{i + 1:02d}")
        for sup in draw(st.lists(st.integers(0, max(i - 1, 0)), max_size=2, unique=True)) if i else []:
            issues.append(f"B{i},I,B{sup},{draw(st.integers(1, 5))},,2026-01-{i + 1:02d}")
    return {"batches": "\n".join(batches), "material_issues": "\n".join(issues), "material_lots": None,
            "operations": None, "rates": None, "cost_pools": None}


def ids(frame: pd.DataFrame, column: str = "batch_id") -> set[str]:
    return set(frame[column])


# each example loads, costs and traces a plant ~15 times: a third of the profile's examples
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          max_examples=max(10, settings.default.max_examples // 3))
@given(tables=genealogies())
def test_a_trace_contains_its_start_and_forward_traces_nest(tables, tmp_path_factory):
    folder = write_tables(tmp_path_factory.mktemp("g"), tables)
    ds = batchkit.load_dataset(folder, Params())
    batch_ids = list(ds["batches"]["batch_id"])
    lot_ids = sorted(set(ds["material_issues"]["lot_id"]) - set(batch_ids))
    forward = {b: batchkit.trace(ds, b) for b in batch_ids}
    backward = {b: batchkit.trace(ds, b, direction="backward") for b in batch_ids}
    for b, r in forward.items():
        assert r.batches.iloc[0][["batch_id", "level"]].tolist() == [b, 0]
        for a in ids(r.batches):  # a is downstream of b <=> b is upstream of a
            assert ids(forward[a].batches) <= ids(r.batches)
        assert {a for a in batch_ids if b in ids(backward[a].batches)} == ids(r.batches)
    for lot in lot_ids:
        r = batchkit.trace(ds, lot)
        assert (r.kind, set(r.batches["level"]) - {0}) == ("lot", set(r.batches["level"]))
        for b in ids(r.batches):
            assert ids(forward[b].batches) <= ids(r.batches)
        assert ids(r.batches) == {b for b in batch_ids if lot in ids(backward[b].lots, "lot_id")}


def test_workbook_of_a_scanned_udi_shows_gs_readably(plant, tmp_path):
    from batchkit.report.recall_book import write_recall_workbook

    r = run(plant, f"]d201{GTIN}10F1\x1d21SN7")
    path = write_recall_workbook(r, tmp_path / "udi.xlsx", "CNY")
    summary = {row[0].value: row[1].value for row in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=3)}
    assert summary["as asked"] == f"]d201{GTIN}10F1<GS>21SN7"
    assert (summary["UDI gtin"], summary["UDI lot"], summary["UDI serial"]) == (GTIN, "F1", "SN7")
    assert summary["cost at risk (CNY)"] == 51.03
