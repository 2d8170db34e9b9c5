"""The package shows its stages: one folder per stage, data flowing one way, a small package face.

Stages in data-flow order; a module may import its own stage and earlier ones, never a later one
(lazy imports inside functions count too). `_version` and the package face are outside the order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "batchkit"
STAGES = (
    "core", "engine", "ingest", "ledger", "checks", "costing", "analyze", "tracing", "store", "report", "demo", "cli",
)
TOP_LEVEL = {"__init__.py", "__main__.py", "_version.py"}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "batchkit" and parts[1] in STAGES else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every batchkit import in a file, lazy ones included."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = list(rel.parts[:-1])  # the package a module (or an __init__) imports relative to
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
                out += [(node.lineno, n) for n in names]
            elif node.module and node.module.startswith("batchkit"):
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("batchkit")]
    return out


def test_at_most_six_modules_at_the_top():
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top <= TOP_LEVEL and len(top) <= 6
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_no_import_from_a_later_stage(stage):
    rank = STAGES.index(stage)
    wrong = []
    for path in sorted((PACKAGE / stage).rglob("*.py")):
        for line, module in _imports(path):
            target = _stage(module)
            if target is not None and STAGES.index(target) > rank:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
            if module == "batchkit":  # the package face re-exports later stages
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports the package face")
    assert wrong == []


def test_functions_do_not_shadow_their_modules():
    """`batchkit.analyze.margin` is a function, so no module of that name may hide behind it."""
    import importlib
    import pkgutil

    import batchkit

    shadowed = []
    for info in pkgutil.walk_packages(batchkit.__path__, "batchkit."):
        parent, _, leaf = info.name.rpartition(".")
        value = getattr(importlib.import_module(parent), leaf, None)
        if value is not None and not isinstance(value, type(batchkit)):
            shadowed.append(info.name)
    assert shadowed == []


def test_the_notebook_api_keeps_working():
    import batchkit
    from batchkit import analyze, report

    for name in ("load_params", "load_dataset", "validate", "cost", "trace", "cost_to_folder", "TraceResult"):
        assert callable(getattr(batchkit, name)), name
    for name in ("anomalies", "attribution", "margin", "quality_cost", "unit_cost_stats", "whatif", "wip",
                 "wip_days_by_line"):
        assert callable(getattr(analyze, name)), name
    assert report.Report and report.sections and report.views and report.RunData


def test_importing_the_package_face_loads_no_stage():
    import subprocess
    import sys

    code = ("import sys, batchkit; print(batchkit.__version__); "
            "print(sorted(m for m in sys.modules if m.startswith('batchkit.') and m != 'batchkit._version'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[1] == "[]"
