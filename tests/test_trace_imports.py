"""A cached `batchkit trace` is a light process: no pandas, no scipy, no loaders or cost engine.

Not a timing test (bench/trace_cli.py times it): the modules a process imports are what decide its
start-up time, and they do not depend on how loaded the machine is. `-X importtime` lists every module
the process imported, so the test sees an import however indirect (pyarrow imports pandas from inside
`pa.array`, `Array.to_numpy` or `group_by` when pandas is installed).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_trace import PLANT

# pydantic too: the trace command remembers validated params (core.params_memo)
HEAVY = ("pandas", "scipy", "pydantic", "pyarrow.dataset", "batchkit.ingest", "batchkit.ledger", "batchkit.costing")


def run(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "batchkit", "trace", *args],
                          capture_output=True, text=True, timeout=300)
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc, modules


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("what", [("L-RES-01",), ("F1", "--direction", "backward", "--json")])
def test_a_cached_trace_imports_no_pandas_and_no_scipy(make_data, what):
    data = make_data(base=PLANT)
    first, first_modules = run(*what, "--data", str(data))
    assert first.returncode == 0, first.stderr[-2000:]
    assert "pandas" in first_modules  # the first trace loads and costs the data: the check sees pandas
    again, modules = run(*what, "--data", str(data))
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout == first.stdout
    assert heavy(modules) == []
    assert {"pyarrow", "numpy"} <= modules  # what it does use
    assert "pyarrow.compute" not in modules  # its ~300 generated wrappers: 40 ms (core.lean_arrow)
    if "--json" in what:
        assert "rich.console" not in modules
        # 51.03 = F1's own cost (tests/test_trace.py)
        assert json.loads(again.stdout)["cost_at_risk"] == 51.03
    else:
        assert "rich.console" in modules
        assert "cost at risk CNY 135.00" in again.stdout  # every input of the resin's consumers (test_trace)
