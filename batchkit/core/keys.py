"""Integer codes for key columns, so millions of rows deduplicate and group on ints, not strings.

Each column is hashed once (Arrow's dictionary encoding for text, which
pandas' own factorize is three times slower at when missing values count);
rows are then compared through one int64 per row. Missing values are a
value of their own, equal to each other, as in `DataFrame.duplicated`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrow import arrow_text


def column_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """(int64 code per row, number of distinct values); missing is one more value."""
    if isinstance(values.dtype, pd.StringDtype):
        enc = pc.dictionary_encode(arrow_text(values), null_encoding="encode")
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(enc.dictionary)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64), len(uniques)


def row_codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """One int64 per row; rows equal on `columns` get the same code (codes need not be dense)."""
    key, span = np.zeros(len(frame), dtype=np.int64), 1
    for col in columns:
        codes, distinct = column_codes(frame[col])
        if span * (distinct + 1) < 2**62:
            key, span = key * (distinct + 1) + codes, span * (distinct + 1)
        else:  # renumber densely before combining
            key, uniques = pd.factorize(key)
            key, span = key.astype(np.int64) * (distinct + 1) + codes, len(uniques) * (distinct + 1)
    return key


SORT_CHECK_ROWS = 100_000


def _all_distinct(text: pa.Array) -> bool:
    """No value twice (missing counts as a value), by sorting: for millions of distinct document
    numbers a sort and one comparison of neighbours is twice as fast as a hash table (0.7 s
    against 1.3-2 s for 9.6 M), which is worth it for the column that is almost always clean."""
    if text.null_count > 1:
        return False
    if len(text) < 2:
        return True
    ordered = text.take(pc.sort_indices(text))
    return not pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))).as_py()


def duplicated(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """`frame.duplicated(columns, keep="first")` as a bool array, through integer codes."""
    if len(columns) == 1:
        values = frame[columns[0]]
        if len(values) >= SORT_CHECK_ROWS and isinstance(values.dtype, pd.StringDtype) and \
                _all_distinct(arrow_text(values)):
            return np.zeros(len(frame), dtype=bool)
        key, distinct = column_codes(values)
        if distinct == len(frame):  # every row distinct (the usual case for document numbers)
            return np.zeros(len(frame), dtype=bool)
    else:
        key = row_codes(frame, columns)
    return np.asarray(pd.Series(key).duplicated(keep="first").to_numpy(), dtype=bool)


def rank(values: pd.Series) -> np.ndarray:
    """Each value's rank in sort_values order (string order, missing last), as int64: sorting millions
    of rows by a text key is then a lexsort on ints."""
    ranks = pd.Series(values).rank(method="dense", na_option="bottom").to_numpy(dtype="float64")
    return np.asarray(ranks, dtype=np.int64)


def take_text(values: pd.Series, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`values[positions]` as a str column gathered in Arrow.

    Output tables repeat a few thousand IDs over millions of rows; building them from Python
    objects made pandas re-read every object (1.1 s of a 5 s cost run at 200,000 batches).
    """
    if not isinstance(values.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        values, positions = pd.Series(uniques, dtype="str"), codes[positions]
    src = arrow_text(values).cast(pa.large_string())  # 64-bit offsets: the result may pass 2 GB of text
    return pd.Series(src.take(pa.array(positions, type=pa.int64())).to_pandas(), dtype="str").array


def pool_batch_columns(pools: pd.DataFrame, batch_ids: pd.Series, pool: np.ndarray, code: np.ndarray
                       ) -> dict[str, pd.api.extensions.ExtensionArray]:
    """The text key columns of a ledger row (pool_id, period, cost_element, batch_id) from integer positions."""
    return {**{c: take_text(pools[c], pool) for c in ("pool_id", "period", "cost_element")},
            "batch_id": take_text(batch_ids, code)}
