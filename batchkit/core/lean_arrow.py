"""Arrow for a process that must start fast: numpy views through buffers, kernels without wrappers.

A cached trace answers in a few milliseconds; what it waits for is imports.
Two parts of pyarrow cost more than the trace itself:
  - its conversions between Arrow and Python or numpy go through its pandas
    bridge, which imports pandas (half a second) on first use when pandas is
    installed: `pa.array(ndarray)`, `Array.to_numpy()`, `pa.scalar("x")`,
    even `pc.subtract(arr, 3)`. Here fixed-width columns (ints, floats,
    bools, timestamps) share memory with numpy through their buffers, and a
    text scalar is built from its UTF-8 bytes;
  - `pyarrow.compute` generates a Python wrapper for each of its ~300
    kernels on import (40 ms), and Table.take, sort_by, filter import it.
    The kernels themselves are `pyarrow._compute.call_function`, which the
    wrappers call: this module calls it directly for the few a trace uses.
Arrow-to-Arrow kernels never touch pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from pyarrow import _compute as _kernels  # what pyarrow.compute wraps (module doc)

if TYPE_CHECKING:
    import numpy.typing as npt

_FIXED: dict[pa.DataType, type[np.generic]] = {
    pa.int8(): np.int8, pa.int32(): np.int32, pa.int64(): np.int64, pa.uint8(): np.uint8,
    pa.float64(): np.float64,
}
_ARROW = {np.dtype(v): k for k, v in _FIXED.items()}


def _bits(buffer: pa.Buffer | None, offset: int, length: int) -> npt.NDArray[np.bool_]:
    """An Arrow bitmap (validity or bool values, least significant bit first) as bools."""
    if buffer is None:
        return np.ones(length, dtype=bool)
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little", count=offset + length)
    return np.asarray(bits[offset:], dtype=bool)


def as_numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A fixed-width column as numpy: a view of its buffer when nothing is missing (read-only then).

    Missing floats become NaN and missing timestamps NaT; a missing int or bool is refused
    (numpy has no such value), as is any other type.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    typ, n, offset = values.type, len(values), values.offset
    if pa.types.is_boolean(typ):
        data: np.ndarray = _bits(values.buffers()[1], offset, n)
    elif pa.types.is_timestamp(typ):
        unit = np.dtype(f"datetime64[{typ.unit}]")
        data = _fixed(values.buffers()[1], np.dtype(np.int64), offset, n).view(unit)
    elif typ in _FIXED:
        data = _fixed(values.buffers()[1], np.dtype(_FIXED[typ]), offset, n)
    else:
        raise TypeError(f"no numpy view of an Arrow {typ} column")
    if values.null_count:
        valid = _bits(values.buffers()[0], offset, n)
        if pa.types.is_floating(typ):
            data = np.where(valid, data, np.nan)
        elif pa.types.is_timestamp(typ):
            data = np.where(valid, data, np.datetime64("NaT"))
        else:
            raise ValueError(f"an Arrow {typ} column with missing values has no numpy form")
    return data


def _fixed(buffer: pa.Buffer | None, dtype: np.dtype, offset: int, length: int) -> np.ndarray:
    if buffer is None or not length:
        return np.zeros(length, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype, count=offset + length)[offset:]


def as_arrow(values: npt.ArrayLike) -> pa.Array:
    """A numpy array of ints, floats or bools as an Arrow array sharing its memory (NaN stays NaN)."""
    arr = np.ascontiguousarray(values)
    if arr.dtype == np.bool_:
        return pa.Array.from_buffers(pa.bool_(), len(arr), [None, pa.py_buffer(np.packbits(arr, bitorder="little"))])
    if arr.dtype not in _ARROW:
        raise TypeError(f"no Arrow view of a numpy {arr.dtype} array")
    return pa.Array.from_buffers(_ARROW[arr.dtype], len(arr), [None, pa.py_buffer(arr)])


def text_scalar(value: str, typ: pa.DataType) -> pa.Scalar:
    """`value` as an Arrow string or large_string scalar of type `typ`, from its UTF-8 bytes."""
    data = value.encode("utf-8")
    offsets = np.array([0, len(data)], dtype=np.int64 if pa.types.is_large_string(typ) else np.int32)
    return pa.Array.from_buffers(typ, 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])[0]


# ------------------------------------------------------------------ kernels


def kernel(name: str, *args: Any, options: Any = None) -> Any:
    """One Arrow compute kernel by name, e.g. kernel("utf8_length", column)."""
    return _kernels.call_function(name, list(args), options)


def take(data: Any, positions: npt.ArrayLike | pa.Array) -> Any:
    """Rows (or values) of a table or column at `positions`, in that order."""
    return kernel("take", data, positions if isinstance(positions, pa.Array) else as_arrow(positions))


def where(data: Any, mask: npt.ArrayLike | pa.Array | pa.ChunkedArray) -> Any:
    """The rows of a table or column where `mask` is true."""
    return kernel("filter", data, mask if isinstance(mask, pa.Array | pa.ChunkedArray) else as_arrow(mask))


def sort(table: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    """`table.sort_by(keys)`: a stable sort, missing values last in each key."""
    order = kernel("sort_indices", table, options=_kernels.SortOptions(sort_keys=keys))
    return take(table, order)


def valid(column: pa.Array | pa.ChunkedArray) -> Any:
    """Where a column has a value (as an Arrow boolean column)."""
    return kernel("is_valid", column)


def equals(column: pa.Array | pa.ChunkedArray, value: str) -> np.ndarray:
    """Where a text column equals `value`, as bools (missing values are not equal)."""
    same = kernel("equal", column, text_scalar(value, column.type))
    if isinstance(same, pa.ChunkedArray):
        same = same.chunk(0) if same.num_chunks == 1 else same.combine_chunks()
    n, offset = len(same), same.offset
    return _bits(same.buffers()[1], offset, n) & _bits(same.buffers()[0], offset, n)


def index_of(column: pa.Array | pa.ChunkedArray, value: str) -> int:
    """Position of the first value equal to `value`, -1 when none."""
    found: int = kernel("index", column, options=_kernels.IndexOptions(value=text_scalar(value, column.type))).as_py()
    return found


def starts(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Where a value differs from the one before it (the first row always does): group starts of sorted data."""
    n = len(column)
    out = np.ones(n, dtype=bool)
    if n > 1:
        out[1:] = as_numpy(kernel("not_equal", column.slice(1), column.slice(0, n - 1)))
    return out


def count_distinct(column: pa.Array | pa.ChunkedArray) -> int:
    """Distinct values, missing ones not counted (as pandas' nunique)."""
    count: int = kernel("count_distinct", column).as_py()
    return count
