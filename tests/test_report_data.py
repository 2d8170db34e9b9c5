"""A report kernel keeps the run folder's Arrow tables between notebooks: each report still gets frames of its own,
and a rewritten table is read again."""

from __future__ import annotations

import os

import pandas as pd

from batchkit.report.data import RunData


def _write(path, values) -> None:
    pd.DataFrame({"batch_id": [f"B{i}" for i in range(len(values))], "total_cents": values}).to_parquet(path)


def test_tables_are_read_once_per_file_version_and_frames_stay_independent(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    _write(folder / "batch_costs.parquet", [100, 250])
    first = RunData.from_folder(folder)["batch_costs"]
    first.loc[0, "total_cents"] = -1  # one report changing its frame ...
    second = RunData.from_folder(folder)["batch_costs"]
    assert second["total_cents"].tolist() == [100, 250]  # ... is not seen by the next one
    # the file rewritten in place (same name, new content and size): read again, never served stale
    _write(folder / "batch_costs.parquet", [100, 250, 7])
    os.utime(folder / "batch_costs.parquet", ns=(1, 1))
    assert RunData.from_folder(folder)["batch_costs"]["total_cents"].tolist() == [100, 250, 7]


def test_another_folder_replaces_the_kept_tables(tmp_path):
    from batchkit.report import data

    for name, values in (("a", [1]), ("b", [2, 3])):
        (tmp_path / name).mkdir()
        _write(tmp_path / name / "batch_costs.parquet", values)
    assert RunData.from_folder(tmp_path / "a")["batch_costs"]["total_cents"].tolist() == [1]
    assert RunData.from_folder(tmp_path / "b")["batch_costs"]["total_cents"].tolist() == [2, 3]
    assert len(data._KEPT.tables) == 1 and all("/b/" in key[0] for key in data._KEPT.tables)
