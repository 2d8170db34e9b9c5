"""A what-if's allocation from splits kept per (pool, basis): only pools whose basis changed are split again.

A pool's candidates and its largest-remainder split depend on the pool row
(amount, period, scope) and on the one basis the rules give it, never on the
other pools or the rest of the rules. So a session keeps every split it
made: each set of new (pool row, basis) pairs is enumerated and split once
by `allocation`'s own statements, restricted to those pools, and kept as a
table part (`split_<n>`, its rows tagged with the pair's id); a
configuration's `alloc` is then the union of its pools' kept splits. At 16x
a configuration that changes two cost elements' bases re-splits those
pools only, instead of enumerating all 2.7 M pool x batch candidates again.

With predetermined rates (params `absorption`) the pool rows depend on the
run period and the rated pools absorb instead: those runs take the full
`allocation.allocate`. After a kept-split allocation `cand` and
`pool_weight` are not the configuration's: `rules_key` says so (`WHAT_IF`),
and `allocation.allocate` (cost, `sql.allocate`) then re-runs in full.
"""

from __future__ import annotations

import pyarrow as pa

from ...core.params import Absorption, Allocation
from . import allocation
from .outputs import ints
from .session import KeptSplits, Session

WHAT_IF = "what-if "  # prefixes rules_key when `alloc` came from kept splits
# table parts kept per session: past it, the kept splits are dropped and begin again with the configuration at
# hand (memory: at 16x a part holds up to the 2.7 M allocations of one configuration)
MAX_PARTS = 6


def allocate(s: Session, rules: Allocation, up_to: str, absorption: Absorption, run_month: int) -> None:
    """Table `alloc` (and `pool`) for `rules` up to period `up_to`, from kept splits; new pairs are split first."""
    key = rules.model_dump_json()
    if absorption.active:
        allocation.allocate(s, rules, up_to, absorption=absorption, run_month=run_month)
        return
    if s.pools_up_to == up_to and s.rules_key in (key, WHAT_IF + key):
        return
    s.rules_key = None  # `pool` is replaced next: until `alloc` is, no rules are claimed (a failed split)
    allocation.pools(s, rules, up_to)
    got = s.engine.arrow("SELECT pool_idx, basis FROM pool", step="what-if pools")
    pairs = list(zip(ints(got["pool_idx"]).tolist(), got["basis"].to_pylist(), strict=True))
    if not pairs:  # nothing to split: the plain statements give the empty tables
        allocation.allocate(s, rules, up_to)
        return
    new = [p for p in pairs if p not in s.kept.pair]
    if new and len({*s.kept.part}) >= MAX_PARTS:
        forget(s)
        new = pairs
    kept = s.kept
    if new:
        _split(s, new)
    used = [kept.pair[p] for p in pairs]
    s.engine.register("split_use", pa.table({"pair": pa.array(used, pa.int64())}))
    parts = sorted({kept.part[i] for i in used})
    s.table("alloc", " UNION ALL ".join(
        f"SELECT pool_idx, code, weight, places, cents FROM {part} WHERE pair IN (SELECT pair FROM split_use)"
        for part in parts))
    s.rules_key, s.pools_up_to = WHAT_IF + key, up_to


def _split(s: Session, new: list[tuple[int, str]]) -> None:
    """Enumerate and split the pools of the `new` (pool row, basis) pairs (each pool row once: one basis per
    configuration) and keep the result as the next table part."""
    kept = s.kept
    first = len(kept.part)
    part = f"split_{len({*kept.part}) + 1}"
    s.engine.register("split_pairs", pa.table({"pool_idx": pa.array([i for i, _ in new], pa.int64()),
                                               "pair": pa.array(range(first, first + len(new)), pa.int64())}))
    s.table("split_pool", "SELECT p.*, n.pair FROM pool AS p JOIN split_pairs AS n ON n.pool_idx = p.pool_idx")
    allocation.candidates(s, pools="split_pool", name="split_cand")
    allocation.split(s, "split_alloc", cand="split_cand", weight="split_weight")
    s.table(part, "SELECT a.pool_idx, a.code, a.weight, a.places, a.cents, p.pair FROM split_alloc AS a "
                  "JOIN split_pool AS p ON p.pool_idx = a.pool_idx")
    for i, pair in enumerate(new):
        kept.pair[pair] = first + i
        kept.part.append(part)


def forget(s: Session) -> None:
    """Drop every kept split (the next configuration splits all its pools again)."""
    for part in sorted({*s.kept.part}):
        s.engine.drop(part)
    s.kept = KeptSplits()
