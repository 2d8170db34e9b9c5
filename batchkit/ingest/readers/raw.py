"""What a reader hands to `load`: one table's cells as read, and where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ...core.hashing import sha256_file


@dataclass
class RawTable:
    """Cells of one table as read, before typing; `first_row` numbers the first data row."""

    table: pa.Table
    first_row: int
    info: dict[str, Any] = field(default_factory=dict)



def file_info(path: Path) -> dict[str, Any]:
    return {"path": str(path), "file": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}
