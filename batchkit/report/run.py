"""`batchkit run`: cost once, then render every report of the period in parallel, all or nothing.

Layout of `OUT/<period>/` (built in a temporary folder, swapped in when done):
  index.html                    links every report
  period_overview.html/.xlsx    the plant's month
  data_quality.html/.xlsx       every finding, the rows to fix
  line-<slug>.html/.xlsx        one per product line
  tables/                       the cost tables (CSV, Parquet) + manifest.json; reports read these
  notebooks/                    the executed notebooks, for audit
  manifest.json                 the run: the tables' manifest hash and every report file's sha256
A failing report is named and the others still complete (ReportError, exit 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.errors import ReportError
from ..core.hashing import sha256_file
from ..core.params import Params
from ..core.schema import CONTRACT_VERSION
from ..costing.engine import cost
from ..ingest.load import load_dataset
from ..store.atomic import atomic_folder
from ..store.cost_folder import write_cost_folder
from ..store.tables import write_parquet
from .data import report_inputs, report_tables
from .execute import PACKAGE_ROOT, run_jobs
from .i18n import Translator
from .index import write_index

NOTEBOOKS = PACKAGE_ROOT / "notebooks"
Progress = Callable[[str, int, int], None]


@dataclass
class PackResult:
    folder: Path
    reports: list[dict[str, Any]] = field(default_factory=list)
    manifest_sha256: str = ""
    quality: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.reports if not r["ok"]]


def slug(line: str) -> str:
    """A safe, unique file name for a product line (any script, any punctuation)."""
    ascii_part = re.sub(r"[^A-Za-z0-9]+", "-", line).strip("-").lower()[:40]
    digest = hashlib.sha1(line.encode("utf-8")).hexdigest()[:6]
    return f"{ascii_part}-{digest}" if ascii_part else digest


def plan_reports(lines: list[str], language: str, t: Translator, recalls: list[str] | None = None
                 ) -> list[dict[str, Any]]:
    """The reports of a pack: overview, data quality, one per product line, one per recall ID."""
    reports = [
        {"name": "period_overview", "notebook": "period_overview", "line": "all", "title": t("title.period_overview")},
        {"name": "data_quality", "notebook": "data_quality", "line": "all", "title": t("title.data_quality")},
    ]
    for line in lines:
        reports.append({"name": f"line-{slug(line)}", "notebook": "product_line", "line": line,
                        "title": t("title.product_line", line=line)})
    for trace_id in recalls or []:
        reports.append({"name": f"recall-{slug(trace_id)}", "notebook": "recall", "line": "all",
                        "trace_id": trace_id, "title": t("title.recall", id=trace_id)})
    return reports


def _meta(report: dict[str, Any], period: str, t: Translator, manifest_hash: str, currency: str) -> dict[str, Any]:
    line = report["line"] if report["line"] != "all" else t("meta.all_lines")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "title": report["title"],
        "meta": [[t("meta.period"), period], [t("meta.line"), line], [t("meta.currency"), currency],
                 *([[t("meta.manifest"), manifest_hash]] if manifest_hash else []), [t("meta.generated"), now]],
        "footer": t("footer", version=__version__, contract=CONTRACT_VERSION, manifest=manifest_hash),
    }


def run_pack(*, data: str | Path | None, period: str, params: Params, out_root: str | Path,
             lines: list[str] | None = None, formats: tuple[str, ...] = ("html", "xlsx"), jobs: int = 2,
             params_path: str | None = None, progress: Progress | None = None,
             recalls: list[str] | None = None) -> PackResult:
    """Cost `data` for `period` and render the report pack into `out_root/<period>`."""
    ds = load_dataset(data, params)
    result = cost(ds, period, params)  # a data error stops here: nothing is written
    t = Translator(params.language)
    known = sorted(result.batch_summary["product_line"].dropna().astype(str).unique())
    chosen = known if not lines or lines == ["all"] else lines
    unknown = [x for x in chosen if x not in known]
    if unknown:
        from ..core.errors import ParamsError

        raise ParamsError(f"--lines: unknown product line {unknown[0]!r}; lines are: {', '.join(known)}",
                          key="lines")
    target = Path(out_root) / period
    with atomic_folder(target) as tmp, tempfile.TemporaryDirectory(prefix="batchkit-kernel-") as kroot:
        tables = tmp / "tables"
        tables.mkdir()
        content = write_cost_folder(tables, result, params)
        for sub, frames in (("inputs", report_inputs(ds.tables)), ("report", report_tables(result))):
            (tables / sub).mkdir()
            for name, frame in frames.items():
                write_parquet(frame, tables / sub / f"{name}.parquet")
        manifest_hash = str(result.extras["manifest_sha256"])[:12]
        (tmp / "notebooks").mkdir()
        reports = plan_reports(chosen, params.language, t, recalls)
        job_list = [_job(r, tmp, period, params, data, params_path, formats, t, manifest_hash) for r in reports]
        statuses = run_jobs(job_list, jobs, Path(kroot), progress)
        for r in reports:
            r.update(statuses[r["name"]])
            r["files"] = [f"{r['name']}.{ext}" for ext in formats if (tmp / f"{r['name']}.{ext}").exists()]
        write_index(tmp / "index.html", reports, period=period, t=t, manifest_hash=manifest_hash)
        run_manifest = _write_run_manifest(tmp, content, reports, manifest_hash)
    pack = PackResult(folder=target.resolve(), reports=reports, manifest_sha256=run_manifest,
                      quality=content["data_quality"])
    if pack.failed:
        names = ", ".join(f"{r['name']} ({r['error']})" for r in pack.failed)
        raise ReportError(f"{len(pack.failed)} of {len(reports)} reports failed: {names}; the others are in "
                          f"{pack.folder}", failed=[r["name"] for r in pack.failed])
    return pack


def _job(report: dict[str, Any], tmp: Path, period: str, params: Params, data: str | Path | None,
         params_path: str | None, formats: tuple[str, ...], t: Translator, manifest_hash: str) -> dict[str, Any]:
    name = report["name"]
    parameters: dict[str, Any] = {
        "period": period,
        "language": params.language,
        "data": str(Path(data).resolve()) if data else "",
        "params_path": str(Path(params_path).resolve()) if params_path else "",
        "output_dir": str(tmp) if "xlsx" in formats else "",
        "report_name": name,
    }
    if report["notebook"] == "recall":
        parameters.update(trace_id=report["trace_id"], direction=report.get("direction", "forward"))
    else:
        parameters.update(product_line=report["line"], run_dir=str(tmp))
    return {
        "name": name,
        "notebook": str(NOTEBOOKS / f"{report['notebook']}.ipynb"),
        "executed": str(tmp / "notebooks" / f"{name}.ipynb"),
        "html": str(tmp / f"{name}.html"),
        "cwd": str(tmp),
        "formats": list(formats),
        "parameters": parameters,
        "meta": _meta(report, period, t, manifest_hash, params.currency),
    }


def run_recall(*, data: str | Path | None, trace_id: str, params: Params, out: str | Path,
               direction: str = "forward", period: str | None = None, params_path: str | None = None,
               formats: tuple[str, ...] = ("html", "xlsx")) -> Path:
    """Render the recall report of one lot, batch or UDI into `out` (replaced atomically)."""
    import json

    from ..tracing.walk import trace

    # trace first: an unknown ID or a bad UDI is a clear error before anything is written
    found = trace(data or params.data or "", trace_id, direction=direction,  # type: ignore[arg-type]
                  period=period, params=params)
    t = Translator(params.language)
    report = {"name": "recall", "notebook": "recall", "line": "all", "trace_id": trace_id, "direction": direction,
              "title": t("title.recall", id=trace_id)}
    with atomic_folder(Path(out)) as tmp, tempfile.TemporaryDirectory(prefix="batchkit-kernel-") as kroot:
        (tmp / "notebooks").mkdir()
        job = _job(report, tmp, found.period, params, data, params_path, formats, t, "")
        status = run_jobs([job], 1, Path(kroot))["recall"]
        summary = {"command": "recall", "batchkit_version": __version__, "contract_version": CONTRACT_VERSION,
                   "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                   "trace": {k: v for k, v in found.to_json_dict().items() if k not in ("batches", "lots",
                                                                                       "shipments")},
                   "report": status}
        (tmp / "manifest.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    if not status["ok"]:
        raise ReportError(f"the recall report failed: {status['error']}", failed=["recall"])
    return Path(out).resolve()


def _write_run_manifest(folder: Path, cost_manifest: dict[str, Any], reports: list[dict[str, Any]],
                        manifest_hash: str) -> str:
    """The pack's manifest: every file of the pack with its sha256 (so `batchkit verify` checks the whole
    pack), the inputs and params of the costing, and each report's status. Returns its sha256."""
    import json

    files = [{"file": p.relative_to(folder).as_posix(), "sha256": sha256_file(p)}
             for p in sorted(folder.rglob("*")) if p.is_file() and p != folder / "manifest.json"]
    content = {
        "contract_version": CONTRACT_VERSION,
        "batchkit_version": __version__,
        "command": "run",
        "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "period": cost_manifest["period"],
        "params": cost_manifest["params"],
        "inputs": cost_manifest["inputs"],
        "tables_manifest_sha256": manifest_hash,
        "reports": [{k: r[k] for k in ("name", "line", "ok", "error", "seconds", "files")} for r in reports],
        "outputs": files,
        "data_quality": cost_manifest["data_quality"],
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return sha256_file(path)
