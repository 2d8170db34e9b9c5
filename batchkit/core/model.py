"""The typed containers that flow between stages: a loaded Dataset and a CostResult."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .params import Params
from .schema import TABLES


@dataclass
class Dataset:
    """Typed input tables keyed by name, plus where each came from.

    Every frame keeps a `_row` column: the row number in its source (for a
    file with a header, the header is row 1, as in a spreadsheet), so every
    later finding can name the row a user has to fix.
    """

    tables: dict[str, pd.DataFrame]
    sources: dict[str, dict[str, Any]]
    findings: pd.DataFrame
    params: Params
    root: Path | None = None
    # derived structures shared by validate, cost and trace (see postings.post)
    cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def has(self, name: str) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def get(self, name: str) -> pd.DataFrame:
        """The table, or an empty frame with its contract columns when the dataset lacks it."""
        if name in self.tables:
            return self.tables[name]
        return empty_table(name)

    @property
    def engine_read(self) -> tuple[str, ...]:
        """Tables the engine reads itself (`sources.TABLE.path:` / `spark_table:`): no frame here."""
        return tuple(name for name, info in self.sources.items() if info.get("read_by") == "engine")

    def source_name(self, name: str) -> str:
        """How messages name a table's source: its file name, or the table for SQL."""
        return str(self.sources.get(name, {}).get("file") or name)


def empty_table(name: str) -> pd.DataFrame:
    spec = TABLES[name]
    cols: dict[str, pd.Series] = {"_row": pd.Series([], dtype="int64")}
    for col in spec.columns:
        if col.kind == "num":
            cols[col.name] = pd.Series([], dtype="float64")
        elif col.kind == "date":
            cols[col.name] = pd.Series([], dtype="datetime64[s]")
        else:
            cols[col.name] = pd.Series([], dtype="str")
    return pd.DataFrame(cols)


@dataclass
class CostResult:
    """Everything `cost` computed for one period: the contract's output tables and more."""

    period: str
    tables: dict[str, pd.DataFrame]
    params: Params
    dataset: Dataset | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def ds(self) -> Dataset:
        """The dataset this result was costed from (every result `cost` returns has one)."""
        if self.dataset is None:
            raise ValueError("this cost result carries no dataset")
        return self.dataset

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def batch_summary(self) -> pd.DataFrame:
        return self.tables["batch_summary"]

    @property
    def batch_costs(self) -> pd.DataFrame:
        return self.tables["batch_costs"]

    @property
    def allocation_ledger(self) -> pd.DataFrame:
        return self.tables["allocation_ledger"]

    @property
    def reconciliation(self) -> pd.DataFrame:
        return self.tables["reconciliation"]

    @property
    def data_quality(self) -> pd.DataFrame:
        return self.tables["data_quality"]
