"""`batchkit demo-data`: a realistic, deterministic demo dataset in the data contract.

A medical-device plant on two sites (Suzhou SZ, Chengdu CD), 2026-01 to
2026-06, CNY: product lines of finished devices built from level-2 and
level-1 sub-assembly batches and purchased lots, with hours, rates (one
dated raise), direct costs, pools of every scope, drivers, shipments,
quality records and standard costs. The same seed gives byte-identical
files; everything is vectorized, so 200,000 batches (about 10 M material
issues) take seconds. The reference data lives in `demo_catalog`, master
data in `demo_plant`, transactions in `demo_flows`, money and quality in
`demo_costs`; this module ties them together and writes the tables.

A handful of transaction rows carry batch IDs in lower case, with a dash
or a trailing space, and one item has no standard cost: `validate` shows
these as warnings, which is what a real extract looks like.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from ..core.schema import TABLES
from ..ingest.readers import FILE_SUFFIXES
from . import costs as dcost
from .catalog import SITES, VENDORS
from .flows import material_issues, operations
from .plant import (
    EPOCH_DAY,
    PERIODS,
    Plant,
    build_batches,
    build_lots,
    build_plant,
    build_rates,
    lot_ids,
    month_of,
    rate_on,
)

POOL_PREFIX = {"overhead": "OH", "depreciation": "DEP", "energy": "EN", "quality": "QA", "cleanroom": "CR",
               "sterilization_overhead": "STER"}


def write_demo(directory: Path, seed: int = 7, batches: int = 600, fmt: str = "csv") -> dict[str, Any]:
    """Write every contract table to `directory` (created if missing) as CSV or Parquet.

    Files of the same tables in the other formats are removed, since two files for one table make the
    folder ambiguous to `load_dataset`. Returns the row count per table and the first and last period.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be csv or parquet, got {fmt!r}")
    tables = generate(seed=seed, batches=batches)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        for suffix in FILE_SUFFIXES:
            other = directory / f"{name}{suffix}"
            if suffix != f".{fmt}" and other.exists():
                other.unlink()
        path = directory / f"{name}.{fmt}"
        if fmt == "csv":
            pv.write_csv(_csv_safe(table), path)
        else:
            pq.write_table(table, path)
    info: dict[str, Any] = {name: table.num_rows for name, table in tables.items()}
    info.update(first_period=PERIODS[0], last_period=PERIODS[-1])
    return info


def generate(seed: int = 7, batches: int = 600) -> dict[str, pa.Table]:
    """Every table of the demo as an Arrow table with the contract's columns, in contract order."""
    if batches < 1:
        raise ValueError(f"batches must be at least 1, got {batches}")
    rng = np.random.default_rng(seed)
    plant = build_plant(rng, min(20, max(4, batches // 600)))
    b = build_batches(rng, plant, batches)
    rates = build_rates(rng, plant)
    lots, opening_lot = _with_opening_stock(build_lots(rng, plant, batches), plant)
    issues = material_issues(rng, plant, b, lots, opening_lot)
    ops = operations(rng, plant, b, n_operators=min(400, 60 + batches // 500))
    lr, mr = rate_on(rates, ops["wc"].to_numpy(), ops["day"].to_numpy())
    ops["labor_cost"], ops["machine_cost"] = ops["labor"] * lr, ops["machine"] * mr
    lot_cost = lots[~lots["opening"]].groupby("mat")["unit_cost"].mean().reindex(range(len(plant.materials)))
    est = dcost.estimated_unit_cost(plant, lot_cost.fillna(0).to_numpy())
    ster = dcost.sterilized(rng, b, plant)
    direct = dcost.direct_costs(rng, b, ster, est)
    insp = dcost.inspections(rng, b)
    drv = dcost.drivers(b, ster, ops, insp, rng)
    base = _traced_cost(plant, issues, lots, ops, direct, est)
    pools = dcost.cost_pools(rng, plant, b, ops, base, drv)
    std = dcost.standards(rng, plant, b, ops, rates, lots, pools, direct, drv)
    _price_opening_stock(rng, lots, issues, opening_lot, std["per_unit"].to_numpy(), len(plant.materials))
    price = std["per_unit"].to_numpy() * rng.uniform(1.4, 2.3, len(plant.items))
    price = np.where(price < 10, np.round(price, 4), np.round(price, 2))
    names = dcost.customers(rng, batches)
    ships = dcost.shipments(rng, b, price, len(names))
    ncr = dcost.nonconformances(rng, b, est)
    _received_quantities(rng, lots, issues, plant)
    ids = _batch_ids(b)
    tables = {
        "batches": _batches_table(plant, b, ids),
        "material_issues": _issues_table(plant, issues, lots, ids),
        "material_lots": _lots_table(plant, lots),
        "operations": _operations_table(plant, ops, ids),
        "rates": _rates_table(plant, rates),
        "direct_costs": _direct_table(direct, ids),
        "cost_pools": _pools_table(plant, pools),
        "drivers": _table("drivers", batch_id=ids.take(drv["batch"].to_numpy()), driver=drv["driver"],
                          value=drv["value"], period=np.array(PERIODS)[drv["month"].to_numpy()]),
        "shipments": _table("shipments", batch_id=ids.take(ships["batch"].to_numpy()),
                            customer=np.array(names, dtype=object)[ships["customer"].to_numpy()],
                            ship_date=_dates(ships["day"]), qty=ships["qty"], revenue=ships["revenue"],
                            doc_id=_ids("SH", np.arange(1, len(ships) + 1), 9)),
        "inspections": _table("inspections", batch_id=ids.take(insp["batch"].to_numpy()), test=insp["test"],
                              result=insp["result"], qty_tested=insp["tested"], qty_failed=insp["failed"],
                              date=_dates(insp["day"])),
        "nonconformances": _table("nonconformances", ncr_id=_ids("NCR-26-", np.arange(1, len(ncr) + 1), 5),
                                  batch_id=ids.take(ncr["batch"].to_numpy()), defect=ncr["defect"],
                                  disposition=ncr["disposition"], qty=ncr["qty"], date=_dates(ncr["day"]),
                                  cost=ncr["cost"]),
        **_standard_tables(plant, std),
    }
    return _dirty_ids(rng, tables)


# ------------------------------------------------------------------ steps between the generators


def _with_opening_stock(lots: pd.DataFrame, plant: Plant) -> tuple[pd.DataFrame, np.ndarray]:
    """One opening-stock lot per sub-assembly item (received 2025-12-31) for consumers early in January."""
    subs = np.flatnonzero(plant.items["level"].to_numpy() < 2)
    opening = pd.DataFrame({"mat": len(plant.materials) + subs, "day": -1, "unit_cost": np.nan,
                            "supplier": None, "opening": True})
    out = pd.concat([lots, opening], ignore_index=True)
    lot_of = np.full(len(plant.items), -1, dtype=np.int64)
    lot_of[subs] = len(lots) + np.arange(subs.size)
    return out, lot_of


def _traced_cost(plant: Plant, issues: pd.DataFrame, lots: pd.DataFrame, ops: pd.DataFrame,
                 direct: pd.DataFrame, est: np.ndarray) -> np.ndarray:
    """Materials, hours and direct costs per month: what the pools are sized against."""
    n_mat = len(plant.materials)
    mat = issues["mat"].to_numpy()
    unit = np.where(mat < n_mat, lots["unit_cost"].to_numpy()[np.maximum(issues["lot"].to_numpy(), 0)],
                    est[np.maximum(mat - n_mat, 0)])
    parts = [(issues["day"], issues["qty"].to_numpy() * unit), (ops["day"], ops["labor_cost"] + ops["machine_cost"]),
             (direct["day"], direct["amount"])]
    return np.asarray(sum(np.bincount(month_of(np.asarray(d)), np.asarray(v, dtype=float), minlength=6)
                          for d, v in parts))


def _price_opening_stock(rng: np.random.Generator, lots: pd.DataFrame, issues: pd.DataFrame, opening_lot: np.ndarray,
                         per_unit: np.ndarray, n_mat: int) -> None:
    """Opening stock of sub-assemblies is carried near standard cost; most issue rows repeat the cost."""
    op = lots["opening"].to_numpy()
    item = lots["mat"].to_numpy()[op] - n_mat
    lots.loc[op, "unit_cost"] = np.round(per_unit[item] * rng.uniform(0.97, 1.03, op.sum()), 4)
    lots.loc[op, "supplier"] = "opening stock"
    rows = (issues["lot"].to_numpy() >= 0) & (issues["mat"].to_numpy() >= n_mat)
    cost = lots["unit_cost"].to_numpy()[issues["lot"].to_numpy()[rows]]
    issues.loc[rows, "unit_cost"] = np.where(rng.random(rows.sum()) < 0.1, np.nan, cost)


def _received_quantities(rng: np.random.Generator, lots: pd.DataFrame, issues: pd.DataFrame, plant: Plant) -> None:
    """Each lot received somewhat more than was issued from it (unused lots: a typical lot size)."""
    used = issues[issues["lot"].to_numpy() >= 0]
    issued = np.bincount(used["lot"], used["qty"], minlength=len(lots))
    typical = pd.Series(issued).groupby(lots["mat"].to_numpy()).transform("max").to_numpy()
    qty = np.where(issued > 0, issued, typical) * rng.uniform(1.05, 1.4, len(lots))
    mat = lots["mat"].to_numpy()
    counted = np.append(plant.materials["counted"].to_numpy(), np.ones(len(plant.items), bool))[mat]
    lots["qty_received"] = np.where(counted, np.ceil(qty / 100) * 100, np.ceil(qty * 10) / 10)


# ------------------------------------------------------------------ Arrow tables


def _table(name: str, **columns: Any) -> pa.Table:
    """Columns in contract order and types: IDs and text as string, numbers float64, dates date32."""
    arrays = []
    for col in TABLES[name].columns:
        value = columns[col.name]
        if col.kind == "num":
            arr = pa.array(np.asarray(value, dtype="float64"), pa.float64(), from_pandas=True)
        elif col.kind == "date" or isinstance(value, (pa.Array, pa.ChunkedArray)):
            arr = value
        else:
            arr = pa.array(np.asarray(value, dtype=object), pa.string(), from_pandas=True)
        arrays.append(arr)
    return pa.table(arrays, names=TABLES[name].names)


def _dates(days: Any, valid: np.ndarray | None = None) -> pa.Array:
    d = np.asarray(days, dtype=np.int64) + EPOCH_DAY
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(d.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers, built in Arrow (fast for millions of rows)."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _batch_ids(b: pd.DataFrame) -> pa.Array:
    """`B` + yymm of the start + a sequence in start order, e.g. B2601000123."""
    months = np.array([f"B26{m + 1:02d}" for m in range(6)], dtype=object)[month_of(b["start"].to_numpy())]
    width = max(6, len(str(len(b))))
    digits = pc.utf8_lpad(pa.array(np.arange(1, len(b) + 1)).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.array(months, pa.string()), digits, "")


def _batches_table(plant: Plant, b: pd.DataFrame, ids: pa.Array) -> pa.Table:
    it = plant.items
    line_names = np.array([ln.name for ln in plant.lines], dtype=object)
    done = b["end"].to_numpy() >= 0
    return _table("batches", batch_id=ids, item_id=it["item_id"].to_numpy()[b["item"]],
                  product_line=line_names[b["line"]], site=np.array(SITES, dtype=object)[b["site"]],
                  start_date=_dates(b["start"]), end_date=_dates(np.maximum(b["end"], 0), done),
                  qty_started=b["qs"], qty_good=b["good"], qty_scrap=b["scrap"], uom=np.full(len(b), "pcs", object),
                  status=b["status"])


def _material_names(plant: Plant) -> pa.Array:
    return pa.array(list(plant.materials["material_id"]) + list(plant.items["item_id"]), pa.string())


def _issues_table(plant: Plant, issues: pd.DataFrame, lots: pd.DataFrame, ids: pa.Array) -> pa.Table:
    lot_names = pa.array(lot_ids(lots, _material_names(plant).to_numpy(zero_copy_only=False)), pa.string())
    lb = issues["lot_batch"].to_numpy()
    lot = pc.if_else(pa.array(lb >= 0), ids.take(np.maximum(lb, 0)),
                     lot_names.take(np.maximum(issues["lot"].to_numpy(), 0)))
    return _table("material_issues", batch_id=ids.take(issues["batch"].to_numpy()),
                  material_id=_material_names(plant).take(issues["mat"].to_numpy()), lot_id=lot, qty=issues["qty"],
                  unit_cost=issues["unit_cost"], date=_dates(issues["day"]),
                  doc_id=_ids("MI", np.arange(1, len(issues) + 1), 9))


def _lots_table(plant: Plant, lots: pd.DataFrame) -> pa.Table:
    names = _material_names(plant)
    return _table("material_lots", lot_id=lot_ids(lots, names.to_numpy(zero_copy_only=False)),
                  material_id=names.take(lots["mat"].to_numpy()), supplier=lots["supplier"],
                  received_date=_dates(lots["day"]), unit_cost=lots["unit_cost"], qty_received=lots["qty_received"])


def _operations_table(plant: Plant, ops: pd.DataFrame, ids: pa.Array) -> pa.Table:
    wc = plant.work_centers["work_center"].to_numpy(dtype=object)[ops["wc"]]
    machine = pc.binary_join_element_wise(pa.array(wc, pa.string()), _ids("M", ops["machine_no"].to_numpy(), 1), "-")
    operator = _ids("E", 10_000 + ops["operator"].to_numpy(), 5)
    return _table("operations", batch_id=ids.take(ops["batch"].to_numpy()),
                  operation=plant.steps["operation"].to_numpy()[ops["step"]], work_center=wc,
                  labor_hours=ops["labor"], machine_hours=ops["machine"], date=_dates(ops["day"]),
                  equipment_id=machine, operator=operator, doc_id=_ids("OP", np.arange(1, len(ops) + 1), 9))


def _rates_table(plant: Plant, rates: pd.DataFrame) -> pa.Table:
    frm, to = rates["valid_from"], rates["valid_to"]
    return _table("rates", work_center=plant.work_centers["work_center"].to_numpy()[rates["wc"]],
                  labor_rate=rates["labor_rate"], machine_rate=rates["machine_rate"],
                  valid_from=_dates(frm.fillna(0), frm.notna()), valid_to=_dates(to.fillna(0), to.notna()))


def _direct_table(direct: pd.DataFrame, ids: pa.Array) -> pa.Table:
    element = np.array(dcost.DIRECT_ELEMENTS, dtype=object)[direct["element"].to_numpy()]
    vendor = np.array([VENDORS[e][v % len(VENDORS[e])] for e, v in zip(element, direct["vendor"], strict=True)],
                      dtype=object)
    return _table("direct_costs", batch_id=ids.take(direct["batch"].to_numpy()), cost_element=element,
                  amount=direct["amount"], date=_dates(direct["day"]), vendor=vendor,
                  doc_id=_ids("DC", np.arange(1, len(direct) + 1), 8))


def _pools_table(plant: Plant, pools: pd.DataFrame) -> pa.Table:
    kind, scope = pools["kind"].to_numpy(), pools["scope"].to_numpy(dtype=object)
    line_name = {ln.code: ln.name for ln in plant.lines}
    pool_id = np.array([f"P-{POOL_PREFIX[e]}-{s}" for e, s in zip(pools["element"], scope, strict=True)], dtype=object)
    t = pd.DataFrame({"pool_id": pool_id, "cost_element": pools["element"],
                      "period": np.array(PERIODS, dtype=object)[pools["month"].to_numpy()], "amount": pools["amount"],
                      "product_line": np.where(kind == "line", np.array([line_name.get(s) for s in scope],
                                                                        dtype=object), np.full(len(scope), None,
                                                                                               dtype=object)),
                      "site": np.where(kind == "site", scope, None),
                      "work_center": np.where(kind == "wc", scope, None)})
    t = t.sort_values(["period", "pool_id"], kind="stable")
    return _table("cost_pools", **{c: t[c].to_numpy() for c in t.columns})


def _standard_tables(plant: Plant, std: dict[str, pd.DataFrame]) -> dict[str, pa.Table]:
    """Standards for every item but one (so `no_standard` is reported); one item's BOM lacks a material."""
    item_ids = plant.items["item_id"].to_numpy(dtype=object)
    fg0 = np.flatnonzero((plant.items["line"] == 0).to_numpy() & (plant.items["level"] == 2).to_numpy())
    no_std, gap_item = fg0[-1], fg0[0]
    names = _material_names(plant).to_numpy(zero_copy_only=False)
    bom = std["bom"]
    comp = np.where(bom["mat"] >= 0, bom["mat"], len(plant.materials) + bom["sub"])
    gap = (bom["item"].to_numpy() == gap_item) & (names[comp] == "LBL-IND")
    bom = bom[(bom["item"].to_numpy() != no_std) & ~gap]
    comp = comp[(std["bom"]["item"].to_numpy() != no_std) & ~gap]
    rt = std["routing"][std["routing"]["item"].to_numpy() != no_std]
    oh = std["overhead"][std["overhead"]["item"].to_numpy() != no_std]
    wcs = plant.work_centers["work_center"].to_numpy(dtype=object)
    return {
        "standard_bom": _table("standard_bom", item_id=item_ids[bom["item"]], material_id=names[comp],
                               qty_per_unit=bom["std_qpu"], std_unit_cost=bom["std_cost"]),
        "standard_routing": _table("standard_routing", item_id=item_ids[rt["item"]], operation=rt["operation"],
                                   work_center=wcs[rt["wc"]], labor_hours_per_unit=rt["lh"],
                                   machine_hours_per_unit=rt["mh"], std_labor_rate=rt["lr"],
                                   std_machine_rate=rt["mr"]),
        "standard_overhead": _table("standard_overhead", item_id=item_ids[oh["item"]], cost_element=oh["element"],
                                    std_cost_per_unit=oh["cost"],
                                    behavior=pa.nulls(len(oh["cost"]), pa.string())),  # empty: no fixed split
    }


# ------------------------------------------------------------------ writing


def _dirty_ids(rng: np.random.Generator, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Eight IDs as extracts really have them: lower case, a dash, a trailing space (normalization's job)."""
    plan = {("material_issues", "batch_id"): ("lower", "lower", "dash"), ("material_issues", "lot_id"): ("lower",),
            ("operations", "batch_id"): ("space", "dash"), ("direct_costs", "batch_id"): ("lower",),
            ("shipments", "batch_id"): ("dash",)}
    for (name, column), kinds in plan.items():
        t = tables[name]
        col = t.column(column).combine_chunks()
        if column == "batch_id":
            candidates = np.arange(len(col))
        else:  # lot IDs that name a sub-assembly batch
            candidates = np.flatnonzero(pc.starts_with(col, "B").to_numpy(zero_copy_only=False))
        if candidates.size < len(kinds):
            continue
        rows = np.sort(rng.choice(candidates, size=len(kinds), replace=False))
        values = [col[int(r)].as_py() for r in rows]
        new = [{"lower": v.lower(), "dash": v[:5] + "-" + v[5:], "space": v + " "}[k]
               for v, k in zip(values, rng.permutation(np.array(kinds)), strict=True)]
        mask = np.zeros(len(col), dtype=bool)
        mask[rows] = True
        fixed = pc.replace_with_mask(col, pa.array(mask), pa.array(new, pa.string()))
        tables[name] = t.set_column(t.schema.get_field_index(column), column, fixed)
    return tables


def _csv_safe(table: pa.Table) -> pa.Table:
    """Arrow writes doubles in shortest form, but from 1e10 on in exponent form: write those as decimals."""
    for i, field in enumerate(table.schema):
        if not pa.types.is_floating(field.type):
            continue
        col = table.column(i)
        top = pc.max(pc.abs(col)).as_py()
        if top is None or top < 1e10:
            continue
        text = pc.cast(pc.cast(col, pa.decimal128(38, 6)), pa.string())
        text = pc.replace_substring_regex(text, r"\.?0+$", "")
        table = table.set_column(i, field.name, text)
    return table
