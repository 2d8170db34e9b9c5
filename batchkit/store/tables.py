"""Output tables as files: CSV (money with two decimals) and Parquet, written deterministically.

Tables are sorted and written deterministically, so the same inputs give
byte-identical files.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from ..core import money
from ..core.hashing import sha256_file
from ..core.money import is_money


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



def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Each table as <name>.csv and <name>.parquet; returns their manifest entries."""
    entries = []
    for name in sorted(tables):
        frame = tables[name]
        for suffix, writer in ((".csv", write_csv), (".parquet", write_parquet)):
            path = folder / f"{name}{suffix}"
            writer(frame, path)
            entries.append({"file": path.name, "table": name, "rows": len(frame), "sha256": sha256_file(path)})
    return entries
