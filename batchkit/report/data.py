"""The figures a report reads: the costed tables of one run, loaded once.

`batchkit run` costs once and writes the tables; every notebook reads them
from the run folder (`RunData.from_folder`). A notebook opened by hand in
JupyterLab without a run folder costs the data itself (`RunData.from_data`),
so the same cells work in both places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class RunData:
    period: str
    currency: str
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, pd.DataFrame] = field(default_factory=dict)  # small input tables (shipments, ...)
    files: dict[str, Path] = field(default_factory=dict)  # tables not read yet: each is read on first use

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.tables and name in self.files:
            # a report reads the few tables it shows (at 1x the allocation ledger alone is 1.6 MB of Parquet)
            self.tables[name] = _read(self.files.pop(name))
        return self.tables.get(name, pd.DataFrame())

    def all_tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the run, read now."""
        for name in list(self.files):
            self[name]
        return self.tables

    @property
    def threshold_pct(self) -> float:
        return float(self.manifest.get("params", {}).get("variance", {}).get("threshold_pct", 3.0))

    def has(self, name: str) -> bool:
        return (name in self.tables or name in self.files) and not self[name].empty

    @property
    def manifest_hash(self) -> str:
        return str(self.manifest.get("_sha256", ""))[:12]

    @classmethod
    def from_folder(cls, tables_dir: str | Path) -> RunData:
        """Read the Parquet tables `cost` wrote (and the inputs the reports need, if copied there)."""
        folder = Path(tables_dir)
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
        if manifest_path.exists():
            from ..core.hashing import sha256_file

            manifest["_sha256"] = sha256_file(manifest_path)
        files = {p.stem: p for p in sorted(folder.glob("*.parquet"))}
        files.update({p.stem: p for p in sorted((folder / "report").glob("*.parquet"))})
        inputs = {p.stem: _read(p) for p in sorted((folder / "inputs").glob("*.parquet"))} \
            if (folder / "inputs").is_dir() else {}
        params = manifest.get("params", {})
        return cls(period=str(manifest.get("period", "")), currency=str(params.get("currency", "CNY")),
                   tables={}, manifest=manifest, inputs=inputs, files=files)

    @classmethod
    def from_data(cls, data: str | Path, period: str, params_path: str | Path | None = None) -> RunData:
        """Cost the dataset now (for a notebook opened by hand)."""
        from ..core.params import load_params
        from ..costing.engine import cost
        from ..ingest.load import load_dataset
        from ..store.cost_folder import output_tables

        params = load_params(params_path, {"period": period})
        ds = load_dataset(data, params)
        result = cost(ds, period, params)
        tables = output_tables(result)
        tables.update(report_tables(result))
        return cls(period=period, currency=params.currency, tables=tables,
                   manifest={"params": params.resolved()}, inputs=report_inputs(ds.tables))


# The Arrow tables of the last run folder read in this process, by file and its stat: a report kernel runs one
# notebook after another on the same folder, and each read the same tables again (300 Parquet reads over the
# 1x pack's 20 line reports, 8 % of their time). Arrow tables are immutable, so every report still gets frames of
# its own; a rewritten file (another size, mtime or inode) is read again, and another folder replaces the cache.
@dataclass
class _Kept:
    folder: str = ""
    tables: dict[tuple[str, int, int, int], Any] = field(default_factory=dict)


_KEPT = _Kept()


def _read(path: Path) -> pd.DataFrame:
    """A Parquet table with dates as datetime64 (not Python date objects)."""
    import pyarrow.parquet as pq

    where = path.resolve()
    stat = where.stat()
    key = (str(where), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    folder = str(where.parent.parent if where.parent.name in ("report", "inputs") else where.parent)
    if folder != _KEPT.folder:
        _KEPT.folder, _KEPT.tables = folder, {}
    if key not in _KEPT.tables:
        _KEPT.tables[key] = pq.read_table(where)
    return _KEPT.tables[key].to_pandas(date_as_object=False)


def report_tables(result: Any) -> dict[str, pd.DataFrame]:
    """Analytics every report reads, computed once per run (cost once, notebooks read it)."""
    from .. import analyze
    from ..analyze import headline, sales, stats

    flagged = result.tables.get("batch_anomalies")
    ids = [] if flagged is None else flagged["batch_id"].tolist()
    lines = sales.shipment_lines(result)
    return {
        "attribution": analyze.attribution(result, batch_ids=ids) if ids else pd.DataFrame(),
        "unit_cost_stats": analyze.unit_cost_stats(result),
        "control_points": stats.window(result),
        "shipment_lines": lines.drop(columns=[c for c in lines.columns if c.startswith("_")]),
        "wip": analyze.wip(result),
        "wip_days_by_line": analyze.wip_days_by_line(result),
        "output_elements": headline.output_elements(result),
    }


REPORT_INPUTS = ("shipments", "inspections", "nonconformances", "material_lots")


def report_inputs(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The input tables reports show directly (without the internal row numbers)."""
    return {n: tables[n].drop(columns="_row") for n in REPORT_INPUTS if n in tables}
