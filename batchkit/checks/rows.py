"""Checks of single rows and keys: required cells, signs, precision, amounts, duplicates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import keys, money
from ..core.findings import Findings
from ..core.model import Dataset
from ..core.schema import TABLES
from ..ledger.postings import Postings
from .common import bound, flag, fmt

UNPARSED = ("non_numeric", "number_too_large", "bad_date", "bad_period")


def check_empty_required(ds: Dataset, post: Postings, out: Findings) -> None:
    """Required columns with empty cells, and required tables with no rows."""
    f = ds.findings  # read once: the lookups below were a pandas filter per required column (0.45 s at 1x)
    absent = f[f["check"] == "missing_column"]
    missing = set(zip(absent["table"], absent["column"], strict=True))
    bad = f[f["check"].isin(UNPARSED)].dropna(subset=["row"])
    unparsed = {key: set(rows.astype(int)) for key, rows in bad.groupby(["table", "column"])["row"]}
    for name, frame in ds.tables.items():
        spec = TABLES[name]
        if spec.required and frame.empty:
            # no batches: nothing to cost; no material issues: suspicious but costable
            severity = "error" if name == "batches" else "warning"
            out.add(severity, "empty_table", name, None, None, "", f"{ds.source_name(name)}: the table has no rows")
        for col in spec.required_names:
            if (name, col) in missing:
                continue
            empty = np.array(frame[col].isna().to_numpy(), dtype=bool)  # ours to change
            if (name, col) in unparsed:  # rows already reported as unparseable are not reported twice
                empty &= ~np.asarray(frame["_row"].isin(unparsed[name, col]).to_numpy(), dtype=bool)
            flag(out, ds, name, frame, empty, "error", "missing_value", col, lambda r: "required value is empty")


def check_signs(ds: Dataset, post: Postings, out: Findings) -> None:
    for name, frame in ds.tables.items():
        for col in TABLES[name].columns:
            if col.sign == "any" or col.kind != "num":
                continue
            values = frame[col.name].to_numpy(dtype="float64")
            if col.sign == "nonneg":
                flag(out, ds, name, frame, values < 0, "error", "negative_value", col.name,
                      bound(lambda r, c: f"{fmt(r[c])} is negative (must be >= 0)", col.name))
            else:
                flag(out, ds, name, frame, values <= 0, "error", "not_positive", col.name,
                      bound(lambda r, c: f"{fmt(r[c])} must be > 0", col.name))


def check_precision(ds: Dataset, post: Postings, out: Findings) -> None:
    """Numbers with more decimals than batchkit keeps exactly (they are rounded)."""
    for name, frame in ds.tables.items():
        for col in TABLES[name].columns:
            if col.kind != "num":
                continue
            values = frame[col.name].to_numpy(dtype="float64")
            mask = money.excess_places_mask(values, money.MAX_PLACES)
            flag(out, ds, name, frame, mask, "warning", "precision", col.name,
                  bound(lambda r, c: f"{r[c]!r} has more than {money.MAX_PLACES} decimals; rounded", col.name))


def check_amounts(ds: Dataset, post: Postings, out: Findings) -> None:
    """Row amounts (qty x unit cost, hours x rate) too large to total exactly in cents."""
    limit = money.MAX_ABS * 100
    for table, frame, cents, column, what in (
        ("material_issues", post.material, "cents", "qty", ("qty", "unit cost")),
        ("operations", post.operations, "labor_cents", "labor_hours", ("labor_hours", "labor rate")),
        ("operations", post.operations, "machine_cents", "machine_hours", ("machine_hours", "machine rate")),
    ):
        if table not in ds.tables or frame.empty:
            continue
        huge = np.abs(frame[cents].to_numpy(dtype="float64")) >= limit
        flag(out, ds, table, ds.tables[table], huge, "error", "amount_too_large", column,
              bound(lambda r, w: f"{w[0]} x {w[1]} is too large (batchkit totals amounts below "
              f"{money.MAX_ABS:,.0f} exactly)", what))


def check_duplicate_keys(ds: Dataset, post: Postings, out: Findings) -> None:
    for name, frame in ds.tables.items():
        spec = TABLES[name]
        if not spec.key:
            continue
        key = list(spec.key)
        repeated = keys.duplicated(frame, key)
        if key == ["doc_id"]:
            has = frame["doc_id"].notna().to_numpy()
            dup = has & repeated
            if not dup.any():
                continue
            first_row = frame[has].groupby("doc_id")["_row"].transform("min")
            firsts = pd.Series(frame["_row"].to_numpy(), index=frame.index)
            firsts[has] = first_row
            flag(out, ds, name, frame, dup, "error", "duplicate_doc", "doc_id",
                  lambda r: f"document line {r['doc_id']!r} already appears in row {r['_first']} "
                  "(posted twice?)", extra={"_first": firsts.to_numpy()})
            continue
        sub = frame[key]
        present = sub.notna().all(axis=1).to_numpy() if key != ["work_center", "valid_from"] else \
            frame["work_center"].notna().to_numpy()
        dup = present & repeated
        if not dup.any():
            continue
        first = frame.groupby(key, dropna=False)["_row"].transform("min")
        flag(out, ds, name, frame, dup, "error", "duplicate_key", key[0],
              bound(lambda r, k: f"duplicate {'/'.join(k)} {'/'.join(fmt(r[c]) for c in k)!r}, "
              f"first in row {r['_first']}", key), extra={"_first": first.to_numpy()})


def check_duplicate_rows(ds: Dataset, post: Postings, out: Findings) -> None:
    """Identical transaction lines without a doc_id: possibly posted twice."""
    for name in ("material_issues", "operations", "direct_costs", "shipments"):
        if name not in ds.tables:
            continue
        frame = ds.tables[name]
        cols = [c for c in TABLES[name].names if c != "doc_id"]
        no_doc = frame["doc_id"].isna().to_numpy() if "doc_id" in frame else np.ones(len(frame), bool)
        if not no_doc.any():  # every line has a document: duplicates are duplicate_doc's to find
            continue
        dup = no_doc & keys.duplicated(frame, cols)
        flag(out, ds, name, frame, dup, "warning", "duplicate_row", None,
              lambda r: "identical to an earlier row and has no doc_id: posted twice?")
