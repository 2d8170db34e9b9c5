"""Write output tables (CSV + Parquet) and manifest.json into a folder, all or nothing.

Everything is written into a temporary sibling folder, then swapped into
place, so a data error, a crash or a kill never leaves a half-written
folder: `--out` holds either the previous complete result or the new one.
Tables are sorted and written deterministically, so the same inputs give
byte-identical files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from . import __version__, money
from .errors import BatchkitError
from .schema import CONTRACT_VERSION

# Money columns are exact cents: written with two decimals in CSV.
NOT_MONEY = {"unit_cost", "reference_unit_cost", "basis_value", "qty", "value"}


def is_money(column: str) -> bool:
    if column in NOT_MONEY:
        return False
    return column == "amount" or column.endswith("_cost") or column.endswith("_amount") or column in (
        "revenue", "margin", "difference", "cost_at_risk", "wip_value")


def sha256_bytes(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _arrow_table(frame: pd.DataFrame, for_csv: bool) -> pa.Table:
    arrays: dict[str, pa.Array] = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            arrays[col] = pa.array(s.to_numpy(dtype="datetime64[s]")).cast(pa.date32())
        elif for_csv and is_money(col) and pd.api.types.is_float_dtype(s):
            values = s.to_numpy(dtype="float64")
            cents = pa.array(money.to_cents(np.nan_to_num(values)), pa.int64()).cast(pa.decimal128(20, 0))
            dec = pc.multiply(cents, pa.scalar(Decimal("0.01"), pa.decimal128(3, 2))).cast(pa.decimal128(22, 2))
            arrays[col] = pc.if_else(pa.array(np.isnan(values)), pa.scalar(None, dec.type), dec)
        elif pd.api.types.is_string_dtype(s) or s.dtype == object:
            arrays[col] = pa.array(s.astype("str").where(s.notna(), None), pa.string(), from_pandas=True)
        else:
            arrays[col] = pa.array(s, from_pandas=True)
    return pa.table(arrays) if arrays else pa.table({})


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    pv.write_csv(_arrow_table(frame, for_csv=True), path, write_options=pv.WriteOptions(quoting_style="needed"))


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(_arrow_table(frame, for_csv=False), path, compression="zstd")


def _safe_to_replace(path: Path) -> bool:
    """Only an empty folder or one batchkit wrote (it has a manifest) may be replaced."""
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    return not any(path.iterdir()) or (path / "manifest.json").is_file()


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `out`, on any error it vanishes."""
    out = Path(out).resolve()
    if not _safe_to_replace(out):
        raise BatchkitError(f"{out} exists and is not a batchkit output folder (no manifest.json); "
                            "choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp` with two renames; the old folder is deleted afterwards."""
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    if out.exists():
        os.rename(out, old)
    os.rename(tmp, out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Each table as <name>.csv and <name>.parquet; returns their manifest entries."""
    entries = []
    for name in sorted(tables):
        frame = tables[name]
        for suffix, writer in ((".csv", write_csv), (".parquet", write_parquet)):
            path = folder / f"{name}{suffix}"
            writer(frame, path)
            entries.append({"file": path.name, "table": name, "rows": len(frame), "sha256": sha256_bytes(path)})
    return entries


def input_entries(sources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for table in sorted(sources):
        info = sources[table]
        entry = {"table": table}
        for key in ("path", "file", "format", "encoding", "size", "rows", "sha256", "url", "query", "sheet"):
            if info.get(key) is not None:
                entry[key] = info[key]
        if "path" in entry:
            entry["path"] = str(Path(entry["path"]).resolve())
        out.append(entry)
    return out


def manifest(
    *,
    command: str,
    period: str,
    params: dict[str, Any],
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    quality: dict[str, int],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "contract_version": CONTRACT_VERSION,
        "batchkit_version": __version__,
        "command": command,
        "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "period": period,
        "params": params,
        "inputs": inputs,
        "outputs": outputs,
        "data_quality": quality,
        **(extra or {}),
    }


def write_manifest(folder: Path, content: dict[str, Any]) -> str:
    """Write manifest.json; returns its sha256 (reports show its first 12 characters)."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    return sha256_bytes(path)
