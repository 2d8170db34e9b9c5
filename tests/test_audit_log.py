"""`batchkit audit-log`: the run log printed and exported, with the hash chain checked line by line."""

from __future__ import annotations

import hashlib
import json

import openpyxl
import pytest

from batchkit.core.hashing import sha256_file
from batchkit.store.runlog import raw_lines
from tests.test_cli import batchkit


@pytest.fixture
def outputs(make_data, tmp_path):
    """Three lines: a cost, a refused cost with a hostile reason, a close."""
    data = make_data()
    out = tmp_path / "outputs" / "2026-01"
    assert batchkit("cost", str(data), "--period", "2026-01", "--out", str(out), "--user", "erin",
                    "--reason", "=HYPERLINK(\"http://x\",\"click\")").returncode == 0
    assert batchkit("close", str(out), "--reason", "January close").returncode == 0
    assert batchkit("cost", str(data), "--period", "2026-01", "--out", str(out)).returncode == 1
    return tmp_path / "outputs"


def test_audit_log_prints_one_line_per_run(outputs):
    proc = batchkit("audit-log", "--log", str(outputs))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["line", "start", "(UTC)", "command", "period", "status", "user@host", "reason", "out",
                                "chain"]
    assert [x.split()[3:5] for x in lines[1:]] == [["cost", "2026-01"], ["close", "2026-01"], ["cost", "2026-01"]]
    assert lines[3].split()[5] == "refused"
    assert proc.stderr.startswith(f"{outputs / 'run.log'}: 3 lines, chain intact; last line ")


def test_audit_log_exports_a_workbook_an_inspector_can_check(outputs, tmp_path):
    target = tmp_path / "audit.xlsx"
    proc = batchkit("audit-log", "--log", str(outputs / "run.log"), "--out", str(target))
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Run log"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["sha256 of the log file"] == sha256_file(outputs / "run.log")
    assert summary["lines in the log"] == 3 and summary["lines exported"] == 3
    assert summary["hash chain"].startswith("3 lines, chain intact")
    ws = book["Run log"]
    headers = [c.value for c in ws[1]]
    assert headers[:12] == ["Line", "Started (UTC)", "Ended (UTC)", "Command", "Period", "Status", "Exit code",
                            "User", "OS account", "Host", "Reason", "Folder"]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    raws = raw_lines(outputs / "run.log")
    first = json.loads(raws[0])
    assert (rows[0]["Line"], rows[0]["User"], rows[0]["Started (UTC)"], rows[0]["Chain"]) == (
        1, "erin", first["start"], "ok")
    assert rows[1]["Previous line sha256"] == rows[0]["Line sha256"] == hashlib.sha256(raws[0]).hexdigest()
    reason = ws.cell(row=2, column=headers.index("Reason") + 1)
    assert reason.value == "=HYPERLINK(\"http://x\",\"click\")" and reason.data_type == "s" and reason.quotePrefix
    assert json.loads(rows[1]["Details"])["close"] == {"kind": "cost", "inputs_changed": []}
    zh = tmp_path / "audit-zh.xlsx"
    assert batchkit("audit-log", "--log", str(outputs), "--out", str(zh), "--language", "zh-CN").returncode == 0
    assert openpyxl.load_workbook(zh).sheetnames == ["摘要", "运行日志"]


def test_since_and_a_broken_chain(outputs, tmp_path):
    proc = batchkit("audit-log", "--log", str(outputs), "--since", "2999-01-01")
    assert proc.returncode == 0 and proc.stdout.splitlines()[1:] == []
    proc = batchkit("audit-log", "--log", str(outputs), "--since", "yesterday")
    assert (proc.returncode, proc.stderr) == (1, "error: --since: expected a date YYYY-MM-DD, got 'yesterday'\n")
    log = outputs / "run.log"
    lines = raw_lines(log)
    log.write_bytes(lines[0] + b"\n" + lines[2] + b"\n")  # the close line removed
    proc = batchkit("audit-log", "--log", str(outputs), "--out", str(tmp_path / "a.xlsx"))
    assert proc.returncode == 0  # an inspector needs the export most when the chain is broken
    assert proc.stderr.splitlines() == [
        f"{log}: line 2 of 2: its prev_sha256 does not match line 1: line 1 was changed, or a line after it was "
        f"removed; 2 lines exported to {tmp_path / 'a.xlsx'}",
        "warning: the hash chain is broken at line 2: investigate before relying on this log (docs/AUDIT.md)"]
    rows = list(openpyxl.load_workbook(tmp_path / "a.xlsx")["Run log"].iter_rows(min_row=2, values_only=True))
    assert [r[-1] for r in rows] == ["ok", "broken"]
    proc = batchkit("audit-log", "--log", str(tmp_path / "nothing"))
    assert (proc.returncode, proc.stderr) == (1, f"error: no run.log at {tmp_path / 'nothing'} (give the run.log, "
                                                 "or the folder that holds it: --log outputs)\n")
