"""A large, valid plant generated with vectorized numpy (no demo module needed).

Used where a test needs volume: a run long enough to kill mid-way, a huge
file with one bad row at its end. Deterministic for a given size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def big_plant(batches: int = 20_000, issues_per_batch: int = 10) -> dict[str, pd.DataFrame]:
    """Tables of a plant with `batches` batches in January 2026, every one costable."""
    rng = np.random.default_rng(7)
    ids = np.char.add("B", np.arange(batches).astype(str).astype(object).astype(str))
    day = rng.integers(1, 20, batches)
    start = pd.to_datetime("2026-01-01") + pd.to_timedelta(day - 1, unit="D")
    done = rng.random(batches) < 0.8
    end = pd.Series(start + pd.to_timedelta(5, unit="D")).where(done)
    started = rng.integers(50, 500, batches)
    scrap = rng.integers(0, 5, batches)
    batch_frame = pd.DataFrame({
        "batch_id": ids, "item_id": np.char.add("ITEM", (np.arange(batches) % 50).astype(str)),
        "product_line": np.where(np.arange(batches) % 2 == 0, "catheters", "stents"), "site": "SZ",
        "start_date": start.strftime("%Y-%m-%d"), "end_date": end.dt.strftime("%Y-%m-%d"),
        "qty_started": started, "qty_good": np.where(done, started - scrap, 0), "qty_scrap": scrap,
    })
    n = batches * issues_per_batch
    owner = np.repeat(np.arange(batches), issues_per_batch)
    lots = 500
    lot_ids = np.char.add("L", np.arange(lots).astype(str))
    issue_lot = rng.integers(0, lots, n)
    issues = pd.DataFrame({
        "batch_id": ids[owner], "material_id": np.char.add("M", (issue_lot % 40).astype(str)),
        "lot_id": lot_ids[issue_lot], "qty": rng.integers(1, 100, n),
        "unit_cost": "", "date": start[owner].strftime("%Y-%m-%d"),
        "doc_id": np.char.add("D", np.arange(n).astype(str)),
    })
    material_lots = pd.DataFrame({
        "lot_id": lot_ids, "material_id": np.char.add("M", (np.arange(lots) % 40).astype(str)),
        "supplier": "Acme", "received_date": "2025-12-01",
        "unit_cost": (rng.integers(1, 100_000, lots) / 1000).round(3), "qty_received": 1_000_000,
    })
    operations = pd.DataFrame({
        "batch_id": ids, "operation": "assemble", "work_center": np.where(np.arange(batches) % 3, "WC1", "WC2"),
        "labor_hours": rng.integers(1, 40, batches) / 4, "machine_hours": rng.integers(1, 40, batches) / 4,
        "date": start.strftime("%Y-%m-%d"),
    })
    rates = pd.DataFrame({"work_center": ["WC1", "WC2"], "labor_rate": [50, 40], "machine_rate": [80, 20],
                          "valid_from": ["", ""], "valid_to": ["", ""]})
    pools = pd.DataFrame({"pool_id": ["P-OH", "P-Q"], "cost_element": ["overhead", "quality"],
                          "period": ["2026-01", "2026-01"], "amount": ["125000.00", "33333.33"]})
    return {"batches": batch_frame, "material_issues": issues, "material_lots": material_lots,
            "operations": operations, "rates": rates, "cost_pools": pools}


def write_big_plant(folder: Path, **kwargs: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in big_plant(**kwargs).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder
