"""The rate in force (contract 3a) in SQL equals the contract's rule, written out in plain Python below.

Among a work center's rows with valid_from empty or <= d and valid_to empty or >= d (both inclusive), the
one with the latest valid_from (an empty valid_from is the earliest); none is RATE_MISSING, two sharing it
RATE_AMBIGUOUS. The by-hand case is spelled out below; random rate tables are checked against
`reference_in_force`, a direct reading of the rule (a loop over the rows, no shared code with the engine).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.costing import sql as sqlmodel
from batchkit.costing.sql import rates
from batchkit.costing.sql.errors import SqlModelError
from batchkit.costing.sql.inputs import Places, day
from batchkit.costing.sql.session import Session

DAY0 = np.datetime64("2026-01-01", "s")


def _dates(offsets: list[int | None]) -> pd.Series:
    return pd.Series([DAY0 + np.timedelta64(o * 86400, "s") if o is not None else np.datetime64("NaT")
                      for o in offsets], dtype="datetime64[s]")


def in_force(rate_rows: list[tuple[str, int | None, int | None]], bookings: list[tuple[str, int]],
             refuse: bool = False) -> dict[tuple[str, int], tuple[int, int]]:
    """(work center, day) -> (status, rate row) by the SQL statement."""
    engine = sqlmodel.Engine(threads=1)
    s = Session(engine, Places(**{f: 0 for f in Places.__dataclass_fields__ if f != "ties"}))
    engine.register("in_rates", pa.table({
        "_row": pa.array(range(len(rate_rows)), pa.int64()), "work_center": [r[0] for r in rate_rows],
        "valid_from": day(_dates([r[1] for r in rate_rows])), "valid_to": day(_dates([r[2] for r in rate_rows])),
        "labor_rate": pa.array([1.0] * len(rate_rows)), "machine_rate": pa.array([1.0] * len(rate_rows))}))
    engine.register("in_operations", pa.table({"work_center": [b[0] for b in bookings],
                                               "date": day(_dates([b[1] for b in bookings]))}))
    try:
        rates.in_force(s, refuse=refuse)
        got = engine.arrow("SELECT work_center, date, status, rate_row FROM rate_pick").to_pylist()
    finally:
        engine.close()
    return {(g["work_center"], (np.datetime64(g["date"]) - DAY0.astype("datetime64[D]")).astype(int)):
            (g["status"], -1 if g["rate_row"] is None or g["status"] != rates.RATE_OK else g["rate_row"])
            for g in got}


def reference_in_force(rate_rows, bookings) -> dict[tuple[str, int], tuple[int, int]]:
    """(work center, day) -> (status, rate row) by the rule, one booking at a time."""
    out = {}
    for wc, d in bookings:
        covering = [i for i, (w, f, t) in enumerate(rate_rows)
                    if w == wc and (f is None or f <= d) and (t is None or t >= d)]
        if not covering:
            out[(wc, d)] = (rates.RATE_MISSING, -1)
            continue
        start = {i: -1 if rate_rows[i][1] is None else rate_rows[i][1] for i in covering}
        latest = [i for i in covering if start[i] == max(start.values())]
        out[(wc, d)] = (rates.RATE_OK, latest[0]) if len(latest) == 1 else (rates.RATE_AMBIGUOUS, -1)
    return out


def test_the_latest_valid_from_covering_the_day_by_hand():
    rate_rows = [("W1", None, 13),  # row 0: open start .. day 13
                 ("W1", 14, None),  # row 1: day 14 .. open end
                 ("W1", 10, 12),  # row 2: a special rate days 10..12: its later valid_from wins inside the window
                 ("W2", 5, 9), ("W2", 5, 20)]  # rows 3, 4: both from day 5: ambiguous while both cover the day
    bookings = [("W1", 9), ("W1", 10), ("W1", 12), ("W1", 13), ("W1", 14), ("W2", 4), ("W2", 7), ("W2", 15),
                ("W3", 1)]
    ok, missing, ambiguous = rates.RATE_OK, rates.RATE_MISSING, rates.RATE_AMBIGUOUS
    expected = {("W1", 9): (ok, 0), ("W1", 10): (ok, 2), ("W1", 12): (ok, 2), ("W1", 13): (ok, 0),
                ("W1", 14): (ok, 1), ("W2", 4): (missing, -1), ("W2", 7): (ambiguous, -1),
                ("W2", 15): (ok, 4), ("W3", 1): (missing, -1)}
    assert in_force(rate_rows, bookings) == expected == reference_in_force(rate_rows, bookings)


def test_a_booking_without_a_rate_is_refused_naming_it():
    with pytest.raises(SqlModelError) as err:
        in_force([("W1", 10, None)], [("W1", 3)], refuse=True)
    assert "no rate for work center 'W1' on 2026-01-04" in str(err.value)


day_or_none = st.one_of(st.none(), st.integers(0, 40))


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["W1", "W2"]), day_or_none, day_or_none), min_size=1, max_size=6),
       st.lists(st.tuples(st.sampled_from(["W1", "W2", "W3"]), st.integers(0, 40)), min_size=1, max_size=12))
def test_equal_to_the_rule_on_random_rate_tables(rate_rows, bookings):
    assert in_force(rate_rows, bookings) == reference_in_force(rate_rows, list(dict.fromkeys(bookings)))
