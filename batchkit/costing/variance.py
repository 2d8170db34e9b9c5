"""The run's material rows with their cost, for the analytics' price and usage split (anomaly attribution).

The variances themselves are computed by the SQL model (`costing.sql.variances`);
this module keeps the row-level view `analyze.stats` reads until it moves to
SQL too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.arrow import arrow_text
from ..core.model import CostResult
from .sql.variances import TYPES

__all__ = ["TYPES", "material_rows"]


def _material_positions(result: CostResult) -> tuple[np.ndarray, np.ndarray]:
    """Positions in material_issues of the run's purchased rows, and of those followed by its sub-assembly rows."""
    rf = result.extras["run"]
    mat = rf.post.material
    code = mat["code"].to_numpy()
    purchased = np.flatnonzero((mat["date"].to_numpy() <= rf.period_end) & (mat["lot_code"].to_numpy() < 0)
                               & (code >= 0) & rf.universe[np.maximum(code, 0)])
    # post.material keeps the position of each material_issues row as its index
    return purchased, np.r_[purchased, rf.sub_rows.index.to_numpy()].astype(np.int64)


def material_rows(result: CostResult) -> pd.DataFrame:
    """The run's material rows as of the period end: purchased at lot cost, sub-assemblies at their charge.

    Columns: code, material_id, lot_id, qty_i (at `post.qty_places`), cents, kind (material/subassembly).
    Analytics split their cost into price and usage; variances use the same rows.
    """
    mat = result.extras["run"].post.material
    purchased, rows = _material_positions(result)
    lot_ids = arrow_text(result.ds.get("material_issues")["lot_id"])
    return pd.DataFrame({
        "code": mat["code"].to_numpy()[rows],
        "material_id": mat["material_id"].array.take(rows),
        "lot_id": lot_ids.take(rows).to_pandas().array,
        "qty_i": mat["qty_i"].to_numpy()[rows],
        "cents": np.r_[mat["cents"].to_numpy()[purchased], result.extras["sub_charge"]],
        "kind": np.repeat(np.array(["material", "subassembly"], dtype=object), [len(purchased), len(rows) -
                                                                                 len(purchased)]),
    })
