"""run.log as an audit trail: who, where, why, and a hash chain that names the first line tampered with."""

from __future__ import annotations

import getpass
import hashlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from batchkit.store.runlog import append, check_chain, logged_run, raw_lines
from tests.test_cli import CONTRACT_DEFAULTS, ROOT, batchkit


def _log(tmp_path: Path, n: int = 5) -> Path:
    path = tmp_path / "run.log"
    for i in range(n):
        append(path, {"command": "cost", "period": "2026-01", "seq": i + 1})
    return path


def _sha(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def test_each_line_chains_onto_the_one_before(tmp_path):
    path = _log(tmp_path, 3)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 4  # three lines, each ended by a newline
    entries = [json.loads(x) for x in lines[:3]]
    assert entries[0]["prev_sha256"] is None  # the log's first line
    assert entries[1]["prev_sha256"] == _sha(lines[0]) and entries[2]["prev_sha256"] == _sha(lines[1])
    check = check_chain(path)
    assert check.ok and check.unchained == 0 and check.head_sha256 == _sha(lines[2])
    assert check.summary() == f"3 lines, chain intact; last line {_sha(lines[2])[:12]}"


def test_append_returns_the_line_number_and_its_hash(tmp_path):
    path = tmp_path / "run.log"
    assert append(path, {"a": 1})[0] == 1
    number, sha = append(path, {"a": 2})
    assert number == 2 and sha == _sha(raw_lines(path)[1])


def _rewrite(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(x + b"\n" for x in lines))


def test_an_edited_line_is_caught_at_the_line_after_it(tmp_path):
    path = _log(tmp_path)
    lines = raw_lines(path)
    lines[1] = lines[1].replace(b'"seq": 2', b'"seq": 9')  # someone edits line 2
    _rewrite(path, lines)
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (3, "its prev_sha256 does not match line 2: line 2 was changed, or a "
                                                  "line after it was removed")
    assert [x.chain for x in check.lines] == ["ok", "ok", "broken", "broken", "broken"]


def test_a_deleted_line_is_caught(tmp_path):
    path = _log(tmp_path)
    lines = raw_lines(path)
    del lines[2]  # line 3 removed: old line 4 is now line 3 and points at a line that is gone
    _rewrite(path, lines)
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (3, "its prev_sha256 does not match line 2: line 2 was changed, or a "
                                                  "line after it was removed")


def test_reordered_lines_are_caught_and_said_so(tmp_path):
    path = _log(tmp_path)
    lines = raw_lines(path)
    lines[1], lines[2] = lines[2], lines[1]
    _rewrite(path, lines)
    check = check_chain(path)
    # the new line 2 (written third) points at the old line 2, which is now line 3
    assert (check.bad_line, check.problem) == (2, "its prev_sha256 is line 3's, not line 1's: lines were removed, "
                                                  "inserted or reordered between them")


def test_a_forged_line_is_caught_even_with_a_correct_prev_sha256(tmp_path):
    path = _log(tmp_path, 3)
    lines = raw_lines(path)
    forged = json.dumps({"command": "cost", "status": "ok", "prev_sha256": _sha(lines[1])}).encode()
    _rewrite(path, [*lines[:2], forged, lines[2]])  # inserted between lines 2 and 3
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (4, "its prev_sha256 is line 2's, not line 3's: lines were removed, "
                                                  "inserted or reordered between them")
    unchained = json.dumps({"command": "cost", "status": "ok"}).encode()
    _rewrite(path, [*lines[:2], unchained, lines[2]])
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (3, "has no prev_sha256 although the lines before it are chained "
                                                  "(written by an older batchkit or by hand)")


def test_removing_the_first_lines_is_caught(tmp_path):
    path = _log(tmp_path)
    _rewrite(path, raw_lines(path)[2:])
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (1, "its prev_sha256 names a line that is not in the log: the log's "
                                                  "first lines were removed")


def test_a_damaged_line_is_named_and_the_next_append_chains_past_it(tmp_path):
    path = _log(tmp_path, 2)
    with open(path, "ab") as fh:
        fh.write(b'{"command": "cost", "sta')  # a write cut short (power loss): no newline
    append(path, {"command": "close"})
    lines = raw_lines(path)
    assert len(lines) == 4 and lines[2] == b'{"command": "cost", "sta'  # ended, not glued to the new line
    assert json.loads(lines[3])["prev_sha256"] == _sha(lines[2])
    check = check_chain(path)
    assert (check.bad_line, check.problem) == (3, "not a JSON object (a damaged write, or edited by hand)")


def test_an_older_log_without_a_chain_is_said_so_and_chained_from_then_on(tmp_path):
    path = tmp_path / "run.log"
    old = [json.dumps({"command": "cost", "period": f"2026-0{i}", "status": "ok"}).encode() for i in (1, 2, 3)]
    _rewrite(path, old)
    check = check_chain(path)
    assert check.ok and check.unchained == 3
    assert check.summary() == ("3 lines, none chained (written before batchkit kept a hash chain): they cannot be "
                               "checked for edits; the next line starts the chain")
    append(path, {"command": "cost"})
    assert json.loads(raw_lines(path)[3])["prev_sha256"] == _sha(old[2])
    check = check_chain(path)
    assert check.ok and check.unchained == 3
    assert check.summary().startswith("4 lines, chain intact from line 4 (lines 1-3 were written before the chain "
                                      "and cannot be checked)")


def _appender(path: str, n: int, barrier) -> None:  # a process of its own
    barrier.wait()
    for i in range(n):
        append(Path(path), {"command": "cost", "pid": os.getpid(), "i": i})


def test_concurrent_appends_from_many_processes_keep_one_chain(tmp_path):
    """Four processes append 50 lines each at once: the lock makes each read-last-line + append one step."""
    path = tmp_path / "run.log"
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_appender, args=(str(path), 50, barrier)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    check = check_chain(path)
    assert check.ok and len(check.lines) == 200
    assert len({x.sha256 for x in check.lines}) == 200


def test_two_cost_processes_into_the_same_outputs_at_once_keep_the_chain(make_data, tmp_path):
    data = make_data()
    outputs = tmp_path / "outputs"
    cmd = [sys.executable, "-m", "batchkit", "cost", str(data), "--period", "2026-01", "--params",
           str(CONTRACT_DEFAULTS)]
    for _ in range(2):
        procs = [subprocess.Popen([*cmd, "--out", str(outputs / name)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for name in ("a", "b")]
        assert [p.wait(120) for p in procs] == [0, 0]
    check = check_chain(outputs / "run.log")
    assert check.ok and len(check.lines) == 4
    assert sorted(x.entry["out"] for x in check.lines) == [str(outputs / "a")] * 2 + [str(outputs / "b")] * 2


def test_every_line_says_who_where_and_why(tmp_path, monkeypatch):
    out = tmp_path / "outputs" / "x"
    monkeypatch.delenv("BATCHKIT_USER", raising=False)
    with logged_run("cost", out, reason="  June rerun after late postings "):
        pass
    monkeypatch.setenv("BATCHKIT_USER", "airflow-prod")
    with logged_run("cost", out):
        pass
    with logged_run("cost", out, user="alice"):
        pass
    entries = [json.loads(x) for x in raw_lines(tmp_path / "outputs" / "run.log")]
    me, host = getpass.getuser(), socket.gethostname()
    assert [(e["user"], e["os_user"], e["host"], e["reason"]) for e in entries] == [
        (me, me, host, "June rerun after late postings"),  # stripped
        ("airflow-prod", me, host, None),  # the scheduler's name; the OS account is still recorded
        ("alice", me, host, None),  # --user wins over the environment
    ]


def test_cli_records_user_and_reason_and_can_require_a_reason(make_data, tmp_path):
    data = make_data()
    out = tmp_path / "outputs" / "2026-01"
    proc = batchkit("cost", str(data), "--period", "2026-01", "--out", str(out), "--user", "bob",
                    "--reason", "month-end run")
    assert proc.returncode == 0, proc.stderr
    proc = batchkit("cost", str(data), "--period", "2026-01", "--out", str(out), "--set", "audit.require_reason=true")
    assert proc.returncode == 2
    assert proc.stderr == "error: --reason TEXT is required: params audit.require_reason is true\n"
    proc = batchkit("cost", str(data), "--period", "2026-01", "--out", str(out), "--set", "audit.require_reason=true",
                    "--reason", " ")
    assert proc.returncode == 2  # a blank reason is no reason
    entries = [json.loads(x) for x in raw_lines(tmp_path / "outputs" / "run.log")]
    assert [(e["user"], e["reason"], e["status"], e["exit_code"]) for e in entries] == [
        ("bob", "month-end run", "ok", 0), (getpass.getuser(), None, "error", 2), (getpass.getuser(), None, "error", 2)]
    assert entries[1]["message"] == "--reason TEXT is required: params audit.require_reason is true"
    assert check_chain(tmp_path / "outputs" / "run.log").ok


@pytest.fixture
def costed_twice(make_data, tmp_path):
    data = make_data()
    out = tmp_path / "outputs" / "2026-01"
    for _ in range(3):
        assert batchkit("cost", str(data), "--period", "2026-01", "--out", str(out)).returncode == 0
    return out


def test_verify_names_the_first_bad_line_of_the_log(costed_twice):
    out = costed_twice
    log = out.parent / "run.log"
    assert batchkit("verify", str(out)).returncode == 0
    lines = raw_lines(log)
    lines[0] = lines[0].replace(b'"status": "ok"', b'"status": "data_error"')  # line 1 rewritten
    _rewrite(log, lines)
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == ("error: log run.log broken: line 2 of 3: its prev_sha256 does not match line 1: line 1 "
                           "was changed, or a line after it was removed\n")
    assert proc.stdout.splitlines()[-1].endswith("; run.log: broken")


def test_verify_passes_on_an_unchained_older_log_and_says_so(costed_twice):
    out = costed_twice
    log = out.parent / "run.log"
    old = []
    for raw in raw_lines(log):  # as batchkit wrote it before the chain
        entry = json.loads(raw)
        for key in ("user", "os_user", "host", "reason", "prev_sha256"):
            entry.pop(key)
        old.append(json.dumps(entry).encode())
    _rewrite(log, old)
    proc = batchkit("verify", str(out))
    assert proc.returncode == 0, proc.stderr
    assert ("  unchained  log run.log: 3 lines, none chained (written before batchkit kept a hash chain): they "
            "cannot be checked for edits; the next line starts the chain") in proc.stdout.splitlines()
    assert proc.stdout.splitlines()[-1].endswith("; run.log: unchained")
