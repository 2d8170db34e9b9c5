"""The audit-trail commands: `diff`, `close` and `audit-log` (parse arguments, call store/, report what happened).

Registered on `main` by cli/commands.py. Exit codes as everywhere: 0 done (`diff` whether or not anything
changed, `audit-log` even when the chain is broken: the export is what an inspector needs then), 1 a
BatchkitError (not a cost folder, cannot close), 2 a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .commands import _xlsx_path, handle_errors, main, reason_option, user_option
from .words import count

if TYPE_CHECKING:
    from ..store.closing import Reopen


def echo_reopen(plan: Reopen) -> None:
    """What a reopen kept, after `cost`/`run --reopen`."""
    click.echo(f"reopened: the closed version is kept in {plan.closed_dir}")
    if plan.diff is not None and plan.restatement_sha256:
        s = plan.diff.summary()
        from .render_audit import signed_money

        click.echo(f"its diff against the new version is in {plan.restatement_dir}: "
                   f"{count(s['batches_changed'], 'batch')} changed, cost in batches "
                   f"{signed_money(s['delta_costed_amount'])}")
    elif plan.keep_error:
        click.echo(f"warning: the restatement could not be written ({plan.keep_error}); write it with "
                   f"`batchkit diff {plan.closed_dir} {plan.out} --out {plan.restatement_dir}`", err=True)


@main.command("diff")
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="print the diff as one JSON object")
@click.option("--out", type=click.Path(file_okay=False),
              help="also write it as a folder: diff.json, its tables as CSV and Parquet, manifest.json")
@click.option("--rows", type=click.IntRange(min=1), default=20, show_default=True, help="rows shown per list")
@user_option
@reason_option
@handle_errors
def diff_cmd(old: str, new: str, as_json: bool, out: str | None, rows: int, user: str | None,
             reason: str | None) -> None:
    """What changed from cost folder OLD to NEW: batch costs by element, input rows, params, pools.

    OLD and NEW are cost folders or report packs (their tables/). Exit 0 whether or not anything changed.
    """
    from ..store.diff import diff_folders, write_diff_folder
    from ..store.runlog import logged_run

    d = diff_folders(old, new)
    if out:
        with logged_run("diff", out, user=user, reason=reason) as record:
            record.period = d.new.get("period")
            record.extra["compared"] = {"old": d.old["folder"], "new": d.new["folder"]}
            record.manifest_sha256 = write_diff_folder(Path(out), d)
    if as_json:
        click.echo(json.dumps(d.to_json_dict(), ensure_ascii=False, indent=1))
    else:
        from .render_audit import print_diff

        print_diff(d, rows)
    if out:
        click.echo(f"diff written to {Path(out).resolve()}", err=as_json)


@main.command("close")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--reason", required=True, help="why it is closed (e.g. 'June 2026 month-end close, approved by CFO')")
@user_option
@handle_errors
def close_cmd(folder: str, reason: str, user: str | None) -> None:
    """Close a cost folder or report pack: verify it, record the close in run.log, make its files read-only.

    `cost` and `run` then refuse to write into it unless given --reopen --reason TEXT.
    """
    from ..store.closing import finish_close, prepare_close
    from ..store.diff import open_cost_folder
    from ..store.runlog import logged_run, require_reason

    target = open_cost_folder(folder).path  # not a cost folder: exit 1, nothing logged anywhere
    with logged_run("close", target, user=user, reason=reason) as record:
        text = require_reason(reason, True, "a close must say why") or ""
        content = prepare_close(target, text, user)
        record.period, record.manifest_sha256 = content["period"], content["manifest_sha256"]
        record.extra["close"] = {"kind": content["kind"], "inputs_changed": content["inputs_changed"]}
    finish_close(target, content, record)
    files = sum(1 for p in target.rglob("*") if p.is_file())
    click.echo(f"closed {target} ({content['kind']} {content['period']}): {count(files, 'file')} read-only; the "
               f"close is line {record.line_number} of {target.parent / 'run.log'}")
    if content["inputs_changed"]:
        click.echo("warning: input files changed since the run: " + ", ".join(content["inputs_changed"])
                   + " (the folder's snapshot keeps the inputs as they were read)", err=True)


@main.command("audit-log")
@click.option("--log", "log", type=click.Path(), default="outputs", show_default=True,
              help="the run.log, or the folder holding it")
@click.option("--since", help="only runs started on or after this date, YYYY-MM-DD (UTC)")
@click.option("--out", type=click.Path(dir_okay=False), callback=_xlsx_path, help="export to a workbook (.xlsx)")
@click.option("--language", type=click.Choice(["en", "zh-CN"]), default="en", show_default=True,
              help="language of the workbook's headers")
@handle_errors
def audit_log_cmd(log: str, since: str | None, out: str | None, language: str) -> None:
    """Print or export the run log: who ran what, when, why and how it ended, with the hash chain checked."""
    from ..store import auditlog
    from ..store.runlog import identity
    from .render_audit import print_log

    check = auditlog.load(log)
    frame = auditlog.log_frame(check, auditlog.parse_since(since))
    if out:
        from ..report.audit_book import write_audit_workbook

        summary = auditlog.log_summary(check, len(frame), auditlog.parse_since(since), identity())
        write_audit_workbook(out, frame, summary, language)
    else:
        print_log(frame)
    click.echo(f"{check.path}: {check.summary()}" + (f"; {count(len(frame), 'line')} exported to {Path(out).resolve()}"
                                                      if out else ""), err=True)
    if not check.ok:
        click.echo(f"warning: the hash chain is broken at line {check.bad_line}: investigate before relying on "
                   "this log (docs/AUDIT.md)", err=True)
