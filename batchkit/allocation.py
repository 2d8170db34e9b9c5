"""Allocate cost pools to batches within their own period (contract 3a).

A pool's allocation depends only on its own period's data, never on the run
period, so every pool of the dataset is allocated once (cached) and a run
keeps the pools dated on or before its period. Batches may take part in a
pool of period P only if they started by the end of P.

Bases (exact integers, see `money`):
- labor_hours / machine_hours: hours dated in P (on the pool's work center if it names one)
- material_cost: purchased material cents dated in P, returns netted
- direct_cost: direct-cost cents dated in P
- good_units: qty_good of batches completed in P
- started_units: qty_started of batches active in P
- equal: 1 per batch active in P
- driver:<name>: drivers.value for that driver and P
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import money
from .params import Allocation
from .postings import Postings

HOURS_BASES = ("labor_hours", "machine_hours")


@dataclass
class Allocations:
    ledger: pd.DataFrame  # pool_idx, code, basis, basis_value, cents
    unallocated: pd.DataFrame  # pool_idx, reason
    negative: pd.DataFrame  # pool_idx, code, basis_value: left out with a warning


def month_of(dates: pd.Series | np.ndarray) -> np.ndarray:
    """YYYY-MM text of each date (NaT -> '')."""
    d = np.asarray(dates, dtype="datetime64[s]").astype("datetime64[M]")
    out = np.datetime_as_string(d, unit="M")
    return np.where(np.isnat(d), "", out)


def _period_bounds(periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    months = np.asarray(periods, dtype="datetime64[M]")
    first = months.astype("datetime64[D]").astype("datetime64[s]")
    last = ((months + 1).astype("datetime64[D]") - 1).astype("datetime64[s]")
    return first, last


def _grouped(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    return frame.groupby(keys, sort=False, as_index=False)[value].sum()


def _basis_long(post: Postings, pools: pd.DataFrame) -> pd.DataFrame:
    """Every (period, basis, wc, code, weight) a pool could use; wc '' = any work center."""
    need = pools[["period", "basis", "wc_key"]].drop_duplicates()
    periods = set(need["period"])
    parts: list[pd.DataFrame] = []
    ops = post.operations[post.operations["code"] >= 0]
    ops = ops.assign(period=month_of(ops["date"]))
    ops = ops[ops["period"].isin(periods)]
    for basis, col in (("labor_hours", "labor_i"), ("machine_hours", "machine_i")):
        want = need[need["basis"] == basis]
        if want.empty:
            continue
        any_wc = _grouped(ops, ["period", "code"], col).assign(wc_key="")
        by_wc = _grouped(ops, ["period", "work_center", "code"], col).rename(columns={"work_center": "wc_key"})
        both = pd.concat([any_wc, by_wc], ignore_index=True).rename(columns={col: "weight"})
        parts.append(both.assign(basis=basis, places=post.hours_places))
    wanted = set(need["basis"])
    if "material_cost" in wanted:
        m = post.material[(post.material["code"] >= 0) & post.material["priced"]]
        m = m.assign(period=month_of(m["date"]))
        m = _grouped(m[m["period"].isin(periods)], ["period", "code"], "cents")
        parts.append(m.rename(columns={"cents": "weight"}).assign(basis="material_cost", wc_key="", places=2))
    if "direct_cost" in wanted:
        d = post.direct[post.direct["code"] >= 0]
        d = d.assign(period=month_of(d["date"]))
        d = _grouped(d[d["period"].isin(periods)], ["period", "code"], "cents")
        parts.append(d.rename(columns={"cents": "weight"}).assign(basis="direct_cost", wc_key="", places=2))
    unit_bases = wanted & {"good_units", "started_units", "equal"}
    if unit_bases:
        parts.extend(_unit_bases(post, sorted(periods), unit_bases))
    drv = sorted(b for b in wanted if b.startswith("driver:"))
    if drv:
        dr = post.drivers[(post.drivers["code"] >= 0) & post.drivers["period"].isin(periods)]
        dr = dr.assign(basis="driver:" + dr["driver"].astype(str))
        dr = dr[dr["basis"].isin(drv)]
        dr = dr.groupby(["period", "basis", "code"], as_index=False, sort=False)["value_i"].sum()
        parts.append(dr.rename(columns={"value_i": "weight"}).assign(wc_key="", places=post.driver_places))
    if not parts:  # typed, so the merge below keeps integer codes (an untyped empty frame gives objects)
        return pd.DataFrame({"period": pd.Series(dtype="str"), "basis": pd.Series(dtype="str"),
                             "wc_key": pd.Series(dtype="str"), "code": pd.Series(dtype="int64"),
                             "weight": pd.Series(dtype="int64"), "places": pd.Series(dtype="int64")})
    out = pd.concat(parts, ignore_index=True)
    return out[["period", "basis", "wc_key", "code", "weight", "places"]]


def _unit_bases(post: Postings, periods: list[str], wanted: set[str]) -> list[pd.DataFrame]:
    m = post.master
    codes = np.arange(len(m))
    start = m["start_date"].to_numpy(dtype="datetime64[s]")
    end = m["end_date"].to_numpy(dtype="datetime64[s]")
    good_i, _ = money.scaled(m["qty_good"].to_numpy(dtype="float64"), post.good_places)
    started_i, _ = money.scaled(m["qty_started"].to_numpy(dtype="float64"), post.good_places)
    out = []
    for period in periods:
        first, last = (v[0] for v in _period_bounds(np.array([period])))
        active = (start <= last) & (np.isnat(end) | (end >= first))
        completed = ~np.isnat(end) & (end >= first) & (end <= last)
        for basis, mask, weight in (
            ("good_units", completed, good_i),
            ("started_units", active, started_i),
            ("equal", active, np.ones(len(m), dtype=np.int64)),
        ):
            if basis in wanted and mask.any():
                places = 0 if basis == "equal" else post.good_places
                out.append(pd.DataFrame({"period": period, "basis": basis, "wc_key": "", "code": codes[mask],
                                         "weight": weight[mask], "places": places}))
    return out


def pool_bases(pools: pd.DataFrame, rules: Allocation) -> np.ndarray:
    """The basis of each pool row under the params' rules (by_pool, by_cost_element, default)."""
    return np.array([rules.basis_for(str(p), str(e)) for p, e in zip(pools["pool_id"], pools["cost_element"],
                                                                     strict=True)], dtype=object)


def allocate_all(post: Postings, rules: Allocation) -> Allocations:
    """Allocate every pool of the dataset by its basis and scope, to the cent.

    `rules` is the params' `allocation` section; a what-if passes another one
    and reuses the same priced postings.
    """
    pools = post.pools.reset_index(drop=True)
    pools = pools.assign(pool_idx=np.arange(len(pools)), basis=pool_bases(pools, rules))
    valid = pools["period"].notna() & (pools["period"].astype(str) != "")
    pools = pools[valid.to_numpy()]
    scoped_hours = pools["basis"].isin(HOURS_BASES) & pools["work_center"].notna()
    pools = pools.assign(wc_key=np.where(scoped_hours, pools["work_center"].fillna(""), ""))
    if pools.empty:
        empty = _ledger(pools.assign(code=0, weight=0, places=0), np.zeros(0, dtype=np.int64))
        return Allocations(empty, pd.DataFrame({"pool_idx": np.zeros(0, np.int64), "reason": []}), empty)
    long = _basis_long(post, pools)
    cand = pools[["pool_idx", "period", "basis", "wc_key", "product_line", "site", "work_center", "cents"]].merge(
        long, on=["period", "basis", "wc_key"], how="inner"
    )
    m = post.master
    _first, last = _period_bounds(cand["period"].to_numpy())
    code = cand["code"].to_numpy()
    started_by = m["start_date"].to_numpy(dtype="datetime64[s]")[code] <= last
    keep = started_by.copy()
    for col in ("product_line", "site"):
        scope = cand[col].to_numpy(dtype=object)
        has = pd.notna(scope)
        attr = m[col].to_numpy(dtype=object)[code]
        keep &= ~has | (attr == scope)
    # a work-center scope admits batches with hours there in P, whatever the basis
    wc_scoped = cand["work_center"].notna().to_numpy() & ~cand["basis"].isin(HOURS_BASES).to_numpy()
    if wc_scoped.any():
        ops = post.operations[post.operations["code"] >= 0]
        ops = ops[(ops["labor_i"] + ops["machine_i"]) > 0]
        on_wc = pd.DataFrame({"period": month_of(ops["date"]), "work_center": ops["work_center"].to_numpy(),
                              "code": ops["code"].to_numpy()}).drop_duplicates()
        probe = cand.loc[wc_scoped, ["period", "work_center", "code"]].merge(
            on_wc.assign(ok=True), on=["period", "work_center", "code"], how="left")
        keep[np.flatnonzero(wc_scoped)] &= probe["ok"].fillna(False).to_numpy(dtype=bool)
    cand = cand[keep]
    weight = cand["weight"].to_numpy(dtype=np.int64)
    negative = cand[weight < 0]
    cand = cand[weight > 0]
    taken = set(cand["pool_idx"].tolist())
    left = pools[~pools["pool_idx"].isin(taken)]
    unallocated = pd.DataFrame({"pool_idx": left["pool_idx"].to_numpy(), "reason": "no batch in scope has a basis"})
    pool_amount = np.zeros(len(post.pools), dtype=np.int64)
    pool_amount[pools["pool_idx"].to_numpy()] = pools["cents"].to_numpy()
    cents = money.largest_remainder(pool_amount, cand["pool_idx"].to_numpy(), cand["weight"].to_numpy(),
                                    post.tiebreak[cand["code"].to_numpy()])
    return Allocations(_ledger(cand, cents), unallocated, _ledger(negative, np.zeros(len(negative), np.int64)))


def _ledger(cand: pd.DataFrame, cents: np.ndarray) -> pd.DataFrame:
    places = cand["places"].to_numpy(dtype=np.int64)
    return pd.DataFrame({
        "pool_idx": cand["pool_idx"].to_numpy(dtype=np.int64),
        "code": cand["code"].to_numpy(dtype=np.int64),
        "basis": cand["basis"].to_numpy(dtype=object),
        "basis_value": cand["weight"].to_numpy(dtype="float64") / np.power(10.0, places),
        "weight": cand["weight"].to_numpy(dtype=np.int64),
        "cents": np.asarray(cents, dtype=np.int64),
    })


def allocations(ds_cache: dict, post: Postings, rules: Allocation) -> Allocations:
    """`allocate_all`, cached next to the postings it came from, per set of rules."""
    key = ("allocations", rules.model_dump_json())
    if key not in ds_cache:
        ds_cache[key] = allocate_all(post, rules)
    return ds_cache[key]
