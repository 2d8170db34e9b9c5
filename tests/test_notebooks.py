"""The notebooks themselves: a parameters cell each, thin cells, and they run under plain papermill."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill
import pytest

from batchkit.core.params import Params
from batchkit.store.cost_folder import cost_to_folder
from tests.conftest import BASE, write_tables

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ROOT = NOTEBOOKS.parent


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_notebook_has_a_parameters_cell_and_thin_cells(path):
    nb = nbformat.read(path, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        # narrative and calls only: loops, merges and groupbys belong in batchkit/
        assert len(cell.source.splitlines()) <= 8, cell.source
        for word in ("for ", "while ", ".merge(", ".groupby(", "def "):
            assert word not in cell.source, (path.name, cell.source)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"


@pytest.mark.slow
def test_a_notebook_runs_under_plain_papermill_like_airflow(tmp_path, monkeypatch):
    """What Airflow's PapermillOperator does: papermill, the default python3 kernel, parameters only."""
    run_dir = tmp_path / "run"
    cost_to_folder(write_tables(tmp_path / "data", BASE), "2026-01", run_dir / "tables", Params())
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    out = tmp_path / "overview.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "period_overview.ipynb"), str(out), kernel_name="python3",
                               progress_bar=False, parameters={"period": "2026-01", "run_dir": str(run_dir),
                                                               "output_dir": str(tmp_path),
                                                               "report_name": "overview"})
    assert (tmp_path / "overview.xlsx").exists()
    executed = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", []))
    # output cost of the base plant's January, each cent once (issue 15; it was 993.75 = S1 525.00 + F1 468.75,
    # S1's consumed part counted twice): S1 525.00 + F1 468.75 - S1's cost in F1 (45 x 525/90 = 262.50) and in
    # F2 (30 x 525/90 = 175.00) = 993.75 - 437.50 = 556.25
    assert "CNY 556.25" in html and "993.75" not in html
