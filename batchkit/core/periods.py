"""Periods (calendar months, `YYYY-MM`) and the arithmetic on them: one home for every stage.

A transaction belongs to the period of its date (contract section 1); a run
is for one period and sees everything dated on or before its last day.
Vectorized forms work on datetime64 arrays of millions of rows. numpy is imported by those
functions, not with the module: params (and a cached trace) need only the period pattern.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import ParamsError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NO_MONTH = -(2**63)  # int64's minimum: a missing date (NaT) as a month number; no period has it


def check_period(period: object, key: str = "period") -> str:
    """`period` as text, or ParamsError naming the key when it is not YYYY-MM."""
    if not PERIOD_RE.match(str(period)):
        raise ParamsError(f"period must be YYYY-MM, got {period!r}", key=key)
    return str(period)


def run_period(period: str | None, default: str | None) -> str:
    """The period a run is for: the one given, else the params' one; refused when neither is a period."""
    chosen = period or default
    if not chosen:
        raise ParamsError("no period given: pass --period YYYY-MM or set period: in params", key="period")
    return check_period(chosen)


def period_bounds(period: str) -> tuple[np.datetime64, np.datetime64]:
    """First and last day of a YYYY-MM period, as numpy datetime64[D]."""
    import numpy as np

    start = np.datetime64(period, "M")
    return start.astype("datetime64[D]"), (start + 1).astype("datetime64[D]") - 1


def period_end(period: str) -> np.datetime64:
    """The last day of a period as datetime64[s] (the unit dates are loaded in), for `date <= end` filters."""
    last: np.datetime64 = period_bounds(period)[1].astype("datetime64[s]")
    return last


def bounds_of_periods(periods: npt.ArrayLike) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
    """First and last day (datetime64[s]) of each YYYY-MM period of an array."""
    import numpy as np

    months = np.asarray(periods, dtype="datetime64[M]")
    first = months.astype("datetime64[D]").astype("datetime64[s]")
    last = ((months + 1).astype("datetime64[D]") - 1).astype("datetime64[s]")
    return first, last


def month_text(dates: pd.Series | npt.ArrayLike) -> npt.NDArray[np.str_]:
    """YYYY-MM text of each date (NaT -> '')."""
    import numpy as np

    d = np.asarray(dates, dtype="datetime64[s]").astype("datetime64[M]")
    out = np.datetime_as_string(d, unit="M")
    return np.where(np.isnat(d), "", out)


def month_numbers(dates: pd.Series | npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Months since 1970-01 of each date, as int64 (NaT -> NO_MONTH)."""
    import numpy as np

    return np.asarray(dates, dtype="datetime64[s]").astype("datetime64[M]").astype(np.int64)


def period_number(period: str) -> int:
    """Months since 1970-01 of a YYYY-MM period."""
    import numpy as np

    return int(np.datetime64(period, "M").astype(np.int64))


def shift(period: str, months: int) -> str:
    """The period `months` later (earlier when negative)."""
    import numpy as np

    return str(np.datetime64(period, "M") + months)


def latest(values: Any) -> str:
    """The period of the latest of some dates."""
    import numpy as np

    return str(np.datetime64(values, "M"))
