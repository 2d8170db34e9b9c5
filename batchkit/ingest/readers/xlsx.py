"""Excel workbooks (.xlsx): the first sheet or a named one; date cells stay dates, merged headers refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from ...core.errors import DataError
from ...core.findings import Findings
from .raw import RawTable, file_info


def read_xlsx(path: Path, *, table: str, sheet: str | None, findings: Findings) -> RawTable:
    import openpyxl

    info = file_info(path)
    try:
        book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise DataError(f"{path.name}: not a readable .xlsx workbook ({exc})", table=table, check="xlsx") from None
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except KeyError:
        raise DataError(
            f"{path.name}: no sheet named {sheet!r}; sheets are {', '.join(book.sheetnames)}",
            table=table, check="xlsx_sheet",
        ) from None
    info["sheet"] = ws.title
    for merged in ws.merged_cells.ranges:
        if merged.min_row == 1:
            raise DataError(
                f"{path.name} row 1: header cells {merged.coord} are merged; "
                "give every column its own header cell",
                table=table, row=1, check="merged_header",
            )
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise DataError(f"{path.name}: the sheet {ws.title!r} is empty", table=table, check="empty_file")
    names = ["" if h is None else str(h).strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    width = len(names)
    columns: list[list[Any]] = [[] for _ in range(width)]
    kept = 0  # rows up to the last non-empty one: empty rows inside stay, so row numbers stay right
    for values in rows:
        values = tuple(values[:width]) + (None,) * max(0, width - len(values))
        for i, v in enumerate(values):
            columns[i].append(v)
        if not all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            kept = len(columns[0]) if width else 0
    columns = [col[:kept] for col in columns]
    info["encoding"] = None
    info["number_cells"] = [i for i, col in enumerate(columns)
                            if any(isinstance(v, int | float) and not isinstance(v, bool) for v in col)]
    arrays = [_excel_column(col) for col in columns]
    return RawTable(pa.Table.from_arrays(arrays, names=names) if names else pa.table({}), 2, info)


def _excel_column(values: list[Any]) -> pa.Array:
    """Excel cells keep dates as dates; everything else becomes text for uniform typing."""
    import datetime as dt

    if values and all(isinstance(v, (dt.datetime, dt.date)) or v is None for v in values):
        return pa.array([v.date() if isinstance(v, dt.datetime) else v for v in values], pa.date32())
    out: list[str | None] = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, bool):
            out.append(str(v).lower())
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append((v.date() if isinstance(v, dt.datetime) else v).isoformat())
        else:
            out.append(str(v))
    return pa.array(out, pa.string())
