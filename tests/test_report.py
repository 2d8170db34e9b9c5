"""The report pack: `batchkit run` renders every report to HTML and Excel from one costing.

The dataset is the base plant (tests/conftest.py) plus a second product line, staplers (K1).
Pool P-OH 100.00 by machine hours S1 3, F1 1, F2 1, K1 1 (of 6): S1 50.00; F1, F2, K1 16.666..
each; floors leave 2 cents for the three tied remainders: F1 and F2 (smaller IDs) get them.
  S1 = 125.00 + 100.00 + 240.00 + 50.00 = 515.00, unit 515/90
  F1 = 6.25 + 45 x 515/90 (257.50) + 160.00 + 20.00 + 16.67 = 460.42
  K1 = 20 x 2.50 + 1 x 40 + 1 x 20 + 16.66 = 126.66
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batchkit.core.params import Params
from batchkit.report.run import run_pack, slug
from tests.conftest import BASE, write_tables

pytestmark = pytest.mark.slow

PLANT = dict(BASE)
PLANT["batches"] = BASE["batches"] + "    K1,STAPLER-9,staplers,CD,2026-01-05,2026-01-20,20,20,0\n"
PLANT["material_issues"] = BASE["material_issues"] + "    K1,TUBE,L-2,20,2.5,2026-01-05,D9\n"
PLANT["operations"] = BASE["operations"] + "    K1,assemble,WC2,1,1,2026-01-06\n"
PLANT["shipments"] = """
    batch_id,customer,ship_date,qty,revenue
    F1,上海瑞金医院,2026-01-28,40,800
    K1,<script>alert(1)</script>,2026-01-29,20,1200
    ZZ9,=cmd|' /C calc'!A0,2026-01-30,5,10
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pack")
    data = write_tables(root / "data", PLANT)
    result = run_pack(data=data, period="2026-01", params=Params(), out_root=root / "out", jobs=2)
    assert not result.failed
    return result.folder


@pytest.fixture(scope="module")
def pack_zh(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pack_zh")
    data = write_tables(root / "data", PLANT)
    return run_pack(data=data, period="2026-01", params=Params(language="zh-CN"), out_root=root / "out",
                    jobs=2).folder


def test_the_pack_has_every_report_and_an_index(pack):
    names = {p.name for p in pack.iterdir()}
    for line in ("catheters", "staplers"):
        assert {f"line-{slug(line)}.html", f"line-{slug(line)}.xlsx"} <= names
    assert {"period_overview.html", "period_overview.xlsx", "data_quality.html", "data_quality.xlsx", "index.html",
            "manifest.json", "tables", "notebooks"} <= names
    index = (pack / "index.html").read_text()
    assert 'href="period_overview.html"' in index and f'href="line-{slug("staplers")}.xlsx"' in index
    manifest = json.loads((pack / "manifest.json").read_text())
    assert all(r["ok"] for r in manifest["reports"]) and len(manifest["reports"]) == 4
    assert (pack / "notebooks" / "period_overview.ipynb").exists()


def test_a_batch_total_appears_in_its_line_report_exactly_as_costed(pack):
    summary = pd.read_csv(pack / "tables" / "batch_summary.csv", dtype={"batch_id": str}).set_index("batch_id")
    total = summary.loc["F1", "total_cost"]
    assert total == 460.42  # by hand in the module docstring
    html = (pack / f"line-{slug('catheters')}.html").read_text()
    assert "<td>F1</td>" in html and f'<td class="num">{total:,.2f}</td>' in html
    book = openpyxl.load_workbook(pack / f"line-{slug('catheters')}.xlsx")
    ws = book[book.sheetnames[0]]
    headers = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["F1"]["Total cost (CNY)"] == total
    assert rows["F1"]["Unit cost (CNY)"] == pytest.approx(summary.loc["F1", "unit_cost"], rel=1e-12)


def test_workbooks_have_frozen_headers_formats_filters(pack):
    book = openpyxl.load_workbook(pack / "period_overview.xlsx")
    ws = book[book.sheetnames[0]]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert [c.value for c in ws[1]] == ["Cost element", "Amount (CNY)", "Share"]
    amount = ws.cell(row=2, column=2)
    assert amount.number_format == "#,##0.00" and isinstance(amount.value, (int, float))
    assert ws.cell(row=2, column=3).number_format == "0.0%"
    assert ws._charts, "the element totals sheet carries a native Excel chart"
    rec_sheet = next(n for n in book.sheetnames if n.startswith("Reconciliation"))
    rec = pd.DataFrame(list(book[rec_sheet].values)[1:], columns=[c.value for c in book[rec_sheet][1]])
    csv = pd.read_csv(pack / "tables" / "reconciliation.csv")
    assert rec["Input (CNY)"].tolist() == csv["input_amount"].tolist()


def test_hostile_values_stay_inert_text(pack):
    index = (pack / "index.html").read_text()
    assert "<script>alert" not in index
    for html_file in pack.glob("*.html"):
        assert "<script>alert(1)</script>" not in html_file.read_text()


def test_reports_open_in_a_real_browser_without_network_or_errors(pack, tmp_path, browser):
    for html_file in sorted(pack.glob("*.html")):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))

        def block(route, req=requests):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                req.append(url)
                route.abort()

        page.route("**/*", block)
        page.goto(html_file.as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        page.screenshot(path=str(tmp_path / f"{html_file.stem}.png"), full_page=True)
        page.close()
        assert errors == [], (html_file.name, errors)
        assert requests == [], (html_file.name, requests)
        assert all(ok and w > 0 and h > 0 for ok, w, h in images), (html_file.name, images)
        # data quality has one check here: one bar, no chart (issue 15: no chart of one point)
        if html_file.name not in ("index.html", "data_quality.html"):
            assert len(images) >= 1, html_file.name


def test_chinese_pack_has_chinese_titles_and_charts_with_a_cjk_font(pack_zh):
    from batchkit.report import charts

    html = (pack_zh / "period_overview.html").read_text()
    assert "月度成本概览" in html and "本月要点" in html and "直接材料" in html
    assert charts.setup_fonts("zh-CN") is not None, "a CJK font is installed by scripts/system-deps.sh"
    nb = json.loads((pack_zh / "notebooks" / "period_overview.ipynb").read_text())
    streams = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    assert "Glyph" not in streams and "missing from font" not in streams


def test_a_failing_report_is_named_and_the_others_complete(tmp_path, monkeypatch):
    import nbformat

    from batchkit.core.errors import ReportError
    from batchkit.report import run as run_module

    broken = tmp_path / "notebooks"
    shutil.copytree(run_module.NOTEBOOKS, broken)
    nb = nbformat.read(broken / "product_line.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('if product_line == "staplers":\n    raise RuntimeError("boom")'))
    nbformat.write(nb, broken / "product_line.ipynb")
    monkeypatch.setattr(run_module, "NOTEBOOKS", broken)
    data = write_tables(tmp_path / "data", PLANT)
    with pytest.raises(ReportError) as err:
        run_pack(data=data, period="2026-01", params=Params(), out_root=tmp_path / "out", jobs=2)
    assert err.value.failed == [f"line-{slug('staplers')}"]
    assert "RuntimeError: boom" in str(err.value)
    folder = tmp_path / "out" / "2026-01"
    assert (folder / "period_overview.html").exists() and (folder / f"line-{slug('catheters')}.html").exists()
    assert not (folder / f"line-{slug('staplers')}.html").exists()
    assert (folder / "tables" / "batch_summary.csv").exists()
    assert "FAILED" in (folder / "index.html").read_text()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_recall_report_from_the_command_line(tmp_path):
    import subprocess
    import sys

    data = write_tables(tmp_path / "data", PLANT)
    out = tmp_path / "recall"
    args = [sys.executable, "-m", "batchkit", "recall", "L-2", "--data", str(data), "--out", str(out),
            "--params", str(Path(__file__).parent / "data" / "contract_defaults.yaml")]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=300)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    # L-2 went into F1 (completed, 48 good, none issued on: 460.42 at risk) and K1 (126.66):
    # cost at risk = 460.42 + 126.66 = 587.08, the same figure the recall HTML shows
    assert manifest["trace"]["cost_at_risk"] == 587.08
    html = (out / "recall.html").read_text()
    assert "CNY 587.08" in html and "上海瑞金医院" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    book = openpyxl.load_workbook(out / "recall.xlsx")
    customers = book[next(n for n in book.sheetnames if n.startswith("Shipments by customer"))]
    values = [c.value for c in customers["A"]][1:]
    assert "<script>alert(1)</script>" in values and "上海瑞金医院" in values
    bad = subprocess.run([*args[:4], "NOPE-1", *args[5:8], str(tmp_path / "nope"), *args[9:]], capture_output=True,
                         text=True, cwd=Path(__file__).parent.parent, timeout=300)
    assert bad.returncode == 1 and bad.stderr.startswith("error: unknown ID 'NOPE-1'")
    assert not (tmp_path / "nope").exists()


def test_allocation_whatif_notebook_runs_on_its_own(tmp_path, monkeypatch):
    """The analyst's notebook: papermill with only data and params, as in JupyterLab."""
    import os

    import papermill

    data = write_tables(tmp_path / "data", PLANT)
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    papermill.execute_notebook(str(root / "notebooks" / "allocation_whatif.ipynb"), str(tmp_path / "wi.ipynb"),
                               kernel_name="python3", progress_bar=False, parameters={
                                   "period": "2026-01", "data": str(data),
                                   "params_path": str(root / "tests" / "data" / "contract_defaults.yaml"),
                                   "output_dir": str(tmp_path),
                                   "configs": {"machine hours": {}, "labor hours": {"default_basis": "labor_hours"}}})
    book = openpyxl.load_workbook(tmp_path / "allocation_whatif.xlsx")
    items = book[book.sheetnames[0]]
    rows = {r[0]: r for r in items.iter_rows(min_row=2, values_only=True)}
    headers = [c.value for c in items[1]]
    # P-OH 100.00 by machine hours (S1 3, F1 1, F2 1, K1 1) vs labor hours (S1 2, F1 4, F2 1, K1 1 of 8):
    # K1 (20 good): 16.66 -> 12.50, total 126.66 -> 122.50, unit cost 6.333 -> 6.125
    k1 = dict(zip(headers, rows["STAPLER-9"], strict=True))
    assert k1["machine hours (CNY)"] == pytest.approx(126.66 / 20, rel=1e-12)
    assert k1["labor hours (CNY)"] == pytest.approx(122.50 / 20, rel=1e-12)


def test_run_from_the_command_line_logs_and_verifies(tmp_path):
    import subprocess
    import sys

    data = write_tables(tmp_path / "data", PLANT)
    root = Path(__file__).parent.parent
    params = str(Path(__file__).parent / "data" / "contract_defaults.yaml")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "batchkit", *args], capture_output=True, text=True, cwd=root,
                              timeout=600)

    proc = cli("run", "--data", str(data), "--period", "2026-01", "--out", str(tmp_path / "out"), "--params", params,
               "--lines", "staplers", "--formats", "html")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "2026-01"
    assert {p.name for p in folder.glob("*.html")} == {"index.html", "period_overview.html", "data_quality.html",
                                                       f"line-{slug('staplers')}.html"}
    assert not list(folder.glob("*.xlsx"))
    log = [json.loads(line) for line in (tmp_path / "out" / "run.log").read_text().splitlines()]
    assert [(e["command"], e["status"], e["exit_code"], e["reports"]) for e in log] == [("run", "ok", 0, 3)]
    assert cli("verify", str(folder)).returncode == 0
    page = folder / "period_overview.html"
    page.write_text(page.read_text().replace("Period overview", "Period overveiw"))
    tampered = cli("verify", str(folder))
    assert tampered.returncode == 1 and "output period_overview.html changed" in tampered.stderr
    unknown = cli("run", "--data", str(data), "--period", "2026-01", "--out", str(tmp_path / "out"), "--params",
                  params, "--lines", "pacemakers")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: --lines: unknown product line 'pacemakers'; "
                                     "lines are: catheters, staplers")


# ------------------------------------------------------------------ issue 15: a pack a controller signs


def _figures(pack: Path, line: str) -> list:
    """Every chart the sections draw for one report of the pack, as `Chart` values."""
    from batchkit.report import sections
    from batchkit.report.data import RunData
    from batchkit.report.page import Report

    drawn: list = []

    class Capture(Report):
        def chart(self, figure, alt_key, **fields):  # keep the Chart instead of rendering it
            drawn.append((alt_key, figure))

    rep = Capture(name="x", data=RunData.from_folder(pack / "tables"), line=line)
    import batchkit.report.page as page

    shown = page._display
    page._display = lambda markup: None
    try:
        for section in (sections.kpis, sections.cost_by_line, sections.unit_cost_trend, sections.anomalies,
                        sections.worst_batches, sections.margin, sections.wip_days, sections.quality_summary,
                        sections.batch_table, sections.control_charts, sections.variances, sections.quality_cost,
                        sections.wip):
            section(rep)
    finally:
        page._display = shown
    return drawn


def test_every_chart_is_readable_and_an_element_keeps_its_colour(pack):
    from tests.test_charts import assert_readable

    overview, line = _figures(pack, "all"), _figures(pack, "catheters")
    assert overview and line
    for _, chart in overview + line:
        assert_readable(chart)
        # no chart of one bar or one point
        assert len(chart.rects) >= 2 or max((len(x.points) for x in chart.lines), default=0) >= 2

    def material_colour(figures) -> str:
        for key, chart in figures:
            if key in ("chart.cost_by_line", "chart.output_elements"):
                return next(r.colour for r in chart.rects if r.series == "material")
        raise AssertionError("no cost chart")

    # the overview stacks two lines; the catheters report (one line) draws its elements as bars
    assert material_colour(overview) == material_colour(line) == "#1F3A5F"


def test_every_page_title_names_the_report_period_and_line(pack):
    import re

    titles = {p.name: re.search(r"<title>(.*?)</title>", p.read_text(), re.S).group(1) for p in pack.glob("*.html")}
    assert titles["period_overview.html"] == "Period overview · all lines · 2026-01"
    assert titles[f"line-{slug('staplers')}.html"] == "Product line staplers · staplers · 2026-01"
    assert titles["index.html"] == "Report pack 2026-01"
    assert all("Notebook" not in t for t in titles.values())


def test_numbers_are_formatted_by_kind(pack):
    """Money: two decimals (unit costs four) under a header naming the currency; no True/False anywhere."""
    import re

    for page in pack.glob("*.html"):
        text = page.read_text()
        assert "<td>True</td>" not in text and "<td>False</td>" not in text, page.name
        for table in re.findall(r"<table.*?</table>", text, re.S):
            heads = re.findall(r"<th[^>]*>([^<]*)</th>", table)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
                cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
                for head, cell in zip(heads, cells, strict=False):
                    if head.endswith("(CNY)") and cell:
                        assert re.fullmatch(r"-?[\d,]+\.(\d{2}|\d{4})", cell), (page.name, head, cell)
            for head in heads:
                if head.startswith(("Cost of sales", "Revenue", "Margin (", "Total variance", "Total cost")):
                    assert head.endswith("(CNY)"), (page.name, head)
    line = (pack / f"line-{slug('catheters')}.html").read_text()
    assert ("Cost of sales (CNY)" in line and "Flagged" not in line) or "<td>yes</td>" in line


def test_headline_cards_read_the_kpis_table(pack):
    kpis = pd.read_csv(pack / "tables" / "kpis.csv")
    plant = kpis[kpis["scope"] == "plant"].set_index("kpi")["value"]
    # completed in 2026-01: S1 515.00, F1 460.42, K1 126.66 = 1,102.08; S1's cost in F1 (45 x 515/90 = 257.50)
    # and in F2 (30 x 515/90 = 171.666.. -> 171.67) was consumed: transferred 429.17, output 672.91
    assert plant["transferred_cost"] == 429.17 and plant["output_cost"] == 672.91
    import html as html_text

    html = html_text.unescape((pack / "period_overview.html").read_text())
    assert "CNY 672.91" in html and "cost of the period's output" in html
    assert "How each figure is defined" in html and "transferred_cost" in html
    index = (pack / "index.html").read_text()
    assert "CNY 672.91" in index and 'href="line-' in index


def test_workbooks_print_one_page_wide_with_headers_repeated(pack):
    for path in pack.glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        names = book.sheetnames
        assert len({n.lower() for n in names}) == len(names), path.name
        for ws in book.worksheets:
            assert len(ws.title) <= 31 and ws.title == ws.title.strip(), ws.title
            assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
            # one page wide: fitToWidth 1, which XlsxWriter leaves out as the OOXML default (openpyxl reads None)
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
            assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$1:$1"
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    assert not isinstance(cell.value, bool), (path.name, ws.title, cell.coordinate)
                    assert cell.number_format != "#,##0.###", (path.name, ws.title, cell.coordinate)


def test_sheet_names_are_cut_at_a_word_and_unique():
    from batchkit.report.excel import sheet_name

    used: set[str] = set()
    first = sheet_name("Batches whose unit cost stands out", used)
    second = sheet_name("Batches whose unit cost stands out", used)
    assert first == "Batches whose unit cost stands"  # not "... stands " with a trailing space
    assert second == "Batches whose unit cost (2)" and len(second) <= 31


def test_wide_tables_fit_a_printed_a4_landscape_page(pack, browser, tmp_path):
    """Print media at the printable width of A4 landscape (297 - 2 x 10 mm = 277 mm = 1047 px): no table is
    wider than the page, and Chromium's print-to-PDF gives a document."""
    for html_file in sorted(pack.glob("*.html")):
        page = browser.new_page(viewport={"width": 1047, "height": 740})
        page.emulate_media(media="print")
        page.goto(html_file.as_uri())
        widths = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
            const r = t.getBoundingClientRect(); return [r.right, t.scrollWidth, t.clientWidth]; })""")
        page_width = page.evaluate("document.documentElement.clientWidth")
        assert all(right <= page_width + 1 and scroll <= client + 1 for right, scroll, client in widths), \
            (html_file.name, page_width, widths)
        pdf = tmp_path / f"{html_file.stem}.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        page.close()
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 1
        assert b"/MediaBox [0 0 841" in data or b"/MediaBox [0 0 842" in data, "A4 landscape (842 x 595 pt)"


def test_chinese_columns_do_not_wrap_between_characters(pack_zh, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((pack_zh / f"line-{slug('catheters')}.html").as_uri())
    heights = page.evaluate("""() => [...document.querySelectorAll('th')].map(th => {
        const s = getComputedStyle(th); return [th.textContent, th.getBoundingClientRect().height,
        parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.3, s.wordBreak]; })""")
    page.close()
    assert heights and all(wb == "keep-all" for *_, wb in heights)
    short = [(text, h, lh) for text, h, lh, _ in heights if len(text) <= 6]
    assert short and all(h < 2.2 * lh + 14 for _, h, lh in short), short  # one line of text (plus padding)


def _visible_text(markup: str) -> list[str]:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip = 0
            self.out: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("style", "script"):
                self.skip += 1
            alt = dict(attrs).get("alt") or dict(attrs).get("title")
            if alt:
                self.out.append(alt)

        def handle_endtag(self, tag):
            if tag in ("style", "script"):
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip and data.strip():
                self.out.append(data)

    parser = Text()
    parser.feed(markup)
    return parser.out


def test_chinese_pages_have_no_english_word_outside_ids_and_data(pack_zh):
    """Every word of Latin letters on a zh-CN page is a data value (an ID, a name from the inputs), an
    identifier users type (table, column, check code, params key), a unit or format name, or the product."""
    import re

    from batchkit.core.check_codes import CODES
    from batchkit.core.schema import TABLES
    from batchkit.report.data import RunData

    data = RunData.from_folder(pack_zh / "tables")
    values: set[str] = set()
    for frame in [*data.all_tables().values(), *data.inputs.values()]:
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                for v in frame[col].dropna().astype(str).unique()[:5000]:
                    values.update(re.findall(r"[A-Za-z][A-Za-z0-9_]*", v))
    ids = {*CODES, *TABLES, *(c for t in TABLES.values() for c in t.names), "batch_id", "transferred_cost",
           "output_cost", "end_date", "qty_good", "qty_scrap", "qty_started", "scrap", "normal_rate", "window_periods",
           "min_batches", "variance", "output_dir", "kpis"}
    allowed = {"batchkit", "CNY", "UDI", "HTML", "XLSX", "CSV", "Parquet", "Excel", "v1", "UTC", "z", "p", "pp"}
    english = []
    for page in pack_zh.glob("*.html"):
        for text in _visible_text(page.read_text()):
            for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text):
                if len(word) > 1 and not any(ch.isdigit() for ch in word) and word not in values \
                        and word not in ids and word not in allowed:  # digits: hashes, versions
                    english.append((page.name, word, text[:80]))
    assert english == []


def test_a_notebook_without_an_output_folder_says_no_workbook_is_written():
    from batchkit.report.data import RunData
    from batchkit.report.page import Report

    shown: list[str] = []
    import batchkit.report.page as page

    saved = page._display
    page._display = shown.append
    try:
        rep = Report(name="x", data=RunData(period="2026-01", currency="CNY", tables={}))
        rep.table("section.batches", pd.DataFrame({"batch_id": [f"B{i}" for i in range(5)]}), max_rows=2)
        rep.save()
        assert rep.workbook is None
    finally:
        page._display = saved
    assert "the workbook has all of them" not in shown[0] and "no workbook is written" in shown[0]
    assert "No workbook was written" in shown[-1]
