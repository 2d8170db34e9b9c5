"""Charts, checked on their geometry with the fonts' real metrics, and in Chromium: axes hold every bar, tick
labels never run together or off the picture, whole-number axes for days and counts, one colour per cost element,
no chart of one point, deterministic and escaped SVG.

`assert_readable` measures every label with the font the browser draws it in (DejaVu Sans for Latin, WenQuanYi
Micro Hei for CJK, both installed by scripts/system-deps.sh), not with the layout's own estimate; it is applied to
hand-made worst cases, to random charts (hypothesis) and to every chart the reports of a small plant draw
(tests/test_report.py::test_every_chart_is_readable_and_an_element_keeps_its_colour).
"""

from __future__ import annotations

import base64
import itertools
import math
import unicodedata
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ImageFont

from batchkit.report import charts
from batchkit.report.chart_model import Chart, Text
from batchkit.report.chart_svg import BASELINE

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LATIN_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@cache
def _font(path: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, 100)  # measured at 100 and scaled: metrics are linear in the size


def _extent(text: Text) -> tuple[float, float, float, float]:
    """(advance width, ink left, ink top, ink bottom) in points, the baseline at 0: runs of wide characters in
    the CJK font, the rest in DejaVu Sans (bold for titles), as the browser falls back along font-family."""
    scale = text.size / 100
    x, left, top, bottom = 0.0, math.inf, 0.0, 0.0
    for wide, run in itertools.groupby(text.content, lambda ch: unicodedata.east_asian_width(ch) in "WF"):
        chunk = "".join(run)
        font = _font(CJK if wide else (LATIN_BOLD if text.bold else LATIN))
        ink_left, t, _, b = font.getbbox(chunk, anchor="ls")
        left = min(left, x + ink_left * scale)
        top, bottom = min(top, t * scale), max(bottom, b * scale)
        x += font.getlength(chunk) * scale
    return x, (0.0 if left == math.inf else left), top, bottom


def _corners(text: Text) -> list[tuple[float, float]]:
    """The label's ink box on the page, turned with the label."""
    advance, left, top, bottom = _extent(text)
    start = {"start": 0.0, "middle": -advance / 2, "end": -advance}[text.anchor]
    dy = BASELINE[text.baseline] * text.size
    a = math.radians(text.rotation)
    out = []
    for x, y in ((start + left, dy + top), (start + advance, dy + top), (start + advance, dy + bottom),
                 (start + left, dy + bottom)):
        # counter-clockwise on a page whose y runs down
        out.append((text.x + x * math.cos(a) + y * math.sin(a), text.y - x * math.sin(a) + y * math.cos(a)))
    return out


def _box(text: Text) -> tuple[float, float, float, float]:
    xs, ys = zip(*_corners(text), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _apart(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def assert_readable(chart: Chart) -> None:
    lo, hi = chart.value_limits
    c0, c1 = chart.category_limits
    for bar in chart.rects:  # the value axis contains every bar; the category axis every slot
        assert lo <= bar.low + 1e-9 and bar.high <= hi + 1e-9, (chart.title, bar, chart.value_limits)
        assert c0 <= bar.at - bar.thickness / 2 and bar.at + bar.thickness / 2 <= c1, (chart.title, bar)
    for line in chart.lines:
        assert all(lo <= v <= hi for _, v in line.points if v == v), chart.title
    assert all(lo <= r.value <= hi for r in chart.rules), chart.title
    texts = [t for t in chart.texts() if t.content]
    for t in texts:  # inside the picture: nothing cut
        x0, y0, x1, y1 = _box(t)
        assert x0 >= -0.5 and y0 >= -0.5 and x1 <= chart.width + 0.5 and y1 <= chart.height + 0.5, \
            (chart.title, t.role, t.content, (x0, y0, x1, y1), (chart.width, chart.height))
    for role in ("value_tick", "category_tick", "legend"):
        group = [t for t in texts if t.role == role]
        rotation = group[0].rotation % 180 if group else 0
        if rotation:  # slanted labels are parallel strips: apart when the strips are further apart than thick
            thick = max(_extent(t)[3] - _extent(t)[2] for t in group)
            anchors = sorted(t.x for t in group)
            gaps = np.diff(anchors) * math.sin(math.radians(rotation))
            assert (gaps >= thick).all(), (chart.title, [t.content for t in group])
        else:
            for a, b in itertools.pairwise(group):
                assert _apart(_box(a), _box(b)), (chart.title, role, a.content, b.content)
    # the title, the axis names and the legend clear every other label
    for t in texts:
        if t.role in ("title", "value_label", "category_label", "legend"):
            for other in texts:
                if other is not t and other.role != t.role:
                    assert _apart(_box(t), _box(other)), (chart.title, t.content, other.content)


@pytest.fixture(autouse=True)
def _fonts():
    charts.setup_fonts("en")


def _worst_cases() -> list[Chart]:
    names = [f"Customer with a rather long name number {i}" for i in range(15)]
    v = 100 + np.sin(np.arange(80))
    frame = pd.DataFrame(np.linspace(1e5, 9e6, 24).reshape(8, 3), columns=["material", "labor", "直接材料"],
                         index=[f"Product line {i} 注射器" for i in range(8)])
    return [
        charts.bars(pd.Series(np.linspace(2_250_000, 100_000, 15), index=names), title="Margin by customer",
                    xlabel="CNY"),
        charts.bars(pd.Series([-1_250_000.0, 3_000_000.0, 12.5]), title="negative", xlabel="CNY"),
        charts.control_chart(v, [f"B2606{i:06d}" for i in range(80)], center=100, ucl=102.5, lcl=97.5,
                             flagged=v > 100.9, title="Unit-cost control chart: SYR-5ML", ylabel="Unit cost (CNY)",
                             legend=["unit cost", "center", "control limits", "flagged"]),
        charts.stacked_bars(frame, title="Cost by line", ylabel="CNY", labels=list(frame.columns),
                            colors=charts.PALETTE[:3]),
        charts.stacked_bars(frame, title="Cost by line", ylabel="CNY", labels=list(frame.columns),
                            colors=charts.PALETTE[:3], horizontal=True),
        charts.grouped_bars(pd.concat([frame] * 3), title="Contribution by line", ylabel="CNY"),
        charts.lines(pd.DataFrame({"a": np.arange(24.0), "b": np.arange(24.0)[::-1]},
                                  index=[f"2026-{m:02d}" for m in range(1, 25)]), title="Unit cost", ylabel="index",
                     xlabel="period", reference=10.0),
        charts.waterfall(pd.Series([8.0, -9.0, 0.5], index=["material price", "labor", "other"]),
                         start_label="reference", end_label="actual", start=10.0, end=9.5, title="B1", ylabel="CNY"),
    ]


@pytest.mark.parametrize("chart", _worst_cases(), ids=lambda c: c.title)
def test_worst_cases_are_readable(chart):
    assert_readable(chart)


def test_a_waterfall_holds_a_running_level_above_start_and_end():
    # reference 10, +8 (level 18), -9 (level 9), +0.5 -> actual 9.5: the level peaks at 18, above both ends
    parts = pd.Series([8.0, -9.0, 0.5], index=["material price", "labor", "other"])
    chart = charts.waterfall(parts, start_label="reference", end_label="actual", start=10.0, end=9.5, title="B1",
                             ylabel="CNY")
    tops = [b.high for b in chart.rects]
    assert tops == [10.0, 18.0, 18.0, 9.5, 9.5]  # reference, 10->18, 18->9 (top 18), 9->9.5, actual
    assert [b.low for b in chart.rects] == [0.0, 10.0, 9.0, 9.0, 0.0]
    assert chart.value_limits[1] > 18.0
    assert_readable(chart)


def test_large_money_ticks_do_not_run_together():
    names = [f"Customer with a rather long name number {i}" for i in range(15)]
    chart = charts.bars(pd.Series(np.linspace(2_250_000, 100_000, 15), index=names), title="Margin by customer",
                        xlabel="CNY")
    labels = [t.label for t in chart.shown_value_ticks()]
    # 0 .. 2,250,000 plus 6 %: steps of 500,000 give 0, 500,000, ..., 2,000,000
    assert labels == ["0", "500,000", "1,000,000", "1,500,000", "2,000,000"]
    assert_readable(chart)


def test_days_are_whole_on_the_axis():
    series = pd.Series([7.0, 6.2, 4.6, 0.4], index=["IV catheters", "Syringes", "Infusion sets", "Staplers"])
    chart = charts.bars(series, title="Average days in WIP", xlabel="days", kind="days")
    labels = [t.label for t in chart.shown_value_ticks()]
    assert labels and all("." not in x for x in labels), labels  # not "0.00 ... 7.00"
    assert all(float(x) == int(x) for x in labels)
    assert_readable(chart)


def test_stacked_bars_use_each_elements_own_colour():
    frame = pd.DataFrame({"subassembly": [5.0, 3.0], "material": [10.0, 2.0], "my_pool": [1.0, 1.0]},
                         index=["A", "B"])
    chart = charts.stacked_bars(frame, title="t", ylabel="CNY", labels=list(frame.columns),
                                colors=[charts.element_colour(c) for c in frame.columns])
    by_label = {r.series: r.colour for r in chart.rects}
    assert by_label["material"] == charts.ELEMENT_COLOURS["material"]
    assert by_label["subassembly"] == charts.ELEMENT_COLOURS["subassembly"]
    assert {k.label: k.colour for k in chart.legend} == by_label
    # stacked: A's material sits on its 5.0 of sub-assemblies, my_pool on 5 + 10
    a = [(r.series, r.base, r.value) for r in chart.rects if r.at == 0]
    assert a == [("subassembly", 0.0, 5.0), ("material", 5.0, 10.0), ("my_pool", 15.0, 1.0)]
    assert charts.element_colour("my_pool") == charts.element_colour("my_pool") in charts.EXTRA
    assert len(set(charts.ELEMENT_COLOURS.values())) == len(charts.ELEMENT_COLOURS)  # no two elements alike
    assert_readable(chart)


def test_no_chart_of_one_point():
    assert not charts.drawable(0) and not charts.drawable(1) and charts.drawable(2)


def test_control_chart_with_many_batches_keeps_its_labels_apart():
    values = 100 + np.sin(np.arange(80))
    labels = [f"B2606{i:06d}" for i in range(80)]
    chart = charts.control_chart(values, labels, center=100, ucl=102.5, lcl=97.5, flagged=values > 100.9,
                                 title="Unit-cost control chart: SYR-5ML", ylabel="Unit cost (CNY)",
                                 legend=["unit cost", "center", "control limits", "flagged"])
    shown = [t.label for t in chart.category_ticks]
    assert shown == labels[::8]  # 80 batches, every 8th labelled: 10 labels
    assert len(chart.dots[0].points) == int((values > 100.9).sum())
    assert_readable(chart)


def test_crowded_category_labels_stand_up_then_thin_out():
    # 60 categories in about 560 points: 9.3 points apart, less than a 10-point line, even standing up
    frame = pd.DataFrame({"x": np.arange(1.0, 61.0)}, index=[f"item {i}" for i in range(60)])
    chart = charts.grouped_bars(frame, title="t", ylabel="y")
    assert chart.category_rotation == 90.0
    assert len(chart.category_ticks) == 30  # every second one
    assert_readable(chart)


labels = st.text(alphabet="abcXYZ 0123456789-注射器批次", min_size=1, max_size=30)
values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(labels, values, values), min_size=2, max_size=25, unique_by=lambda r: r[0]),
       st.sampled_from(["bars", "days", "stacked", "stacked_h", "grouped", "waterfall", "lines"]))
def test_any_chart_is_readable(rows, kind):
    index = [r[0] for r in rows]
    a = pd.Series([r[1] for r in rows], index=index)
    frame = pd.DataFrame({"one": a, "two": [r[2] for r in rows]}, index=index)
    if kind == "bars":
        chart = charts.bars(a, title="Margin by customer", xlabel="CNY")
    elif kind == "days":
        chart = charts.bars(a.abs() / 1e6, title="Days", xlabel="days", kind="days")
    elif kind in ("stacked", "stacked_h"):
        chart = charts.stacked_bars(frame, title="Cost by line", ylabel="CNY", labels=["one", "two"],
                                    colors=charts.PALETTE[:2], horizontal=kind == "stacked_h")
    elif kind == "grouped":
        chart = charts.grouped_bars(frame, title="Contribution", ylabel="CNY")
    elif kind == "waterfall":
        chart = charts.waterfall(a.iloc[:8] / 1e6, start_label="reference", end_label="actual", start=12.5,
                                 end=12.5 + float(a.iloc[:8].sum()) / 1e6, title="B2605000465", ylabel="CNY")
    else:
        chart = charts.lines(frame, title="Unit cost index", ylabel="index", reference=100.0)
    assert_readable(chart)


def test_svg_is_small_deterministic_and_keeps_its_text_as_text():
    def chart():
        return charts.bars(pd.Series([3.0, 2.0, 1.0], index=["a<b>&", "批次", "c"]), title="t", xlabel="x")

    data = charts.svg(chart())
    assert data.lstrip().startswith(b"<?xml") and b"<svg" in data and len(data) < 10_000
    assert charts.svg(chart()) == data  # the same chart, built again, gives the same bytes
    text = data.decode("utf-8")
    # labels are <text> elements (selectable, sharp in print), escaped as XML: a data value cannot become markup
    assert "a&lt;b&gt;&amp;" in text and "<b>" not in text
    assert "批次" in text and "<text" in text
    # a generic family last: a viewer without DejaVu Sans or the CJK font still draws the labels
    families = _font_families(text)
    assert families and all(f[-1] == "sans-serif" for f in families), families
    import xml.etree.ElementTree as ET

    ET.fromstring(data)  # well-formed


def test_zh_cn_svg_names_the_cjk_font_first():
    cjk = charts.setup_fonts("zh-CN")
    assert cjk, "a CJK font is installed by scripts/system-deps.sh"
    try:
        text = charts.svg(charts.bars(pd.Series([1.0, 2.0], index=["直接材料", "b"]), title="成本",
                                      xlabel="x")).decode("utf-8")
    finally:
        charts.setup_fonts("en")
    families = _font_families(text)
    # Chinese labels ask for the CJK font before DejaVu Sans, which has no CJK glyphs
    assert families and all(f[0] == cjk and f[-1] == "sans-serif" for f in families), families


def _font_families(svg_text: str) -> list[list[str]]:
    """Each font-family list of the SVG, unquoted."""
    styles = [part.split(";", 1)[0] for part in svg_text.split("font-family:")[1:]]
    return [[name.strip().strip("'\"") for name in style.split(",")] for style in styles]


@pytest.mark.slow
@pytest.mark.browser
def test_chromium_draws_every_label_inside_the_chart_and_apart(tmp_path):
    """The worst cases as Chromium lays them out (its own font fallback and metrics): every label inside its
    picture, level tick labels and legend entries apart, the value axis name clear of the ticks."""
    from playwright.sync_api import sync_playwright

    body = "".join(f'<div style="width:{c.width}pt">{charts.svg(c).decode("utf-8").split("?>", 1)[1]}</div>'
                   for c in _worst_cases())
    page_file = tmp_path / "charts.html"
    page_file.write_text(f"<!doctype html><meta charset='utf-8'><body style='margin:0'>{body}</body>")
    script = """() => [...document.querySelectorAll('svg')].map(svg => {
        const box = svg.getBoundingClientRect(), problems = [];
        const texts = [...svg.querySelectorAll('text')];
        const r = t => t.getBoundingClientRect();
        for (const t of texts) {
            const b = r(t);
            if (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1)
                problems.push('outside: ' + t.textContent);
        }
        const apart = (a, b) => a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5
                                || b.bottom <= a.top + 0.5;
        for (const role of ['value_tick', 'category_tick', 'legend']) {
            const group = texts.filter(t => t.classList.contains(role) && !t.hasAttribute('transform'));
            for (let i = 1; i < group.length; i++)
                if (!apart(r(group[i - 1]), r(group[i]))) problems.push('overlap: ' + group[i].textContent);
        }
        for (const label of texts.filter(t => t.classList.contains('title') || t.classList.contains('value_label')))
            for (const t of texts)
                if (t !== label && !apart(r(label), r(t))) problems.push(label.textContent + ' x ' + t.textContent);
        return problems;
    })"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.goto(page_file.as_uri())
        problems = page.evaluate(script)
        image = page.screenshot(full_page=True)
        browser.close()
    assert len(problems) == len(_worst_cases())
    assert problems == [[] for _ in problems], problems
    assert base64.b64encode(image)  # drawn
