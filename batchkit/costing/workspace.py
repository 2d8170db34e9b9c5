"""The engine a dataset is costed on: its settings from params `engine:` (DuckDB or Spark), and where it spills.

DuckDB writes to its temp directory only past `engine.memory_limit`. That
directory is a folder of the run: inside the output's temporary folder when
there is one (`store.atomic.atomic_folder`: removed with it on any error, a
kill leaves a hidden sibling the next run removes), else a fresh temporary
directory. Either way `close` removes it, and a temporary directory is also
removed when the process exits, so no spill file outlives its run.

One engine per dataset, cached on it, so a notebook's what-ifs and a second
period reuse the session the first cost opened (`costing.sql.open_session`).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from ..core.model import Dataset
from ..core.params import Params
from ..engine.choose import open_engine
from ..engine.connection import Engine

_KEY = "cost_engine"
SPILL_FOLDER = ".engine-spill"  # inside an output's temporary folder; removed before it is swapped into place


def _remove(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def engine_for(ds: Dataset, params: Params, spill_parent: Path | None = None) -> Engine:
    """The dataset's engine (opened with `params.engine` on first use); spills under `spill_parent` if given."""
    engine: Engine | None = ds.cache.get(_KEY)
    if engine is not None:
        return engine
    if spill_parent is not None:
        spill = Path(spill_parent) / SPILL_FOLDER
    else:
        spill = Path(tempfile.mkdtemp(prefix="batchkit-engine-"))
    engine = open_engine(params.engine, temp_directory=spill)  # DuckDB, or Spark when params say so
    # closing the connection first lets DuckDB delete its own files; then the folder goes
    finalizer = weakref.finalize(engine, _remove, str(spill))
    ds.cache[_KEY] = engine
    ds.cache[_KEY + "_finalizer"] = finalizer
    return engine


def close(ds: Dataset) -> None:
    """Close the dataset's engine (if any), drop the sessions opened on it and remove its spill folder."""
    engine: Engine | None = ds.cache.pop(_KEY, None)
    finalizer = ds.cache.pop(_KEY + "_finalizer", None)
    # the sessions on it (costing.sql.open_session), the what-if bases holding one (analyze.scenarios), and what
    # is keyed by its id: the inputs registered on it, the engine-read tables' columns and their findings
    engine_keyed = ("sqlmodel", "whatif_base", "registered", "engine-read columns", "engine findings")
    for key in [k for k in ds.cache if isinstance(k, tuple) and k and k[0] in engine_keyed]:
        del ds.cache[key]
    if engine is not None:
        engine.close()
    if finalizer is not None:
        finalizer()
