"""Batch genealogy: which batch consumed which, costing levels, and cycles.

An edge S -> C means batch C issued batch S (a sub-assembly) as a lot.
Levels are longest-path depths from batches that consume no other batch,
so costing level by level always finds every sub-assembly already costed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Levels:
    level: np.ndarray  # per node; -1 for nodes on or downstream of a cycle
    cycles: list[np.ndarray]  # node indices of each cycle (strongly connected set)


def levels(n_nodes: int, src: np.ndarray, dst: np.ndarray) -> Levels:
    """Longest-path level of every node (0 = consumes no batch), vectorized per level."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if len(src):  # distinct edges, sorted by (src, dst): one int64 key each (np.unique(axis=0) is slow)
        src, dst = np.divmod(np.unique(src * max(n_nodes, 1) + dst), max(n_nodes, 1))
    level = np.zeros(n_nodes, dtype=np.int64)
    indeg = np.bincount(dst, minlength=n_nodes)
    done = indeg == 0
    frontier = np.flatnonzero(done)
    while len(frontier) and len(src):
        out = np.isin(src, frontier)  # O(edges) per level; genealogies are a few levels deep
        if not out.any():
            break
        e_src, e_dst = src[out], dst[out]
        np.maximum.at(level, e_dst, level[e_src] + 1)
        np.subtract.at(indeg, e_dst, 1)
        touched = np.unique(e_dst)
        frontier = touched[(indeg[touched] == 0) & ~done[touched]]
        done[frontier] = True
    level[~done] = -1
    cycles: list[np.ndarray] = []
    if (~done).any():
        cycles = find_cycles(n_nodes, src, dst, ~done)
    return Levels(level, cycles)


def find_cycles(n_nodes: int, src: np.ndarray, dst: np.ndarray, candidates: np.ndarray) -> list[np.ndarray]:
    """Strongly connected sets of more than one node, and self-loops, among `candidates`.

    scipy is imported here, not with the module: only a dataset with a cycle needs it, and it
    costs a fifth of a second to import.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    keep = candidates[src] & candidates[dst]
    s, d = src[keep], dst[keep]
    graph = coo_matrix((np.ones(len(s)), (s, d)), shape=(n_nodes, n_nodes)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    out: list[np.ndarray] = []
    self_loops = set(s[s == d].tolist())
    cand_idx = np.flatnonzero(candidates)
    groups: dict[int, list[int]] = {}
    for node in cand_idx.tolist():
        groups.setdefault(int(labels[node]), []).append(node)
    for nodes in groups.values():
        if len(nodes) > 1 or nodes[0] in self_loops:
            out.append(np.array(sorted(nodes), dtype=np.int64))
    return out
