"""Who can take each cost pool within its own period (contract 3a), for validation's pool checks.

The allocation itself (bases, scopes, largest remainder) runs as SQL in the
cost model (`costing.sql.allocation`). Validation runs before that model may
be opened, and warns about pools nobody can take and batches left out for a
negative basis; this module finds those two from the priced postings, with
the same rules: batches may take part in a pool of period P only if they
started by the end of P, are in its scope and have a basis in P.

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
from typing import cast

import numpy as np
import pandas as pd

from ..core import money
from ..core.params import Allocation
from ..core.periods import NO_MONTH, bounds_of_periods, month_numbers, period_number
from .postings import Postings

HOURS_BASES = ("labor_hours", "machine_hours")


@dataclass
class PoolTakers:
    """Pools nobody can take and the (pool, batch) pairs left out for a negative basis."""

    unallocated: pd.DataFrame  # pool_idx, reason
    negative: pd.DataFrame  # pool_idx, code, basis_value


def sum_by(key: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys in order of first appearance and the exact int64 sum of `values` per key."""
    codes, uniques = pd.factorize(key)
    return np.asarray(uniques, dtype=np.int64), money.group_sum(codes, np.asarray(values), len(uniques))


@dataclass
class _Part:
    """One basis summed per (month, work center, batch code), grouped by (month, work center).

    `wc` -1 means any work center. Within a group, batches keep the order in
    which they first appear in the postings.
    """

    keys: np.ndarray  # sorted distinct month * (n_wc + 1) + wc + 1
    starts: np.ndarray  # first row of each key, and the end
    code: np.ndarray
    weight: np.ndarray
    places: int
    n_wc: int

    @classmethod
    def build(cls, month: np.ndarray, wc: np.ndarray, code: np.ndarray, weight: np.ndarray, places: int,
              n_wc: int = 0) -> _Part:
        group = month * (n_wc + 1) + wc + 1
        order = np.argsort(group, kind="stable")
        keys, starts = np.unique(group[order], return_index=True)
        return cls(keys, np.r_[starts, len(order)], code[order], weight[order], places, n_wc)

    def rows(self, month: int, wc: int = -1) -> np.ndarray:
        """Positions of the rows of one group (empty when the group has none)."""
        i = np.searchsorted(self.keys, month * (self.n_wc + 1) + wc + 1)
        if i == len(self.keys) or self.keys[i] != month * (self.n_wc + 1) + wc + 1:
            return np.zeros(0, dtype=np.int64)
        return np.arange(self.starts[i], self.starts[i + 1])


def _summed(month: np.ndarray, wc: np.ndarray, code: np.ndarray, weight: np.ndarray, n_wc: int
            ) -> tuple[np.ndarray, ...]:
    """(month, wc, code, summed weight) per distinct triple, in order of first appearance; NaT months dropped."""
    ok = month != NO_MONTH
    stride = int(code.max(initial=0)) + 1
    uniq, sums = sum_by((month[ok] * (n_wc + 1) + wc[ok] + 1) * stride + code[ok], weight[ok])
    group, code_u = np.divmod(uniq, stride)
    m, w = np.divmod(group, n_wc + 1)
    return m, w - 1, code_u, sums


def _work_centers(post: Postings) -> tuple[np.ndarray, pd.Index]:
    """Each operation's work-center code (-1 when missing) and the work centers."""
    if "wc" not in post.cache:
        codes, uniques = pd.factorize(post.operations["work_center"])
        post.cache["wc"] = (codes.astype(np.int64), pd.Index(uniques))
    return cast(tuple[np.ndarray, pd.Index], post.cache["wc"])


def _part(post: Postings, basis: str) -> _Part | None:
    """A basis summed per month (and work center, for hours) over every month of the data; cached.

    Hours count twice: once for pools of any work center, once under their own work center.
    """
    key = ("basis", basis)
    if key not in post.cache:
        part = None
        if basis in HOURS_BASES:
            ops = post.operations
            wc, names = _work_centers(post)
            ok = ops["code"].to_numpy() >= 0
            month, code, wc = month_numbers(ops["date"])[ok], ops["code"].to_numpy()[ok], wc[ok]
            weight = ops["labor_i" if basis == "labor_hours" else "machine_i"].to_numpy()[ok]
            on_wc = wc >= 0  # a row without a work center counts only for pools that name none
            both = [_summed(month, np.full(len(month), -1), code, weight, len(names)),
                    _summed(month[on_wc], wc[on_wc], code[on_wc], weight[on_wc], len(names))]
            month_c, wc_c, code_c, weight_c = (np.concatenate(cols) for cols in zip(*both, strict=True))
            part = _Part.build(month_c, wc_c, code_c, weight_c, places=post.hours_places, n_wc=len(names))
        elif basis in ("material_cost", "direct_cost"):
            f = post.material if basis == "material_cost" else post.direct
            ok = f["code"].to_numpy() >= 0
            if basis == "material_cost":
                ok &= f["priced"].to_numpy()
            m, _, code, sums = _summed(month_numbers(f["date"])[ok], np.full(int(ok.sum()), -1),
                                       f["code"].to_numpy()[ok], f["cents"].to_numpy()[ok], 0)
            part = _Part.build(m, np.full(len(m), -1), code, sums, places=2)
        post.cache[key] = part
    return cast(_Part | None, post.cache[key])


def _other_part(post: Postings, basis: str, month: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(code, weight, places) of a unit or driver basis in one month, codes in their order of appearance."""
    if basis.startswith("driver:"):
        key: tuple[str | int, ...] = ("basis", basis)
        if key not in post.cache:
            dr = post.drivers
            ok = (dr["code"].to_numpy() >= 0) & (dr["driver"] == basis[len("driver:"):]).to_numpy(dtype=bool)
            m = month_numbers(pd.to_datetime(dr["period"][ok], format="%Y-%m", errors="coerce"))
            m, _, code, sums = _summed(m, np.full(len(m), -1), dr["code"].to_numpy()[ok],
                                       dr["value_i"].to_numpy()[ok], 0)
            post.cache[key] = _Part.build(m, np.full(len(m), -1), code, sums, places=post.driver_places)
        part = cast(_Part, post.cache[key])
        rows = part.rows(month)
        return part.code[rows], part.weight[rows], part.places
    key = ("units", basis, month)
    if key not in post.cache:
        m = post.master
        first, last = (v[0] for v in bounds_of_periods(np.array([np.datetime64(month, "M")])))
        start = m["start_date"].to_numpy(dtype="datetime64[s]")
        end = m["end_date"].to_numpy(dtype="datetime64[s]")
        codes = np.arange(len(m))
        if basis == "good_units":
            good_i, _ = money.scaled(m["qty_good"].to_numpy(dtype="float64"), post.good_places)
            done = ~np.isnat(end) & (end >= first) & (end <= last)
            post.cache[key] = (codes[done], good_i[done], post.good_places)
        else:
            active = (start <= last) & (np.isnat(end) | (end >= first))
            if basis == "started_units":
                started_i, _ = money.scaled(m["qty_started"].to_numpy(dtype="float64"), post.good_places)
                post.cache[key] = (codes[active], started_i[active], post.good_places)
            else:  # equal
                post.cache[key] = (codes[active], np.ones(int(active.sum()), dtype=np.int64), 0)
    return cast(tuple[np.ndarray, np.ndarray, int], post.cache[key])


def pool_bases(pools: pd.DataFrame, rules: Allocation) -> np.ndarray:
    """The basis of each pool row under the params' rules (by_pool, by_cost_element, default)."""
    return np.array([rules.basis_for(str(p), str(e)) for p, e in zip(pools["pool_id"], pools["cost_element"],
                                                                     strict=True)], dtype=object)


def _candidates(post: Postings, pools: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every (pool, batch) with a basis in the pool's period, pools in order, batches in order of appearance.

    Arrays: pool (row of `pools`), code, weight, places.
    """
    _, wc_names = _work_centers(post)
    parts: list[tuple[int, np.ndarray, np.ndarray, int]] = []
    for i, (period, basis, wc_key) in enumerate(zip(pools["period"], pools["basis"], pools["wc_key"], strict=True)):
        month = period_number(period)
        if basis in HOURS_BASES or basis in ("material_cost", "direct_cost"):
            found = _part(post, basis)
            assert found is not None  # hours, material and direct bases always have one
            part = found
            wc = -1 if not wc_key else (wc_names.get_loc(wc_key) if wc_key in wc_names else None)
            rows = part.rows(month, wc) if wc is not None else np.zeros(0, dtype=np.int64)
            parts.append((i, part.code[rows], part.weight[rows], part.places))
        elif basis in ("good_units", "started_units", "equal") or basis.startswith("driver:"):
            code, weight, places = _other_part(post, basis, month)
            parts.append((i, code, weight, places))
    sizes = np.array([len(p[1]) for p in parts], dtype=np.int64)
    joined = [np.concatenate([p[i] for p in parts]).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)
              for i in (1, 2)]
    return {
        "pool": np.repeat(np.array([p[0] for p in parts], dtype=np.int64), sizes),
        "code": joined[0],
        "weight": joined[1],
        "places": np.repeat(np.array([p[3] for p in parts], dtype=np.int64), sizes),
    }


def _booked(post: Postings) -> np.ndarray:
    """Sorted keys (month, work center, batch code) of every batch with hours on a work center; cached.

    Repeated keys stay: `_in_scope` finds a key by binary search, which repeats do not disturb, and a sort
    of the 2 M operation keys at 16x costs a fraction of `np.unique`'s hashing (0.8 s)."""
    if "booked" not in post.cache:
        ops = post.operations
        wc_codes, wc_names = _work_centers(post)
        month = month_numbers(ops["date"])
        ok = (ops["code"].to_numpy() >= 0) & ((ops["labor_i"] + ops["machine_i"]) > 0).to_numpy() & (wc_codes >= 0) \
            & (month != NO_MONTH)
        post.cache["booked"] = np.sort((month[ok] * (len(wc_names) + 1) + wc_codes[ok]) * (len(post.master) + 1)
                                       + ops["code"].to_numpy()[ok])
    return cast(np.ndarray, post.cache["booked"])


def _scope_codes(post: Postings, col: str) -> tuple[np.ndarray, pd.Index]:
    """Each batch's code of its product_line or site (-1 when missing), and the values; cached."""
    if ("scope", col) not in post.cache:
        attr, names = pd.factorize(post.master[col])
        post.cache[("scope", col)] = (attr, pd.Index(names))
    return cast(tuple[np.ndarray, pd.Index], post.cache[("scope", col)])


def _in_scope(post: Postings, pools: pd.DataFrame, pool: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Candidates started by the end of the pool's period, of its product line and site, and (for a
    work-center scope on a basis other than hours) with hours on that work center in the period."""
    m = post.master
    _first, last = bounds_of_periods(pools["period"].to_numpy())
    keep = m["start_date"].to_numpy(dtype="datetime64[s]")[code] <= last[pool]
    for col in ("product_line", "site"):
        attr, names = _scope_codes(post, col)
        scope = pools[col].to_numpy(dtype=object)
        has = pd.notna(scope)
        want = np.array([names.get_loc(v) if h and v in names else -2 for v, h in zip(scope, has, strict=True)],
                        dtype=np.int64)
        if has.any():
            keep &= ~has[pool] | (attr[code] == want[pool])
    # a work-center scope admits batches with hours there in P, whatever the basis
    wc_scoped = pools["work_center"].notna().to_numpy() & ~pools["basis"].isin(HOURS_BASES).to_numpy()
    if wc_scoped[pool].any():
        _, wc_names = _work_centers(post)
        booked = _booked(post)
        n, stride = len(wc_names) + 1, len(m) + 1
        want = np.array([wc_names.get_loc(w) if s and w in wc_names else -1
                         for w, s in zip(pools["work_center"], wc_scoped, strict=True)], dtype=np.int64)
        pool_month = np.array([period_number(p) for p in pools["period"]], dtype=np.int64)
        rows = np.flatnonzero(wc_scoped[pool])
        probe = (pool_month[pool[rows]] * n + want[pool[rows]]) * stride + code[rows]
        pos = np.minimum(np.searchsorted(booked, probe), max(len(booked) - 1, 0))
        found = (want[pool[rows]] >= 0) & (booked[pos] == probe) if len(booked) else np.zeros(len(rows), bool)
        keep[rows] &= found
    return cast(np.ndarray, keep)


def pool_takers(post: Postings, rules: Allocation) -> PoolTakers:
    """Every pool of the dataset's candidates by its basis and scope under `rules` (the params' allocation)."""
    pools = post.pools.reset_index(drop=True)
    pools = pools.assign(pool_idx=np.arange(len(pools)), basis=pool_bases(pools, rules))
    valid = pools["period"].notna() & (pools["period"].astype(str) != "")
    pools = pools[valid.to_numpy()]
    scoped_hours = pools["basis"].isin(HOURS_BASES) & pools["work_center"].notna()
    pools = pools.assign(wc_key=np.where(scoped_hours, pools["work_center"].fillna(""), "")).reset_index(drop=True)
    cand = _candidates(post, pools) if not pools.empty else {k: np.zeros(0, np.int64) for k in
                                                               ("pool", "code", "weight", "places")}
    keep = _in_scope(post, pools, cand["pool"], cand["code"]) if len(cand["pool"]) else np.zeros(0, bool)
    cand = {k: v[keep] for k, v in cand.items()}
    pool_idx = pools["pool_idx"].to_numpy(dtype=np.int64)
    negative = {k: v[cand["weight"] < 0] for k, v in cand.items()}
    positive = {k: v[cand["weight"] > 0] for k, v in cand.items()}
    left = pools[~np.isin(pool_idx, pool_idx[positive["pool"]])]
    return PoolTakers(
        unallocated=pd.DataFrame({"pool_idx": left["pool_idx"].to_numpy(dtype=np.int64),
                                  "reason": "no batch in scope has a basis"}),
        negative=pd.DataFrame({"pool_idx": pool_idx[negative["pool"]], "code": negative["code"],
                               "basis_value": negative["weight"].astype("float64")
                               / np.power(10.0, negative["places"])}))


def pool_takers_cached(ds_cache: dict[object, object], post: Postings, rules: Allocation) -> PoolTakers:
    """`pool_takers`, cached next to the postings it came from, per set of rules."""
    key = ("pool_takers", rules.model_dump_json())
    got = ds_cache.get(key)
    if not isinstance(got, PoolTakers):
        got = ds_cache[key] = pool_takers(post, rules)
    return got
