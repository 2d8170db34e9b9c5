"""Hostile values end up as inert text in every report (HTML escaped) and workbook (never a formula)."""

from __future__ import annotations

import pytest

from batchkit.core.params import Params
from batchkit.report.run import run_pack
from tests.conftest import BASE, write_tables

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert('x')</script>"
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_LINE = '<img src=x onerror=alert(1)> "line"'

PLANT = dict(BASE)
PLANT["batches"] = f"""
    batch_id,item_id,product_line,site,start_date,end_date,qty_started,qty_good,qty_scrap
    S1,SUB-A,"{HOSTILE_LINE.replace('"', '""')}",SZ,2026-01-02,2026-01-10,100,90,10
    F1,@SUM(1+1),"{HOSTILE_LINE.replace('"', '""')}",SZ,2026-01-12,2026-01-25,50,48,2
    F2,"+cmd",catheters,"{SCRIPT}",2026-01-15,,40,0,0
"""
PLANT["shipments"] = f"""
    batch_id,customer,ship_date,qty,revenue
    F1,"{FORMULA}",2026-01-28,20,400
    F1,"-2+3",2026-01-29,10,200
    F1,"multi
line ""quoted"" customer",2026-01-30,5,100
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = write_tables(root / "data", PLANT)
    return run_pack(data=data, period="2026-01", params=Params(), out_root=root / "out", jobs=2).folder


def test_html_reports_escape_every_data_value(pack):
    pages = list(pack.glob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text()
        assert SCRIPT not in text and "<img src=x" not in text, page.name
    overview = (pack / "period_overview.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in overview


def test_workbooks_never_hold_a_formula(pack):
    import openpyxl

    books = list(pack.glob("*.xlsx"))
    assert len(books) >= 4
    seen_formula_text = False
    for path in books:
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                    if cell.value == FORMULA:
                        seen_formula_text = True
                        assert cell.quotePrefix, (path.name, cell.coordinate)
    assert seen_formula_text, "the hostile customer is in a workbook, as text"


def test_hostile_pages_load_in_a_browser_without_running_anything(pack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for page_file in pack.glob("*.html"):
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            assert dialogs == [], (page_file.name, dialogs)
            assert page.evaluate("document.querySelectorAll('script').length") == 0, page_file.name
            page.close()
        browser.close()
