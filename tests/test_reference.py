"""docs/DATA-FORMAT.md: every input table and column with its type, whether required, and its meaning; the
costing rules; the kpis. Generated from the code (the page-sync test in test_check_codes.py covers it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batchkit.core.contract_rules import RULES
from batchkit.core.kpi_codes import KPIS
from batchkit.core.reference import DOCS, data_format_page
from batchkit.core.schema import COLUMN_DOCS, TABLES

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "DATA-CONTRACT.md"


def test_every_column_has_a_meaning_and_no_meaning_is_orphaned():
    for table in TABLES.values():
        docs = COLUMN_DOCS[table.name]
        assert set(docs) == set(table.names), table.name
        assert all(text.strip() for text in docs.values()), table.name
    assert set(COLUMN_DOCS) == set(TABLES)


def test_the_page_lists_every_table_column_type_and_kpi():
    page = data_format_page()
    for table in TABLES.values():
        section = page.split(f"### {table.name} ")[1].split("\n### ")[0]
        assert ("(required)" in section.splitlines()[0]) == table.required
        for col in table.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{col.name}` |"))
            assert f"| {'yes' if col.required else 'no'} |" in row
    for name in KPIS:
        assert f"| `{name}` |" in page
    for title, _ in RULES:
        assert f"**{title}.**" in page


def test_the_readme_links_the_reference_inside_the_repository():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/DATA-FORMAT.md" in readme
    assert "../shared" not in readme


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract's source is not beside this checkout")
def test_the_precise_rules_are_the_contracts():
    """Each rule held in the package says what contract section 3a says (its words, whitespace aside)."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split("### 3a.")[1].split("\n## ")[0]
    words = re.sub(r"[*`\s]+", " ", section)
    for title, _ in RULES:
        assert title.split(" ")[0] in words, title
