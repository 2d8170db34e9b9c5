"""core.lean_arrow gives what pyarrow's own conversions and kernels give, for the column types a trace uses."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core import lean_arrow as la

INTS = st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=40)
FLOATS = st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), max_size=40)
TEXT = st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=40)


def sliced(arr: pa.Array, data: st.DataObject) -> pa.Array:
    """The array or a slice of it (a slice keeps its parent's buffers with an offset)."""
    start = data.draw(st.integers(0, len(arr)))
    return arr.slice(start, data.draw(st.integers(0, len(arr) - start)))


@given(values=FLOATS, data=st.data())
@settings(max_examples=200, deadline=None)
def test_floats_with_missing_values_become_nan_like_to_numpy(values, data):
    arr = sliced(pa.array(values, pa.float64()), data)
    np.testing.assert_array_equal(la.as_numpy(arr), arr.to_numpy(zero_copy_only=False))


@given(values=INTS, data=st.data(), width=st.sampled_from([pa.int32(), pa.int64()]))
@settings(max_examples=200, deadline=None)
def test_ints_and_bools_equal_to_numpy_and_missing_ints_are_refused(values, data, width):
    if width == pa.int32():
        values = [None if v is None else v % 2**31 for v in values]
    arr = sliced(pa.array(values, width), data)
    if arr.null_count:
        with pytest.raises(ValueError, match="missing values"):
            la.as_numpy(arr)
    else:
        got = la.as_numpy(arr)
        assert got.dtype == arr.to_numpy().dtype
        np.testing.assert_array_equal(got, arr.to_numpy())
    flags = sliced(pa.array([v is not None and v % 3 == 0 for v in values], pa.bool_()), data)
    np.testing.assert_array_equal(la.as_numpy(flags), flags.to_numpy(zero_copy_only=False))


@given(values=st.lists(st.one_of(st.none(), st.integers(-(10**10), 10**10)), max_size=30), data=st.data())
@settings(max_examples=100, deadline=None)
def test_timestamps_with_missing_values_become_nat(values, data):
    arr = sliced(pa.array(values, pa.timestamp("s")), data)
    np.testing.assert_array_equal(la.as_numpy(arr), arr.to_numpy(zero_copy_only=False))


@given(values=st.lists(st.floats(allow_nan=True), max_size=30), ints=st.lists(st.integers(-5, 5), max_size=30))
@settings(max_examples=100, deadline=None)
def test_numpy_to_arrow_shares_memory_and_keeps_nan(values, ints):
    f = np.array(values, dtype=np.float64)
    arr = la.as_arrow(f)
    assert arr.type == pa.float64() and arr.null_count == 0
    np.testing.assert_array_equal(arr.to_numpy(), f)  # NaN stays NaN, not missing
    i = np.array(ints, dtype=np.int64)
    assert la.as_arrow(i).to_pylist() == ints
    b = i > 0
    assert la.as_arrow(b).to_pylist() == b.tolist()
    if len(f):
        assert np.shares_memory(la.as_numpy(arr), f)


@given(rows=st.lists(st.tuples(st.integers(0, 3), st.one_of(st.none(), st.text(alphabet="abAB ", max_size=3)),
                               st.one_of(st.none(), st.integers(0, 4))), max_size=40),
       order=st.sampled_from(["ascending", "descending"]))
@settings(max_examples=200, deadline=None)
def test_sort_take_filter_equal_the_table_methods(rows, order):
    table = pa.table({"level": [r[0] for r in rows], "id": pa.array([r[1] for r in rows], pa.large_string()),
                      "day": pa.array([r[2] for r in rows], pa.int64())})
    keys = [("level", "ascending"), ("id", order), ("day", "descending")]
    assert la.sort(table, keys).equals(table.sort_by(keys))
    positions = np.arange(len(rows))[::-1]
    assert la.take(table, positions).equals(table.take(pa.array(positions)))
    mask = np.arange(len(rows)) % 2 == 0
    assert la.where(table, mask).equals(table.filter(pa.array(mask)))
    column = table.column("id")
    expected = pc.fill_null(pc.equal(column, "a"), False).to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(la.equals(column, "a"), expected)
    assert la.index_of(column, "a") == pc.index(column, "a").as_py()
    assert la.count_distinct(column) == pc.count_distinct(column).as_py()
    starts = la.starts(la.sort(table, keys).column("level"))
    levels = la.sort(table, keys).column("level").to_pylist()
    assert starts.tolist() == [i == 0 or levels[i] != levels[i - 1] for i in range(len(levels))]


def test_text_scalars_of_both_string_types():
    for typ in (pa.string(), pa.large_string()):
        scalar = la.text_scalar("Straße-1", typ)
        assert scalar.type == typ and scalar.as_py() == "Straße-1"
    assert la.text_scalar("", pa.string()).as_py() == ""
