"""`batchkit diff`: what changed between two cost folders, by batch and element, and why.

The plant (OLD): S1 (sub-assembly, 90 good of 100) feeds F1 (45 units) and F2 (30, WIP). Issues:
  S1 RESIN L-1 10 units, no unit cost on the row: the lot's 12.50 -> 125.00
  F1 TUBE L-2 50 x 0.125 = 6.25, posted twice without a doc_id (duplicate_row warning): 12.50 in all
Hours: S1 WC1 2 labor (x50 = 100.00) 3 machine (x80 = 240.00); F1 WC2 4 (160.00) / 1 (20.00); F2 WC2 1 (40.00) /
1 (20.00). Pool P-OH overhead 100.00 by machine hours S1 3, F1 1, F2 1 of 5: 60.00, 20.00, 20.00.
  S1 = 125.00 + 100.00 + 240.00 + 60.00 = 525.00 (unit 525/90)
  F1 = 12.50 + 45 x 525/90 (262.50) + 160.00 + 20.00 + 20.00 = 475.00
  F2 = 30 x 525/90 (175.00) + 40.00 + 20.00 + 20.00 = 255.00
Cost in batches (reconciliation, sub-assemblies left out): material 137.50 + labor 300 + machine 280 + overhead 100
= 817.50.

NEW, four changes at once:
  - corrected lot price: L-1 12.50 -> 13.00, so S1 material 10 x 13.00 = 130.00 (+5.00)
  - deleted duplicate: F1's second TUBE line removed, F1 material 6.25 (-6.25)
  - late posting: F2 TUBE L-2 40 x 0.125 = 5.00, doc D9 dated 2026-01-30 (+5.00)
  - params: allocation.default_basis machine_hours -> labor_hours: S1 2, F1 4, F2 1 of 7 hours:
      S1 100 x 2/7 = 28.571.. -> 28.57 (remainder .43 cent), F1 400/7 = 57.142.. -> 57.14 (.29),
      F2 100/7 = 14.285.. -> 14.28 (.57); floors 99.99, the last cent to the largest remainder, F2: 14.29
  S1 = 130.00 + 100.00 + 240.00 + 28.57 = 498.57 (unit 498.57/90)
  F1 = 6.25 + 45 x 498.57/90 (249.285 -> 249.29) + 160.00 + 20.00 + 57.14 = 492.68
  F2 = 5.00 + 30 x 498.57/90 (166.19) + 40.00 + 20.00 + 14.29 = 245.48
Cost in batches: material 141.25 + 300 + 280 + 100 = 821.25 (+3.75: the price +5.00, the duplicate -6.25,
the late posting +5.00).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core.params import Params
from batchkit.store.cost_folder import cost_to_folder
from batchkit.store.diff import _outer, diff_folders, match_rows, match_tables
from batchkit.store.snapshot import arrow_table
from tests.conftest import BASE
from tests.test_cli import batchkit

OLD = {
    **BASE,  # batches, lots, operations, rates and the pool as in tests/conftest.py
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,,2026-01-02,D1
        F1,SUB-A,S1,45,,2026-01-12,D2
        F1,TUBE,L-2,50,0.125,2026-01-12,
        F1,TUBE,L-2,50,0.125,2026-01-12,
        F2,SUB-A,S1,30,,2026-01-15,D4
    """,
}
NEW = {
    **OLD,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,,2026-01-02,D1
        F1,SUB-A,S1,45,,2026-01-12,D2
        F1,TUBE,L-2,50,0.125,2026-01-12,
        F2,SUB-A,S1,30,,2026-01-15,D4
        F2,TUBE,L-2,40,0.125,2026-01-30,D9
    """,
    "material_lots": OLD["material_lots"].replace("12.5,1000", "13.00,1000"),
}


@pytest.fixture
def folders(make_data, tmp_path):
    old, new = tmp_path / "out" / "old", tmp_path / "out" / "new"
    cost_to_folder(make_data(OLD), "2026-01", old, Params())
    cost_to_folder(make_data(NEW), "2026-01", new, Params(allocation={"default_basis": "labor_hours"}))
    return old, new


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(r) for r in frame[columns].itertuples(index=False)]


def test_batch_costs_by_element_old_new_delta(folders):
    d = diff_folders(*folders)
    assert _rows(d.batches, ["batch_id", "cost_element", "old_amount", "new_amount", "delta_amount"]) == [
        ("F1", "material", 12.50, 6.25, -6.25),  # the deleted duplicate
        ("F1", "overhead", 20.00, 57.14, 37.14),  # 4 of 7 labor hours instead of 1 of 5 machine hours
        ("F1", "subassembly", 262.50, 249.29, -13.21),  # 45 x 498.57/90 = 249.285 -> 249.29
        ("F2", "material", 0.00, 5.00, 5.00),  # the late posting (F2 had no material before)
        ("F2", "overhead", 20.00, 14.29, -5.71),  # 1 of 7, with the leftover cent
        ("F2", "subassembly", 175.00, 166.19, -8.81),  # 30 x 498.57/90
        ("S1", "material", 125.00, 130.00, 5.00),  # the corrected lot price
        ("S1", "overhead", 60.00, 28.57, -31.43),  # 2 of 7
    ]  # labor and machine did not move: not listed
    assert _rows(d.batch_totals, ["batch_id", "change", "old_total_cost", "new_total_cost", "delta_cost"]) == [
        ("S1", "changed", 525.00, 498.57, -26.43),  # largest change first
        ("F1", "changed", 475.00, 492.68, 17.68),
        ("F2", "changed", 255.00, 245.48, -9.52),
    ]
    assert d.batch_totals["unit_cost_new"].iloc[0] == pytest.approx(498.57 / 90, rel=1e-12)
    # per element: material -6.25 + 5.00 + 5.00; overhead moved between batches but not in total
    assert _rows(d.elements, ["cost_element", "old_amount", "new_amount", "delta_amount"]) == [
        ("material", 137.50, 141.25, 3.75), ("overhead", 100.00, 100.00, 0.00),
        ("subassembly", 437.50, 415.48, -22.02)]
    s = d.summary()
    assert (s["old_costed_amount"], s["new_costed_amount"], s["delta_costed_amount"]) == (817.50, 821.25, 3.75)
    assert (s["batches_changed"], s["batch_elements_changed"], s["pools_moved"]) == (3, 8, 1)


def test_the_batches_deltas_add_up_to_the_reconciliation_change(folders):
    """Invariant: per element (sub-assembly transfers aside), the batches' deltas = the change of costed_amount."""
    d = diff_folders(*folders)
    rec = d.reconciliation.set_index("cost_element")["delta_costed_amount"]
    by_element = d.elements.set_index("cost_element")["delta_amount"]
    for element, delta in rec.items():
        assert by_element.get(element, 0.0) == delta


def test_input_rows_added_removed_changed_with_their_keys_and_values(folders):
    d = diff_folders(*folders)
    assert _rows(d.input_tables, ["table", "compared", "old_rows", "new_rows", "added", "removed", "changed",
                                  "unchanged"]) == [
        ("batches", "identical", 3, 3, 0, 0, 0, 3),
        ("cost_pools", "identical", 1, 1, 0, 0, 0, 1),
        ("material_issues", "rows", 5, 5, 1, 1, 0, 4),  # D1, D2, D4 and one TUBE line pair up by content
        ("material_lots", "rows", 2, 2, 0, 0, 1, 1),
        ("operations", "identical", 3, 3, 0, 0, 0, 3),
        ("rates", "identical", 2, 2, 0, 0, 0, 2),
    ]
    assert _rows(d.inputs, ["table", "change", "key", "old_row", "new_row", "changed_columns", "old_values",
                            "new_values"]) == [
        # the second of the two identical lines (file row 5) is the one gone; it has no doc_id, so no key
        ("material_issues", "removed", "", 5, pd.NA, "",
         "batch_id=F1, material_id=TUBE, lot_id=L-2, qty=50, unit_cost=0.125, date=2026-01-12", ""),
        ("material_issues", "added", "doc_id=D9", pd.NA, 6, "", "",
         "batch_id=F2, material_id=TUBE, lot_id=L-2, qty=40, unit_cost=0.125, date=2026-01-30, doc_id=D9"),
        ("material_lots", "changed", "lot_id=L-1", 2, 2, "unit_cost", "unit_cost=12.5", "unit_cost=13"),
    ]
    records = d.to_json_dict()["inputs"]
    assert records[1] == {"table": "material_issues", "change": "added", "key": {"doc_id": "D9"}, "old_row": None,
                          "new_row": 6, "values": {"batch_id": "F2", "material_id": "TUBE", "lot_id": "L-2",
                                                   "qty": 40.0, "unit_cost": 0.125, "date": "2026-01-30",
                                                   "doc_id": "D9"}, "changed": {}}
    assert records[2]["key"] == {"lot_id": "L-1"} and records[2]["changed"] == {"unit_cost": {"old": 12.5,
                                                                                              "new": 13.0}}


def test_params_key_by_key_and_the_pool_that_moved(folders):
    d = diff_folders(*folders)
    root = Path(d.old["folder"]).parent.parent  # make_data's folders: data1 (OLD), data2 (NEW)
    assert _rows(d.params, ["key", "old", "new"]) == [
        ("allocation.default_basis", "machine_hours", "labor_hours"),
        ("data", str(root / "data1"), str(root / "data2"))]
    assert _rows(d.pools, ["pool_id", "period", "cost_element", "old_basis", "new_basis", "old_amount", "new_amount",
                           "old_basis_total", "new_basis_total", "reasons"]) == [
        ("P-OH", "2026-01", "overhead", "machine_hours", "labor_hours", 100.0, 100.0, 5.0, 7.0, "basis")]
    assert _rows(d.allocations, ["batch_id", "old_basis_value", "new_basis_value", "old_amount", "new_amount"]) == [
        ("F1", 1.0, 4.0, 20.00, 57.14), ("F2", 1.0, 1.0, 20.00, 14.29), ("S1", 3.0, 2.0, 60.00, 28.57)]


POOLS_NEW = {
    **OLD,
    # a late operation posting (machine hours for F2) and a corrected pool invoice
    "operations": OLD["operations"].rstrip() + "\n        F2,assemble,WC2,0,2,2026-01-31\n",
    "cost_pools": OLD["cost_pools"].replace("100.00", "107.00"),
}


def test_a_pool_moved_by_its_amount_and_the_batches_basis_values(make_data, tmp_path):
    """107.00 by machine hours S1 3, F1 1, F2 1 + 2 = 3 of 7: 45.857.. (.71), 15.285.. (.57), 45.857.. (.71):
    floors 106.98, the two cents to S1 and F2. F2's 2 late machine hours cost 2 x 20.00 = 40.00. S1 = 525.00 -
    60.00 + 45.86 = 510.86, so F1's 45 units 255.43 (was 262.50) and F2's 30 units 170.286.. -> 170.29 (175.00)."""
    old, new = tmp_path / "o" / "old", tmp_path / "o" / "new"
    cost_to_folder(make_data(OLD), "2026-01", old, Params())
    cost_to_folder(make_data(POOLS_NEW), "2026-01", new, Params())
    d = diff_folders(old, new)
    assert _rows(d.pools, ["pool_id", "old_amount", "new_amount", "delta_amount", "old_basis_total",
                           "new_basis_total", "reasons"]) == [("P-OH", 100.0, 107.0, 7.0, 5.0, 7.0,
                                                               "amount;basis_values")]
    assert _rows(d.batches, ["batch_id", "cost_element", "old_amount", "new_amount", "delta_amount"]) == [
        ("F1", "overhead", 20.00, 15.28, -4.72), ("F1", "subassembly", 262.50, 255.43, -7.07),
        ("F2", "machine", 20.00, 60.00, 40.00), ("F2", "overhead", 20.00, 45.86, 25.86),
        ("F2", "subassembly", 175.00, 170.29, -4.71), ("S1", "overhead", 60.00, 45.86, -14.14)]
    assert _rows(d.batch_totals, ["batch_id", "old_total_cost", "new_total_cost", "delta_cost"]) == [
        ("F2", 255.00, 316.15, 61.15), ("S1", 525.00, 510.86, -14.14), ("F1", 475.00, 463.21, -11.79)]
    assert _rows(d.inputs, ["table", "change", "key", "new_row", "changed_columns", "old_values", "new_values"]) == [
        ("cost_pools", "changed", "pool_id=P-OH, period=2026-01", 2, "amount", "amount=100", "amount=107"),
        # the operations here have no doc_id: the new line is matched by content only
        ("operations", "added", "", 5, "", "", "batch_id=F2, operation=assemble, work_center=WC2, labor_hours=0, "
         "machine_hours=2, date=2026-01-31"),
    ]
    assert d.input_tables.set_index("table").loc["operations", "note"] == ("no doc_id on any row: rows matched by "
                                                                           "content only")
    rec = d.reconciliation.set_index("cost_element")
    assert rec.loc["machine", "delta_input_amount"] == 40.00 and rec.loc["overhead", "delta_costed_amount"] == 7.00


def test_a_folder_against_itself_has_no_change(folders):
    d = diff_folders(folders[0], folders[0])
    assert not d.changed
    assert d.batches.empty and d.inputs.empty and d.params.empty and d.pools.empty and d.batch_totals.empty
    assert set(d.input_tables["compared"]) == {"identical"}


def test_without_a_snapshot_the_input_files_are_compared(make_data, tmp_path):
    old, new = tmp_path / "o" / "old", tmp_path / "o" / "new"
    cost_to_folder(make_data(OLD), "2026-01", old, Params(audit={"snapshot_inputs": False}))
    cost_to_folder(make_data(NEW), "2026-01", new, Params(allocation={"default_basis": "labor_hours"}))
    assert not (old / "snapshot").exists()
    d = diff_folders(old, new)
    assert d.notes == [f"{old} has no input snapshot (written before batchkit kept one, or with "
                       "audit.snapshot_inputs: false): input rows cannot be listed, only whether each input file "
                       "changed"]
    assert d.inputs.empty and set(d.input_tables["compared"]) == {"file"}
    notes = d.input_tables.set_index("table")["note"]
    assert notes["material_lots"] == "input file changed (sha256 differs)"
    assert notes["rates"] == "input file unchanged"
    assert len(d.batches) == 8  # the batches' figures do not need the snapshot
    assert d.summary()["input_files_changed"] == 2


def test_cli_diff_json_exit_codes_and_out_folder(folders, tmp_path):
    old, new = folders
    proc = batchkit("diff", str(old), str(new), "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert {"old", "new", "summary", "batches", "inputs", "params", "pools", "batch_totals"} <= set(d)
    assert d["batches"][0] == {"batch_id": "F1", "cost_element": "material", "old": 12.5, "new": 6.25,
                               "delta": -6.25}
    assert [(i["table"], i["change"]) for i in d["inputs"]] == [
        ("material_issues", "removed"), ("material_issues", "added"), ("material_lots", "changed")]
    assert d["params"][0] == {"key": "allocation.default_basis", "old": "machine_hours", "new": "labor_hours"}
    same = batchkit("diff", str(old), str(old))
    assert same.returncode == 0  # nothing changed is not a failure
    assert same.stdout.splitlines()[2] == "cost in batches: 817.50 -> 817.50 (0.00); 0 batches changed"
    text = batchkit("diff", str(old), str(new)).stdout.splitlines()
    assert text[2] == "cost in batches: 817.50 -> 821.25 (+3.75); 3 batches changed"
    assert "    changed  material_lots lot_id=L-1 (row 2): unit_cost=12.5 -> unit_cost=13" in text
    assert "  allocation.default_basis: 'machine_hours' -> 'labor_hours'" in text
    assert "  P-OH 2026-01 (overhead): 100.00 -> 100.00 by machine_hours -> labor_hours; moved by basis" in text
    out = tmp_path / "diffs" / "jan"
    proc = batchkit("diff", str(old), str(new), "--out", str(out), "--reason", "review of the rerun")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "diff.json").read_text())["summary"] == d["summary"]
    assert pd.read_csv(out / "batches.csv")["delta_amount"].tolist() == [-6.25, 37.14, -13.21, 5.0, -5.71, -8.81,
                                                                         5.0, -31.43]
    assert "delta_amount" in (out / "batches.csv").read_text().splitlines()[0]
    assert batchkit("verify", str(out)).returncode == 0  # its own manifest, logged in diffs/run.log


def test_cli_diff_refuses_what_is_not_a_cost_folder(folders, tmp_path):
    old, _ = folders
    (tmp_path / "empty").mkdir()
    proc = batchkit("diff", str(old), str(tmp_path / "empty"))
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {tmp_path / 'empty'} is not a cost folder: no readable manifest.json (give a "
                           "folder written by `batchkit cost` or `batchkit run`)\n")
    proc = batchkit("diff", str(tmp_path / "nowhere"), str(old))
    assert (proc.returncode, proc.stderr) == (1, f"error: {tmp_path / 'nowhere'} is not a cost folder: no such "
                                                 "folder\n")
    (tmp_path / "recall").mkdir()
    (tmp_path / "recall" / "manifest.json").write_text('{"command": "recall", "outputs": []}')
    proc = batchkit("diff", str(old), str(tmp_path / "recall"))
    assert proc.stderr == (f"error: {tmp_path / 'recall'} is not a cost folder: its manifest is a recall folder's "
                           "(give a folder written by `batchkit cost` or `batchkit run`)\n")


# ------------------------------------------------------------------ matching, as invariants

ROWS = st.lists(st.tuples(st.sampled_from(["B1", "B2", "B3"]), st.sampled_from(["M1", "M2"]),
                          st.integers(1, 4), st.booleans()), min_size=0, max_size=25)


def _frame(rows: list[tuple], start_doc: int = 0) -> pd.DataFrame:
    return pd.DataFrame({
        "_row": np.arange(2, len(rows) + 2),
        "batch_id": pd.Series([r[0] for r in rows], dtype="str"),
        "material_id": pd.Series([r[1] for r in rows], dtype="str"),
        "qty": pd.Series([float(r[2]) for r in rows], dtype="float64"),
        "doc_id": pd.Series([f"D{start_doc + i}" if r[3] else None for i, r in enumerate(rows)], dtype="str"),
    })


def _content(frame: pd.DataFrame, positions) -> list[tuple]:
    cols = ["batch_id", "material_id", "qty", "doc_id"]
    return sorted(tuple("" if pd.isna(v) else v for v in r)
                  for r in frame.iloc[list(positions)][cols].itertuples(index=False))


@settings(deadline=None)  # a pandas merge per example: timing varies with the machine's load, not the input
@given(old_rows=ROWS, new_rows=ROWS, edits=st.lists(st.sampled_from(["keep", "drop", "edit"]), max_size=25),
       seed=st.integers(0, 2**16))
def test_matching_explains_new_from_old_exactly(old_rows, new_rows, edits, seed):
    """Drop some rows, edit the quantity of some, add new ones, shuffle. Then old = unchanged + removed +
    changed (old side) and new = unchanged + added + changed (new side), as multisets of rows; a changed pair
    shares its doc_id; no row is both removed and added; every edited row with a doc_id is a changed pair."""
    old = _frame(old_rows)
    what = (edits + ["keep"] * len(old))[: len(old)]
    kept = old.loc[np.array([w != "drop" for w in what], dtype=bool)].copy()
    edited = kept.index[[w == "edit" for w in what if w != "drop"]]
    kept.loc[edited, "qty"] += 10  # 11..14: never an old quantity
    new = pd.concat([kept, _frame(new_rows, 100)], ignore_index=True)
    new = new.sample(frac=1, random_state=seed).reset_index(drop=True)  # row order must not matter
    ch = match_rows("material_issues", old, new)
    matched_old = set(range(len(old))) - set(ch.removed) - set(ch.changed_old)
    matched_new = set(range(len(new))) - set(ch.added) - set(ch.changed_new)
    assert ch.unchanged == len(matched_old) == len(matched_new)
    assert _content(old, matched_old) == _content(new, matched_new)
    assert not set(_content(old, ch.removed)) & set(_content(new, ch.added))
    for i, j in zip(ch.changed_old, ch.changed_new, strict=True):
        assert old.at[i, "doc_id"] == new.at[j, "doc_id"] and not pd.isna(old.at[i, "doc_id"])
        assert old.at[i, "qty"] + 10 == new.at[j, "qty"]
    assert len(ch.changed_old) == int(old.loc[edited, "doc_id"].notna().sum())


@settings(deadline=None)
@given(rows=ROWS, seed=st.integers(0, 2**16))
def test_a_reordered_table_has_no_change(rows, seed):
    old = _frame(rows)
    new = old.sample(frac=1, random_state=seed).reset_index(drop=True).assign(_row=lambda f: np.arange(2, len(f) + 2))
    ch = match_rows("material_issues", old, new)
    assert (len(ch.added), len(ch.removed), len(ch.changed_old), ch.unchanged) == (0, 0, 0, len(old))


@settings(deadline=None)
@given(old_rows=ROWS, new_rows=ROWS, edits=st.lists(st.sampled_from(["keep", "drop", "edit"]), max_size=25),
       shuffle=st.booleans(), seed=st.integers(0, 2**16), encode=st.booleans())
def test_matching_only_between_the_equal_ends_counts_the_same(old_rows, new_rows, edits, shuffle, seed, encode):
    """The ends that are equal position by position pair up as match_rows would pair them: same counts
    (text columns plain, or dictionary-encoded with each side's own dictionary, as snapshots are read)."""
    old = _frame(old_rows)
    what = (edits + ["keep"] * len(old))[: len(old)]
    kept = old.loc[np.array([w != "drop" for w in what], dtype=bool)].copy()
    kept.loc[kept.index[[w == "edit" for w in what if w != "drop"]], "qty"] += 10
    cut = seed % (len(kept) + 1)  # new rows inserted somewhere, not only at the end
    new = pd.concat([kept.iloc[:cut], _frame(new_rows, 100), kept.iloc[cut:]], ignore_index=True)
    if shuffle:
        new = new.sample(frac=1, random_state=seed).reset_index(drop=True)
    whole = match_rows("material_issues", old, new)
    def arrow(frame: pd.DataFrame) -> pa.Table:
        table = arrow_table(frame)
        for name in ("batch_id", "material_id") if encode else ():
            table = table.set_column(table.schema.get_field_index(name), name, pc.dictionary_encode(table[name]))
        return table

    ends, a, _ = match_tables("material_issues", arrow(old), arrow(new))
    assert (len(ends.added), len(ends.removed), len(ends.changed_old), ends.unchanged) == (
        len(whole.added), len(whole.removed), len(whole.changed_old), whole.unchanged)
    assert len(a) == len(ends.removed) + len(ends.changed_old) + (ends.unchanged - (len(old) - len(a)))


KEYS = st.lists(st.tuples(st.sampled_from(["B1", "B2", "B3", "B4"]), st.sampled_from(["material", "labor"])),
                unique=True, max_size=8)


@settings(deadline=None)
@given(left=KEYS, right=KEYS, same=st.booleans())
def test_the_aligned_outer_join_is_pandas_outer_merge(left, right, same):
    """Both paths of _outer (same keys in the same order; an integer-coded join) give pandas' outer merge."""
    right = left if same else right
    def frame(rows: list[tuple[str, str]], scale: float) -> pd.DataFrame:
        return pd.DataFrame({"batch_id": pd.Series([k[0] for k in rows], dtype="str"),
                             "cost_element": pd.Series([k[1] for k in rows], dtype="str"),
                             "amount": np.arange(len(rows), dtype="float64") * scale})

    a, b = frame(left, 1), frame(right, 2)
    keys = ["batch_id", "cost_element"]
    got = _outer(a, b, keys).sort_values(keys).reset_index(drop=True)
    want = a.merge(b, on=keys, how="outer", suffixes=("_o", "_n"), indicator=True).sort_values(keys)
    want = want.reset_index(drop=True)
    assert got[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist()
    np.testing.assert_array_equal(got["amount_o"].to_numpy(dtype="float64"), want["amount_o"].to_numpy(dtype="float64"))
    np.testing.assert_array_equal(got["amount_n"].to_numpy(dtype="float64"), want["amount_n"].to_numpy(dtype="float64"))
    assert got["_in_o"].tolist() == want["_merge"].isin(["both", "left_only"]).tolist()
