"""Findings: every data problem as a record (severity, check, table, row, column, value, message).

Checks append findings here instead of raising, so one run reports every
problem. Only `cost` refuses to continue when an error-severity finding
exists (see `raise_if_errors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .check_codes import check_code
from .errors import DataError

COLUMNS = ["severity", "check", "table", "row", "column", "value", "message"]
MAX_PER_CALL = 10_000  # beyond this, one summary finding stands for the rest


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


class Findings:
    """An append-only collector of findings, turned into a frame at the end."""

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []

    def add(
        self,
        severity: str,
        check: str,
        table: str | None,
        row: int | None,
        column: str | None,
        value: Any,
        message: str,
    ) -> None:
        registered = check_code(check)  # an unregistered code is a bug in batchkit, found by the tests
        if severity not in registered.severity:
            raise ValueError(f"check {check!r} is registered as {'/'.join(registered.severity)}, not {severity}")
        self._rows.append(
            (severity, check, table or "", None if row is None else int(row), column or "", _text(value), message)
        )

    def add_rows(
        self,
        severity: str,
        check: str,
        table: str,
        rows: Sequence[int] | np.ndarray,
        column: str | None,
        values: Sequence[Any] | np.ndarray,
        messages: Sequence[str] | np.ndarray,
    ) -> None:
        """Many findings of one kind; past MAX_PER_CALL a single summary row is added."""
        n = len(rows)
        keep = min(n, MAX_PER_CALL)
        for r, v, m in zip(list(rows[:keep]), list(values[:keep]), list(messages[:keep]), strict=True):
            self.add(severity, check, table, r, column, v, m)
        if n > keep:
            self.add(
                severity, check, table, None, column, "",
                f"{table}: {n - keep:,} more rows with the same problem ({check}) are not listed",
            )

    def extend(self, other: Findings) -> None:
        self._rows.extend(other._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self._rows, columns=COLUMNS)
        df["row"] = df["row"].astype("Int64")
        return df


def empty_frame() -> pd.DataFrame:
    return Findings().frame()


def counts(findings: pd.DataFrame) -> dict[str, int]:
    return {
        "error": int((findings["severity"] == "error").sum()),
        "warning": int((findings["severity"] == "warning").sum()),
    }


def raise_if_errors(findings: pd.DataFrame) -> None:
    """Stop with the first blocking finding's message (and how many more there are)."""
    errors = findings[findings["severity"] == "error"]
    if errors.empty:
        return
    first = errors.iloc[0]
    message = str(first["message"])
    if len(errors) > 1:
        more = len(errors) - 1
        message += f" (and {more:,} more error{'s' if more > 1 else ''}: run `batchkit validate` to list them)"
    row = first["row"]
    raise DataError(
        message,
        table=first["table"] or None,
        row=None if pd.isna(row) else int(row),
        column=first["column"] or None,
        value=first["value"],
        check=first["check"],
        findings=findings,
    )
