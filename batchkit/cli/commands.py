"""The `batchkit` command: parse arguments, call the library, map errors to exit codes.

Exit codes (contract section 5): 0 success; 1 data or params error (one
line on stderr, no traceback); 2 usage error, or a report failed in `run`.
Anything else is a bug: exit 3 with a one-line note, the traceback only
with `--debug`.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..core.errors import BatchkitError, Interrupted
from .words import count

if TYPE_CHECKING:  # params (pydantic, numpy) load only when a command runs: `--version` and `--help` stay fast
    from ..core.params import Params

INTERNAL_ERROR = 3


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn BatchkitError into one stderr line and its exit code; hide tracebacks unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except BatchkitError as exc:
            _fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            name = getattr(exc, "signal_name", "SIGINT")
            what = "the outputs had just been written, complete" if getattr(exc, "committed", False) else \
                "nothing was written"
            _fail(f"interrupted ({name}); {what}", getattr(exc, "exit_code", 130))
        except BrokenPipeError:  # `batchkit ... | head`: the reader left; not an error
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (no flush errors at interpreter exit)
            sys.exit(0)
        except Exception as exc:  # a bug: say so plainly
            if ctx.find_root().params.get("debug"):
                raise
            _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for the traceback "
                  "and report it", INTERNAL_ERROR)

    return wrapper


OPTION_OF = {"data": "DATA", "period": "--period", "language": "--language"}


def params_from(path: str | None, overrides: dict[str, Any], sets: tuple[str, ...] = ()) -> Params:
    from ..core.params import load_params, parse_assignment

    merged = dict(overrides)
    origins = {k: OPTION_OF.get(k, f"--{k}") for k in overrides}
    for text in sets:
        key, value = parse_assignment(text)
        merged[key] = value
        origins[key] = f"--set {key}"
    return load_params(path, merged, origins)


def warn_if_empty_period(kpis: Any, period: str) -> None:
    """A period with no batch completed in it and none open at its end: costed (exit 0), but say so on stderr.

    The tables are right (every cost as of that period end); the period is most likely a typo or a month
    the data does not reach, which a scheduler's log should show."""
    if kpis is None or kpis.empty:
        return
    plant = kpis[kpis["scope"] == "plant"].set_index("kpi")["value"]
    if plant.get("batches_completed", 0) == 0 and plant.get("wip_batches", 0) == 0:
        click.echo(f"warning: no batch was completed in {period} and none was open at its end: nothing to "
                   "report for this period (check --period)", err=True)


params_option = click.option("--params", "params_path", type=click.Path(dir_okay=False),
                             help="params YAML (default: params/default.yaml)")
set_option = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                          help="override one params key, e.g. --set allocation.default_basis=labor_hours")
engine_option = click.option("--engine", "engine_name", type=click.Choice(["duckdb", "spark"]),
                             help="where the cost model runs (params engine.name; default duckdb, in process)")
user_option = click.option("--user", help="who runs this, for run.log (default: $BATCHKIT_USER, else the OS user)")
reason_option = click.option("--reason", help="why this runs, for run.log (required with params audit.require_reason)")
reopen_option = click.option("--reopen", is_flag=True,
                             help="replace a closed folder (needs --reason); the closed version is kept beside it")


def with_engine(sets: tuple[str, ...], engine_name: str | None) -> tuple[str, ...]:
    """--engine NAME is --set engine.name=NAME."""
    return (*sets, f"engine.name={engine_name}") if engine_name else sets


def _raise_interrupted(signum: int, frame: Any) -> None:
    Interrupted.received.append(signum)
    raise Interrupted(signum, signal.Signals(signum).name)


def _trap_signals() -> None:
    """SIGTERM (a scheduler stopping us) unwinds like Ctrl-C: temp files removed, outputs untouched."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, _raise_interrupted)
        except ValueError:  # not the main thread (an embedding host): leave its handlers alone
            return


def _without_iri_grammar() -> None:
    """Spare this process 1.5 s of CPU that every `run` and `recall` paid importing nbformat: its jsonschema
    compiles about 35 Earley grammars of the optional rfc3987-syntax package at import time, for an `iri`
    format checker that no notebook schema uses (python-jsonschema/jsonschema#1428). A None in `sys.modules`
    makes that optional import fail, and jsonschema then leaves the checker out. Only the command line's own
    process does this: a program that imports batchkit keeps its jsonschema as it is."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="show tracebacks of internal errors")
@click.version_option(package_name="batchkit", prog_name="batchkit")
def main(debug: bool) -> None:
    """Batch-level cost accounting and traceability for medical-device plants."""
    _trap_signals()
    _without_iri_grammar()


@main.command("demo-data")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--batches", type=click.IntRange(min=10), default=600, show_default=True,
              help="number of batches (finished goods and sub-assemblies)")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@handle_errors
def demo_data_cmd(directory: str, seed: int, batches: int, fmt: str) -> None:
    """Write a realistic, deterministic demo dataset in the data contract."""
    from ..demo.write import write_demo

    info = write_demo(Path(directory), seed=seed, batches=batches, fmt=fmt)
    click.echo(f"wrote {info['batches']:,} batches, {info['material_issues']:,} material issues and "
               f"{info['operations']:,} operations ({info['first_period']} to {info['last_period']}) to {directory}")


@main.command("validate")
@click.argument("data", type=click.Path(), required=False)
@params_option
@set_option
@engine_option
@click.option("--json", "as_json", is_flag=True, help="print findings as JSON")
@handle_errors
def validate_cmd(data: str | None, params_path: str | None, sets: tuple[str, ...], engine_name: str | None,
                 as_json: bool) -> None:
    """Check a dataset; print every problem with table, row and column.

    The checks run on this machine whatever --engine says (they read the extracts this machine loaded), so
    a dataset that validates here is one the chosen engine will cost; those of tables the engine reads
    itself (sources path:/spark_table:) run on the engine.
    """
    from ..costing.engine import validate_all
    from ..ingest.load import load_dataset
    from .render_findings import print_findings

    params = params_from(params_path, {"data": data}, with_engine(sets, engine_name))
    ds = load_dataset(params.data, params)
    findings = validate_all(ds, params)
    errors = int((findings["severity"] == "error").sum())
    if as_json:
        records = json.loads(findings.to_json(orient="records", force_ascii=False))
        click.echo(json.dumps({"errors": errors, "warnings": int((findings["severity"] == "warning").sum()),
                               "findings": records}, ensure_ascii=False, indent=1))
    else:
        print_findings(findings, ds)
    sys.exit(1 if errors else 0)


@main.command("cost")
@click.argument("data", type=click.Path(), required=False)
@click.option("--period", help="YYYY-MM (or params period:)")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="output folder (replaced atomically)")
@params_option
@set_option
@engine_option
@user_option
@reason_option
@reopen_option
@handle_errors
def cost_cmd(data: str | None, period: str | None, out: str, params_path: str | None, sets: tuple[str, ...],
             engine_name: str | None, user: str | None, reason: str | None, reopen: bool) -> None:
    """Compute every batch's cost for a period and write the contract's tables.

    Every run, failed or not, appends a line to run.log next to OUT. A closed OUT is refused unless --reopen.
    """
    from ..store.closing import plan_reopen
    from ..store.cost_folder import cost_to_folder
    from ..store.runlog import logged_run, require_reason

    with logged_run("cost", out, user=user, reason=reason) as record:
        record.period = period
        params = params_from(params_path, {"data": data, "period": period}, with_engine(sets, engine_name))
        record.period, record.data = params.period, params.data and str(Path(params.data).resolve())
        require_reason(reason, params.audit.require_reason)
        plan = plan_reopen(out, reason) if reopen else None
        result, content = cost_to_folder(params.data, params.period or "", out, params, reopen=plan)
        record.quality = content["data_quality"]
        record.manifest_sha256 = result.extras["manifest_sha256"]
        if plan is not None:
            record.extra.update(plan.log_fields())
    s = result.batch_summary
    q = content["data_quality"]
    done = int((s["status"] == "completed").sum())
    click.echo(f"costed {count(len(s), 'batch')} for {result.period} ({done:,} completed, {len(s) - done:,} WIP); "
               f"{count(q['warning'], 'warning')}")
    warn_if_empty_period(result.tables.get("kpis"), result.period)
    tables = sorted({o["table"] for o in content["outputs"] if "table" in o})  # the snapshot's files have none
    click.echo(f"tables in {Path(out).resolve()}: " + ", ".join(tables)
               + " (CSV and Parquet) and manifest.json")
    for name, why in content.get("not_computed", {}).items():
        click.echo(f"{name}: {why}")
    if plan is not None:
        from .audit_commands import echo_reopen

        echo_reopen(plan)


@main.command("run")
@click.option("--period", help="YYYY-MM (or params period:)")
@click.option("--data", type=click.Path(), help="data folder (or params data:)")
@click.option("--out", type=click.Path(file_okay=False), default="outputs", show_default=True,
              help="reports go to OUT/<period>, replaced atomically")
@click.option("--lines", multiple=True, help="product lines to report (default: all)")
@click.option("--formats", multiple=True, type=click.Choice(["html", "xlsx"]), help="default: html and xlsx")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="notebooks run in parallel")
@click.option("--language", type=click.Choice(["en", "zh-CN"]), help="report language (or params language:)")
@click.option("--recall", "recalls", multiple=True, metavar="ID", help="add a recall report for a lot, batch or UDI")
@click.option("--compare-to", "compare_to", type=click.Path(file_okay=False),
              help="add a restatement report: this run against an earlier cost folder or pack")
@params_option
@set_option
@engine_option
@user_option
@reason_option
@reopen_option
@handle_errors
def run_cmd(period: str | None, data: str | None, out: str, lines: tuple[str, ...], formats: tuple[str, ...],
            jobs: int, language: str | None, recalls: tuple[str, ...], compare_to: str | None,
            params_path: str | None, sets: tuple[str, ...], engine_name: str | None, user: str | None,
            reason: str | None, reopen: bool) -> None:
    """Cost the period once and render every report to HTML and Excel."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..report.run import run_pack
    from ..store.closing import plan_reopen
    from ..store.runlog import logged_run, require_reason

    params = params_from(params_path, {"data": data, "period": period, "language": language},
                         with_engine(sets, engine_name))
    if not params.period:
        raise click.UsageError("--period is required (or set period: in params)")
    plan = None
    with logged_run("run", Path(out) / params.period, user=user, reason=reason) as record, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     transient=True) as bar:
        record.period, record.data = params.period, params.data and str(Path(params.data).resolve())
        require_reason(reason, params.audit.require_reason)
        plan = plan_reopen(Path(out) / params.period, reason) if reopen else None
        task = bar.add_task("reports", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, description=f"reports ({name})")

        pack = run_pack(data=params.data, period=params.period, params=params, out_root=out,
                        lines=list(lines) or None, formats=tuple(formats) or ("html", "xlsx"), jobs=jobs,
                        params_path=params_path, progress=progress, recalls=list(recalls), compare_to=compare_to,
                        reopen=plan)
        record.quality, record.manifest_sha256 = pack.quality, pack.manifest_sha256
        record.extra["reports"] = len(pack.reports)
        if compare_to:
            record.extra["compare_to"] = str(Path(compare_to).resolve())
        if plan is not None:
            record.extra.update(plan.log_fields())
    click.echo(f"{count(len(pack.reports), 'report')} for {params.period} in {pack.folder}; open "
               f"{pack.folder / 'index.html'}")
    warn_if_empty_period(pack.kpis, params.period)
    if plan is not None:
        from .audit_commands import echo_reopen

        echo_reopen(plan)


@main.command("recall")
@click.argument("id_or_udi", metavar="ID")
@click.option("--data", type=click.Path(), help="data folder (or params data:)")
@click.option("--period", help="YYYY-MM (default: the latest month in the data)")
@click.option("--direction", type=click.Choice(["forward", "backward"]), default="forward", show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="report folder (default: outputs/recall-<ID>)")
@click.option("--language", type=click.Choice(["en", "zh-CN"]), help="report language (or params language:)")
@params_option
@set_option
@user_option
@reason_option
@handle_errors
def recall_cmd(id_or_udi: str, data: str | None, period: str | None, direction: str, out: str | None,
               language: str | None, params_path: str | None, sets: tuple[str, ...], user: str | None,
               reason: str | None) -> None:
    """Render the recall report (HTML and Excel) of a lot, batch or scanned UDI."""
    from ..report.run import run_recall, slug
    from ..store.runlog import logged_run

    params = params_from(params_path, {"data": data, "language": language}, sets)
    if not params.data:
        raise click.UsageError("no data folder: pass --data DATA or set data: in params")
    target = out or Path("outputs") / f"recall-{slug(id_or_udi)}"
    from ..store.runlog import require_reason

    with logged_run("recall", target, user=user, reason=reason) as record:
        record.period, record.data = period, str(Path(params.data).resolve())
        require_reason(reason, params.audit.require_reason)
        record.extra["id"] = id_or_udi
        recall = run_recall(data=params.data, trace_id=id_or_udi, params=params, direction=direction,  # type: ignore[arg-type]
                            period=period, out=target, params_path=params_path)
        record.period, record.manifest_sha256 = recall.trace.period, recall.manifest_sha256
    click.echo(f"recall report for {id_or_udi} in {recall.folder}; open {recall.folder / 'recall.html'}")


def _xlsx_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.lower().endswith(".xlsx"):
        raise click.BadParameter(f"expected a file name ending in .xlsx, got {value!r}")
    return value


@main.command("trace")
@click.argument("id_or_udi", metavar="ID")
@click.option("--data", type=click.Path(), help="data folder (or params data:)")
@click.option("--period", help="YYYY-MM: costs as of this period end (default: the latest month in the data)")
@click.option("--direction", type=click.Choice(["forward", "backward"]), default="forward", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the trace as JSON (contract section 6)")
@click.option("--out", type=click.Path(dir_okay=False), callback=_xlsx_path,
              help="also write a recall workbook (.xlsx)")
@click.option("--rows", type=click.IntRange(min=1), default=30, show_default=True, help="rows shown per table")
@click.option("--no-cache", is_flag=True, help="read the data again instead of the cached genealogy index")
@params_option
@set_option
@engine_option
@handle_errors
def trace_cmd(id_or_udi: str, data: str | None, period: str | None, direction: str, as_json: bool, out: str | None,
              rows: int, no_cache: bool, params_path: str | None, sets: tuple[str, ...],
              engine_name: str | None) -> None:
    """Trace a lot or batch ID, or a scanned GS1 UDI, forward to what it went into or backward to its inputs."""
    from ..core import params_memo
    from ..tracing import cache as trace_cache
    from ..tracing.walk import trace

    overrides = {"data": data, "period": period}
    sets = with_engine(sets, engine_name)
    # remembered when they validated before, so a cached trace starts without pydantic
    params = params_memo.load(params_path, overrides, sets, lambda: params_from(params_path, overrides, sets),
                              remembered=trace_cache.enabled(not no_cache))
    if not params.data:
        raise click.UsageError("no data folder: pass --data DATA or set data: in params")
    result = trace(params.data, id_or_udi, direction=direction, params=params, cache=not no_cache)  # type: ignore[arg-type]
    if out:
        from ..report.recall_book import write_recall_workbook

        write_recall_workbook(result, out, params.currency, params.language)
    if as_json:
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1))
    else:
        from .render_trace import print_trace

        print_trace(result, currency=params.currency, max_rows=rows)
    if out:
        click.echo(f"recall workbook: {Path(out).resolve()}", err=as_json)


@main.command("verify")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--reread", is_flag=True, help="also re-run SQL sources' queries and compare their content")
@handle_errors
def verify_cmd(out: str, reread: bool) -> None:
    """Check that OUT still matches its manifest, that the inputs it names are unchanged and that the run.log
    next to it is an unbroken hash chain.

    Exit 0 when everything matches, 1 when any file differs (named on stderr).
    """
    from ..store.verification import SHORT, verify

    v = verify(out, reread=reread)
    m = v.manifest
    click.echo(f"verifying {v.folder} against manifest {v.manifest_sha256[:SHORT]} ({m.get('command', '?')} "
               f"{m.get('period', '?')}, run {m.get('run_time', '?')})")
    for item in v.verdicts:
        label = item.status if not item.failed else item.status.upper()
        click.echo(f"  {label:<10} {item.kind} {item.name}" + (f": {item.detail}" if item.detail else ""))
    summary = []
    for kind in ("output", "input"):
        of_kind = [x for x in v.verdicts if x.kind == kind]
        tally = {st: sum(x.status == st for x in of_kind) for st in dict.fromkeys(x.status for x in of_kind)}
        summary.append(f"{len(of_kind)} {kind}s: " + (", ".join(f"{n} {st}" for st, n in tally.items()) or "none"))
    log = next((x for x in v.verdicts if x.kind == "log"), None)
    if log is not None:
        summary.append(f"run.log: {'no log' if log.status == 'skipped' else log.status}")
    click.echo("; ".join(summary))
    if not v.ok:
        first = v.failures[0]
        more = len(v.failures) - 1
        raise BatchkitError(f"{first.kind} {first.name} {first.status}"
                            + (f": {first.detail}" if first.detail else "")
                            + (f" (and {more} more difference{'s' if more > 1 else ''})" if more else ""))


from . import audit_commands  # noqa: E402, F401  (registers diff, close and audit-log on `main`)

if __name__ == "__main__":  # pragma: no cover
    main()
