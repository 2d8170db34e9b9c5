"""A run that is killed or interrupted never leaves a half-written folder, and the next run cleans up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batchkit.store.atomic import atomic_folder, clean_leftovers
from batchkit.store.cost_folder import OUTPUT_TABLES
from tests.bigplant import write_big_plant
from tests.test_cli import CONTRACT_DEFAULTS, ROOT, batchkit


@pytest.fixture(scope="module")
def big_data(tmp_path_factory) -> Path:
    """A plant whose `cost` takes several seconds (about 1 s of it writing the tables)."""
    return write_big_plant(tmp_path_factory.mktemp("big") / "data", batches=100_000, issues_per_batch=5)


@pytest.fixture
def previous(make_data, tmp_path) -> tuple[Path, dict[str, bytes]]:
    """The previous result in --out, and its bytes."""
    out = tmp_path / "outputs" / "2026-01"
    assert batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out)).returncode == 0
    return out, _snapshot(out)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, "run.log"))


def _start(data: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "batchkit", "cost", str(data), "--period", "2026-01", "--out", str(out),
         "--params", str(CONTRACT_DEFAULTS)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, when: str, out: Path) -> None:
    """Return at the moment to strike: `computing` (1.5 s in) or `writing` (the temp folder exists)."""
    deadline = time.monotonic() + 120
    started = time.monotonic()
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended before it could be interrupted: {proc.communicate()}"
        if when == "computing" and time.monotonic() - started > 1.5:
            return
        if when == "writing" and any(n.startswith(f".{out.name}.tmp-") for n in os.listdir(out.parent)):
            time.sleep(0.05)  # let it write a few files
            return
        time.sleep(0.001)
    raise AssertionError("timed out waiting for the run")


@pytest.mark.parametrize("when", ["computing", "writing"])
def test_sigkill_mid_run_leaves_the_previous_output_as_it_was(big_data, previous, when):
    out, before = previous
    proc = _start(big_data, out)
    _wait_for(proc, when, out)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(out) == before
    # nothing visible is left: at most a hidden temp folder of the dead process...
    leftovers = _siblings(out)
    assert all(n.startswith(f".{out.name}.tmp-{proc.pid}-") for n in leftovers), leftovers
    if when == "writing":
        assert leftovers
    # ...which the next run into the same folder removes
    assert batchkit("verify", str(out)).returncode == 0
    again = batchkit("cost", str(previous_data(out)), "--period", "2026-01", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert _siblings(out) == []
    assert _snapshot(out).keys() == before.keys()


def previous_data(out: Path) -> Path:
    return Path(json.loads((out / "manifest.json").read_text())["params"]["data"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_exit_cleanly_and_write_nothing(big_data, previous, sig):
    out, before = previous
    proc = _start(big_data, out)
    _wait_for(proc, "writing", out)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    name = signal.Signals(sig).name
    assert (proc.returncode, stderr) == (128 + sig, f"error: interrupted ({name}); nothing was written\n")
    assert _snapshot(out) == before
    assert _siblings(out) == []
    last = json.loads((out.parent / "run.log").read_text().splitlines()[-1])
    assert (last["status"], last["exit_code"], last["message"]) == ("error", 128 + sig, f"interrupted ({name})")


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)


def test_leftovers_of_dead_runs_are_removed_but_not_those_of_live_ones(tmp_path):
    out = tmp_path / "2026-01"
    with atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text('{"outputs": []}')
    dead_pid = _dead_pid()
    mine = tmp_path / f".2026-01.tmp-{os.getpid()}-0123abcd"  # a run in progress (this process)
    for name in (f".2026-01.tmp-{dead_pid}-89abcdef", f".2026-01.old-{dead_pid}-00000000", mine.name,
                 f".2026-02.tmp-{dead_pid}-11111111"):
        (tmp_path / name).mkdir()
    removed = clean_leftovers(out)
    assert sorted(p.name for p in removed) == [f".2026-01.old-{dead_pid}-00000000", f".2026-01.tmp-{dead_pid}-89abcdef"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name, f".2026-02.tmp-{dead_pid}-11111111",
                                                          "2026-01"]


def test_a_previous_result_caught_between_two_renames_is_put_back(tmp_path):
    """Where the system cannot swap atomically, a kill between the renames leaves out missing: restore it."""
    out = tmp_path / "2026-01"
    dead = _dead_pid()
    old = tmp_path / f".2026-01.old-{dead}-0badc0de"
    old.mkdir()
    (old / "a.csv").write_text("x\n")
    (old / "manifest.json").write_text(json.dumps({"outputs": [{"file": "a.csv"}]}))
    new = tmp_path / f".2026-01.tmp-{dead}-0badf00d"
    new.mkdir()
    clean_leftovers(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-01"]
    assert (out / "a.csv").read_text() == "x\n"


def test_two_rename_fallback_replaces_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr("batchkit.store.atomic._exchange", lambda a, b: False)
    out = tmp_path / "o"
    for text in ("first", "second"):
        with atomic_folder(out) as tmp:
            (tmp / "manifest.json").write_text(text)
    assert (out / "manifest.json").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_an_unwritable_output_location_is_one_clear_error(make_data, tmp_path):
    (tmp_path / "a_file").write_text("")
    out = tmp_path / "a_file" / "2026-01"
    proc = batchkit("cost", str(make_data()), "--period", "2026-01", "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr == f"error: cannot write to {out}: {out.parent} is a file, not a folder\n"


def test_a_failing_disk_while_writing_leaves_the_previous_result(previous, monkeypatch):
    out, before = previous

    def full(frame, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("batchkit.store.tables.write_parquet", full)
    from batchkit.core.errors import BatchkitError
    from batchkit.core.params import Params
    from batchkit.store.cost_folder import cost_to_folder

    with pytest.raises(BatchkitError, match=r"^could not write the outputs \(.*\.parquet\): No space left on device; "
                                            f"{out} was left as it was$"):
        cost_to_folder(previous_data(out), "2026-01", out, Params())
    assert _snapshot(out) == before and _siblings(out) == []


def test_an_interrupt_whose_exception_was_swallowed_still_stops_the_commit(previous, monkeypatch):
    """Python only prints an exception raised inside a finalizer; the recorded signal still stops the swap."""
    from batchkit.core.errors import Interrupted
    from batchkit.core.params import Params
    from batchkit.store.cost_folder import cost_to_folder

    out, before = previous
    monkeypatch.setattr(Interrupted, "received", [signal.SIGTERM])
    with pytest.raises(Interrupted) as caught:
        cost_to_folder(previous_data(out), "2026-01", out, Params())
    assert caught.value.exit_code == 143 and not caught.value.committed
    assert _snapshot(out) == before and _siblings(out) == []


def test_an_interrupt_arriving_as_the_swap_ends_says_the_outputs_are_complete(previous, monkeypatch):
    from batchkit.core.errors import Interrupted
    from batchkit.core.params import Params
    from batchkit.store import atomic as output
    from batchkit.store.cost_folder import cost_to_folder

    out, _ = previous
    flush = output._fsync_dir

    def interrupted_after_swap(folder):
        if folder == out.parent:  # flushed right after the swap
            raise Interrupted(signal.SIGINT, "SIGINT")
        flush(folder)

    monkeypatch.setattr(output, "_fsync_dir", interrupted_after_swap)
    with pytest.raises(Interrupted) as caught:
        cost_to_folder(previous_data(out), "2026-01", out, Params())
    assert caught.value.committed
    from batchkit.store.verification import verify

    outputs = [v for v in verify(out).verdicts if v.kind == "output" and not v.name.startswith("snapshot/")]
    assert len(outputs) == 2 * len(OUTPUT_TABLES) and all(v.status == "ok" for v in verify(out).verdicts
                                                          if v.kind == "output")
    assert _siblings(out) == []
