"""Shared fixtures: tiny datasets written as CSV text inside the tests."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

import batchkit
from batchkit.core.params import Params, load_params

# HYPOTHESIS_PROFILE=thorough runs the property tests 20x longer than CI does
settings.register_profile("ci", max_examples=60)
settings.register_profile("thorough", max_examples=1200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The smallest plant that exercises every stage; tests add or replace tables.
BASE = {
    "batches": """
        batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
        S1,SUB-A,catheters,SZ,2026-01-02,2026-01-10,100,90,10
        F1,CATH-1,catheters,SZ,2026-01-12,2026-01-25,50,48,2
        F2,CATH-1,catheters,SZ,2026-01-15,,40,0,0
    """,
    "material_issues": """
        batch_id,material_id,lot_id,qty,unit_cost,date,doc_id
        S1,RESIN,L-1,10,12.5,2026-01-02,D1
        F1,SUB-A,S1,45,,2026-01-12,D2
        F1,TUBE,L-2,50,0.125,2026-01-12,D3
        F2,SUB-A,S1,30,,2026-01-15,D4
    """,
    "material_lots": """
        lot_id,material_id,supplier,received_date,unit_cost,qty_received
        L-1,RESIN,Acme,2025-12-20,12.5,1000
        L-2,TUBE,TubeCo,2025-12-21,0.125,5000
    """,
    "operations": """
        batch_id,operation,work_center,labor_hours,machine_hours,date
        S1,mold,WC1,2,3,2026-01-03
        F1,assemble,WC2,4,1,2026-01-13
        F2,assemble,WC2,1,1,2026-01-16
    """,
    "rates": """
        work_center,labor_rate,machine_rate,valid_from,valid_to
        WC1,50,80,,
        WC2,40,20,,
    """,
    "cost_pools": """
        pool_id,cost_element,period,amount
        P-OH,overhead,2026-01,100.00
    """,
}


def write_tables(folder: Path, tables: dict[str, str | None]) -> Path:
    """Write each table's CSV text (dedented); None leaves the table out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        if text is None:
            continue
        (folder / f"{name}.csv").write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_data(tmp_path: Path):
    """make_data(**tables) -> folder with BASE overridden by the given tables (None removes one)."""
    counter = {"n": 0}

    def make(base: dict[str, str | None] | None = None, **tables: str | None) -> Path:
        counter["n"] += 1
        merged = dict(BASE if base is None else base)
        merged.update(tables)
        return write_tables(tmp_path / f"data{counter['n']}", merged)

    return make


@pytest.fixture
def params() -> Params:
    """Contract defaults, independent of the project's params/default.yaml."""
    return Params()


def run_cost(folder: Path, period: str = "2026-01", params: Params | None = None, **overrides):
    """Load and cost a folder; `overrides` are dotted params keys."""
    p = params or Params()
    if overrides:
        p = Params.model_validate({**p.model_dump(), **_nest(overrides)})
    ds = batchkit.load_dataset(folder, p)
    return batchkit.cost(ds, period, p)


def _nest(flat: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in flat.items():
        node = out
        parts = key.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[parts[-1]] = value
    return out


def amounts(result, batch_id: str) -> dict[str, float]:
    """cost_element -> amount of one batch in batch_costs."""
    bc = result.batch_costs
    rows = bc[bc["batch_id"] == batch_id]
    return dict(zip(rows["cost_element"], rows["amount"], strict=True))


def summary_row(result, batch_id: str) -> pd.Series:
    s = result.batch_summary
    return s[s["batch_id"] == batch_id].iloc[0]


def findings_of(ds_or_frame, check: str) -> pd.DataFrame:
    frame = ds_or_frame if isinstance(ds_or_frame, pd.DataFrame) else batchkit.validate(ds_or_frame)
    return frame[frame["check"] == check].reset_index(drop=True)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL cluster for this test session (each xdist worker gets its own), removed afterwards.

    Missing server binaries fail the tests loudly; BATCHKIT_SKIP_POSTGRES=1 skips them instead.
    """
    from tests import pg

    if os.environ.get("BATCHKIT_SKIP_POSTGRES") == "1":
        pytest.skip("BATCHKIT_SKIP_POSTGRES=1")
    try:
        cluster = pg.start_cluster()
    except pg.PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(autouse=True)
def _no_default_params(monkeypatch):
    """Tests use contract defaults unless they pass params explicitly."""
    monkeypatch.setattr("batchkit.core.params.DEFAULT_PARAMS", Path("/nonexistent/params.yaml"))


__all__ = ["amounts", "findings_of", "load_params", "run_cost", "summary_row", "write_tables"]
