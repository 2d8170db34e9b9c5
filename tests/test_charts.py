"""Charts, checked on their matplotlib objects (not pixels): axes hold every bar, tick labels never run together
or off the figure, whole-number axes for days and counts, one colour per cost element, no chart of one point.

`assert_readable` is applied to hand-made worst cases here and to every chart the reports of a small plant
draw (test_every_chart_of_a_pack_is_readable).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from batchkit.report import charts


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def assert_readable(fig: Figure) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    figbox = fig.bbox
    for ax in fig.axes:
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        for bar in _bars(ax):
            bx, by, w, h = bar.get_x(), bar.get_y(), bar.get_width(), bar.get_height()
            assert y0 <= min(by, by + h) + 1e-9 and max(by, by + h) <= y1 + 1e-9, (ax.get_title(), by, h, y0, y1)
            assert x0 <= min(bx, bx + w) + 1e-9 and max(bx, bx + w) <= x1 + 1e-9, (ax.get_title(), bx, w, x0, x1)
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            shown = [t for loc, t in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False)
                     if lo - 1e-9 <= loc <= hi + 1e-9 and t.get_visible() and t.get_text()]  # the ones drawn
            boxes = [t.get_window_extent(renderer) for t in shown]
            rotation = shown[0].get_rotation() % 180 if shown else 0
            if rotation:  # slanted labels are parallel strips: apart when the anchors are a line height apart
                height = shown[0].get_fontsize() * fig.dpi / 72 * 1.15
                xs = sorted(ax.transData.transform((loc, 0))[0] for loc, t in
                            zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False) if t in shown)
                gaps = np.diff(xs) * np.sin(np.radians(rotation))
                assert (gaps >= height).all(), (ax.get_title(), [t.get_text() for t in shown])
            else:
                for a, b in itertools.pairwise(boxes):
                    assert not a.overlaps(b), (ax.get_title(), [t.get_text() for t in shown])
            for box in boxes:  # inside the picture: no cut labels (the layout is not bbox_inches="tight")
                assert box.x0 >= figbox.x0 - 1 and box.x1 <= figbox.x1 + 1 and box.y0 >= figbox.y0 - 1, \
                    (ax.get_title(), box)
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            if text.get_text():
                box = text.get_window_extent(renderer)
                assert box.x0 >= figbox.x0 - 1 and box.x1 <= figbox.x1 + 1, text.get_text()
                assert box.y0 >= figbox.y0 - 1 and box.y1 <= figbox.y1 + 1, text.get_text()
        legend = ax.get_legend()
        if legend is not None:
            box = legend.get_window_extent(renderer)
            assert box.x1 <= figbox.x1 + 1, "legend cut off"


@pytest.fixture(autouse=True)
def _fonts():
    charts.setup_fonts("en")


def test_a_waterfall_holds_a_running_level_above_start_and_end():
    # reference 10, +8 (level 18), -9 (level 9), +0.5 -> actual 9.5: the level peaks at 18, above both ends
    parts = pd.Series([8.0, -9.0, 0.5], index=["material price", "labor", "other"])
    fig = charts.waterfall(parts, start_label="reference", end_label="actual", start=10.0, end=9.5, title="B1",
                           ylabel="CNY")
    ax = fig.axes[0]
    tops = [b.get_y() + b.get_height() for b in _bars(ax)]
    assert max(tops) == 18.0 and ax.get_ylim()[1] > 18.0
    assert_readable(fig)


def test_large_money_ticks_do_not_run_together():
    names = [f"Customer with a rather long name number {i}" for i in range(15)]
    series = pd.Series(np.linspace(2_250_000, 100_000, 15), index=names)
    fig = charts.bars(series, title="Margin by customer", xlabel="CNY")
    assert_readable(fig)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert 3 <= len(labels) <= 7 and all(",000" in x or x == "0" for x in labels)


def test_days_are_whole_on_the_axis():
    series = pd.Series([7.0, 6.2, 4.6, 0.4], index=["IV catheters", "Syringes", "Infusion sets", "Staplers"])
    fig = charts.bars(series, title="Average days in WIP", xlabel="days", kind="days")
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all("." not in x for x in labels), labels  # not "0.00 ... 7.00"
    assert_readable(fig)


def test_stacked_bars_use_each_elements_own_colour():
    frame = pd.DataFrame({"subassembly": [5.0, 3.0], "material": [10.0, 2.0], "my_pool": [1.0, 1.0]},
                         index=["A", "B"])
    fig = charts.stacked_bars(frame, title="t", ylabel="CNY", labels=list(frame.columns),
                              colors=[charts.element_colour(c) for c in frame.columns])
    by_label = {h.get_label(): h.patches[0].get_facecolor() for h in fig.axes[0].containers}
    from matplotlib.colors import to_rgba

    assert by_label["material"] == to_rgba(charts.ELEMENT_COLOURS["material"])
    assert by_label["subassembly"] == to_rgba(charts.ELEMENT_COLOURS["subassembly"])
    assert charts.element_colour("my_pool") == charts.element_colour("my_pool") in charts.EXTRA
    assert len(set(charts.ELEMENT_COLOURS.values())) == len(charts.ELEMENT_COLOURS)  # no two elements alike
    assert_readable(fig)


def test_no_chart_of_one_point():
    assert not charts.drawable(0) and not charts.drawable(1) and charts.drawable(2)


def test_control_chart_with_many_batches_keeps_its_labels_apart():
    values = 100 + np.sin(np.arange(80))
    labels = [f"B2606{i:06d}" for i in range(80)]
    fig = charts.control_chart(values, labels, center=100, ucl=102.5, lcl=97.5, flagged=values > 100.9,
                               title="Unit-cost control chart: SYR-5ML", ylabel="Unit cost (CNY)",
                               legend=["unit cost", "center", "control limits", "flagged"])
    assert len([t for t in fig.axes[0].get_xticklabels() if t.get_text()]) <= 10
    assert_readable(fig)


def test_png_is_small_and_one_draw():
    fig = charts.bars(pd.Series([3.0, 2.0, 1.0], index=["a", "b", "c"]), title="t", xlabel="x")
    data = charts.png(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 60_000


def test_svg_is_small_deterministic_and_keeps_its_text_as_text():
    def figure():
        return charts.bars(pd.Series([3.0, 2.0, 1.0], index=["a<b>&", "批次", "c"]), title="t", xlabel="x")

    data = charts.svg(figure())
    assert data.lstrip().startswith(b"<?xml") and b"<svg" in data and len(data) < 30_000
    # the same figure, built again, gives the same bytes: no date stamp, clip-path ids from a fixed salt
    assert charts.svg(figure()) == data
    assert b"<dc:date>" not in data
    text = data.decode("utf-8")
    # labels are <text> elements (selectable, sharp in print), escaped as XML: a data value cannot become markup
    assert "a&lt;b&gt;&amp;" in text and "<b>" not in text
    assert "批次" in text and "<text" in text
    # a generic family last: a viewer without DejaVu Sans or the CJK font still draws the labels
    families = _font_families(text)
    assert families and all(f[-1] == "sans-serif" for f in families), families


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
    """Each <text> element's font-family list, unquoted."""
    styles = [part.split(";", 1)[0] for part in svg_text.split("font-family:")[1:]]
    return [[name.strip().strip("'\"") for name in style.split(",")] for style in styles]
