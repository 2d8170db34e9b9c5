"""Checks across tables: orphans, batches, lots, returns, genealogy, dates, quality records, shipments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core import money
from ..core.arrow import arrow_text
from ..core.findings import Findings
from ..core.genealogy import levels
from ..core.model import Dataset
from ..core.schema import INSPECTION_RESULTS, NC_DISPOSITIONS
from ..engine.connection import query_once
from ..ledger.postings import Postings, codes
from .common import DATED_TABLES, ORPHAN_TABLES, bound, flag, fmt


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
        flag(out, ds, name, frame, orphan, "warning", "orphan", "batch_id",
              bound(lambda r, w: f"batch {r['batch_id']!r} is not in batches; {w}", what))


def check_batches(ds: Dataset, post: Postings, out: Findings) -> None:
    if "batches" not in ds.tables:
        return
    b = ds.tables["batches"]
    start, end = b["start_date"], b["end_date"]
    flag(out, ds, "batches", b, (end < start).to_numpy(), "error", "end_before_start", "end_date",
          lambda r: f"ends {str(r['end_date'])[:10]}, before it starts {str(r['start_date'])[:10]}")
    qs = b["qty_started"].to_numpy(dtype="float64")
    used = b["qty_good"].to_numpy(dtype="float64") + b["qty_scrap"].fillna(0).to_numpy(dtype="float64")
    flag(out, ds, "batches", b, used > qs + 1e-9, "warning", "qty_exceeds_started", "qty_good",
          lambda r: f"good {fmt(r['qty_good'])} + scrap {fmt(r['qty_scrap'] if pd.notna(r['qty_scrap']) else 0)} "
          f"exceed qty_started {fmt(r['qty_started'])}")
    done0 = end.notna().to_numpy() & (b["qty_good"].to_numpy(dtype="float64") == 0)
    flag(out, ds, "batches", b, done0, "warning", "zero_good_completed", "qty_good",
          lambda r: "completed with no good units: it has no unit cost and all its cost is scrap")


def check_lots(ds: Dataset, post: Postings, out: Findings) -> None:
    """Every issued lot is a purchased lot or a batch, and has a unit cost."""
    if "material_issues" not in ds.tables:
        return
    mi = ds.tables["material_issues"]
    m = post.material
    is_sub = (m["lot_code"] >= 0).to_numpy()
    lot_known = m["lot_pos"].to_numpy() >= 0
    has_lot = mi["lot_id"].notna().to_numpy()
    flag(out, ds, "material_issues", mi, is_sub & lot_known, "error", "ambiguous_lot", "lot_id",
          lambda r: f"lot {r['lot_id']!r} is both a purchased lot and a batch")
    unknown = has_lot & ~is_sub & ~lot_known
    priced = m["priced"].to_numpy()
    flag(out, ds, "material_issues", mi, unknown & priced, "warning", "unknown_lot", "lot_id",
          lambda r: f"lot {r['lot_id']!r} is neither in material_lots nor a batch (costed at the row's unit_cost)")
    flag(out, ds, "material_issues", mi, has_lot & ~is_sub & ~priced & mi["qty"].notna().to_numpy(), "error",
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
            flag(out, ds, "material_issues", mi, differ, "warning", "lot_material", "material_id",
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
    # only a (batch, lot) pair with a return can go below zero: sum the rows of those pairs alone, found as the
    # rows of a pair with a return on postings' integer keys (a superset of the text pairs: IDs not in
    # batches share code -1, lots that are neither purchased lots nor batches share one slot).
    # Grouping every row of a batch with a return by its text (6.6 M rows at 16x) took 2.3 s.
    code = post.material["code"].to_numpy()[ok]
    n = len(post.master)
    lot_pos = post.material["lot_pos"].to_numpy()[ok].astype(np.int64)
    sub = post.material["lot_code"].to_numpy()[ok]
    lots = int(lot_pos.max(initial=-1)) + 1  # keys: purchased lots, then sub-assemblies, then one for the rest
    lot = np.where(lot_pos >= 0, lot_pos, np.where(sub >= 0, lots + sub, lots + n))
    pair = (code + 1) * (lots + n + 1) + lot
    picked = np.asarray(pc.is_in(pa.array(pair), value_set=pa.array(np.unique(pair[returned])))
                        .to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(ok)[picked]
    # the sums per (batch_id, lot_id) text pair, exact (DuckDB's 128-bit sum), the groups in order of
    # their first row as grouping by the text in row order gives
    net = query_once(
        "SELECT min(pos) AS pos, max(r) AS r, CAST(sum(q) AS VARCHAR) AS q FROM t GROUP BY batch_id, lot_id "
        "HAVING sum(q) < 0 ORDER BY pos",
        t=pa.table({"batch_id": arrow_text(mi["batch_id"]).take(pa.array(rows)),
                    "lot_id": arrow_text(mi["lot_id"]).take(pa.array(rows)),
                    "q": qty_i[picked], "r": mi["_row"].to_numpy()[rows], "pos": rows}))
    if not net.num_rows:
        return
    at = net["pos"].combine_chunks()  # each group's first row names its batch_id and lot_id
    bad = pd.DataFrame({"batch_id": arrow_text(mi["batch_id"]).take(at).to_pylist(),
                        "lot_id": arrow_text(mi["lot_id"]).take(at).to_pylist(),
                        "_q": [int(q) for q in net["q"].to_pylist()], "_row": net["r"].to_numpy()})
    bad["_net"] = bad["_q"] / 10.0**places
    flag(out, ds, "material_issues", bad, np.ones(len(bad), bool), "error", "net_negative_issue", "qty",
          lambda r: f"batch {r['batch_id']!r} returned more of lot {r['lot_id']!r} than it was issued "
          f"(net {fmt(r['_net'])})")


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
    at = np.flatnonzero(sub)  # the sub-assembly rows alone (a few percent of the issues)
    s_code = m["lot_code"].to_numpy()[at]
    s_start = master["start_date"].to_numpy(dtype="datetime64[s]")[s_code]
    early = np.zeros(len(mi), dtype=bool)
    early[at] = m["date"].to_numpy()[at].astype("datetime64[s]") < s_start
    flag(out, ds, "material_issues", mi, early, "error", "consumed_before_start", "date",
          lambda r: f"issues batch {r['lot_id']!r} before that batch started")
    no_output = np.zeros(len(mi), dtype=bool)
    no_output[at] = master["qty_good"].to_numpy(dtype="float64")[s_code] == 0
    flag(out, ds, "material_issues", mi, no_output, "error", "consumes_no_output", "lot_id",
          lambda r: f"issues batch {r['lot_id']!r}, which has no good output (qty_good 0), so no unit cost")
    used = pd.DataFrame({"s": s_code, "q": m["qty_i"].to_numpy()[at], "row": mi["_row"].to_numpy()[at]})
    per = used.groupby("s").agg(q=("q", "sum"), row=("row", "max"))
    consumed = per["q"].to_numpy() / 10.0**post.qty_places
    have = master["qty_good"].to_numpy(dtype="float64")[per.index.to_numpy()]
    over = consumed > have + 1e-9
    for s, row, c, h in zip(per.index[over], per["row"][over], consumed[over], have[over], strict=True):
        out.add("warning", "overconsumed_subassembly", "material_issues", int(row), "qty", fmt(c),
                f"{ds.source_name('material_issues')} row {row} column qty: batch {ids[s]!r} is issued "
                f"{fmt(c)} units in all, more than its qty_good {fmt(h)} ({fmt(c - h)} too many)")


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
        flag(out, ds, name, frame, outside, "warning", "date_outside_periods", col,
              bound(lambda r, c: f"{str(r[c])[:10]} is outside the dataset's periods {lo} to {hi}", col))
        if name in priced:
            code = priced[name]["code"].to_numpy()
            bstart = post.master["start_date"].to_numpy(dtype="datetime64[s]")[np.maximum(code, 0)]
            early = (code >= 0) & ~np.isnat(d) & (d < bstart)
            flag(out, ds, name, frame, early & ~outside, "warning", "before_batch_start", col,
                  bound(lambda r, c: f"posted {str(r[c])[:10]}, before batch {r['batch_id']!r} started; "
                  "it counts from the batch's first period", col))


def check_quality_records(ds: Dataset, post: Postings, out: Findings) -> None:
    if "inspections" in ds.tables:
        f = ds.tables["inspections"]
        res = f["result"].str.lower()
        flag(out, ds, "inspections", f, f["result"].notna().to_numpy() & ~res.isin(INSPECTION_RESULTS).to_numpy(),
              "warning", "bad_result", "result", lambda r: f"result {r['result']!r} is not pass or fail")
        flag(out, ds, "inspections", f, (f["qty_failed"] > f["qty_tested"]).to_numpy(), "warning",
              "failed_exceeds_tested", "qty_failed",
              lambda r: f"{fmt(r['qty_failed'])} failed of {fmt(r['qty_tested'])} tested")
    if "nonconformances" in ds.tables:
        f = ds.tables["nonconformances"]
        disp = f["disposition"].str.lower()
        flag(out, ds, "nonconformances", f, f["disposition"].notna().to_numpy() & ~disp.isin(NC_DISPOSITIONS)
              .to_numpy(), "warning", "bad_disposition", "disposition",
              lambda r: f"disposition {r['disposition']!r} is not one of {', '.join(NC_DISPOSITIONS)}")


def check_shipments(ds: Dataset, post: Postings, out: Findings) -> None:
    if "shipments" not in ds.tables:
        return
    s = ds.tables["shipments"]
    per = s.groupby("batch_id").agg(qty=("qty", "sum"), _row=("_row", "max")).reset_index()
    per = per.merge(post.master[["batch_id", "qty_good"]], on="batch_id", how="inner")
    over = (per["qty"] > per["qty_good"] + 1e-9).to_numpy()
    flag(out, ds, "shipments", per, over, "warning", "overshipped", "qty",
          lambda r: f"batch {r['batch_id']!r} ships {fmt(r['qty'])} units in all, more than its qty_good "
          f"{fmt(r['qty_good'])}")
