"""Which tables params leave to the engine to read (`sources.TABLE.path:` / `spark_table:`), without pydantic.

Light on purpose: a cached `batchkit trace` asks it of remembered params
(`params_memo.RememberedParams`) before anything heavy is imported.
"""

from __future__ import annotations

from typing import Any, Protocol

from .errors import ParamsError


class Resolvable(Protocol):
    def resolved(self) -> dict[str, Any]: ...


def engine_read_tables(params: Resolvable) -> list[str]:
    """The tables the engine reads itself, in name order."""
    sources = params.resolved().get("sources") or {}
    return sorted(name for name, src in sources.items()
                  if src and (src.get("path") is not None or src.get("spark_table") is not None))


def require_rows_here(params: Resolvable, what: str) -> None:
    """Refuse, in one line, a command that reads transaction rows in this process when params leave a table
    to the engine (`what`: the command as the user typed it). `batchkit cost` and `validate` work on them."""
    read = engine_read_tables(params)
    if read:
        raise ParamsError(f"{what} reads the rows of {', '.join(read)} in this process, but params have the engine "
                          f"read them (sources.{read[0]}.path/spark_table); `batchkit cost` and `batchkit validate` "
                          "work with such sources, reports and trace not yet (docs/SPARK.md)",
                          key=f"sources.{read[0]}")
