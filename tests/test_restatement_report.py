"""The restatement report of a reopened period (`run --reopen`, `run --compare-to`): HTML in Chromium, Excel
reopened, English and Chinese. Figures: tests/test_diff.py's docstring (OLD closed, NEW rerun with labor hours)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import write_tables
from tests.test_cli import batchkit
from tests.test_diff import NEW, OLD
from tests.test_report import browser  # noqa: F401  (the module's Chromium)

pytestmark = pytest.mark.slow
HOSTILE = "<script>alert(1)</script> close"


@pytest.fixture(scope="module")
def reopened(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("restate")
    old, new = write_tables(root / "old", OLD), write_tables(root / "new", NEW)
    out = root / "outputs"
    proc = batchkit("run", "--data", str(old), "--period", "2026-01", "--out", str(out), "--params",
                    str(Path(__file__).parent / "data" / "contract_defaults.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert batchkit("close", str(out / "2026-01"), "--reason", HOSTILE).returncode == 0
    proc = batchkit("run", "--data", str(new), "--period", "2026-01", "--out", str(out), "--params",
                    str(Path(__file__).parent / "data" / "contract_defaults.yaml"), "--set",
                    "allocation.default_basis=labor_hours", "--reopen", "--reason", "late posting D9")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-2] == f"reopened: the closed version is kept in {out / '2026-01.closed-1'}"
    return out


def test_the_reopened_pack_has_a_restatement_report_and_keeps_the_closed_pack(reopened):
    pack = reopened / "2026-01"
    assert {"restatement.html", "restatement.xlsx", "restatement"} <= {p.name for p in pack.iterdir()}
    assert 'href="restatement.html"' in (pack / "index.html").read_text()
    manifest = json.loads((pack / "manifest.json").read_text())
    assert [r["name"] for r in manifest["reports"]][:2] == ["period_overview", "restatement"]
    for folder in (pack, reopened / "2026-01.closed-1", reopened / "2026-01.restatement-1"):
        proc = batchkit("verify", str(folder))
        assert proc.returncode == 0, (folder, proc.stderr)
    assert (reopened / "2026-01.closed-1" / "restatement").exists() is False  # the closed pack as it was closed
    html = (pack / "restatement.html").read_text()
    # S1 525.00 -> 498.57 (-26.43); the lot price 12.5 -> 13; the pool's basis; cost in batches +3.75
    for text in ("<td>S1</td>", '<td class="num">525.00</td>', '<td class="num">498.57</td>',
                 '<td class="num">-26.43</td>', "unit_cost=12.5", "unit_cost=13", "doc_id=D9", "labor_hours",
                 "CNY 3.75", "allocation basis"):
        assert text in html, text
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt; close" in html  # the close reason, escaped


def test_the_restatement_workbook_has_every_table_with_numbers(reopened):
    book = openpyxl.load_workbook(reopened / "2026-01" / "restatement.xlsx")
    assert book.sheetnames[:3] == ["Summary", "Change by cost element", "Batches whose cost changed"]
    ws = book["Batches whose cost changed"]
    headers = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert (rows["S1"]["Total before (CNY)"], rows["S1"]["Total after (CNY)"], rows["S1"]["Change (CNY)"]) == (
        525.0, 498.57, -26.43)
    assert ws.cell(row=2, column=headers.index("Change (CNY)") + 1).number_format == "#,##0.00"
    inputs = book[next(n for n in book.sheetnames if n.startswith("Input rows added"))]
    values = [[c.value for c in row] for row in inputs.iter_rows(min_row=2)]
    assert [(v[0], v[1], v[2]) for v in values] == [("material_issues", "removed", None),
                                                   ("material_issues", "added", "doc_id=D9"),
                                                   ("material_lots", "changed", "lot_id=L-1")]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["before"] == str(reopened / "2026-01.closed-1")
    assert summary["closed"].endswith(f"by {__import__('getpass').getuser()}: {HOSTILE}")  # text, never markup


def test_compare_to_in_chinese(reopened, tmp_path):
    proc = batchkit("run", "--data", str(write_tables(tmp_path / "new", NEW)), "--period", "2026-01", "--out",
                    str(tmp_path / "zh"), "--compare-to", str(reopened / "2026-01.closed-1"), "--language", "zh-CN",
                    "--params", str(Path(__file__).parent / "data" / "contract_defaults.yaml"))
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "zh" / "2026-01" / "restatement.html").read_text()
    for text in ("成本重述", "按成本要素的变化", "新增", "删除", "修改", "直接材料", "变更前", "变更后"):
        assert text in html, text
    line = json.loads((tmp_path / "zh" / "run.log").read_text().splitlines()[-1])
    assert line["compare_to"] == str(reopened / "2026-01.closed-1")
    book = openpyxl.load_workbook(tmp_path / "zh" / "2026-01" / "restatement.xlsx")
    assert book.sheetnames[0] == "摘要"


def test_the_restatement_opens_in_a_real_browser_without_network_or_errors(reopened, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def block(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto((reopened / "2026-01" / "restatement.html").as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
    headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    page.close()
    assert errors == [] and requests == []
    assert len(images) == 1 and all(ok and w > 0 for ok, w in images)  # the change by element
    assert headings[:2] == ["What was compared", "Change by cost element"]
