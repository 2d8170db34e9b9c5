"""The work-center rate in force on a date (contract 3a, "Rates").

Among a work center's rows with valid_from empty or <= d and valid_to empty
or >= d, the one with the latest valid_from applies; none, or two sharing
it, is an error. Lookups run on the distinct (work_center, date) pairs,
which are few even when operations are millions of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATE_OK, RATE_MISSING, RATE_AMBIGUOUS = 0, 1, 2


def lookup(rates: pd.DataFrame, work_center: pd.Series, date: pd.Series) -> pd.DataFrame:
    """Per booking: the applicable rates row (`rate_row`, -1 if none) and a status code."""
    keys = pd.DataFrame({"work_center": work_center.to_numpy(), "date": date.to_numpy()})
    pairs = keys.drop_duplicates().reset_index(drop=True)
    pairs["pair"] = np.arange(len(pairs))
    r = rates[["work_center", "valid_from", "valid_to"]].copy()
    r["rate_row"] = np.arange(len(rates))
    cand = pairs.merge(r, on="work_center", how="inner")
    ok = (cand["valid_from"].isna() | (cand["valid_from"] <= cand["date"])) & (
        cand["valid_to"].isna() | (cand["valid_to"] >= cand["date"])
    )
    cand = cand[ok.to_numpy()]
    floor = np.datetime64("0001-01-01", "s")
    cand = cand.assign(vf=cand["valid_from"].fillna(pd.Timestamp(floor)))
    latest = cand.groupby("pair")["vf"].transform("max")
    best = cand[(cand["vf"] == latest).to_numpy()]
    n_best = best.groupby("pair")["rate_row"].agg(["first", "size"])
    status = np.full(len(pairs), RATE_MISSING, dtype=np.int8)
    rate_row = np.full(len(pairs), -1, dtype=np.int64)
    idx = n_best.index.to_numpy()
    status[idx] = np.where(n_best["size"].to_numpy() > 1, RATE_AMBIGUOUS, RATE_OK)
    rate_row[idx] = n_best["first"].to_numpy()
    pairs["status"] = status
    pairs["rate_row"] = rate_row
    out = keys.merge(pairs, on=["work_center", "date"], how="left")
    return out[["rate_row", "status"]]
