"""The demo generator: deterministic, in the contract, valid, costable, and shaped like a real plant."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import batchkit
from batchkit.cli import main
from batchkit.core.schema import TABLES
from batchkit.demo.write import write_demo

N = 400  # small, but enough batches for three levels, WIP and every pool scope
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = re.compile(r"^\d{4}-\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo(folder, seed=7, batches=N, fmt="csv")


@pytest.fixture(scope="module")
def tables(demo: tuple[Path, dict]) -> dict[str, pd.DataFrame]:
    """Every table as text, the way a user's spreadsheet would show it (empty cells are NaN)."""
    folder, _ = demo
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False).replace("", np.nan)
            for name in TABLES}


def _norm(ids: pd.Series) -> pd.Series:
    return ids.str.strip().str.upper().str.replace("-", "", regex=False)


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, fmt: str) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        write_demo(tmp_path / name, seed=seed, batches=120, fmt=fmt)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(f"{t}.{fmt}" for t in TABLES)
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / f"batches.{fmt}").read_bytes() != (tmp_path / "c" / f"batches.{fmt}").read_bytes()


def test_info_counts_rows_of_every_table(demo: tuple[Path, dict], tables: dict[str, pd.DataFrame]) -> None:
    _, info = demo
    assert info["first_period"] == "2026-01" and info["last_period"] == "2026-06"
    assert {name: info[name] for name in TABLES} == {name: len(t) for name, t in tables.items()}
    assert info["batches"] == N
    # the benchmark relies on ~48 issue rows and ~10 operation rows per batch
    assert 44 <= info["material_issues"] / N <= 52
    assert 8.5 <= info["operations"] / N <= 11.5


def test_rewrites_folder_in_another_format(tmp_path: Path) -> None:
    write_demo(tmp_path, seed=1, batches=40, fmt="csv")
    write_demo(tmp_path, seed=1, batches=40, fmt="parquet")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".parquet"] * len(TABLES)
    ds = batchkit.load_dataset(tmp_path, batchkit.load_params())
    assert not (batchkit.validate(ds)["severity"] == "error").any()


def test_cli_writes_and_reports(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo-data", str(tmp_path / "new" / "dir"), "--batches", "50", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert re.match(r"wrote 50 batches, [\d,]+ material issues and [\d,]+ operations \(2026-01 to 2026-06\) to ",
                    result.output)


# ------------------------------------------------------------------ contract


def test_csv_files_follow_the_contract(tables: dict[str, pd.DataFrame]) -> None:
    for name, spec in TABLES.items():
        t = tables[name]
        assert list(t.columns) == spec.names, name
        assert len(t), name
        for col in spec.columns:
            values = t[col.name].dropna()
            if col.required:
                assert t[col.name].notna().all(), f"{name}.{col.name} has empty required cells"
            if col.kind == "date":
                assert values.str.match(DATE).all(), f"{name}.{col.name}"
            elif col.kind == "period":
                assert values.str.match(PERIOD).all(), f"{name}.{col.name}"
            elif col.kind == "num":
                assert not values.str.contains("e", case=False).any(), f"{name}.{col.name} in exponent form"
                assert pd.to_numeric(values).notna().all()
                if col.sign != "any":
                    assert (pd.to_numeric(values) >= 0).all(), f"{name}.{col.name}"


def test_numbers_have_few_decimals(tables: dict[str, pd.DataFrame]) -> None:
    def places(s: pd.Series) -> int:
        return int(s.dropna().str.partition(".")[2].str.len().max())

    assert places(tables["material_issues"]["qty"]) <= 3
    assert places(tables["material_issues"]["unit_cost"]) <= 4
    assert places(tables["material_lots"]["unit_cost"]) <= 4
    assert places(tables["operations"]["labor_hours"]) <= 2
    assert places(tables["operations"]["machine_hours"]) <= 2
    for name, col in (("direct_costs", "amount"), ("cost_pools", "amount"), ("shipments", "revenue")):
        assert places(tables[name][col]) <= 2, name


def test_parquet_types(tmp_path: Path) -> None:
    write_demo(tmp_path, seed=5, batches=60, fmt="parquet")
    kinds = {"id": pa.string(), "str": pa.string(), "period": pa.string(), "num": pa.float64(), "date": pa.date32()}
    for name, spec in TABLES.items():
        schema = pq.read_schema(tmp_path / f"{name}.parquet")
        assert schema.names == spec.names
        assert [schema.field(c.name).type for c in spec.columns] == [kinds[c.kind] for c in spec.columns], name


def test_ids_stay_text(demo: tuple[Path, dict]) -> None:
    folder, _ = demo
    t = pv.read_csv(folder / "batches.csv")  # Arrow's own type inference, as a careless reader would do
    assert t.schema.field("batch_id").type == pa.string()


# ------------------------------------------------------------------ batchkit accepts it


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_validates_and_reconciles(tmp_path: Path, fmt: str) -> None:
    write_demo(tmp_path, seed=9, batches=300, fmt=fmt)
    ds = batchkit.load_dataset(tmp_path, batchkit.load_params())
    findings = batchkit.validate(ds)
    assert not (findings["severity"] == "error").any(), findings[findings["severity"] == "error"].head()
    # only the intended warnings: a few normalized IDs and the one item without standards
    assert set(findings["check"]) == {"id_normalized", "no_standard"}
    assert 5 <= (findings["check"] == "id_normalized").sum() < 10
    for period in ("2026-06", "2026-03"):
        rec = batchkit.cost(batchkit.load_dataset(tmp_path, batchkit.load_params()), period).reconciliation
        assert (rec["difference"] == 0).all(), rec
        assert (rec["unallocated_amount"] == 0).all() and (rec["excluded_amount"] == 0).all()


def test_costs_look_like_a_device_plant(demo: tuple[Path, dict], tables: dict[str, pd.DataFrame]) -> None:
    folder, _ = demo
    result = batchkit.cost(batchkit.load_dataset(folder, batchkit.load_params()), "2026-06")
    costs = result.batch_costs.groupby("cost_element")["amount"].sum().drop("subassembly")
    pools = costs[["overhead", "depreciation", "energy", "quality", "cleanroom", "sterilization_overhead"]].sum()
    assert 0.25 <= pools / costs.sum() <= 0.40
    ship = tables["shipments"].assign(qty=lambda s: s["qty"].astype(float),
                                      revenue=lambda s: s["revenue"].astype(float))
    ship["batch_id"] = _norm(ship["batch_id"])
    s = result.batch_summary.set_index("batch_id")
    ship["cost"] = ship["qty"] * ship["batch_id"].map(s["unit_cost"])
    margin = 1 - ship["cost"].sum() / ship["revenue"].sum()
    assert 0.2 <= margin <= 0.6
    var = result.tables["variances"].groupby("variance_type")["amount"].sum()
    total = s.loc[s["status"] == "completed", "total_cost"].sum()
    assert (var.abs() < 0.05 * total).all() and (var != 0).any()  # standards near the actuals, not on them


# ------------------------------------------------------------------ structure


def test_three_levels_of_genealogy(tables: dict[str, pd.DataFrame]) -> None:
    b = tables["batches"].set_index("batch_id")
    mi = tables["material_issues"]
    lot = _norm(mi["lot_id"])
    sub = mi[lot.isin(b.index)].assign(lot=lot, consumer=_norm(mi["batch_id"]), qty=lambda m: m["qty"].astype(float))
    consumers_of = sub.groupby("lot")["consumer"].apply(set)
    level1 = set(sub["lot"]) - set(sub["consumer"])  # consumed, consuming no batch
    level2 = set(sub["lot"]) & set(sub["consumer"])  # consumed and consuming
    finished = {c for s in level2 for c in consumers_of[s]}
    assert level1 and level2 and finished
    assert any(consumers_of[s] & level2 for s in level1)  # level-1 -> level-2 -> finished good
    assert 0.15 <= b["item_id"].isin(set(sub["material_id"])).mean() <= 0.30  # sub-assembly batches
    # consumed after the sub-assembly ended and the consumer started; partly, by several consumers
    assert (sub["date"].to_numpy() >= b.loc[sub["lot"], "end_date"].to_numpy()).all()
    assert (sub["date"].to_numpy() >= b.loc[sub["consumer"], "start_date"].to_numpy()).all()
    used = sub.groupby("lot")["qty"].sum()
    assert (used <= b.loc[used.index, "qty_good"].astype(float)).all()
    assert (consumers_of.map(len) > 1).mean() > 0.5
    assert sub["unit_cost"].isna().all()


def test_wip_at_end_of_june(tables: dict[str, pd.DataFrame]) -> None:
    b = tables["batches"]
    wip = b[b["end_date"].isna()]
    assert len(wip) and (wip["qty_good"].astype(float) == 0).all()
    assert (wip["start_date"] >= "2026-06-21").any() and (wip["start_date"] < "2026-06-21").any()
    done = b[b["end_date"].notna()]
    yields = done["qty_good"].astype(float) / done["qty_started"].astype(float)
    assert yields.between(0.9, 0.995).mean() > 0.95 and (yields < 0.9).any()  # a few abnormal batches
    assert set(b["status"].dropna()) == {"released", "quarantined", "rejected"}


def test_dated_rate_change_covers_every_booking(tables: dict[str, pd.DataFrame]) -> None:
    r = tables["rates"]
    frm = pd.to_datetime(r["valid_from"])
    to = pd.to_datetime(r["valid_to"])
    changed = r[r["valid_from"] == "2026-04-01"]["work_center"]
    assert len(changed) and (r[r["work_center"].isin(changed) & (r["valid_to"] == "2026-03-31")].shape[0] > 0)
    ops = tables["operations"][["work_center", "date"]].drop_duplicates()
    cand = ops.merge(r.assign(frm=frm, to=to), on="work_center")
    d = pd.to_datetime(cand["date"])
    ok = (cand["frm"].isna() | (cand["frm"] <= d)) & (cand["to"].isna() | (cand["to"] >= d))
    assert (cand[ok].groupby(["work_center", "date"]).size() == 1).all()  # exactly one rate in force
    assert len(cand[ok].groupby(["work_center", "date"])) == len(ops)


def test_pools_of_every_scope_and_element(tables: dict[str, pd.DataFrame]) -> None:
    p = tables["cost_pools"]
    scope = p[["product_line", "site", "work_center"]].notna()
    assert (~scope.any(axis=1)).any()
    assert scope["product_line"].any() and scope["site"].any() and scope["work_center"].any()
    assert set(p["cost_element"]) == {"overhead", "depreciation", "energy", "quality", "cleanroom",
                                      "sterilization_overhead"}
    assert sorted(p["period"].unique()) == [f"2026-0{m}" for m in range(1, 7)]
    assert not p.duplicated(["pool_id", "period"]).any()
    assert set(tables["drivers"]["driver"]) == {"sterilization_load_m3", "setups", "inspections"}


def test_returns_never_exceed_issues(tables: dict[str, pd.DataFrame]) -> None:
    mi = tables["material_issues"].assign(qty=lambda m: m["qty"].astype(float), batch=lambda m: _norm(m["batch_id"]))
    assert 0.01 <= (mi["qty"] < 0).mean() <= 0.03
    assert (mi.groupby(["batch", "lot_id"])["qty"].sum() >= 0).all()
    bought = mi[mi["lot_id"].str.startswith("L-")]
    assert 0.05 <= bought["unit_cost"].isna().mean() <= 0.15  # the loader takes these from material_lots
    assert mi["doc_id"].is_unique and tables["operations"]["doc_id"].is_unique


def test_shipments_stay_within_good_output(tables: dict[str, pd.DataFrame]) -> None:
    b = tables["batches"].set_index("batch_id")
    s = tables["shipments"].assign(batch=lambda t: _norm(t["batch_id"]), qty=lambda t: t["qty"].astype(float))
    per = s.groupby("batch")["qty"].sum()
    assert (per <= b.loc[per.index, "qty_good"].astype(float)).all()
    assert (s["ship_date"].to_numpy() > b.loc[s["batch"], "end_date"].to_numpy()).all()
    assert (s["ship_date"] <= "2026-06-30").all()
    assert s.groupby("batch").size().between(1, 4).all()
    assert 10 <= s["customer"].nunique() <= 60
    assert s["customer"].str.contains("医院").any() and s["customer"].str.contains("国药|医药").any()


def test_standards_for_all_but_one_item(tables: dict[str, pd.DataFrame]) -> None:
    items = set(tables["batches"]["item_id"])
    with_std = set(tables["standard_bom"]["item_id"]) | set(tables["standard_routing"]["item_id"])
    assert len(items - with_std) == 1
    bom = tables["standard_bom"]
    issued = tables["material_issues"].assign(item=lambda m: _norm(m["batch_id"]).map(
        tables["batches"].set_index("batch_id")["item_id"]))[["item", "material_id"]].drop_duplicates()
    known = issued.merge(bom, left_on=["item", "material_id"], right_on=["item_id", "material_id"], how="left")
    lacking = known[known["item_id"].isna() & known["item"].isin(with_std)]
    assert len(lacking) == 1  # one issued material is missing from its item's standard BOM
