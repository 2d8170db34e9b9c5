"""Text columns as Arrow arrays: how every stage hands pandas' Arrow-backed strings to Arrow compute."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one Arrow (large_)string array: no copy of the text pandas already holds in Arrow."""
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())  # an all-missing column, or objects
    return arr
