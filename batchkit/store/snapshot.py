"""The input snapshot: the typed input tables a cost run read, kept inside its cost folder.

`batchkit diff` matches input rows between two runs (a late posting, a
corrected price, a deleted duplicate) without the original files, which a
plant overwrites with each extract. So `cost` writes every typed table,
as loaded (IDs normalized, numbers and dates typed, `_row` the source row),
to `snapshot/<table>.parquet` (zstd), listed in the folder's manifest like
every output, so `verify` covers it. Params `audit.snapshot_inputs: false`
turns it off.

It is written from the typed columns as they are (pandas' Arrow-backed text
needs no conversion), on two threads, with encodings chosen per column for
speed: the row numbers delta-encoded, text dictionary-encoded only when it
repeats, no statistics (the snapshot is always read whole), large pages and
write batches (at 16x: 20 % less CPU than the writer's defaults). The same
inputs give byte-identical files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.hashing import sha256_file

FOLDER = "snapshot"
SAMPLE = 65_536  # rows looked at to decide whether a text column repeats
REPEATS = 0.5  # distinct / sampled below this: dictionary-encode it
THREADS = 2


def _options(table: pa.Table) -> dict[str, Any]:
    """Parquet options for one table: which columns get a dictionary, which a delta encoding."""
    dictionary, encoding = [], {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if name == "_row" and pa.types.is_integer(kind):
            encoding[name] = "DELTA_BINARY_PACKED"  # row numbers: nearly consecutive
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            sample = column.slice(0, SAMPLE)
            if len(sample) and pc.count_distinct(sample, mode="all").as_py() < REPEATS * len(sample):
                dictionary.append(name)
        else:
            dictionary.append(name)  # numbers and dates repeat; the writer falls back when they do not
    return {"compression": "zstd", "use_dictionary": dictionary, "column_encoding": encoding or None,
            "write_statistics": False, "write_batch_size": 65_536, "data_page_size": 4 << 20}


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """A typed input table as Arrow, without pandas metadata (the columns' types say it all)."""
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


def _write(folder: Path, name: str, frame: pd.DataFrame) -> dict[str, Any]:
    table = arrow_table(frame)
    path = folder / FOLDER / f"{name}.parquet"
    pq.write_table(table, path, **_options(table))
    return {"file": f"{FOLDER}/{name}.parquet", "input_table": name, "rows": table.num_rows,
            "sha256": sha256_file(path)}


def write_snapshot(folder: Path, tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Write each typed input table to `folder/snapshot/<table>.parquet`; returns their manifest entries
    (file, input_table, rows, sha256) in file order."""
    (folder / FOLDER).mkdir(exist_ok=True)
    names = sorted(tables, key=lambda n: -len(tables[n]))  # the largest first: two threads finish together
    with ThreadPoolExecutor(THREADS, thread_name_prefix="batchkit-snapshot") as pool:
        entries = list(pool.map(lambda n: _write(folder, n, tables[n]), names))
    return sorted(entries, key=lambda e: e["file"])


@contextlib.contextmanager
def snapshot_writer(folder: Path, tables: dict[str, pd.DataFrame] | None) -> Iterator[list[dict[str, Any]]]:
    """Write the snapshot in the background while the block writes the output tables; the yielded list holds
    its manifest entries once the block is done (empty when `tables` is None: no snapshot)."""
    entries: list[dict[str, Any]] = []
    if tables is None:
        yield entries
        return
    with ThreadPoolExecutor(1, thread_name_prefix="batchkit-snapshot") as pool:
        pending = pool.submit(write_snapshot, folder, tables)
        try:
            yield entries
        except BaseException:
            pending.cancel()  # the pool's exit still waits for a write under way: nothing writes afterwards
            raise
        entries.extend(pending.result())


def has_snapshot(folder: Path) -> bool:
    return (folder / FOLDER).is_dir()


def read_snapshot_arrow(folder: Path, name: str) -> pa.Table | None:
    """One table of a folder's snapshot as Arrow, or None when that table was not read.

    Text columns written with a dictionary are read as dictionaries (at 16x: 1.3 s instead of 7 s for the
    material issues), which Arrow compares as they are; `as_frame` decodes them."""
    path = folder / FOLDER / f"{name}.parquet"
    if not path.is_file():
        return None
    meta = pq.read_metadata(path)
    coded = []
    if meta.num_row_groups:
        group = meta.row_group(0)
        coded = [group.column(i).path_in_schema for i in range(meta.num_columns)
                 if group.column(i).physical_type == "BYTE_ARRAY" and "RLE_DICTIONARY" in group.column(i).encodings]
    return pq.read_table(path, read_dictionary=coded)


def as_frame(table: pa.Table) -> pd.DataFrame:
    """A snapshot table as pandas, typed as it was loaded (text decoded; dates datetime64[s]: Parquet keeps
    them in ms)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    frame = table.to_pandas(date_as_object=False)
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    return frame.astype(dict.fromkeys(dates, "datetime64[s]")) if dates else frame


def read_snapshot_table(folder: Path, name: str) -> pd.DataFrame | None:
    """One table of a folder's snapshot as pandas, or None when that table was not read."""
    table = read_snapshot_arrow(folder, name)
    return None if table is None else as_frame(table)


def snapshot_tables(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / FOLDER).glob("*.parquet")) if has_snapshot(folder) else []
