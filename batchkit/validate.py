"""Check a loaded dataset and return every problem as a findings frame.

Each check is a plain function `(ds, post, out)` in CHECKS that appends
findings; none raises for a data problem. Checks are period-independent:
`validate DATA` needs no period, and `cost` reuses the same findings.
Severity: `error` blocks costing, `warning` is reported and costing goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import keys, money
from .allocation import allocations
from .cells import arrow_text
from .findings import Findings
from .genealogy import levels
from .model import Dataset
from .postings import Postings, codes, post
from .rates import RATE_AMBIGUOUS, RATE_MISSING
from .schema import COMPUTED_ELEMENTS, INSPECTION_RESULTS, NC_DISPOSITIONS, TABLES

Check = Callable[[Dataset, Postings, Findings], None]

ORPHAN_TABLES = ("material_issues", "operations", "direct_costs", "drivers", "shipments", "inspections",
                 "nonconformances")
DATED_TABLES = {"material_issues": "date", "operations": "date", "direct_costs": "date", "shipments": "ship_date",
                "inspections": "date", "nonconformances": "date"}


def _flag(
    out: Findings,
    ds: Dataset,
    table: str,
    frame: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    severity: str,
    check: str,
    column: str | None,
    detail: Callable[[pd.Series], str],
    extra: dict[str, np.ndarray] | None = None,
) -> None:
    """Add one finding per masked row; `detail(row)` says what is wrong and which way.

    `extra` columns (full length) are added to the flagged rows only, so a check over
    millions of rows never copies the whole frame to show a helper column.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    sub = frame[mask]
    if extra:
        sub = sub.assign(**{k: np.asarray(v)[mask] for k, v in extra.items()})
    source = ds.source_name(table)
    head = sub.head(10_000)
    messages = [
        f"{source} row {r['_row']}" + (f" column {column}" if column else "") + f": {detail(r)}"
        for _, r in head.iterrows()
    ]
    values = sub[column].to_numpy() if column and column in sub.columns else np.full(len(sub), "")
    messages += [""] * (len(sub) - len(head))  # past the cap, add_rows summarises instead
    out.add_rows(severity, check, table, sub["_row"].to_numpy(), column, values, messages)


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


# ------------------------------------------------------------------ per-table checks


def check_empty_required(ds: Dataset, post: Postings, out: Findings) -> None:
    """Required columns with empty cells, and required tables with no rows."""
    for name, frame in ds.tables.items():
        spec = TABLES[name]
        if spec.required and frame.empty:
            # no batches: nothing to cost; no material issues: suspicious but costable
            severity = "error" if name == "batches" else "warning"
            out.add(severity, "empty_table", name, None, None, "", f"{ds.source_name(name)}: the table has no rows")
        missing_cols = set(ds.findings.query("check == 'missing_column' and table == @name")["column"])
        for col in spec.required_names:
            if col in missing_cols:
                continue
            _flag(out, ds, name, frame, frame[col].isna().to_numpy() & ~_unparsed(ds, name, col, frame),
                  "error", "missing_value", col, lambda r: "required value is empty")


def _unparsed(ds: Dataset, table: str, column: str, frame: pd.DataFrame) -> np.ndarray:
    """Rows already reported as unparseable for this column (not reported twice)."""
    f = ds.findings
    unparsed = ["non_numeric", "number_too_large", "bad_date", "bad_period"]
    rows = f[(f["table"] == table) & (f["column"] == column) & f["check"].isin(unparsed)]["row"]
    return frame["_row"].isin(set(rows.dropna().astype(int))).to_numpy()


def check_signs(ds: Dataset, post: Postings, out: Findings) -> None:
    for name, frame in ds.tables.items():
        for col in TABLES[name].columns:
            if col.sign == "any" or col.kind != "num":
                continue
            values = frame[col.name].to_numpy(dtype="float64")
            if col.sign == "nonneg":
                _flag(out, ds, name, frame, values < 0, "error", "negative_value", col.name,
                      lambda r, c=col.name: f"{_fmt(r[c])} is negative (must be >= 0)")
            else:
                _flag(out, ds, name, frame, values <= 0, "error", "not_positive", col.name,
                      lambda r, c=col.name: f"{_fmt(r[c])} must be > 0")


def check_precision(ds: Dataset, post: Postings, out: Findings) -> None:
    """Numbers with more decimals than batchkit keeps exactly (they are rounded)."""
    for name, frame in ds.tables.items():
        for col in TABLES[name].columns:
            if col.kind != "num":
                continue
            values = frame[col.name].to_numpy(dtype="float64")
            mask = money.excess_places_mask(values, money.MAX_PLACES)
            _flag(out, ds, name, frame, mask, "warning", "precision", col.name,
                  lambda r, c=col.name: f"{r[c]!r} has more than {money.MAX_PLACES} decimals; rounded")


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
        _flag(out, ds, table, ds.tables[table], huge, "error", "amount_too_large", column,
              lambda r, w=what: f"{w[0]} x {w[1]} is too large (batchkit totals amounts below "
              f"{money.MAX_ABS:,.0f} exactly)")


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
            _flag(out, ds, name, frame, dup, "error", "duplicate_doc", "doc_id",
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
        _flag(out, ds, name, frame, dup, "error", "duplicate_key", key[0],
              lambda r, k=key: f"duplicate {'/'.join(k)} {'/'.join(_fmt(r[c]) for c in k)!r}, "
              f"first in row {r['_first']}", extra={"_first": first.to_numpy()})


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
        _flag(out, ds, name, frame, dup, "warning", "duplicate_row", None,
              lambda r: "identical to an earlier row and has no doc_id: posted twice?")


def check_orphans(ds: Dataset, post: Postings, out: Findings) -> None:
    ids = arrow_text(post.master["batch_id"])
    coded = {"material_issues": post.material, "operations": post.operations, "direct_costs": post.direct,
             "drivers": post.drivers}
    for name in ORPHAN_TABLES:
        if name not in ds.tables:
            continue
        frame = ds.tables[name]
        code = coded[name]["code"].to_numpy() if name in coded else codes(frame["batch_id"], ids)
        orphan = frame["batch_id"].notna().to_numpy() & (code < 0)
        what = "its costs are excluded" if name in ("material_issues", "operations", "direct_costs") \
            else "the row is ignored"
        _flag(out, ds, name, frame, orphan, "warning", "orphan", "batch_id",
              lambda r, w=what: f"batch {r['batch_id']!r} is not in batches; {w}")


def check_batches(ds: Dataset, post: Postings, out: Findings) -> None:
    if "batches" not in ds.tables:
        return
    b = ds.tables["batches"]
    start, end = b["start_date"], b["end_date"]
    _flag(out, ds, "batches", b, (end < start).to_numpy(), "error", "end_before_start", "end_date",
          lambda r: f"ends {str(r['end_date'])[:10]}, before it starts {str(r['start_date'])[:10]}")
    qs = b["qty_started"].to_numpy(dtype="float64")
    used = b["qty_good"].to_numpy(dtype="float64") + b["qty_scrap"].fillna(0).to_numpy(dtype="float64")
    _flag(out, ds, "batches", b, used > qs + 1e-9, "warning", "qty_exceeds_started", "qty_good",
          lambda r: f"good {_fmt(r['qty_good'])} + scrap {_fmt(r['qty_scrap'] if pd.notna(r['qty_scrap']) else 0)} "
          f"exceed qty_started {_fmt(r['qty_started'])}")
    done0 = end.notna().to_numpy() & (b["qty_good"].to_numpy(dtype="float64") == 0)
    _flag(out, ds, "batches", b, done0, "warning", "zero_good_completed", "qty_good",
          lambda r: "completed with no good units: it has no unit cost and all its cost is scrap")


def check_lots(ds: Dataset, post: Postings, out: Findings) -> None:
    """Every issued lot is a purchased lot or a batch, and has a unit cost."""
    if "material_issues" not in ds.tables:
        return
    mi = ds.tables["material_issues"]
    m = post.material
    is_sub = (m["lot_code"] >= 0).to_numpy()
    lot_known = m["lot_known"].to_numpy()
    has_lot = mi["lot_id"].notna().to_numpy()
    _flag(out, ds, "material_issues", mi, is_sub & lot_known, "error", "ambiguous_lot", "lot_id",
          lambda r: f"lot {r['lot_id']!r} is both a purchased lot and a batch")
    unknown = has_lot & ~is_sub & ~lot_known
    priced = m["priced"].to_numpy()
    _flag(out, ds, "material_issues", mi, unknown & priced, "warning", "unknown_lot", "lot_id",
          lambda r: f"lot {r['lot_id']!r} is neither in material_lots nor a batch (costed at the row's unit_cost)")
    _flag(out, ds, "material_issues", mi, has_lot & ~is_sub & ~priced & mi["qty"].notna().to_numpy(), "error",
          "no_unit_cost", "unit_cost",
          lambda r: f"no unit cost for lot {r['lot_id']!r}: the row has none and material_lots gives none")
    if lot_known.any() and "material_lots" in ds.tables:
        lots = ds.tables["material_lots"]
        lots = lots[lots["lot_id"].notna()].drop_duplicates("lot_id", keep="first")
        pos = codes(mi["lot_id"], arrow_text(lots["lot_id"]))
        lot_mat = arrow_text(lots["material_id"]).take(pa.array(pos, mask=pos < 0))
        # not_equal is null where either side is missing: those rows are not flagged
        differ = lot_known & pc.fill_null(pc.not_equal(lot_mat, arrow_text(mi["material_id"])), False) \
            .to_numpy(zero_copy_only=False)
        if differ.any():
            _flag(out, ds, "material_issues", mi, differ, "warning", "lot_material", "material_id",
                  lambda r: f"{r['material_id']!r} differs from lot {r['lot_id']!r}'s material {r['_lm']!r}",
                  extra={"_lm": lot_mat.to_pandas().to_numpy()})


def check_net_issues(ds: Dataset, post: Postings, out: Findings) -> None:
    """Returns may not exceed issues: the net per batch and lot must be >= 0."""
    if "material_issues" not in ds.tables:
        return
    mi = ds.tables["material_issues"]
    ok = (mi["batch_id"].notna() & mi["lot_id"].notna() & mi["qty"].notna()).to_numpy()
    if ok.all():  # the same numbers postings already scaled
        qty_i, places = post.material["qty_i"].to_numpy(), post.qty_places
    else:
        qty_i, places = money.scaled(mi["qty"].to_numpy(dtype="float64")[ok])
    returned = qty_i < 0
    if not returned.any():  # a net below zero needs a return
        return
    # only a batch with a return can go below zero: group the rows of those batches alone, found through
    # postings' integer batch codes (rows of IDs not in batches have code -1: the mark's last slot)
    code = post.material["code"].to_numpy()[ok]
    mark = np.zeros(len(post.master) + 1, dtype=bool)
    mark[code[returned]] = True
    involved = mark[code]
    sub = mi[["batch_id", "lot_id", "_row"]].iloc[np.flatnonzero(ok)[involved]].assign(_q=qty_i[involved])
    net = sub.groupby(["batch_id", "lot_id"], sort=False).agg(_q=("_q", "sum"), _row=("_row", "max"))
    bad = net[net["_q"] < 0].reset_index()
    bad["_net"] = bad["_q"] / 10.0**places
    _flag(out, ds, "material_issues", bad, np.ones(len(bad), bool), "error", "net_negative_issue", "qty",
          lambda r: f"batch {r['batch_id']!r} returned more of lot {r['lot_id']!r} than it was issued "
          f"(net {_fmt(r['_net'])})")


def check_genealogy(ds: Dataset, post: Postings, out: Findings) -> None:
    """No cycles; sub-assemblies consumed after they start, with good output, not over-consumed."""
    if "material_issues" not in ds.tables:
        return
    mi = ds.tables["material_issues"]
    m = post.material
    sub = (m["lot_code"] >= 0).to_numpy() & (m["code"] >= 0).to_numpy()
    if not sub.any():
        return
    src, dst = m["lot_code"].to_numpy()[sub], m["code"].to_numpy()[sub]
    lv = levels(len(post.master), src, dst)
    ids = post.master["batch_id"].to_numpy()
    for cyc in lv.cycles:
        members = set(cyc.tolist())
        on_cycle = sub & np.isin(m["lot_code"].to_numpy(), cyc) & np.isin(m["code"].to_numpy(), cyc)
        rows = mi[on_cycle]
        first = rows.iloc[0]
        names = " -> ".join(sorted(ids[list(members)]))
        text = (f"batch {first['batch_id']!r} consumes itself" if len(members) == 1
                else f"genealogy cycle among batches {names}: each consumes another")
        out.add("error", "genealogy_cycle", "material_issues", int(first["_row"]), "lot_id", first["lot_id"],
                f"{ds.source_name('material_issues')} row {first['_row']} column lot_id: {text} "
                f"(rows {', '.join(str(r) for r in rows['_row'].head(8))})")
    master = post.master
    s_code = m["lot_code"].to_numpy()
    s_start = master["start_date"].to_numpy(dtype="datetime64[s]")[np.maximum(s_code, 0)]
    early = sub & (m["date"].to_numpy(dtype="datetime64[s]") < s_start)
    _flag(out, ds, "material_issues", mi, early, "error", "consumed_before_start", "date",
          lambda r: f"issues batch {r['lot_id']!r} before that batch started")
    good = master["qty_good"].to_numpy(dtype="float64")[np.maximum(s_code, 0)]
    _flag(out, ds, "material_issues", mi, sub & (good == 0), "error", "consumes_no_output", "lot_id",
          lambda r: f"issues batch {r['lot_id']!r}, which has no good output (qty_good 0), so no unit cost")
    used = pd.DataFrame({"s": s_code[sub], "q": m["qty_i"].to_numpy()[sub], "row": mi["_row"].to_numpy()[sub]})
    per = used.groupby("s").agg(q=("q", "sum"), row=("row", "max"))
    consumed = per["q"].to_numpy() / 10.0**post.qty_places
    have = master["qty_good"].to_numpy(dtype="float64")[per.index.to_numpy()]
    over = consumed > have + 1e-9
    for s, row, c, h in zip(per.index[over], per["row"][over], consumed[over], have[over], strict=True):
        out.add("warning", "overconsumed_subassembly", "material_issues", int(row), "qty", _fmt(c),
                f"{ds.source_name('material_issues')} row {row} column qty: batch {ids[s]!r} is issued "
                f"{_fmt(c)} units in all, more than its qty_good {_fmt(h)} ({_fmt(c - h)} too many)")


def check_dates(ds: Dataset, post: Postings, out: Findings) -> None:
    """Postings before their batch started, and dates outside every period of the dataset."""
    if post.master.empty:
        return
    start = post.master["start_date"].dropna()
    ends = post.master["end_date"].dropna()
    months = [start.min(), start.max()] + ([ends.max()] if len(ends) else [])
    pool_periods = ds.get("cost_pools")["period"].dropna()
    lo = min(np.datetime64(str(x)[:7], "M") for x in months)
    hi = max(np.datetime64(str(x)[:7], "M") for x in months)
    if len(pool_periods):
        hi = max(hi, np.datetime64(pool_periods.max(), "M"))
        lo = min(lo, np.datetime64(pool_periods.min(), "M"))
    first, last = lo.astype("datetime64[D]"), (hi + 1).astype("datetime64[D]") - 1
    priced = {"material_issues": post.material, "operations": post.operations, "direct_costs": post.direct}
    for name, col in DATED_TABLES.items():
        if name not in ds.tables:
            continue
        frame = ds.tables[name]
        d = frame[col].to_numpy(dtype="datetime64[s]")
        outside = ~np.isnat(d) & ((d < first) | (d > last))
        _flag(out, ds, name, frame, outside, "warning", "date_outside_periods", col,
              lambda r, c=col: f"{str(r[c])[:10]} is outside the dataset's periods {lo} to {hi}")
        if name in priced:
            code = priced[name]["code"].to_numpy()
            bstart = post.master["start_date"].to_numpy(dtype="datetime64[s]")[np.maximum(code, 0)]
            early = (code >= 0) & ~np.isnat(d) & (d < bstart)
            _flag(out, ds, name, frame, early & ~outside, "warning", "before_batch_start", col,
                  lambda r, c=col: f"posted {str(r[c])[:10]}, before batch {r['batch_id']!r} started; "
                  "it counts from the batch's first period")


def check_rates(ds: Dataset, post: Postings, out: Findings) -> None:
    if "operations" not in ds.tables or ds.tables["operations"].empty:
        return
    ops = ds.tables["operations"]
    if "rates" not in ds.tables:
        out.add("error", "missing_table", "rates", None, None, "",
                "operations book hours but there is no rates table (rates.csv) to cost them")
        return
    rt = ds.tables["rates"]
    _flag(out, ds, "rates", rt, (rt["valid_to"] < rt["valid_from"]).to_numpy(), "error", "bad_rate_range",
          "valid_to", lambda r: f"valid_to {str(r['valid_to'])[:10]} is before valid_from {str(r['valid_from'])[:10]}")
    status = post.operations["rate_status"].to_numpy()
    dated = ops["date"].notna().to_numpy() & ops["work_center"].notna().to_numpy()
    _flag(out, ds, "operations", ops, dated & (status == RATE_MISSING), "error", "missing_rate", "work_center",
          lambda r: f"no rate for work center {r['work_center']!r} on {str(r['date'])[:10]} (add a rates row "
          "covering that date)")
    _flag(out, ds, "operations", ops, dated & (status == RATE_AMBIGUOUS), "error", "ambiguous_rate",
          "work_center", lambda r: f"two rates for work center {r['work_center']!r} share the latest valid_from "
          f"in force on {str(r['date'])[:10]}")


def check_pools(ds: Dataset, post: Postings, out: Findings) -> None:
    """Pools nobody can take, negative pools, negative bases, reserved element names."""
    if "cost_pools" not in ds.tables:
        return
    cp = ds.tables["cost_pools"]
    alloc = allocations(ds.cache, post, ds.params.allocation)
    pools = post.pools
    left = alloc.unallocated["pool_idx"].to_numpy()
    basis_of = dict(zip(range(len(pools)), _bases(ds, pools), strict=True))
    for i in left:
        p = pools.iloc[int(i)]
        scope = ", ".join(f"{k} {p[k]!r}" for k in ("product_line", "site", "work_center") if pd.notna(p[k]))
        out.add("warning", "unallocated_pool", "cost_pools", int(p["_row"]), "pool_id", p["pool_id"],
                f"{ds.source_name('cost_pools')} row {p['_row']} column pool_id: pool {p['pool_id']!r} "
                f"({p['period']}, {money.format_cents(int(p['cents']))}) has no batch to take it: no batch "
                f"{'in scope ' + scope + ' ' if scope else ''}has {basis_of[int(i)]} in {p['period']}; "
                "reported as unallocated")
    _flag(out, ds, "cost_pools", cp, cp["amount"].to_numpy(dtype="float64") < 0, "warning", "negative_pool",
          "amount", lambda r: f"pool amount {_fmt(r['amount'])} is negative (a credit); allocated as such")
    neg = alloc.negative
    for pool_idx, code, value in zip(neg["pool_idx"], neg["code"], neg["basis_value"], strict=True):
        p = pools.iloc[int(pool_idx)]
        bid = post.master["batch_id"].iloc[int(code)]
        out.add("warning", "negative_basis", "cost_pools", int(p["_row"]), "pool_id", p["pool_id"],
                f"{ds.source_name('cost_pools')} row {p['_row']} column pool_id: batch {bid!r} has a negative "
                f"net basis {_fmt(value)} in {p['period']}; left out of pool {p['pool_id']!r}")
    for name in ("cost_pools", "direct_costs"):
        if name in ds.tables:
            f = ds.tables[name]
            _flag(out, ds, name, f, f["cost_element"].isin(COMPUTED_ELEMENTS).to_numpy(), "warning",
                  "reserved_element", "cost_element",
                  lambda r: f"cost element {r['cost_element']!r} is one batchkit computes itself; "
                  "it will be added to that element")


def _bases(ds: Dataset, pools: pd.DataFrame) -> Iterable[str]:
    from .allocation import pool_bases

    return pool_bases(pools, ds.params.allocation)


def check_quality_records(ds: Dataset, post: Postings, out: Findings) -> None:
    if "inspections" in ds.tables:
        f = ds.tables["inspections"]
        res = f["result"].str.lower()
        _flag(out, ds, "inspections", f, f["result"].notna().to_numpy() & ~res.isin(INSPECTION_RESULTS).to_numpy(),
              "warning", "bad_result", "result", lambda r: f"result {r['result']!r} is not pass or fail")
        _flag(out, ds, "inspections", f, (f["qty_failed"] > f["qty_tested"]).to_numpy(), "warning",
              "failed_exceeds_tested", "qty_failed",
              lambda r: f"{_fmt(r['qty_failed'])} failed of {_fmt(r['qty_tested'])} tested")
    if "nonconformances" in ds.tables:
        f = ds.tables["nonconformances"]
        disp = f["disposition"].str.lower()
        _flag(out, ds, "nonconformances", f, f["disposition"].notna().to_numpy() & ~disp.isin(NC_DISPOSITIONS)
              .to_numpy(), "warning", "bad_disposition", "disposition",
              lambda r: f"disposition {r['disposition']!r} is not one of {', '.join(NC_DISPOSITIONS)}")


def check_shipments(ds: Dataset, post: Postings, out: Findings) -> None:
    if "shipments" not in ds.tables:
        return
    s = ds.tables["shipments"]
    per = s.groupby("batch_id").agg(qty=("qty", "sum"), _row=("_row", "max")).reset_index()
    per = per.merge(post.master[["batch_id", "qty_good"]], on="batch_id", how="inner")
    over = (per["qty"] > per["qty_good"] + 1e-9).to_numpy()
    _flag(out, ds, "shipments", per, over, "warning", "overshipped", "qty",
          lambda r: f"batch {r['batch_id']!r} ships {_fmt(r['qty'])} units in all, more than its qty_good "
          f"{_fmt(r['qty_good'])}")


def check_standards(ds: Dataset, post: Postings, out: Findings) -> None:
    """Completed items without any standard get no variances: say so once per item."""
    if not any(t in ds.tables for t in ("standard_bom", "standard_routing", "standard_overhead")):
        return
    items = set()
    for t in ("standard_bom", "standard_routing", "standard_overhead"):
        if t in ds.tables:
            items |= set(ds.tables[t]["item_id"].dropna())
    m = post.master
    done = m[m["end_date"].notna()]
    lacking = done[~done["item_id"].isin(items)].groupby("item_id").agg(n=("batch_id", "size"),
                                                                          _row=("_row", "min"))
    for item, n, row in zip(lacking.index, lacking["n"], lacking["_row"], strict=True):
        out.add("warning", "no_standard", "batches", int(row), "item_id", item,
                f"{ds.source_name('batches')} row {row} column item_id: item {item!r} has no standard cost; "
                f"its {n} completed batch{'es' if n > 1 else ''} get no variances")


CHECKS: list[Check] = [
    check_empty_required,
    check_signs,
    check_precision,
    check_amounts,
    check_duplicate_keys,
    check_duplicate_rows,
    check_orphans,
    check_batches,
    check_lots,
    check_net_issues,
    check_genealogy,
    check_dates,
    check_rates,
    check_pools,
    check_quality_records,
    check_shipments,
    check_standards,
]


def validate(ds: Dataset) -> pd.DataFrame:
    """Every finding of loading and of every check, errors first (cached on the dataset)."""
    if "findings" in ds.cache:
        return ds.cache["findings"]
    out = Findings()
    structural = ds.findings
    # a required table that could not be read at all (its reason is already a finding) would only
    # add a cascade of consequences: check the rest once it is fixed
    required = [name for name, spec in TABLES.items() if spec.required]
    if all(name in ds.tables for name in required):
        p = post(ds)
        for check in CHECKS:
            check(ds, p, out)
    frame = pd.concat([structural, out.frame()], ignore_index=True) if len(out) else structural.copy()
    frame["row"] = frame["row"].astype("Int64")
    order = frame["severity"].map({"error": 0, "warning": 1}).fillna(2)
    frame = frame.assign(_o=order).sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    ds.cache["findings"] = frame
    return frame
