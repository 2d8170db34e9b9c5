"""Period close and reopen: a closed folder is never overwritten, only superseded, and stays retrievable."""

from __future__ import annotations

import getpass
import json
import stat
from pathlib import Path

import pytest

from batchkit.core.hashing import sha256_file
from batchkit.store.runlog import check_chain, raw_lines
from tests.test_cli import batchkit
from tests.test_diff import NEW, OLD


def _tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under `folder` with its bytes (files) and permission bits."""
    out = {".": (b"", stat.S_IMODE(folder.stat().st_mode))}
    for p in sorted(folder.rglob("*")):
        out[p.relative_to(folder).as_posix()] = (p.read_bytes() if p.is_file() else b"", stat.S_IMODE(p.stat().st_mode))
    return out


def _log(out: Path) -> list[dict]:
    return [json.loads(x) for x in raw_lines(out.parent / "run.log")]


@pytest.fixture
def closed(make_data, tmp_path):
    """January costed from OLD and closed; returns (the folder, NEW's data folder)."""
    out = tmp_path / "outputs" / "2026-01"
    assert batchkit("cost", str(make_data(OLD)), "--period", "2026-01", "--out", str(out)).returncode == 0
    proc = batchkit("close", str(out), "--reason", "January close, signed off by the controller", "--user", "carol")
    assert proc.returncode == 0, proc.stderr
    n = sum(1 for p in out.rglob("*") if p.is_file())
    assert proc.stdout == (f"closed {out} (cost 2026-01): {n} files read-only; the close is line 2 of "
                           f"{out.parent / 'run.log'}\n")
    return out, make_data(NEW)


def test_close_records_who_why_and_makes_the_folder_read_only(closed):
    out, _ = closed
    line = _log(out)[1]
    manifest_sha = sha256_file(out / "manifest.json")
    assert (line["command"], line["status"], line["user"], line["os_user"], line["reason"], line["manifest_sha256"]) \
        == ("close", "ok", "carol", getpass.getuser(), "January close, signed off by the controller", manifest_sha)
    record = json.loads((out / "close.json").read_text())
    assert (record["folder"], record["period"], record["manifest_sha256"], record["user"], record["log_line"]) == (
        str(out), "2026-01", manifest_sha, "carol", 2)
    assert record["log_line_sha256"] == check_chain(out.parent / "run.log").lines[1].sha256
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    assert modes == {0o444}
    assert {stat.S_IMODE(p.stat().st_mode) for p in [out, out / "snapshot"]} == {0o555}
    proc = batchkit("verify", str(out))
    assert proc.returncode == 0, proc.stderr
    assert ("  ok         close close.json: closed " + record["closed_at"] + " by carol: January close, signed off by "
            "the controller; run.log line 2") in proc.stdout.splitlines()


def test_cost_into_a_closed_folder_exits_1_and_changes_nothing(closed):
    out, new = closed
    before = _tree(out)
    proc = batchkit("cost", str(new), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 1
    record = json.loads((out / "close.json").read_text())
    assert proc.stderr == (f"error: {out} is closed (closed {record['closed_at']} by carol: January close, signed off "
                           "by the controller); nothing was changed. To replace it, rerun with --reopen --reason TEXT: "
                           "the closed version is kept beside it as 2026-01.closed-N with its diff against the new "
                           "one\n")
    assert _tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["2026-01", "run.log"]
    attempt = _log(out)[2]  # the attempt is in the audit trail
    assert (attempt["status"], attempt["exit_code"], attempt["manifest_sha256"]) == ("refused", 1, None)


def test_run_into_a_closed_pack_folder_is_refused_before_anything_runs(closed):
    out, new = closed
    proc = batchkit("run", "--data", str(new), "--period", "2026-01", "--out", str(out.parent))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {out} is closed (closed ")
    assert _log(out)[-1]["command"] == "run" and _log(out)[-1]["status"] == "refused"


def test_a_second_close_and_a_reopen_of_an_open_folder_are_refused(closed):
    out, new = closed
    proc = batchkit("close", str(out), "--reason", "again")
    assert proc.returncode == 1 and proc.stderr.startswith(f"error: {out} is already closed (closed ")
    proc = batchkit("cost", str(new), "--period", "2026-01", "--out", str(out), "--reopen")
    assert (proc.returncode, proc.stderr) == (2, "error: --reason TEXT is required: --reopen replaces a closed "
                                                 "folder, and the audit trail must say why\n")
    other = out.parent / "2026-02"
    assert batchkit("cost", str(new), "--period", "2026-01", "--out", str(other)).returncode == 0
    proc = batchkit("cost", str(new), "--period", "2026-01", "--out", str(other), "--reopen", "--reason", "x")
    assert (proc.returncode, proc.stderr) == (1, f"error: {other} is not closed: --reopen is only for a closed "
                                                 "folder (drop it)\n")
    proc = batchkit("close", str(out), "--reason", "")
    assert (proc.returncode, proc.stderr) == (2, "error: --reason TEXT is required: a close must say why\n")


def test_reopen_replaces_it_keeps_the_closed_version_and_its_diff(closed):
    out, new = closed
    before = _tree(out)
    closed_sha = sha256_file(out / "manifest.json")
    proc = batchkit("cost", str(new), "--period", "2026-01", "--out", str(out), "--set",
                    "allocation.default_basis=labor_hours", "--reopen", "--reason", "late posting D9, lot L-1 price "
                    "corrected, duplicate removed", "--user", "dave")
    assert proc.returncode == 0, proc.stderr
    kept, restated = out.parent / "2026-01.closed-1", out.parent / "2026-01.restatement-1"
    assert proc.stdout.splitlines()[-2:] == [
        f"reopened: the closed version is kept in {kept}",
        f"its diff against the new version is in {restated}: 3 batches changed, cost in batches +3.75"]
    assert _tree(kept) == before  # the closed version, byte for byte and still read-only
    assert not (out / "close.json").exists()  # the new version is open
    summary = json.loads((restated / "diff.json").read_text())
    assert summary["old"]["folder"] == str(kept) and summary["new"]["folder"] == str(out)
    assert summary["old"]["closed"]["user"] == "carol"
    assert summary["summary"]["delta_costed_amount"] == 3.75  # the figures of tests/test_diff.py
    line = _log(out)[-1]
    assert (line["command"], line["status"], line["user"], line["reason"]) == (
        "cost", "ok", "dave", "late posting D9, lot L-1 price corrected, duplicate removed")
    assert line["reopen"] == {
        "closed_at": json.loads((kept / "close.json").read_text())["closed_at"], "closed_by": "carol",
        "close_reason": "January close, signed off by the controller", "close_line": 2,
        "closed_manifest_sha256": closed_sha, "closed_version": str(kept), "restatement": str(restated),
        "restatement_manifest_sha256": sha256_file(restated / "manifest.json")}
    for folder in (kept, restated, out):  # all three verify, manifests against run.log
        proc = batchkit("verify", str(folder))
        assert proc.returncode == 0, (folder, proc.stderr)
    assert "closed version kept by the reopen of" in batchkit("verify", str(kept)).stdout
    # the closed version is itself closed: nothing writes into it
    assert batchkit("cost", str(new), "--period", "2026-01", "--out", str(kept)).returncode == 1
    # the new version can be closed, then reopened again: a second pair beside the first
    assert batchkit("close", str(out), "--reason", "January re-closed").returncode == 0
    assert batchkit("cost", str(new), "--period", "2026-01", "--out", str(out), "--reopen", "--reason",
                    "basis back to machine hours").returncode == 0
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "2026-01", "2026-01.closed-1", "2026-01.closed-2", "2026-01.restatement-1", "2026-01.restatement-2", "run.log"]
    assert check_chain(out.parent / "run.log").ok


def test_deleting_close_json_does_not_reopen_the_folder(closed):
    out, new = closed
    out.chmod(0o755)
    (out / "close.json").unlink()
    proc = batchkit("cost", str(new), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {out} is closed (closed ")
    assert "; run.log line 2 closed it, but its close.json is missing); nothing was changed." in proc.stderr
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == ("error: close close.json missing: run.log line 2 closed this folder, but its close.json is "
                           "gone\n")


def test_verify_catches_an_edited_close_record_and_a_log_cut_back_past_the_close(closed):
    out, _ = closed
    path = out / "close.json"
    original = path.read_text()
    path.chmod(0o644)
    path.write_text(original.replace("signed off by the controller", "signed off by nobody"))
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1
    assert proc.stderr == ("error: close close.json changed: its reason is 'January close, signed off by nobody', "
                           "run.log line 2 says 'January close, signed off by the controller'\n")
    path.write_text(original)
    log = out.parent / "run.log"
    log.write_bytes(log.read_bytes().split(b"\n", 1)[0] + b"\n")  # the log cut back to its first line
    proc = batchkit("verify", str(out))
    assert proc.returncode == 1  # the chain alone cannot see a shortened log; the close record's anchor can
    assert proc.stderr.startswith("error: close close.json changed: closed ")
    assert proc.stderr.rstrip().endswith("run.log line 2 is not the close record it names (the log was changed, "
                                         "truncated or replaced)")


def test_a_tampered_folder_cannot_be_closed(make_data, tmp_path):
    out = tmp_path / "outputs" / "2026-01"
    assert batchkit("cost", str(make_data(OLD)), "--period", "2026-01", "--out", str(out)).returncode == 0
    path = out / "batch_summary.csv"
    expected = sha256_file(path)
    path.write_text(path.read_text().replace("525.00", "520.00"))
    proc = batchkit("close", str(out), "--reason", "January close")
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {out} cannot be closed: output batch_summary.csv changed: expected "
                           f"{expected[:12]}, actual {sha256_file(path)[:12]} (run `batchkit verify` for the whole "
                           "list)\n")
    assert not (out / "close.json").exists() and _log(out)[-1]["status"] == "error"
    proc = batchkit("close", str(tmp_path), "--reason", "x")
    assert proc.returncode == 1 and proc.stderr.startswith(f"error: {tmp_path} is not a cost folder: ")
