"""What a report chart is, before it is drawn: data in data coordinates, axes, and the laid-out text.

A chart is a plain value (`Chart`): bars, lines, horizontal rules and dots in data coordinates, a value axis
with its limits and ticks, a category axis, a legend, and the plot area's box in points. `Chart.texts` lays
out every label (title, ticks, axis names, legend) as positioned `Text` items, which `chart_svg` writes and
tests measure with a font's real metrics: nothing is drawn to find out where text goes.

Why not matplotlib: building a figure and writing its SVG took 50-90 ms per chart, about 60 % of the report
cells' time over the 1x pack (190 charts), for six kinds of chart that are rectangles, polylines and text.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

FONT = 10.0  # points: tick labels, axis names
TITLE_FONT = 12.0
LEGEND_FONT = 9.0
TICK = 3.5  # tick mark length, points
PAD = 3.5  # between a tick mark and its label
TEXT = "#000000"  # labels and axes


def text_width(text: str, size: float = FONT) -> float:
    """Estimated advance width of a label in points: wide (CJK) characters one em, capitals 0.76 em, digits
    0.64 em, others 0.62 em (DejaVu Sans, the widest of the fonts a chart asks for). tests/test_charts.py
    checks the layout with the fonts' real metrics, and in Chromium."""
    ems = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            ems += 1.0
        elif ch.isupper() or ch in "%&@#MW":
            ems += 0.76
        elif ch.isdigit():
            ems += 0.64
        else:
            ems += 0.62
    return ems * size


def line_height(size: float) -> float:
    return size * 1.2


@dataclass(frozen=True)
class Rect:
    """A bar: centred on category position `at`, `thickness` wide along the category axis, from `base` to
    `base + value` along the value axis."""

    at: float
    thickness: float
    base: float
    value: float
    colour: str
    series: str = ""

    @property
    def low(self) -> float:
        return min(self.base, self.base + self.value)

    @property
    def high(self) -> float:
        return max(self.base, self.base + self.value)


@dataclass(frozen=True)
class Line:
    """A polyline through (category position, value) points; `marker` is the radius of a dot at each point."""

    points: tuple[tuple[float, float], ...]
    colour: str
    width: float
    dash: str = ""
    marker: float = 0.0
    series: str = ""


@dataclass(frozen=True)
class Rule:
    """A line across the whole plot at one value (a centre line, a control limit, a reference)."""

    value: float
    colour: str
    width: float
    dash: str = ""


@dataclass(frozen=True)
class Dots:
    points: tuple[tuple[float, float], ...]
    colour: str
    radius: float


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Key:
    """One legend entry: `mark` is box, line, dashed or dot."""

    label: str
    colour: str
    mark: str = "box"


@dataclass(frozen=True)
class Text:
    """A positioned label: (x, y) is its anchor in points from the top left; `anchor` start/middle/end along
    the text; `baseline` is where y sits: top, middle or bottom of the line; `rotation` in degrees
    counter-clockwise about the anchor; `role` says what it is (title, value_tick, category_tick, ...)."""

    x: float
    y: float
    content: str
    size: float = FONT
    anchor: str = "middle"
    baseline: str = "middle"
    rotation: float = 0.0
    bold: bool = False
    role: str = ""


@dataclass
class Chart:
    """A chart in data coordinates with its layout. `horizontal`: the value axis runs left to right and the
    categories top to bottom (first on top); otherwise values run up and categories left to right."""

    title: str
    width: float  # points
    height: float
    margins: tuple[float, float, float, float]  # left, right, bottom, top, points
    horizontal: bool
    value_limits: tuple[float, float]
    value_ticks: list[Tick]
    category_limits: tuple[float, float]
    category_ticks: list[Tick]
    value_label: str = ""
    category_label: str = ""
    category_rotation: float = 0.0
    category_font: float = FONT
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    dots: list[Dots] = field(default_factory=list)
    legend: list[Key] = field(default_factory=list)
    grid: bool = False

    # ------------------------------------------------------------ geometry

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The plot area: left, top, right, bottom in points from the top left."""
        left, right, bottom, top = self.margins
        return left, top, self.width - right, self.height - bottom

    def value_scale(self) -> Callable[[float], float]:
        """Data value -> points along the page's x (horizontal) or y (vertical) axis."""
        lo, hi = self.value_limits
        x0, y0, x1, y1 = self.box
        if self.horizontal:
            return lambda v: x0 + (v - lo) / (hi - lo) * (x1 - x0)
        return lambda v: y1 - (v - lo) / (hi - lo) * (y1 - y0)

    def category_scale(self) -> Callable[[float], float]:
        lo, hi = self.category_limits
        x0, y0, x1, y1 = self.box
        if self.horizontal:  # first category on top
            return lambda c: y0 + (c - lo) / (hi - lo) * (y1 - y0)
        return lambda c: x0 + (c - lo) / (hi - lo) * (x1 - x0)

    def point(self, at: float, value: float) -> tuple[float, float]:
        """(category position, value) -> (x, y) in points."""
        v, c = self.value_scale()(value), self.category_scale()(at)
        return (v, c) if self.horizontal else (c, v)

    def shown_value_ticks(self) -> list[Tick]:
        lo, hi = self.value_limits
        return [t for t in self.value_ticks if lo - 1e-9 * (hi - lo) <= t.at <= hi + 1e-9 * (hi - lo)]

    # ------------------------------------------------------------ text

    def texts(self) -> list[Text]:
        """Every label of the chart, positioned."""
        x0, y0, x1, y1 = self.box
        out = [Text((x0 + x1) / 2, y0 - 6.0, self.title, TITLE_FONT, "middle", "bottom", bold=True, role="title")]
        value, category = self.value_scale(), self.category_scale()
        off = TICK + PAD
        if self.horizontal:
            out += [Text(value(t.at), y1 + off, t.label, FONT, "middle", "top", role="value_tick")
                    for t in self.shown_value_ticks()]
            out += [Text(x0 - off, category(t.at), t.label, self.category_font, "end", "middle",
                         role="category_tick") for t in self.category_ticks]
            if self.value_label:
                out.append(Text((x0 + x1) / 2, y1 + off + line_height(FONT) + 4.0, self.value_label, FONT,
                                "middle", "top", role="value_label"))
        else:
            out += [Text(x0 - off, value(t.at), t.label, FONT, "end", "middle", role="value_tick")
                    for t in self.shown_value_ticks()]
            rotated = self.category_rotation != 0
            out += [Text(category(t.at), y1 + off, t.label, self.category_font, "end" if rotated else "middle",
                         "top", self.category_rotation, role="category_tick") for t in self.category_ticks]
            widest = max((text_width(t.label) for t in self.shown_value_ticks()), default=0.0)
            if self.value_label:
                out.append(Text(x0 - off - widest - 6.0, (y0 + y1) / 2, self.value_label, FONT, "middle",
                                "bottom", 90.0, role="value_label"))
            if self.category_label:
                out.append(Text((x0 + x1) / 2, self.height - 6.0, self.category_label, FONT, "middle", "bottom",
                                role="category_label"))
        for k, (x, y) in enumerate(self.legend_slots()):
            out.append(Text(x + 22.0, y, self.legend[k].label, LEGEND_FONT, "start", "middle", role="legend"))
        return out

    def legend_slots(self) -> list[tuple[float, float]]:
        """Where each legend entry's mark starts (x) and its row's middle (y), right of the plot area."""
        _, y0, x1, _ = self.box
        return [(x1 + 8.0, y0 + 6.0 + k * line_height(LEGEND_FONT) * 1.3) for k in range(len(self.legend))]


# ------------------------------------------------------------------ axes


def nice_ticks(lo: float, hi: float, bins: int, *, whole: bool = False) -> list[float]:
    """Tick values inside [lo, hi]: multiples of 1, 2, 2.5 or 5 times a power of ten, at most `bins`
    intervals (the rule of matplotlib's MaxNLocator); whole numbers only if `whole`."""
    span = hi - lo
    if not span > 0 or not math.isfinite(span):
        return [lo]
    scale = 10.0 ** math.floor(math.log10(span / bins))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0):
        step = mult * scale
        if whole and (step < 1 or step != math.floor(step)):
            continue
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first <= bins:
            return [_clean(k * step) for k in range(first, last + 1)]
    return [lo, hi]


def _clean(v: float) -> float:
    """k * step without float dust (0.30000000000000004 -> 0.3), and no negative zero."""
    return float(f"{v:.12g}") + 0.0


def value_format(kind: str, span: float) -> Callable[[float], str]:
    """Tick labels by what the axis counts: whole numbers for days and counts and for spans of 10 or more,
    two decimals below, thousands separated."""
    if kind in ("days", "count") or abs(span) >= 10:
        return lambda v: f"{v:,.0f}"
    return lambda v: f"{v:,.2f}"


def value_axis(lo: float, hi: float, kind: str, bins: int, *, from_zero: bool = True, pad: float = 0.06,
               room: float | None = None) -> tuple[tuple[float, float], list[Tick]]:
    """Limits that contain [lo, hi] (and 0 for bars), ticks formatted for the kind of value.

    `room`: the axis length in points when its labels sit side by side (a horizontal value axis); ticks
    are thinned until every label fits its interval with a gap."""
    if from_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    margin = (hi - lo) * pad or 1.0
    limits = (lo - margin if (lo < 0 or not from_zero) else lo, hi + margin)
    fmt = value_format(kind, limits[1] - limits[0])
    whole = kind in ("days", "count")
    for n in range(bins, 0, -1):
        ticks = [Tick(v, fmt(v)) for v in nice_ticks(limits[0], limits[1], n, whole=whole)]
        if room is None or len(ticks) < 2:
            return limits, ticks
        spacing = room * (ticks[1].at - ticks[0].at) / (limits[1] - limits[0])
        if max(text_width(t.label) for t in ticks) + 8.0 <= spacing:
            return limits, ticks
    return limits, ticks


def widest(labels: Sequence[str], size: float = FONT) -> float:
    return max((text_width(str(x), size) for x in labels), default=0.0)


def legend_width(labels: Sequence[str]) -> float:
    """Points the legend takes right of the plot area."""
    return widest(labels, LEGEND_FONT) + 40.0 if labels else 7.0
