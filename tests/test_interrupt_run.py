"""Killing `batchkit run` mid-way leaves the previous pack exactly as it was, and no kernel behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_tables
from tests.test_report import PLANT

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PARAMS = Path(__file__).resolve().parent / "data" / "contract_defaults.yaml"


def _run(data: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "batchkit", "run", "--data", str(data), "--period", "2026-01",
                             "--out", str(out), "--params", str(PARAMS), "--jobs", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _kernels_of(run_dir_marker: str) -> list[int]:
    """PIDs of kernels started by runs whose kernel folder name contains the marker."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"BATCHKIT_KERNEL_ROOT=" in environ and run_dir_marker.encode() in environ:
            pids.append(int(proc.name))
    return pids


def _wait_until_rendering(out: Path, proc: subprocess.Popen) -> None:
    """Until the first executed notebook of the new pack exists in its hidden temporary folder."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if list(out.glob(".2026-01.tmp-*/notebooks/*.ipynb")):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the run never started rendering")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_run_leaves_the_previous_pack_as_it_was(tmp_path, sig):
    data = write_tables(tmp_path / "data", PLANT)
    out = tmp_path / "out"
    first = _run(data, out)
    assert first.wait(timeout=600) == 0, first.communicate()
    before = _snapshot(out / "2026-01")
    env_marker = "batchkit-kernel-"  # the runner's temporary kernel folders
    already = set(_kernels_of(env_marker))

    second = _run(data, out)
    _wait_until_rendering(out, second)
    os.kill(second.pid, sig)
    code = second.wait(timeout=60)
    stderr = second.stderr.read()
    assert _snapshot(out / "2026-01") == before
    if sig == signal.SIGTERM:
        assert code == 143, stderr
        assert stderr.strip().endswith("interrupted (SIGTERM); nothing was written"), stderr
        assert sorted(p.name for p in out.iterdir()) == ["2026-01", "run.log"]
    deadline = time.time() + 20  # ipykernel's parent poller ends orphaned kernels within seconds
    while time.time() < deadline and set(_kernels_of(env_marker)) - already:
        time.sleep(0.25)
    assert not set(_kernels_of(env_marker)) - already, "a kernel outlived its run"

    third = _run(data, out)  # cleans a SIGKILL's hidden leftovers and replaces the pack
    assert third.wait(timeout=600) == 0, third.communicate()
    assert sorted(p.name for p in out.iterdir()) == ["2026-01", "run.log"]
