"""The check-code registry: every code batchkit reports is registered with its words, and only those."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from batchkit.core.check_codes import CODES, check_code, title
from batchkit.core.findings import Findings
from batchkit.core.reference import DOCS, PAGES

PACKAGE = Path(__file__).resolve().parent.parent / "batchkit"
SEVERITIES = {"error", "warning"}


def _codes_in_source() -> dict[str, set[str]]:
    """Every check code literal in the package: the check argument of Findings.add/add_rows and of checks'
    `flag`, `check=` keywords (DataError), and `exc.check or "..."` fallbacks; with the severity when given."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                args = node.args
                if name in ("add", "add_rows") and len(args) >= 7 and isinstance(args[1], ast.Constant) \
                        and (not isinstance(args[0], ast.Constant) or args[0].value in SEVERITIES):
                    sev = args[0].value if isinstance(args[0], ast.Constant) else "?"  # chosen at run time
                    found.setdefault(args[1].value, set()).add(sev)
                if name == "flag" and len(args) >= 7 and isinstance(args[6], ast.Constant):
                    sev = args[5].value if isinstance(args[5], ast.Constant) else "?"
                    found.setdefault(args[6].value, set()).add(sev)
                for kw in node.keywords:
                    if kw.arg == "check" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        found.setdefault(kw.value.value, set()).add("error")
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2 \
                    and isinstance(node.values[1], ast.Constant) and isinstance(node.values[0], ast.Attribute) \
                    and node.values[0].attr == "check":
                found.setdefault(node.values[1].value, set()).add("error")
    return found


def test_every_code_in_the_source_is_registered_with_its_severity():
    used = _codes_in_source()
    assert len(used) >= 60  # the scan finds the codes (it is not vacuous)
    unregistered = sorted(set(used) - set(CODES))
    assert unregistered == []
    wrong = {code: sev for code, sev in used.items() if not sev <= set(CODES[code].severity) | {"?"}}
    assert wrong == {}


def test_every_registered_code_is_reported_somewhere():
    assert sorted(set(CODES) - set(_codes_in_source())) == []


def test_every_code_has_words_in_both_languages():
    for c in CODES.values():
        assert c.description and c.title_en and c.title_zh, c.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in c.title_zh), c.code  # Chinese, not a copy of the English
    assert title("duplicate_doc", "zh-CN") == "单据行重复过账"
    assert title("duplicate_doc") == "Document line posted twice"
    assert title("no_such_code") == "no_such_code"  # an old findings file still shows


def test_findings_refuse_an_unregistered_code_or_severity():
    out = Findings()
    out.add("warning", "orphan", "shipments", 2, "batch_id", "X", "ok")
    with pytest.raises(KeyError, match="not registered"):
        out.add("warning", "made_up", "shipments", 2, "batch_id", "X", "no")
    with pytest.raises(ValueError, match="registered as warning, not error"):
        out.add("error", "orphan", "shipments", 2, "batch_id", "X", "no")
    assert len(out) == 1 and check_code("orphan").stage == "checks"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_reference_pages_are_in_sync(name):
    assert (DOCS / name).read_text(encoding="utf-8") == PAGES[name](), "run: python -m batchkit.core.reference"
