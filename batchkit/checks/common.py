"""What every check shares: the signature, the dated/linked tables, one finding per flagged row."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from ..core.findings import Findings
from ..core.model import Dataset
from ..ledger.postings import Postings

Check = Callable[[Dataset, Postings, Findings], None]
Detail = Callable[[pd.Series], str]
T = TypeVar("T")

ORPHAN_TABLES = ("material_issues", "operations", "direct_costs", "drivers", "shipments", "inspections",
                 "nonconformances")
DATED_TABLES = {"material_issues": "date", "operations": "date", "direct_costs": "date", "shipments": "ship_date",
                "inspections": "date", "nonconformances": "date"}


def flag(
    out: Findings,
    ds: Dataset,
    table: str,
    frame: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    severity: str,
    check: str,
    column: str | None,
    detail: Callable[[pd.Series], str],
    extra: dict[str, np.ndarray] | None = None,
) -> None:
    """Add one finding per masked row; `detail(row)` says what is wrong and which way.

    `extra` columns (full length) are added to the flagged rows only, so a check over
    millions of rows never copies the whole frame to show a helper column.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    sub = frame[mask]
    if extra:
        sub = sub.assign(**{k: np.asarray(v)[mask] for k, v in extra.items()})
    source = ds.source_name(table)
    head = sub.head(10_000)
    messages = [
        f"{source} row {r['_row']}" + (f" column {column}" if column else "") + f": {detail(r)}"
        for _, r in head.iterrows()
    ]
    values = sub[column].to_numpy() if column and column in sub.columns else np.full(len(sub), "")
    messages += [""] * (len(sub) - len(head))  # past the cap, add_rows summarises instead
    out.add_rows(severity, check, table, sub["_row"].to_numpy(), column, values, messages)


def fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def bound(detail: Callable[[pd.Series, T], str], value: T) -> Detail:
    """A row's message that also needs a value of the loop it was made in (a column name, a key)."""
    return lambda row: detail(row, value)
