"""Charts for the reports, embedded in the HTML as SVG.

Each function returns a `Chart` (`chart_model`: bars, lines and rules in data coordinates, the axes, the
laid-out text); `svg` writes it. Vector graphics, so a printed report's charts are as sharp as its tables;
the text stays text, in the report's fonts with a generic fallback (`font_families`). Drawing is a few
hundred string formats: about 1 ms a chart, where matplotlib took 50-90 ms to build and write the same
figure (60 % of the report cells' time over the 1x pack). Rules every chart keeps (tests/test_charts.py,
which measures the labels with the fonts' real metrics, and tests/test_report_browser.py in Chromium):
- the value axis contains every bar, bottom and top (a waterfall's running level included);
- at most a handful of value ticks, formatted for what they count (money with thousands separators, days
  and counts as whole numbers), thinned until side-by-side labels fit their intervals, so tick labels
  never run together; category labels slant, then stand up, then thin out as they crowd;
- one colour per cost element, the same in every report (`element_colour`);
- no chart of one point or one bar (`drawable`: sections show the table only).

Labels come from the caller in the report's language. For Chinese a CJK font is needed where the pack is
read and where it is checked: `setup_fonts` looks for one (WenQuanYi or Noto CJK, installed by
scripts/system-deps.sh; PingFang or YaHei elsewhere); without one it says so, and callers fall back to
English chart labels instead of boxes.
"""

from __future__ import annotations

import glob
import hashlib
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import chart_svg
from .chart_model import (
    FONT,
    PAD,
    TICK,
    Chart,
    Dots,
    Key,
    Line,
    Rect,
    Rule,
    Tick,
    legend_width,
    line_height,
    value_axis,
    widest,
)

# (family, where its file is): the first found names the CJK font of this machine
CJK_FONTS = (("WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
             ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
             ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK*.ttc"),
             ("Noto Sans CJK SC", "/usr/share/fonts/**/NotoSansCJK*"),
             ("PingFang SC", "/System/Library/Fonts/PingFang.ttc"),
             ("Microsoft YaHei", "C:/Windows/Fonts/msyh.tt*"),
             ("SimHei", "C:/Windows/Fonts/simhei.ttf"))
# the reader's machine is not ours: after the one found here, the usual CJK faces of each platform
CJK_FALLBACK = ("Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei")
LATIN = ("DejaVu Sans", "Arial")
PALETTE = ["#1F3A5F", "#3C7DC4", "#F2A541", "#6BB38A", "#C8553D", "#8E6C8A", "#5BC0BE", "#A3A3A3", "#E07A5F",
           "#3D405B"]
INK, GOOD, BAD, NEUTRAL, BAR = "#1F3A5F", "#6BB38A", "#C8553D", "#A3A3A3", "#3C7DC4"
# One colour per cost element in every chart of every report; elements not named here get a stable colour of
# their own from EXTRA (by a hash of the name, so a plant's own pool elements keep theirs from month to month).
ELEMENT_COLOURS = {
    "material": "#1F3A5F", "subassembly": "#7FA7D9", "labor": "#F2A541", "machine": "#6BB38A",
    "overhead": "#8E6C8A", "depreciation": "#5BC0BE", "energy": "#E07A5F", "quality": "#C8553D",
    "cleanroom": "#3D405B", "sterilization": "#B5838D", "sterilization_overhead": "#6D597A",
    "outsourcing": "#9C6644", "inspection": "#52796F", "packaging": "#D4A373", "transport": "#457B9D",
    "rework": "#E63946", "scrap": "#6C757D", "other": "#BFBFBF",
}
EXTRA = ("#2A9D8F", "#E9C46A", "#F4A261", "#264653", "#A8DADC", "#FFB4A2", "#83C5BE", "#CDB4DB", "#8D99AE",
         "#588157", "#BC6C25", "#7209B7")
PT = 72.0  # points per inch
WIDTH = 9.0 * PT
BAR_WIDTH = 0.8  # of a category's slot
OFF = TICK + PAD  # from the axis to its tick labels
_state: dict[str, object] = {}


def element_colour(element: str) -> str:
    """The colour of a cost element (its key, not its translated label)."""
    if element in ELEMENT_COLOURS:
        return ELEMENT_COLOURS[element]
    digest = int(hashlib.sha1(element.encode("utf-8")).hexdigest()[:8], 16)
    return EXTRA[digest % len(EXTRA)]


def drawable(n_points: int) -> bool:
    """Whether a chart is worth drawing: one bar or one point says nothing a table does not."""
    return n_points >= 2


# ------------------------------------------------------------------ fonts


def find_cjk_font() -> str | None:
    """The family of the first CJK font installed here (looked up once per process)."""
    if "cjk" not in _state:
        found = None
        for family, pattern in CJK_FONTS:
            if glob.glob(pattern, recursive="**" in pattern):
                found = family
                break
        _state["cjk"] = found
    cjk = _state["cjk"]
    return cjk if isinstance(cjk, str) else None


def font_families(language: str) -> list[str]:
    """The charts' font-family list: Latin first for English (the CJK faces fill in Chinese customer names),
    CJK first for Chinese, and the generic family last so that any viewer draws the text."""
    cjk = find_cjk_font()
    faces = list(dict.fromkeys([*([cjk] if cjk else []), *CJK_FALLBACK]))
    ordered = [*faces, *LATIN] if language == "zh-CN" else [*LATIN, *faces]
    return [*ordered, "sans-serif"]


def setup_fonts(language: str = "en") -> str | None:
    """Use the report's language for the charts that follow; returns the CJK family found here (or None)."""
    _state["fonts"] = font_families(language)
    return find_cjk_font()


def svg(chart: Chart) -> bytes:
    """The chart as SVG bytes: the same chart always gives the same bytes."""
    fonts = _state.get("fonts")
    return chart_svg.svg(chart, fonts if isinstance(fonts, list) else font_families("en"))


# ------------------------------------------------------------------ layout


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _bar_limits(n: int) -> tuple[float, float]:
    """Category axis limits for n bar slots: the bars and a 5 % margin."""
    span = n - 1 + BAR_WIDTH
    return -BAR_WIDTH / 2 - 0.05 * span, n - 1 + BAR_WIDTH / 2 + 0.05 * span


def _point_limits(n: int) -> tuple[float, float]:
    span = max(n - 1, 1)
    return -0.05 * span, n - 1 + 0.05 * span


def _slanted(labels: Sequence[str], positions: Sequence[float], per_unit: float, size: float,
             least: float) -> tuple[list[Tick], float]:
    """Category ticks under a plot and their rotation: level if they fit side by side, else slanted at
    `least` degrees (or 30), then standing, then every k-th label, until parallel labels are a line apart."""
    height = line_height(size) * 1.05
    wide = widest(labels, size) + 6.0
    step = (positions[1] - positions[0]) * per_unit if len(positions) > 1 else math.inf
    for rotation in dict.fromkeys([least, max(least, 30.0), 45.0, 90.0]):
        fits = wide <= step if rotation == 0 else step * math.sin(math.radians(rotation)) >= height
        if fits:
            return [Tick(p, s) for p, s in zip(positions, labels, strict=True)], rotation
    every = math.ceil(height / step)
    return [Tick(p, s) for p, s in zip(positions[::every], labels[::every], strict=True)], 90.0


def _under(ticks: Sequence[Tick], rotation: float, size: float) -> float:
    """Points that category labels take below the axis."""
    w = widest([t.label for t in ticks], size)
    a = math.radians(rotation)
    return OFF + w * math.sin(a) + line_height(size) * math.cos(a) + 4.0


def _reach(ticks: Sequence[Tick], rotation: float, size: float, inside_left: Sequence[float],
           inside_right: Sequence[float]) -> tuple[float, float]:
    """How far category labels reach past the plot's left and right edges (each label's point is
    `inside_left` points from the left edge, `inside_right` from the right): a level label is centred on its
    point, a slanted one ends there and runs down to the left."""
    left = right = 0.0
    for tick, in_left, in_right in zip(ticks, inside_left, inside_right, strict=True):
        w = widest([tick.label], size)
        if rotation == 0:
            left, right = max(left, w / 2 - in_left), max(right, w / 2 - in_right)
        else:
            left = max(left, w * math.cos(math.radians(rotation)) - in_left)
    return left, right


def _vertical(title: str, height_in: float, *, categories: Sequence[str], positions: Sequence[float],
              limits: tuple[float, float], value: tuple[float, float], kind: str, bins: int, from_zero: bool,
              pad: float, value_label: str, legend: Sequence[Key], least_rotation: float, size: float = FONT,
              category_label: str = "") -> Chart:
    """A chart with values up and categories along the bottom, its margins laid out from its labels."""
    (lo, hi), ticks = value_axis(value[0], value[1], kind, bins, from_zero=from_zero, pad=pad)
    base_left = OFF + widest([t.label for t in ticks]) + (line_height(FONT) + 8.0 if value_label else 4.0)
    base_right = legend_width([k.label for k in legend]) if legend else 14.0
    left, right = base_left, base_right
    for _ in range(3):  # the labels' overhang narrows the plot, which can change how they fit: settle it
        per_unit = (WIDTH - left - right) / (limits[1] - limits[0])
        cats, rotation = _slanted(categories, positions, per_unit, size, least_rotation)
        need = _reach(cats, rotation, size, [(t.at - limits[0]) * per_unit for t in cats],
                      [(limits[1] - t.at) * per_unit for t in cats])
        new = (max(base_left, need[0] + 4.0), max(base_right, need[1] + 4.0))
        if new == (left, right):
            break
        left, right = new
    bottom = _under(cats, rotation, size) + (line_height(FONT) + 4.0 if category_label else 0.0)
    height = max(height_in * PT, bottom / 0.6)  # long labels make the picture taller, not the plot flat
    return Chart(title, WIDTH, height, (left, right, bottom, 29.0), False, (lo, hi), ticks,
                 limits, cats, value_label=value_label, category_label=category_label, category_rotation=rotation,
                 category_font=size, legend=list(legend))


def _horizontal(title: str, categories: Sequence[str], value: tuple[float, float], kind: str, bins: int,
                value_label: str, legend: Sequence[Key], row: float, base: float, least: float) -> Chart:
    """Values left to right and categories top to bottom, one row per category."""
    n = len(categories)
    height = max(least, row * n + base) * PT
    left = base_left = OFF + widest(categories) + 10.0
    right = base_right = legend_width([k.label for k in legend]) if legend else 32.0
    for _ in range(2):  # the end ticks' labels are centred on the plot's edges: they need half their width
        (lo, hi), ticks = value_axis(value[0], value[1], kind, bins, room=WIDTH - left - right)
        half = widest([t.label for t in ticks]) / 2 + 4.0
        left, right = max(base_left, half), max(base_right, half)
    bottom = OFF + line_height(FONT) + (line_height(FONT) + 8.0 if value_label else 4.0)
    return Chart(title, WIDTH, height, (left, right, bottom, 29.0), True, (lo, hi), ticks, _bar_limits(n),
                 [Tick(float(i), c) for i, c in enumerate(categories)], value_label=value_label, legend=list(legend))


# ------------------------------------------------------------------ charts


def stacked_bars(frame: pd.DataFrame, *, title: str, ylabel: str, colors: Sequence[str], labels: Sequence[str],
                 horizontal: bool = False) -> Chart:
    """Rows = categories (e.g. product lines), columns = stacked parts (e.g. cost elements) drawn in `colors`
    and named `labels` in the legend."""
    cats = [_short(str(i)) for i in frame.index]
    values = frame.to_numpy(dtype=float)
    pos = np.where(values > 0, values, 0).sum(axis=1)
    neg = np.where(values < 0, values, 0).sum(axis=1)
    legend = [Key(str(label), colour) for label, colour in zip(labels, colors, strict=True)]
    span = (float(neg.min(initial=0)), float(pos.max(initial=0)))
    if horizontal:
        chart = _horizontal(title, cats, span, "money", 5, ylabel, legend, 0.36, 1.3, 2.6)
    else:
        chart = _vertical(title, 4.2, categories=cats, positions=list(range(len(cats))),
                          limits=_bar_limits(len(cats)), value=span, kind="money", bins=6, from_zero=True,
                          pad=0.06, value_label=ylabel, legend=legend, least_rotation=30.0)
    up, down = np.zeros(len(frame)), np.zeros(len(frame))
    for k in range(values.shape[1]):
        v = values[:, k]
        base = np.where(v >= 0, up, down)
        chart.rects += [Rect(float(i), BAR_WIDTH, float(base[i]), float(v[i]), colors[k], str(labels[k]))
                        for i in range(len(v))]
        up += np.where(v >= 0, v, 0)
        down += np.where(v < 0, v, 0)
    return chart


def lines(frame: pd.DataFrame, *, title: str, ylabel: str, xlabel: str = "", reference: float | None = None
          ) -> Chart:
    """One line per column over the index (e.g. unit cost per item over periods)."""
    v = frame.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    if reference is not None:
        lo, hi = min(lo, reference), max(hi, reference)
    multi = len(frame.columns) > 1
    legend = [Key(str(c), PALETTE[k % len(PALETTE)], "line+dot") for k, c in enumerate(frame.columns)] \
        if multi else []
    n = len(frame)
    chart = _vertical(title, 4.0, categories=[str(i) for i in frame.index], positions=list(range(n)),
                      limits=_point_limits(n), value=(lo, hi), kind="index", bins=6, from_zero=False, pad=0.08,
                      value_label=ylabel, legend=legend, least_rotation=0.0, category_label=xlabel)
    for k, col in enumerate(frame.columns):
        y = frame[col].to_numpy(dtype=float)
        chart.lines.append(Line(tuple((float(i), float(y[i])) for i in range(n)), PALETTE[k % len(PALETTE)], 1.8,
                                marker=2.0, series=str(col)))
    if reference is not None:
        chart.rules.append(Rule(reference, "#888888", 0.8, "1,1.65"))
    chart.grid = True
    return chart


def control_chart(values: Sequence[float] | np.ndarray, labels: Sequence[str], *, center: float, ucl: float,
                  lcl: float, flagged: Sequence[bool] | np.ndarray, title: str, ylabel: str,
                  legend: Sequence[str]) -> Chart:
    """Individuals chart: points in order, center line and control limits, flagged points in red.

    `legend` = (value label, center label, limits label, flagged label).
    """
    y = np.asarray(values, dtype=float)
    flags = np.asarray(flagged, dtype=bool)
    n = len(y)
    keys = [Key(legend[0], PALETTE[1], "line+dot"), Key(legend[1], PALETTE[0], "line"),
            Key(legend[2], PALETTE[4], "dashed")] + ([Key(legend[3], PALETTE[4], "dot")] if flags.any() else [])
    step = max(1, -(-n // 10))  # at most 10 batch labels
    shown = list(range(0, n, step))
    lo, hi = float(min(np.nanmin(y), lcl)), float(max(np.nanmax(y), ucl))
    chart = _vertical(title, 3.6, categories=[str(labels[i]) for i in shown], positions=[float(i) for i in shown],
                      limits=_point_limits(n), value=(lo, hi), kind="money", bins=5, from_zero=False, pad=0.08,
                      value_label=ylabel, legend=keys, least_rotation=30.0, size=8.0)
    chart.lines.append(Line(tuple((float(i), float(y[i])) for i in range(n)), PALETTE[1], 1.2, marker=1.75,
                            series=legend[0]))
    chart.rules += [Rule(center, PALETTE[0], 1.2), Rule(ucl, PALETTE[4], 1.0, "3.7,1.6"),
                    Rule(lcl, PALETTE[4], 1.0, "3.7,1.6")]
    if flags.any():
        chart.dots.append(Dots(tuple((float(i), float(y[i])) for i in np.flatnonzero(flags)), PALETTE[4], 3.0))
    chart.grid = True
    return chart


def grouped_bars(frame: pd.DataFrame, *, title: str, ylabel: str) -> Chart:
    """Side-by-side bars: rows = categories (items), columns = series (configurations)."""
    n = len(frame.columns)
    width = BAR_WIDTH / max(1, n)
    v = frame.to_numpy(dtype=float)
    span = (float(np.nanmin(v, initial=0)), float(np.nanmax(v, initial=0)))
    legend = [Key(str(c), PALETTE[k % len(PALETTE)]) for k, c in enumerate(frame.columns)]
    cats = [_short(str(i)) for i in frame.index]
    chart = _vertical(title, 4.0, categories=cats, positions=list(range(len(cats))), limits=_bar_limits(len(cats)),
                      value=span, kind="index", bins=6, from_zero=True, pad=0.06, value_label=ylabel,
                      legend=legend, least_rotation=30.0)
    for k, col in enumerate(frame.columns):
        y = frame[col].to_numpy(dtype=float)
        chart.rects += [Rect(i + (k - (n - 1) / 2) * width, width, 0.0, float(y[i]), PALETTE[k % len(PALETTE)],
                             str(col)) for i in range(len(y)) if y[i] == y[i]]
    chart.grid = True
    return chart


def waterfall(parts: pd.Series, *, start_label: str, end_label: str, start: float, end: float, title: str,
              ylabel: str) -> Chart:
    """From a reference (start) through signed contributions (parts) to the actual value (end).

    The value axis spans every bar's bottom and top, the running level included (a driver can take the
    level above both the reference and the actual value)."""
    labels = [start_label, *[_short(str(i)) for i in parts.index], end_label]
    rects = [Rect(0.0, BAR_WIDTH, 0.0, float(start), NEUTRAL, start_label)]
    level = float(start)
    for k, value in enumerate(parts.to_numpy(dtype=float), start=1):
        rects.append(Rect(float(k), BAR_WIDTH, level, float(value), BAD if value > 0 else GOOD, labels[k]))
        level += float(value)
    rects.append(Rect(float(len(labels) - 1), BAR_WIDTH, 0.0, float(end), INK, end_label))
    span = (min(min(r.low for r in rects), 0.0), max(r.high for r in rects))
    chart = _vertical(title, 3.8, categories=labels, positions=list(range(len(labels))),
                      limits=_bar_limits(len(labels)), value=span, kind="money", bins=6, from_zero=True, pad=0.06,
                      value_label=ylabel, legend=[], least_rotation=25.0)
    chart.rects = rects
    chart.grid = True
    return chart


def bars(series: pd.Series, *, title: str, xlabel: str, highlight: Sequence[bool] | None = None,
         kind: str = "money", colors: Sequence[str] | None = None) -> Chart:
    """Horizontal bars, first on top (e.g. margin by customer, WIP days by line). `kind` is what the values
    count: money, days or count (whole-number ticks); `colors` one per bar (else BAR, `highlight` in BAD)."""
    cats = [_short(str(i)) for i in series.index]
    v = series.to_numpy(dtype=float)
    if colors is None:
        colors = [BAD if (highlight is not None and highlight[i]) else BAR for i in range(len(series))]
    chart = _horizontal(title, cats, (float(np.nanmin(v, initial=0)), float(np.nanmax(v, initial=0))), kind, 5,
                        xlabel, [], 0.32, 1.1, 2.4)
    chart.rects = [Rect(float(i), BAR_WIDTH, 0.0, float(v[i]), colors[i], cats[i]) for i in range(len(v))
                   if v[i] == v[i]]
    chart.grid = True
    return chart
