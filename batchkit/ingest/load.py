"""Load a dataset: find each table's source, read it, map headers, type columns, normalize IDs.

Problems that leave the rest of a table usable (a bad number, an odd date,
an ID changed by normalization) become findings; only a table that cannot
be read at all raises `DataError`, and `load_dataset` turns even that into
a finding so `validate` can list every problem in one pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.errors import DataError
from ..core.findings import Findings
from ..core.lanes import two_lanes
from ..core.model import Dataset
from ..core.params import Params, Source, load_params
from ..core.schema import TABLES, Column
from .cells import as_text, date_column, number_column, period_column, text_column
from .ids import normalize_dataset_ids
from .readers import RawTable, file_info, locate, read_file

TWO_LANES_ROWS = 200_000  # from this many rows a table's columns are typed on two threads

# ------------------------------------------------------------------ tables


def _map_headers(raw: pa.Table, columns_map: dict[str, str], spec_names: list[str]
                 ) -> tuple[list[str], list[tuple[str, str]]]:
    """Source headers -> canonical names: the params' map first, then a case-insensitive match.

    Also returns the headers matched only after trimming or a change of case, to report them.
    """
    canon = {n.lower(): n for n in spec_names}
    stripped_map = {k.strip(): v for k, v in columns_map.items()}
    out, cleaned = [], []
    for name in raw.column_names:
        key = name.strip().lstrip("\ufeff").strip()
        if key in stripped_map:
            out.append(stripped_map[key])
            continue
        new = canon.get(key.lower(), key)
        if new != name:
            cleaned.append((name, new))
        out.append(new)
    return out, cleaned


def _blank_rows(tbl: pa.Table) -> np.ndarray:
    """Rows whose every cell is empty (blank lines, a row of bare delimiters, an all-NULL record)."""
    blank = np.ones(tbl.num_rows, dtype=bool)
    for col in tbl.columns:
        if pa.types.is_dictionary(col.type):
            enc = col.combine_chunks()
            empty = pc.equal(pc.utf8_trim_whitespace(pc.fill_null(as_text(enc.dictionary), "")), "")
            cell = pc.fill_null(empty.take(enc.indices), True)  # a missing code is an empty cell
        else:
            cell = pc.equal(pc.utf8_trim_whitespace(pc.fill_null(as_text(col), "")), "")
        blank &= cell.to_numpy(zero_copy_only=False)
        if not blank.any():
            break
    return blank


def _row_list(rows: np.ndarray) -> str:
    shown = ", ".join(str(r) for r in rows[:8])
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (", ..." if len(rows) > 8 else "")


def _check_headers(raw: RawTable, headers: list[str], cleaned: list[tuple[str, str]], name: str, source: str,
                   findings: Findings) -> None:
    """Refuse a column named twice (after mapping); report headers matched only after trimming or case."""
    named = [h for h in headers if h]
    dup = sorted({h for h in named if named.count(h) > 1})
    if dup:
        spelled = [o for o, h in zip(raw.table.column_names, headers, strict=True) if h == dup[0]]
        also = f" (as {', '.join(repr(x) for x in spelled)})" if len(set(spelled)) > 1 else ""
        raise DataError(f"{source} row 1: column {dup[0]!r} appears more than once in the header{also}",
                        table=name, row=1, column=dup[0], check="duplicate_column")
    if cleaned:
        findings.add("warning", "header_cleaned", name, 1, cleaned[0][1], cleaned[0][0],
                     f"{source} row 1: header{'s' if len(cleaned) > 1 else ''} read as contract column"
                     f"{'s' if len(cleaned) > 1 else ''}: " + ", ".join(f"{o!r} as {c!r}" for o, c in cleaned[:6])
                     + (f" and {len(cleaned) - 6} more" if len(cleaned) > 6 else ""))


def _check_numeric_ids(raw: RawTable, tbl: pa.Table, spec_columns: tuple[Column, ...], rows: np.ndarray,
                       name: str, source: str, findings: Findings) -> None:
    """A file that stores IDs as numbers has lost any leading zeros: say so (a database's types are its own)."""
    if raw.info.get("format") == "sql":
        return
    by_index = set(raw.info.get("number_cells", ()))
    for i, (header, col) in enumerate(zip(tbl.column_names, tbl.columns, strict=True)):
        t = col.type
        if not (i in by_index or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)):
            continue
        spec = next((c for c in spec_columns if c.name == header and c.kind == "id"), None)
        if spec is None:
            continue
        text = text_column(col)
        present = np.flatnonzero(text.notna().to_numpy())
        if not len(present):
            continue
        first = present[0]
        findings.add("warning", "numeric_id", name, int(rows[first]), header, text.iloc[first],
                     f"{source} row {rows[first]} column {header}: IDs are stored as numbers (e.g. "
                     f"{text.iloc[first]!r}) and read as text; leading zeros the source had are lost "
                     "(store IDs as text)")


def type_table(
    raw: RawTable, name: str, columns_map: dict[str, str], source: str, findings: Findings,
    skipped_rows: list[int] | None = None, date_order: str = "YMD",
) -> pd.DataFrame:
    """Typed frame of one table: contract columns converted, unknown columns kept as text.

    Empty rows are dropped (row numbers keep counting them): silently at the end of the
    table, with a warning in the middle of it.
    """
    spec = TABLES[name]
    headers, cleaned = _map_headers(raw.table, columns_map, spec.names)
    _check_headers(raw, headers, cleaned, name, source, findings)
    tbl = raw.table.rename_columns(headers)
    rows = raw.first_row + np.arange(tbl.num_rows, dtype=np.int64)
    for s in sorted(skipped_rows or []):
        rows[rows >= s] += 1
    blank = _blank_rows(tbl) if tbl.num_columns else np.zeros(tbl.num_rows, dtype=bool)
    if blank.any():
        trailing = np.flip(np.logical_and.accumulate(np.flip(blank)))
        inner = rows[blank & ~trailing]
        if len(inner):
            findings.add("warning", "blank_rows", name, int(inner[0]), None, "",
                         f"{source} {_row_list(inner)}: empty row{'s' if len(inner) > 1 else ''} skipped")
        tbl, rows = tbl.filter(pa.array(~blank)), rows[~blank]
    n = tbl.num_rows
    _check_numeric_ids(raw, tbl, spec.columns, rows, name, source, findings)
    missing = [c for c in spec.required_names if c not in headers]
    for absent in missing:
        findings.add(
            "error", "missing_column", name, 1, absent, "",
            f"{source} row 1: required column {absent!r} is missing"
            + (f" (columns are: {', '.join(h for h in headers[:12])})" if headers else ""),
        )
    comma_decimals = raw.info.get("delimiter") == ";"
    data: dict[str, pd.Series] = {"_row": pd.Series(rows)}

    def convert(col: Column) -> tuple[pd.Series, Findings]:
        local = Findings()  # each column's own, merged below in the contract's column order
        arr = tbl.column(col.name) if col.name in headers else pa.nulls(n, pa.string())
        return _convert(arr, col, name, rows, source, local, comma_decimals, date_order), local

    by_name = {c.name: c for c in spec.columns}
    if n >= TWO_LANES_ROWS:  # a large table's columns typed on two threads (`core.lanes`)
        done = two_lanes(list(by_name), lambda c: 0, lambda c: convert(by_name[c]))
    else:
        done = {c: convert(by_name[c]) for c in by_name}
    for col_name, (series, local) in done.items():
        data[col_name] = series
        findings.extend(local)
    for h in headers:
        if h not in data and h:
            data[h] = text_column(tbl.column(h))
    return pd.DataFrame(data, copy=False)  # no consolidation: each column stays the array it was built as


def _convert(arr: pa.Array, col: Column, table: str, rows: np.ndarray, source: str,
             findings: Findings, comma_decimals: bool = False, date_order: str = "YMD") -> pd.Series:
    if col.kind == "num":
        return number_column(arr, table=table, column=col.name, rows=rows, source=source, findings=findings,
                             comma_decimals=comma_decimals)
    if col.kind == "date":
        return date_column(arr, table=table, column=col.name, rows=rows, source=source, findings=findings,
                           order=date_order)
    if col.kind == "period":
        return period_column(arr, table=table, column=col.name, rows=rows, source=source, findings=findings)
    return text_column(arr, trim=not col.batch_id)


def _resolve_path(root: Path | None, file: str) -> Path:
    p = Path(file)
    if p.is_absolute() or root is None:
        return p
    return root / p


def load_table(name: str, root: Path | None, params: Params, findings: Findings
               ) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """One table, typed; (None, info) when it is absent."""
    spec = TABLES[name]
    src = params.source(name)
    if src.is_sql:
        from .readers.sql import read_sql

        raw = read_sql(src, table=name)
    else:
        if src.file:
            path = _resolve_path(root, src.file)
            if not path.is_file():
                raise DataError(f"{name}: the file named in params sources.{name}.file does not exist: {path}",
                                table=name, check="missing_table")
        else:
            if root is None:
                return None, {}
            found = locate(root, name)
            if not found:
                return None, {}
            if len(found) > 1:
                raise DataError(
                    f"{name}: more than one file for this table ({', '.join(p.name for p in found)}); "
                    f"keep one, or name it in params sources.{name}.file",
                    table=name, check="ambiguous_table",
                )
            path = found[0]
        local = Findings()
        raw = read_file(
            path, table=name, encoding=src.encoding or params.encoding, delimiter=src.delimiter,
            sheet=src.sheet, known_columns={c.lower() for c in spec.names} | {k.lower() for k in src.columns},
            findings=local,
        )
        skipped = [int(r) for r in local.frame().query("check == 'malformed_row'")["row"].dropna()]
        findings.extend(local)
        source = raw.info.get("file", name)
        frame = type_table(raw, name, src.columns, source, findings, skipped, params.dates.order)
        raw.info["rows"] = len(frame)
        raw.info["format"] = path.suffix.lstrip(".").lower()
        return frame, raw.info
    source = name
    frame = type_table(raw, name, src.columns, source, findings, date_order=params.dates.order)
    raw.info["rows"] = len(frame)
    return frame, raw.info


def load_dataset(path: str | Path | None = None, params: Params | None = None) -> Dataset:
    """Read every contract table found for `path` (a folder) or named in params `sources:`.

    Unreadable tables become error findings (so `validate` lists them all);
    `cost` refuses to run while any error finding exists.
    """
    params = params or load_params()
    root = Path(path) if path is not None else (Path(params.data) if params.data else None)
    findings = Findings()
    if root is not None and not root.is_dir():
        raise DataError(f"data folder not found: {root}", check="missing_folder")
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, dict[str, Any]] = {}
    for name, spec in TABLES.items():
        if params.source(name).on_engine:  # the engine reads it (ingest.on_engine): not a row comes here
            sources[name] = engine_source_info(params.source(name), root)
            continue
        try:
            frame, info = load_table(name, root, params, findings)
        except DataError as exc:
            findings.add("error", exc.check or "unreadable", name, exc.row, exc.column, exc.value, str(exc))
            if spec.required:
                continue
            continue
        if frame is None:
            if spec.required:
                findings.add(
                    "error", "missing_table", name, None, None, "",
                    f"required table {name!r} is missing: expected {name}.csv, {name}.parquet or {name}.xlsx "
                    f"in {root}, or a sources.{name} entry in params",
                )
            continue
        tables[name] = frame
        sources[name] = info
    normalize_dataset_ids(tables, sources, params.batch_id, findings)
    pa.default_memory_pool().release_unused()  # the raw tables' memory back to the OS, not kept for Arrow alone
    return Dataset(tables=tables, sources=sources, findings=findings.frame(), params=params, root=root)


def engine_source_info(src: Source, root: Path | None) -> dict[str, Any]:
    """How the manifest and messages name a table the engine reads itself."""
    from .on_engine import where

    kind = "spark_table" if src.spark_table is not None else "parquet"
    location = where(src, root)
    info: dict[str, Any] = {"format": kind, "read_by": "engine", "location": location}
    local = Path(location) if kind == "parquet" and "://" not in location and not location.startswith("dbfs:") \
        else None
    if local is not None and local.exists():  # the files' identity, for the manifest and `verify` (bytes, no rows)
        files = sorted(local.rglob("*.parquet")) if local.is_dir() else [local]
        info["files"] = [{k: v for k, v in file_info(f).items() if k != "file"} for f in files]
    return info


def describe_sources(path: str | Path | None, params: Params) -> dict[str, dict[str, Any]]:
    """What `load_dataset` would read, as the manifest records it, without reading the tables.

    For a report built from a cached trace index: every table file with its path, size and sha256, and every
    SQL source with its masked URL and query (a query's content hash needs the query run: not recorded here).
    """
    root = Path(path) if path is not None else (Path(params.data) if params.data else None)
    out: dict[str, dict[str, Any]] = {}
    for name in TABLES:
        src = params.source(name)
        if src.on_engine:
            out[name] = engine_source_info(src, root)
            continue
        if src.is_sql:
            from ..core.redact import mask_url

            out[name] = {"format": "sql", "query": src.query, "url": mask_url(src.url) if src.url else None,
                         "url_env": src.url_env}
            continue
        found = [_resolve_path(root, src.file)] if src.file else (locate(root, name) if root else [])
        if len(found) == 1 and found[0].is_file():
            out[name] = {**file_info(found[0]), "format": found[0].suffix.lstrip(".").lower()}
    return out
