"""Integer row codes and duplicate detection agree with pandas on any frame, missing values included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchkit.core import keys

_cell = st.one_of(st.none(), st.sampled_from(["A", "B", "b", " A", "批1", ""]))


@pytest.fixture(params=[False, True], ids=["hash", "sort"])
def sort_check(request, monkeypatch):
    """Run each test through the hash path and, with the row threshold at 0, through the sort path."""
    monkeypatch.setattr(keys, "SORT_CHECK_ROWS", 0 if request.param else 10**12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_cell, _cell, st.sampled_from([1.0, 2.0, np.nan])), max_size=30))
def test_duplicated_matches_pandas(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "x"]).astype({"a": "str", "b": "str"})
    for cols in (["a"], ["a", "b"], ["b", "x"], ["x"]):
        expected = frame.duplicated(cols, keep="first").to_numpy()
        assert keys.duplicated(frame, cols).tolist() == expected.tolist(), cols


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_cell, max_size=30))  # (the fixture only sets a constant: sharing it across examples is fine)
def test_single_text_column_through_either_path(sort_check, values):
    # the sort path answers "all distinct" only; anything else falls back to codes
    frame = pd.DataFrame({"doc_id": pd.Series(values, dtype="str")})
    assert keys.duplicated(frame, ["doc_id"]).tolist() == frame.duplicated(["doc_id"]).tolist()


def test_row_codes_equal_exactly_for_equal_rows():
    frame = pd.DataFrame({"a": pd.Series(["x", "y", "x", None, None], dtype="str"), "n": [1, 2, 1, 3, 3]})
    code = keys.row_codes(frame, ["a", "n"])
    # rows 0 and 2 equal, rows 3 and 4 equal (missing equals missing), the rest differ
    assert code[0] == code[2] and code[3] == code[4]
    assert len({code[0], code[1], code[3]}) == 3


def test_take_text_gathers_by_position_as_str():
    ids = pd.Series(["B-2", "B-1", None], dtype="str")
    out = pd.Series(keys.take_text(ids, np.array([1, 1, 0, 2])))
    assert str(out.dtype) == "str"
    assert out.tolist()[:3] == ["B-1", "B-1", "B-2"] and pd.isna(out.iloc[3])
    # object input (low-cardinality labels) goes through codes and comes out the same
    assert pd.Series(keys.take_text(pd.Series(["m", "l"], dtype=object), np.array([1, 0]))).tolist() == ["l", "m"]
