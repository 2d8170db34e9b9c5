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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.engine_read import require_rows_here
from ..core.errors import ParamsError, ReportError
from ..core.params import Params
from ..core.schema import CONTRACT_VERSION
from ..costing.engine import cost
from ..ingest.load import describe_sources, load_dataset
from ..store.atomic import atomic_folder
from ..store.closing import Reopen, ensure_open
from ..store.cost_folder import output_tables, resolved_params, write_cost_folder
from ..store.diff import diff_folders, write_diff
from ..store.manifest import build_manifest, file_entries, input_entries, write_manifest
from ..store.tables import write_parquet
from .data import report_inputs, report_tables
from .execute import PACKAGE_ROOT, KernelPool, run_jobs
from .i18n import Translator
from .index import previous_kpis, write_index
from .jobs import Direction, PageMeta, ReportJob, ReportPlan, ReportStatus

NOTEBOOKS = PACKAGE_ROOT / "notebooks"
Progress = Callable[[str, int, int], None]


@dataclass
class PackResult:
    folder: Path
    reports: list[ReportStatus] = field(default_factory=list)
    manifest_sha256: str = ""
    quality: dict[str, int] = field(default_factory=dict)
    kpis: Any = None  # the run's kpis table (pandas), for the CLI's empty-period warning

    @property
    def failed(self) -> list[ReportStatus]:
        return [r for r in self.reports if not r.ok]


def slug(line: str) -> str:
    """A safe, unique file name for a product line (any script, any punctuation)."""
    ascii_part = re.sub(r"[^A-Za-z0-9]+", "-", line).strip("-").lower()[:40]
    digest = hashlib.sha1(line.encode("utf-8")).hexdigest()[:6]
    return f"{ascii_part}-{digest}" if ascii_part else digest


def plan_reports(lines: list[str], t: Translator, recalls: list[str] | None = None, restatement: bool = False
                 ) -> list[ReportPlan]:
    """The reports of a pack: overview, (restatement,) data quality, one per product line, one per recall ID."""
    reports = [
        ReportPlan("period_overview", "period_overview", t("title.period_overview")),
        *([ReportPlan("restatement", "restatement", t("title.restatement"))] if restatement else []),
        ReportPlan("data_quality", "data_quality", t("title.data_quality")),
    ]
    reports += [ReportPlan(f"line-{slug(line)}", "product_line", t("title.product_line", line=line), line=line)
                for line in lines]
    reports += [ReportPlan(f"recall-{slug(trace_id)}", "recall", t("title.recall", id=trace_id), trace_id=trace_id)
                for trace_id in recalls or []]
    return reports


def _meta(plan: ReportPlan, period: str, t: Translator, manifest_hash: str, currency: str) -> PageMeta:
    line = plan.line if plan.line != "all" else t("meta.all_lines")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return PageMeta(
        title=plan.title,
        meta=[(t("meta.period"), period), (t("meta.line"), line), (t("meta.currency"), currency),
              *([(t("meta.manifest"), manifest_hash)] if manifest_hash else []), (t("meta.generated"), now)],
        footer=t("footer", version=__version__, contract=CONTRACT_VERSION, manifest=manifest_hash),
        page_title=t("title.page", title=plan.title, line=line, period=period),
    )


def run_pack(*, data: str | Path | None, period: str, params: Params, out_root: str | Path,
             lines: list[str] | None = None, formats: tuple[str, ...] = ("html", "xlsx"), jobs: int = 2,
             params_path: str | None = None, progress: Progress | None = None,
             recalls: list[str] | None = None, compare_to: str | Path | None = None,
             reopen: Reopen | None = None) -> PackResult:
    """Cost `data` for `period` and render the report pack into `out_root/<period>`.

    The notebook kernels start first, in their own thread, and get ready while the period is costed.
    `compare_to` (a cost folder or pack) adds the restatement report: this run against it. A closed pack is
    refused unless `reopen` (closing.plan_reopen), which also compares against the closed version."""
    require_rows_here(params, "batchkit run")
    target = Path(out_root) / period
    if reopen is None:
        ensure_open(target)  # before anything starts
    with tempfile.TemporaryDirectory(prefix="batchkit-kernel-") as kroot, KernelPool(jobs, Path(kroot)) as pool:
        ds = load_dataset(data, params)
        result = cost(ds, period, params)  # a data error stops here: nothing is written
        t = Translator(params.language)
        known = sorted(result.batch_summary["product_line"].dropna().astype(str).unique())
        chosen = known if not lines or lines == ["all"] else lines
        unknown = [x for x in chosen if x not in known]
        if unknown:
            raise ParamsError(f"--lines: unknown product line {unknown[0]!r}; lines are: {', '.join(known)}",
                              key="lines")
        with atomic_folder(target, keep_previous=reopen.closed_dir if reopen else None) as tmp:
            tables = tmp / "tables"
            tables.mkdir()
            # the reports' own analytics are computed while the cost folder is written (Parquet and CSV writers
            # release the GIL). Both only read `result` once the contract's analytics are on it: they are computed
            # here first (output_tables keeps them on the result), since the attribution reads batch_anomalies
            output_tables(result)
            with ThreadPoolExecutor(1, thread_name_prefix="batchkit-report-tables") as ex:
                analytics = ex.submit(report_tables, result)
                content = write_cost_folder(tables, result, params)
                report_frames = analytics.result()
            # the new side is the pack's cost folder, tables/ (its manifest is what the diff records)
            closed_diff = reopen.compare(tables, target / "tables") if reopen else None  # kept: NAME.restatement-N
            restated = diff_folders(compare_to, tables, new_label=target / "tables") if compare_to else closed_diff
            if restated is not None:
                (tmp / "restatement").mkdir()
                write_diff(tmp / "restatement", restated)
            for sub, frames in (("inputs", report_inputs(ds.tables)), ("report", report_frames)):
                (tables / sub).mkdir()
                for name, frame in frames.items():
                    write_parquet(frame, tables / sub / f"{name}.parquet")
            manifest_hash = str(result.extras["manifest_sha256"])[:12]
            (tmp / "notebooks").mkdir()
            plans = plan_reports(chosen, t, recalls, restatement=restated is not None)
            job_list = [_job(p, tmp, period, params, data, params_path, formats, t, manifest_hash) for p in plans]
            statuses = pool.run(job_list, progress)
            for p in plans:
                statuses[p.name].files = [f"{p.name}.{ext}" for ext in formats
                                          if (tmp / f"{p.name}.{ext}").exists()]
            write_index(tmp / "index.html", [(p, statuses[p.name]) for p in plans], period=period, t=t,
                        manifest_hash=manifest_hash, kpis=result.tables.get("kpis"),
                        previous=previous_kpis(Path(out_root), period), currency=params.currency)
            pack_manifest = build_manifest(
                command="run", period=period, params=content["params"], inputs=content["inputs"],
                outputs=file_entries(tmp), quality=content["data_quality"],
                extra={"tables_manifest_sha256": manifest_hash,
                       "reports": [statuses[p.name].record(p) for p in plans]})
            run_manifest = write_manifest(tmp, pack_manifest)
    if reopen is not None:
        reopen.keep()
    pack = PackResult(folder=target.resolve(), reports=[statuses[p.name] for p in plans],
                      manifest_sha256=run_manifest, quality=content["data_quality"], kpis=result.tables.get("kpis"))
    if pack.failed:
        names = ", ".join(f"{r.name} ({r.error})" for r in pack.failed)
        raise ReportError(f"{len(pack.failed)} of {len(plans)} reports failed: {names}; the others are in "
                          f"{pack.folder}", failed=[r.name for r in pack.failed])
    return pack


def _job(plan: ReportPlan, tmp: Path, period: str, params: Params, data: str | Path | None,
         params_path: str | None, formats: tuple[str, ...], t: Translator, manifest_hash: str) -> ReportJob:
    parameters: dict[str, str] = {
        "period": period,
        "language": params.language,
        "data": str(Path(data).resolve()) if data else "",
        "params_path": str(Path(params_path).resolve()) if params_path else "",
        "output_dir": str(tmp.resolve()) if "xlsx" in formats else "",
        "report_name": plan.name,
    }
    if plan.notebook == "recall":
        parameters.update(trace_id=plan.trace_id or "", direction=plan.direction)
    else:
        parameters.update(product_line=plan.line, run_dir=str(tmp.resolve()))
    return ReportJob(plan=plan, notebook=NOTEBOOKS / f"{plan.notebook}.ipynb",
                     executed=tmp / "notebooks" / f"{plan.name}.ipynb", html=tmp / f"{plan.name}.html", cwd=tmp,
                     formats=formats, parameters=parameters, meta=_meta(plan, period, t, manifest_hash,
                                                                        params.currency))


@dataclass
class RecallResult:
    folder: Path
    manifest_sha256: str
    trace: Any  # tracing.walk.TraceResult


def run_recall(*, data: str | Path | None, trace_id: str, params: Params, out: str | Path,
               direction: Direction = "forward", period: str | None = None, params_path: str | None = None,
               formats: tuple[str, ...] = ("html", "xlsx")) -> RecallResult:
    """Render the recall report of one lot, batch or UDI into `out` (replaced atomically)."""
    from ..tracing.walk import trace

    root = data or params.data or ""
    # trace first: an unknown ID or a bad UDI is a clear error before anything is written
    found = trace(root, trace_id, direction=direction, period=period, params=params)
    t = Translator(params.language)
    plan = ReportPlan("recall", "recall", t("title.recall", id=trace_id), trace_id=trace_id, direction=direction)
    with atomic_folder(Path(out)) as tmp, tempfile.TemporaryDirectory(prefix="batchkit-kernel-") as kroot:
        (tmp / "notebooks").mkdir()
        job = _job(plan, tmp, found.period, params, data, params_path, formats, t, "")
        status = run_jobs([job], 1, Path(kroot))["recall"]
        status.files = [f"recall.{ext}" for ext in formats if (tmp / f"recall.{ext}").exists()]
        content = build_manifest(
            command="recall", period=found.period, params=resolved_params(params, Path(root), found.period),
            inputs=input_entries(describe_sources(root, params)), outputs=file_entries(tmp), quality=None,
            extra={"trace": {k: v for k, v in found.to_json_dict().items()
                             if k not in ("batches", "lots", "shipments")},
                   "report": status.record(plan)})
        sha = write_manifest(tmp, content)
    if not status.ok:
        raise ReportError(f"the recall report failed: {status.error}", failed=["recall"])
    return RecallResult(Path(out).resolve(), sha, found)
