"""`batchkit diff OLD NEW`: what changed between two cost folders, and why.

A restatement (June rerun after its close) has to be explained line by
line: which batches' costs moved, by element (old, new, delta, in exact
cents); which input rows were added, removed or changed, per table; which
params keys changed; which pools' allocations moved and what moved them
(the pool's amount, its basis, the batches' basis values, the batches that
take part). Everything comes from what the two folders hold: their output
tables, their manifests and their input snapshots (store/snapshot.py), so
the original extracts are not needed.

Input rows are matched in three steps, all on integer row codes
(core/keys.row_codes, exact: no hash can collide):
  1. identical rows (every column but the source row number) pair up, as
     many as both sides have: a row posted twice and deleted once leaves one
     pair and one removed row;
  2. the rest pair by `doc_id` when the table has it (rows without one
     cannot pair this way), else by the table's key columns (batch_id,
     lot_id, pool_id + period, ...): such a pair is a changed row, with the
     columns that differ;
  3. what is left is added (only in NEW) or removed (only in OLD).
A table without a key (inspections) has only steps 1 and 3.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api.extensions import take

from ..core import money
from ..core.errors import BatchkitError
from ..core.hashing import sha256_file
from ..core.keys import row_codes
from ..core.schema import TABLES
from .atomic import CLOSE_RECORD
from .snapshot import FOLDER as SNAPSHOT
from .snapshot import as_frame, read_snapshot_arrow, read_snapshot_table

MANIFEST = "manifest.json"
DIFF_JSON = "diff.json"
# the frames of a diff, as files of a diff folder (`diff --out`, a reopen's restatement, a pack's restatement/)
FRAMES = ("batches", "batch_totals", "elements", "reconciliation", "input_tables", "inputs", "params", "pools",
          "allocations")


class NotACostFolder(BatchkitError):
    """`diff` (or `close`) was given a folder that holds no cost tables."""


@dataclass(frozen=True)
class CostFolder:
    """A folder with cost tables: a cost folder itself, or a report pack (its tables are in `tables/`)."""

    path: Path  # the folder as given (a cost folder or a pack)
    tables: Path  # where the cost tables, their manifest and the snapshot are
    manifest: dict[str, Any]  # the tables' manifest
    manifest_sha256: str  # of `path`'s own manifest (a pack's, for a pack)
    kind: str  # cost or run

    def describe(self) -> dict[str, Any]:
        m = self.manifest
        return {"folder": str(self.path), "kind": self.kind, "period": m.get("period"), "run_time": m.get("run_time"),
                "manifest_sha256": self.manifest_sha256, "snapshot": (self.tables / SNAPSHOT).is_dir(),
                "closed": _close_facts(self.path)}


def _close_facts(folder: Path) -> dict[str, Any] | None:
    """Who closed the folder, when and why (its close.json), for the restatement's header."""
    try:
        record = json.loads((folder / CLOSE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    return {k: record.get(k) for k in ("closed_at", "user", "os_user", "host", "reason", "log_line")}


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        content = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def open_cost_folder(path: str | Path) -> CostFolder:
    """The cost tables of `path` (a cost folder, or a report pack); NotACostFolder otherwise."""
    folder = Path(path).resolve()
    if not folder.is_dir():
        raise NotACostFolder(f"{folder} is not a cost folder: no such folder")
    manifest = _manifest(folder)
    if manifest is None:
        raise NotACostFolder(f"{folder} is not a cost folder: no readable manifest.json (give a folder written by "
                             "`batchkit cost` or `batchkit run`)")
    sha = sha256_file(folder / MANIFEST)
    command = manifest.get("command")
    if command == "cost":
        return CostFolder(folder, folder, manifest, sha, "cost")
    inner = _manifest(folder / "tables") if command == "run" else None
    if inner is not None and inner.get("command") == "cost":
        return CostFolder(folder, folder / "tables", inner, sha, "run")
    raise NotACostFolder(f"{folder} is not a cost folder: its manifest is a {command or 'unknown'} folder's "
                         "(give a folder written by `batchkit cost` or `batchkit run`)")


# ------------------------------------------------------------------ helpers


def _cents(values: pd.Series) -> np.ndarray:
    return money.to_cents(values.fillna(0).to_numpy(dtype="float64"))


def _money(cents: np.ndarray) -> np.ndarray:
    return money.cents_to_float(cents)


def _read(folder: CostFolder, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    path = folder.tables / f"{table}.parquet"
    if not path.is_file():
        raise NotACostFolder(f"{folder.path} is not a complete cost folder: {path.name} is missing")
    return pq.read_table(path, columns=columns).to_pandas(date_as_object=False)


def json_value(value: Any) -> Any:
    """A cell as JSON: numbers as numbers, dates as YYYY-MM-DD, missing as null."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def text_value(value: Any) -> str:
    """A cell as people read it in a diff: 12.5, 10 (not 10.0), 2026-01-30, empty for missing."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _records(frame: pd.DataFrame, rename: dict[str, str] | None = None) -> list[dict[str, Any]]:
    cols = list(frame.columns)
    names = [(rename or {}).get(c, c) for c in cols]
    return [{n: json_value(v) for n, v in zip(names, row, strict=True)} for row in frame.itertuples(index=False)]


def _cumcount(codes: np.ndarray) -> np.ndarray:
    """Occurrence number of each row among the rows with the same code, in row order (0, 1, ...)."""
    counts: np.ndarray = pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()
    return counts


# ------------------------------------------------------------------ output tables


def _outer(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Full outer join of two versions of a table on its unique `keys`: the keys, every other column twice
    (`_o`, `_n`), and `_in_o`, `_in_n` (which side has the row).

    A rerun usually has the same rows in the same order (the tables are written sorted by their keys): then
    the keys are compared column by column and no join is needed. Otherwise the keys become one integer
    per row (core/keys.row_codes over both sides, exact) and the join is on that integer, not on text."""
    values = [c for c in a.columns if c not in keys and c in b.columns]
    if len(a) == len(b) and all(a[k].reset_index(drop=True).equals(b[k].reset_index(drop=True)) for k in keys):
        out = a[keys].reset_index(drop=True)
        for c in values:
            out[f"{c}_o"], out[f"{c}_n"] = a[c].to_numpy(), b[c].to_numpy()
        return out.assign(_in_o=True, _in_n=True)
    code = row_codes(pd.concat([a[keys], b[keys]], ignore_index=True), keys)
    left = pd.DataFrame({"_k": code[: len(a)], "_pa": np.arange(len(a))})
    right = pd.DataFrame({"_k": code[len(a):], "_pb": np.arange(len(b))})
    m = left.merge(right, on="_k", how="outer", sort=False)
    pa_, pb_ = m["_pa"].to_numpy(dtype="float64"), m["_pb"].to_numpy(dtype="float64")
    in_o, in_n = ~np.isnan(pa_), ~np.isnan(pb_)
    ia, ib = np.where(in_o, pa_, -1).astype(np.int64), np.where(in_n, pb_, -1).astype(np.int64)

    def side(frame: pd.DataFrame, col: str, pos: np.ndarray) -> pd.Series:  # -1: missing on that side
        return pd.Series(take(frame[col].array, pos, allow_fill=True))

    out = pd.DataFrame({k: side(a, k, ia).where(in_o, side(b, k, ib)) for k in keys})
    for c in values:
        out[f"{c}_o"], out[f"{c}_n"] = side(a, c, ia), side(b, c, ib)
    return out.assign(_in_o=in_o, _in_n=in_n)


def _same_output(old: CostFolder, new: CostFolder, table: str) -> bool:
    """Whether a table's Parquet file is byte for byte the same in both folders (by the manifests' sha256)."""
    def sha(f: CostFolder) -> str | None:
        return next((str(e.get("sha256")) for e in f.manifest.get("outputs") or []
                     if e.get("file") == f"{table}.parquet"), None)

    return sha(old) is not None and sha(old) == sha(new)


def _batches(old: CostFolder, new: CostFolder) -> pd.DataFrame:
    """batch x cost element whose amount changed (an element only one side has counts as 0.00 on the other)."""
    keys = ["batch_id", "cost_element"]
    if _same_output(old, new, "batch_costs"):
        return pd.DataFrame(columns=[*keys, "old_amount", "new_amount", "delta_amount"])
    m = _outer(_read(old, "batch_costs", [*keys, "amount"]), _read(new, "batch_costs", [*keys, "amount"]), keys)
    o, n = _cents(m["amount_o"]), _cents(m["amount_n"])
    moved = o != n
    out = pd.DataFrame({"batch_id": m["batch_id"].to_numpy()[moved],
                        "cost_element": m["cost_element"].to_numpy()[moved],
                        "old_amount": _money(o[moved]), "new_amount": _money(n[moved]),
                        "delta_amount": _money((n - o)[moved])})
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _batch_totals(old: CostFolder, new: CostFolder, moved: pd.DataFrame) -> pd.DataFrame:
    """Per batch whose cost, status or existence changed: old and new total, delta, unit costs, status."""
    cols = ["batch_id", "item_id", "product_line", "status", "total_cost", "unit_cost"]
    m = _outer(_read(old, "batch_summary", cols), _read(new, "batch_summary", cols), ["batch_id"])
    o, n = _cents(m["total_cost_o"]), _cents(m["total_cost_n"])
    change = np.select([~m["_in_o"].to_numpy(), ~m["_in_n"].to_numpy()], ["added", "removed"], "changed")
    keep = (o != n) | (change != "changed") | m["batch_id"].isin(moved["batch_id"]).to_numpy() | \
        (m["status_o"].fillna("").to_numpy() != m["status_n"].fillna("").to_numpy())
    m = m[keep]
    o, n, change = o[keep], n[keep], change[keep]
    out = pd.DataFrame({
        "batch_id": m["batch_id"].to_numpy(),
        "item_id": m["item_id_n"].fillna(m["item_id_o"]).to_numpy(),
        "product_line": m["product_line_n"].fillna(m["product_line_o"]).to_numpy(),
        "change": change,
        "status_old": m["status_o"].to_numpy(), "status_new": m["status_n"].to_numpy(),
        "old_total_cost": _money(o), "new_total_cost": _money(n), "delta_cost": _money(n - o),
        "unit_cost_old": m["unit_cost_o"].to_numpy(dtype="float64"),
        "unit_cost_new": m["unit_cost_n"].to_numpy(dtype="float64"),
    })
    order = np.lexsort((out["batch_id"].to_numpy(dtype=object), -np.abs(n - o)))
    return out.iloc[order].reset_index(drop=True)


def _elements(moved: pd.DataFrame) -> pd.DataFrame:
    """The batches' changes summed per cost element (sub-assembly transfers included, as in batch_costs)."""
    g = moved.assign(_o=_cents(moved["old_amount"]), _n=_cents(moved["new_amount"])).groupby("cost_element")
    o, n = g["_o"].sum(), g["_n"].sum()
    return pd.DataFrame({"cost_element": o.index.to_numpy(), "old_amount": _money(o.to_numpy()),
                         "new_amount": _money(n.to_numpy()), "delta_amount": _money((n - o).to_numpy())})


RECONCILED = ("input_amount", "costed_amount", "unallocated_amount", "excluded_amount", "absorption_difference_amount")


def _reconciliation(old: CostFolder, new: CostFolder) -> pd.DataFrame:
    """The reconciliation of both runs side by side: what entered costing, and where it went."""
    a, b = _read(old, "reconciliation"), _read(new, "reconciliation")
    cols = [c for c in RECONCILED if c in a.columns and c in b.columns]
    m = a[["cost_element", *cols]].merge(b[["cost_element", *cols]], on="cost_element", how="outer",
                                         suffixes=("_o", "_n"), sort=False)
    out = pd.DataFrame({"cost_element": m["cost_element"].to_numpy()})
    for c in cols:
        o, n = _cents(m[f"{c}_o"]), _cents(m[f"{c}_n"])
        out[f"old_{c}"], out[f"new_{c}"], out[f"delta_{c}"] = _money(o), _money(n), _money(n - o)
    return out


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict) and tree:
        out: dict[str, Any] = {}
        for key in tree:
            out.update(_flatten(tree[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: tree}


def _params(old: CostFolder, new: CostFolder) -> pd.DataFrame:
    """Every params key (dotted) whose resolved value differs; a key only one side has shows null on the other."""
    a, b = _flatten(old.manifest.get("params") or {}), _flatten(new.manifest.get("params") or {})
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return pd.DataFrame({"key": keys, "old": pd.Series([_param_value(a.get(k)) for k in keys], dtype=object),
                         "new": pd.Series([_param_value(b.get(k)) for k in keys], dtype=object)})


def _param_value(value: Any) -> Any:
    """A params value as one cell: lists as JSON text, an empty mapping as missing."""
    if value is None or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


POOL_KEYS = ["pool_id", "period"]


def _pool_elements(old: CostFolder, new: CostFolder) -> pd.DataFrame:
    """pool_id, period -> cost_element, from the snapshots' cost_pools (new first)."""
    frames = [t for t in (read_snapshot_table(new.tables, "cost_pools"), read_snapshot_table(old.tables, "cost_pools"))
              if t is not None]
    if not frames:
        return pd.DataFrame(columns=[*POOL_KEYS, "cost_element"])
    pools = pd.concat([f[[*POOL_KEYS, "cost_element"]] for f in frames], ignore_index=True)
    pools["period"] = pools["period"].astype(str)
    return pools.drop_duplicates(POOL_KEYS, keep="first")


def _pool_reasons(pools: pd.DataFrame) -> list[str]:
    """What moved each pool, `;`-separated: added / removed (the pool is only in one run), else amount (its
    amount changed), basis (its allocation basis changed), basis_values (same basis, the batches' values
    changed), batches (batches joined or left it)."""
    only_new, only_old = (pools["old_batches"] == 0).to_numpy(), (pools["new_batches"] == 0).to_numpy()
    both = ~only_new & ~only_old
    basis = (pools["old_basis"].fillna("") != pools["new_basis"].fillna("")).to_numpy()
    parts = [(only_new, "added"), (only_old, "removed"),
             (both & (pools["old_amount"] != pools["new_amount"]).to_numpy(), "amount"),
             (both & basis, "basis"), (both & ~basis & pools["_value_moved"].to_numpy(dtype=bool), "basis_values"),
             (both & (pools["_joined"] | pools["_left"]).to_numpy(dtype=bool), "batches")]
    out = np.full(len(pools), "", dtype=object)
    for mask, name in parts:
        out = np.where(mask, np.where(out == "", name, out + ";" + name), out)
    return list(np.where(out == "", "basis_values", out))


def _pools(old: CostFolder, new: CostFolder) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pools whose allocation moved, with what moved them; the allocation rows that changed)."""
    keys = [*POOL_KEYS, "batch_id"]
    cols = [*keys, "basis", "basis_value", "amount"]
    pool_cols = [*POOL_KEYS, "cost_element", "old_basis", "new_basis", "old_amount", "new_amount", "delta_amount",
                 "old_basis_total", "new_basis_total", "old_batches", "new_batches", "reasons"]
    alloc_cols = [*keys, "old_basis_value", "new_basis_value", "old_amount", "new_amount", "delta_amount"]
    if _same_output(old, new, "allocation_ledger"):
        return pd.DataFrame(columns=pool_cols), pd.DataFrame(columns=alloc_cols)
    a, b = _read(old, "allocation_ledger", cols), _read(new, "allocation_ledger", cols)
    for f in (a, b):
        f["period"] = f["period"].astype(str)
    m = _outer(a, b, keys)
    o, n = _cents(m["amount_o"]), _cents(m["amount_n"])
    in_o, in_n = m["_in_o"].to_numpy(), m["_in_n"].to_numpy()
    bv_o, bv_n = m["basis_value_o"].to_numpy(dtype="float64"), m["basis_value_n"].to_numpy(dtype="float64")
    value_moved = in_o & in_n & ~((bv_o == bv_n) | (np.isnan(bv_o) & np.isnan(bv_n)))
    moved = o != n
    rows = m[moved | value_moved]
    allocations = pd.DataFrame({
        **{k: rows[k].to_numpy() for k in keys},
        "old_basis_value": rows["basis_value_o"].to_numpy(dtype="float64"),
        "new_basis_value": rows["basis_value_n"].to_numpy(dtype="float64"),
        "old_amount": _money(o[moved | value_moved]), "new_amount": _money(n[moved | value_moved]),
        "delta_amount": _money((n - o)[moved | value_moved]),
    }).sort_values(keys, kind="stable").reset_index(drop=True)
    # the pools' totals, for the pools that moved only (the ledger has a row per pool and batch: millions)
    pool = row_codes(m, POOL_KEYS)
    mine = np.isin(pool, np.unique(pool[moved]))
    m = m[mine].assign(_o=o[mine], _n=n[mine], _value_moved=value_moved[mine], _joined=(in_n & ~in_o)[mine],
                       _left=(in_o & ~in_n)[mine])
    g = m.groupby(POOL_KEYS, sort=True)
    pools = pd.DataFrame({
        "old_basis": g["basis_o"].first(), "new_basis": g["basis_n"].first(),
        "old_amount": g["_o"].sum(), "new_amount": g["_n"].sum(),
        "old_basis_total": g["basis_value_o"].sum(min_count=1), "new_basis_total": g["basis_value_n"].sum(min_count=1),
        "old_batches": g["_in_o"].sum(), "new_batches": g["_in_n"].sum(),
        "_value_moved": g["_value_moved"].any(), "_joined": g["_joined"].any(), "_left": g["_left"].any(),
    }).reset_index()
    pools["reasons"] = _pool_reasons(pools)
    pools = pools.merge(_pool_elements(old, new), on=POOL_KEYS, how="left")
    for c in ("old_amount", "new_amount"):
        pools[c] = _money(pools[c].to_numpy(dtype=np.int64))
    pools["delta_amount"] = _money(_cents(pools["new_amount"]) - _cents(pools["old_amount"]))
    return pools[pool_cols], allocations


# ------------------------------------------------------------------ input rows


def match_keys(table: str, columns: list[str]) -> list[str]:
    """How rows of `table` pair when their content differs: doc_id, else the table's key columns, else not."""
    if "doc_id" in columns:
        return ["doc_id"]
    key = list(TABLES[table].key) if table in TABLES else []
    return key if key and all(c in columns for c in key) else []


@dataclass
class TableChanges:
    """One input table's changed rows: positions into the old and new snapshot frames."""

    table: str
    columns: list[str]  # compared (both sides have them)
    keys: list[str]
    removed: np.ndarray
    added: np.ndarray
    changed_old: np.ndarray
    changed_new: np.ndarray
    unchanged: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)


def match_rows(table: str, old: pd.DataFrame, new: pd.DataFrame) -> TableChanges:
    """Pair the rows of two versions of a table (module docstring: content, then doc_id or key, then none)."""
    cols = [c for c in old.columns if c != "_row" and c in new.columns]
    n_old = len(old)
    both = pd.concat([old[cols], new[cols]], ignore_index=True)
    code = pd.factorize(row_codes(both, cols))[0] if cols else np.zeros(len(both), dtype=np.int64)
    co, cn = code[:n_old], code[n_old:]
    k = int(code.max()) + 1 if len(code) else 0
    have_old, have_new = np.bincount(co, minlength=k), np.bincount(cn, minlength=k)
    same_old = _cumcount(co) < have_new[co]  # the first min(#old, #new) copies of a row pair up
    same_new = _cumcount(cn) < have_old[cn]
    left_old, left_new = np.flatnonzero(~same_old), np.flatnonzero(~same_new)
    keys = match_keys(table, cols)
    pair_old = pair_new = np.array([], dtype=np.int64)
    if keys and len(left_old) and len(left_new):
        sub = pd.concat([old[keys].iloc[left_old], new[keys].iloc[left_new]], ignore_index=True)
        usable = sub[keys].notna().all(axis=1).to_numpy() if keys == ["doc_id"] else np.ones(len(sub), bool)
        kc = pd.factorize(row_codes(sub, keys))[0]
        ko, kn = kc[: len(left_old)], kc[len(left_old):]
        uo, un = usable[: len(left_old)], usable[len(left_old):]
        a = pd.DataFrame({"k": ko[uo], "i": _cumcount(ko[uo]), "pos_o": left_old[uo]})
        b = pd.DataFrame({"k": kn[un], "i": _cumcount(kn[un]), "pos_n": left_new[un]})
        pairs = a.merge(b, on=["k", "i"], how="inner").sort_values("pos_n", kind="stable")
        pair_old, pair_new = pairs["pos_o"].to_numpy(), pairs["pos_n"].to_numpy()
    removed = np.setdiff1d(left_old, pair_old)
    added = np.setdiff1d(left_new, pair_new)
    return TableChanges(table, cols, keys, removed, added, pair_old, pair_new, int(same_old.sum()),
                        [c for c in new.columns if c != "_row" and c not in old.columns],
                        [c for c in old.columns if c != "_row" and c not in new.columns])


def _codes(a: pa.ChunkedArray, b: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """Two dictionary-encoded columns as integers that are equal where the values are: b's codes mapped onto
    a's dictionary (a value a lacks, or a missing one, becomes null)."""
    da, db = a.combine_chunks(), b.combine_chunks()  # one dictionary per side (the chunks' unified)
    onto = pc.index_in(db.dictionary, value_set=da.dictionary)
    return da.indices, onto.take(db.indices)


def _equal_rows(x: pa.Table, y: pa.Table, cols: list[str]) -> np.ndarray:
    """Per position, whether the two tables' rows are equal on `cols` (missing equals missing)."""
    eq = np.ones(x.num_rows, dtype=bool)
    for c in cols:
        a, b = x.column(c), y.column(c)
        if pa.types.is_dictionary(a.type) and pa.types.is_dictionary(b.type):
            null_a, null_b = pc.is_null(a), pc.is_null(b)
            a, b = _codes(a, b)  # integers, not text (a value only b has maps to null: unequal)
            same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(null_a, null_b))
        else:
            same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
        eq &= same.to_numpy(zero_copy_only=False)
    return eq


def common_ends(old: pa.Table, new: pa.Table, cols: list[str]) -> tuple[int, int]:
    """(rows equal position by position at the start, at the end) of two versions of a table.

    A rerun's extract is mostly the previous one: a late posting appended, a row deleted or corrected
    somewhere. The equal rows at both ends pair up as they stand (identical content), so the row
    matching only has to look at what lies between: at 16x, a few rows instead of 2 x 9.6 million."""
    m = min(old.num_rows, new.num_rows)
    if not m or not cols:
        return 0, 0
    try:
        head = _equal_rows(old.slice(0, m), new.slice(0, m), cols)
        start = m if head.all() else int(np.argmin(head))
        rest = m - start  # the end is looked for only where it cannot overlap the start
        if not rest:
            return start, 0
        tail = _equal_rows(old.slice(old.num_rows - rest, rest), new.slice(new.num_rows - rest, rest), cols)[::-1]
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):  # a column typed differently
        return 0, 0
    return start, rest if tail.all() else int(np.argmin(tail))


def match_tables(table: str, old: pa.Table, new: pa.Table) -> tuple[TableChanges, pd.DataFrame, pd.DataFrame]:
    """`match_rows` on what lies between the two versions' equal ends (`common_ends`): returns the changes,
    with positions into the two middle frames returned with them, and `unchanged` counting the ends too.
    The counts are those `match_rows` gives on the whole tables (the ends are pairs it would make)."""
    common = [c for c in old.column_names if c != "_row" and c in new.column_names]
    start, end = common_ends(old, new, common)
    a = as_frame(old.slice(start, old.num_rows - start - end))
    b = as_frame(new.slice(start, new.num_rows - start - end))
    ch = match_rows(table, a, b)
    ch.unchanged += start + end
    return ch, a, b


def _rows_of(frame: pd.DataFrame, positions: np.ndarray, cols: list[str]) -> pd.DataFrame:
    return frame.iloc[positions][cols].reset_index(drop=True)


def _joined(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """`col=value, col=value` per row, column by column (missing values left out)."""
    out = pd.Series([""] * len(frame), dtype=object)
    for c in cols:
        text = frame[c].map(text_value).astype(object)
        piece = np.where(text != "", c + "=" + text, "")
        out = np.where((out != "") & (piece != ""), out + ", " + piece, out + piece)
        out = pd.Series(out, dtype=object)
    return out


def _changed_columns(a: pd.DataFrame, b: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Per pair, whether each column differs (missing equals missing)."""
    out = np.zeros((len(a), len(cols)), dtype=bool)
    for j, c in enumerate(cols):
        x, y = a[c], b[c]
        out[:, j] = ~((x == y).fillna(False).to_numpy(dtype=bool) | (x.isna() & y.isna()).to_numpy())
    return out


def describe_changes(ch: TableChanges, old: pd.DataFrame, new: pd.DataFrame
                     ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """(the changed rows as text, for tables and workbooks; the same rows as JSON records with typed values)."""
    cols, keys = ch.columns, ch.keys
    key_cols = keys or cols
    frames, records = [], []
    for change, frame, pos in (("removed", old, ch.removed), ("added", new, ch.added)):
        if not len(pos):
            continue
        rows = _rows_of(frame, pos, cols)
        numbers = frame["_row"].to_numpy()[pos] if "_row" in frame else np.full(len(pos), -1)
        frames.append(pd.DataFrame({
            "table": ch.table, "change": change, "key": _joined(rows, key_cols) if keys else "",
            "old_row": numbers if change == "removed" else None, "new_row": numbers if change == "added" else None,
            "changed_columns": "", "old_values": _joined(rows, cols) if change == "removed" else "",
            "new_values": _joined(rows, cols) if change == "added" else ""}))
        for i, values in enumerate(_records(rows)):
            records.append({"table": ch.table, "change": change,
                            "key": {k: values[k] for k in keys} if keys else None,
                            "old_row": int(numbers[i]) if change == "removed" else None,
                            "new_row": int(numbers[i]) if change == "added" else None,
                            "values": values, "changed": {}})
    if len(ch.changed_old):
        a, b = _rows_of(old, ch.changed_old, cols), _rows_of(new, ch.changed_new, cols)
        differs = _changed_columns(a, b, cols)
        names = np.array(cols, dtype=object)
        changed_cols = [list(names[d]) for d in differs]
        o_rows, n_rows = old["_row"].to_numpy()[ch.changed_old], new["_row"].to_numpy()[ch.changed_new]
        olds = [", ".join(f"{c}={text_value(a.at[i, c])}" for c in cc) for i, cc in enumerate(changed_cols)]
        news = [", ".join(f"{c}={text_value(b.at[i, c])}" for c in cc) for i, cc in enumerate(changed_cols)]
        frames.append(pd.DataFrame({
            "table": ch.table, "change": "changed", "key": _joined(b, keys), "old_row": o_rows, "new_row": n_rows,
            "changed_columns": [";".join(cc) for cc in changed_cols], "old_values": olds, "new_values": news}))
        for i, (values, cc) in enumerate(zip(_records(b), changed_cols, strict=True)):
            records.append({"table": ch.table, "change": "changed", "key": {k: values[k] for k in keys},
                            "old_row": int(o_rows[i]), "new_row": int(n_rows[i]), "values": values,
                            "changed": {c: {"old": json_value(a.at[i, c]), "new": values[c]} for c in cc}})
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INPUT_COLUMNS)
    return frame.astype({"old_row": "Int64", "new_row": "Int64"}), records


INPUT_COLUMNS = ["table", "change", "key", "old_row", "new_row", "changed_columns", "old_values", "new_values"]


def _no_key_note(ch: TableChanges, old: pd.DataFrame, new: pd.DataFrame) -> str:
    """Say so when rows could only be matched by content (no key columns, or no doc_id on any row)."""
    if not ch.keys:
        return "no key: rows matched by content only"
    if ch.keys == ["doc_id"] and not (old["doc_id"].notna().any() or new["doc_id"].notna().any()):
        return "no doc_id on any row: rows matched by content only"
    return ""


def _snapshot_sha(folder: CostFolder) -> dict[str, str]:
    """input table -> sha256 of its snapshot file, as the folder's manifest lists them."""
    return {str(e["input_table"]): str(e.get("sha256")) for e in folder.manifest.get("outputs") or []
            if e.get("input_table")}


def _input_sha(folder: CostFolder) -> dict[str, str]:
    return {str(e["table"]): str(e.get("sha256")) for e in folder.manifest.get("inputs") or [] if e.get("table")}


def _rows(folder: CostFolder, table: str) -> int | None:
    for e in folder.manifest.get("inputs") or []:
        if e.get("table") == table and e.get("rows") is not None:
            return int(e["rows"])
    return None


def _inputs(old: CostFolder, new: CostFolder) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]], list[str]]:
    """(per table: how it was compared and how many rows changed; the changed rows; their JSON; notes)."""
    snap_o, snap_n = _snapshot_sha(old), _snapshot_sha(new)
    file_o, file_n = _input_sha(old), _input_sha(new)
    notes = [f"{f.path} has no input snapshot (written before batchkit kept one, or with audit.snapshot_inputs: "
             "false): input rows cannot be listed, only whether each input file changed"
             for f, snap in ((old, snap_o), (new, snap_n)) if not snap]
    tables, frames, records = [], [], []
    for table in sorted(set(file_o) | set(file_n) | set(snap_o) | set(snap_n)):
        row: dict[str, Any] = {"table": table, "compared": "", "old_rows": _rows(old, table),
                               "new_rows": _rows(new, table), "added": 0, "removed": 0, "changed": 0,
                               "unchanged": 0, "note": ""}
        if snap_o and snap_n:
            if table in snap_o and table in snap_n and snap_o[table] == snap_n[table]:
                row.update(compared="identical", unchanged=row["new_rows"] or 0)
            else:
                ta, tb = read_snapshot_arrow(old.tables, table), read_snapshot_arrow(new.tables, table)
                ta = ta if ta is not None else tb.slice(0, 0) if tb is not None else None
                tb = tb if tb is not None else ta.slice(0, 0) if ta is not None else None
                if ta is None or tb is None:
                    continue
                ch, a, b = match_tables(table, ta, tb)
                frame, recs = describe_changes(ch, a, b)
                frames.append(frame)
                records += recs
                row.update(compared="rows", old_rows=ta.num_rows, new_rows=tb.num_rows, added=len(ch.added),
                           removed=len(ch.removed), changed=len(ch.changed_old),
                           unchanged=ch.unchanged,
                           note="; ".join(x for x in (
                               f"columns only in NEW: {', '.join(ch.columns_added)}" if ch.columns_added else "",
                               f"columns only in OLD: {', '.join(ch.columns_removed)}" if ch.columns_removed else "",
                               _no_key_note(ch, a, b)) if x))
        else:
            same = file_o.get(table) is not None and file_o.get(table) == file_n.get(table)
            row.update(compared="file", note="input file unchanged" if same else
                       "input file added" if table not in file_o else
                       "input file removed" if table not in file_n else "input file changed (sha256 differs)")
        tables.append(row)
    inputs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INPUT_COLUMNS)
    table_frame = pd.DataFrame(tables, columns=["table", "compared", "old_rows", "new_rows", "added", "removed",
                                                "changed", "unchanged", "note"])
    return table_frame.astype({"old_rows": "Int64", "new_rows": "Int64"}), inputs, records, notes


# ------------------------------------------------------------------ the diff


@dataclass
class CostDiff:
    """What changed from OLD to NEW; every frame is also a file of a diff folder (FRAMES)."""

    old: dict[str, Any]
    new: dict[str, Any]
    batches: pd.DataFrame
    batch_totals: pd.DataFrame
    elements: pd.DataFrame
    reconciliation: pd.DataFrame
    input_tables: pd.DataFrame
    inputs: pd.DataFrame
    params: pd.DataFrame
    pools: pd.DataFrame
    allocations: pd.DataFrame
    input_records: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in FRAMES}

    def summary(self) -> dict[str, Any]:
        """Counts, and the plant's cost in batches (reconciliation: costed, sub-assembly transfers left out)."""
        it, rec = self.input_tables, self.reconciliation
        costed = {side: int(_cents(rec[f"{side}_costed_amount"]).sum()) if f"{side}_costed_amount" in rec else 0
                  for side in ("old", "new")}
        return {
            "batches_changed": len(self.batch_totals),
            "batch_elements_changed": len(self.batches),
            "old_costed_amount": costed["old"] / 100, "new_costed_amount": costed["new"] / 100,
            "delta_costed_amount": (costed["new"] - costed["old"]) / 100,
            "input_rows_added": int(it["added"].sum()), "input_rows_removed": int(it["removed"].sum()),
            "input_rows_changed": int(it["changed"].sum()),
            "input_files_changed": int((it["compared"].eq("file") & ~it["note"].eq("input file unchanged")).sum()),
            "params_changed": len(self.params),
            "pools_moved": len(self.pools),
        }

    @property
    def changed(self) -> bool:
        s = self.summary()
        return any(s[k] for k in ("batches_changed", "batch_elements_changed", "input_rows_added",
                                  "input_rows_removed", "input_rows_changed", "input_files_changed",
                                  "params_changed", "pools_moved"))

    def to_json_dict(self) -> dict[str, Any]:
        """The `diff --json` object: old, new, summary, batches (batch_id, cost_element, old, new, delta), inputs
        (table, change, key, old_row, new_row, values, changed), params (key, old, new) and the rest."""
        money_names = {"old_amount": "old", "new_amount": "new", "delta_amount": "delta"}
        return {
            "old": self.old, "new": self.new, "summary": self.summary(),
            "batches": _records(self.batches, money_names),
            "batch_totals": _records(self.batch_totals),
            "elements": _records(self.elements, money_names),
            "inputs": self.input_records,
            "input_tables": _records(self.input_tables),
            "params": _records(self.params),
            "pools": _records(self.pools),
            "allocations": _records(self.allocations),
            "reconciliation": _records(self.reconciliation),
            "notes": list(self.notes),
        }

    @classmethod
    def from_folder(cls, folder: str | Path) -> CostDiff:
        """Read a diff folder back (for the restatement report): the frames from Parquet, the rest from diff.json."""
        folder = Path(folder)
        content = json.loads((folder / DIFF_JSON).read_text(encoding="utf-8"))
        frames = {n: pq.read_table(folder / f"{n}.parquet").to_pandas(date_as_object=False) for n in FRAMES}
        return cls(old=content["old"], new=content["new"], input_records=content["inputs"], notes=content["notes"],
                   **frames)


def diff_folders(old: str | Path, new: str | Path, *, old_label: str | Path | None = None,
                 new_label: str | Path | None = None) -> CostDiff:
    """Compare two cost folders (or report packs). `*_label` name a folder where it will be once this diff is
    kept (a reopen compares the closed version before it is moved aside)."""
    a, b = open_cost_folder(old), open_cost_folder(new)
    batches = _batches(a, b)
    pools, allocations = _pools(a, b)
    input_tables, inputs, records, notes = _inputs(a, b)
    described = [a.describe(), b.describe()]
    for info, label in zip(described, (old_label, new_label), strict=True):
        if label is not None:
            info["folder"] = str(Path(label).resolve())
    if a.manifest.get("period") != b.manifest.get("period"):
        notes.append(f"the folders are of different periods ({a.manifest.get('period')} and "
                     f"{b.manifest.get('period')}): costs are each as of its own period end")
    return CostDiff(old=described[0], new=described[1], batches=batches,
                    batch_totals=_batch_totals(a, b, batches), elements=_elements(batches),
                    reconciliation=_reconciliation(a, b), input_tables=input_tables, inputs=inputs,
                    params=_params(a, b), pools=pools, allocations=allocations, input_records=records, notes=notes)


def write_diff(folder: Path, d: CostDiff) -> list[dict[str, Any]]:
    """Write a diff's frames (CSV and Parquet) and diff.json into `folder` (a temporary folder); returns the
    tables' manifest entries."""
    from .tables import write_tables

    entries = write_tables(folder, d.frames())
    (folder / DIFF_JSON).write_text(json.dumps(d.to_json_dict(), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    return entries


def write_diff_folder(out: Path, d: CostDiff) -> str:
    """`diff --out`, a reopen's restatement: the diff as a folder of its own (atomic, with a manifest that
    names both compared folders); returns the manifest's sha256."""
    from .atomic import atomic_folder
    from .manifest import build_manifest, file_entries, write_manifest

    with atomic_folder(out) as tmp:
        entries = write_diff(tmp, d)
        content = build_manifest(command="diff", period=d.new.get("period"), params={},
                                 inputs=[{"table": side, **info, "path": str(Path(info["folder"]) / MANIFEST)}
                                         | {"sha256": info["manifest_sha256"]}
                                         for side, info in (("old", d.old), ("new", d.new))],
                                 outputs=file_entries(tmp, entries), quality=None,
                                 extra={"summary": d.summary()})
        sha = write_manifest(tmp, content)
    return sha
