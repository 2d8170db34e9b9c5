"""Charts for the reports: matplotlib figures (no pyplot), embedded in the HTML as SVG.

Each function returns a `Figure` (tests inspect its axes, bars and tick labels);
`svg` renders it: vector graphics, so a printed report's charts are as sharp as
its tables, in half the time of a PNG (no glyph is rasterized, nothing is
compressed) and at less than half its size. The text stays text, in the
report's fonts with a generic fallback (`_order`); `png` remains for callers
that need pixels. Rules every chart keeps (tests/test_charts.py):
- the value axis contains every bar, bottom and top (a waterfall's running
  level included);
- at most a handful of value ticks, formatted for what they count (money with
  thousands separators, days and counts as whole numbers), so tick labels
  never run together;
- one colour per cost element, the same in every report (`element_colour`);
- no chart of one point or one bar (`drawable`: sections show the table only).
Margins are laid out from the labels' lengths instead of `bbox_inches="tight"`,
which draws every figure twice: half the rendering time of a report.

Labels come from the caller in the report's language. For Chinese a CJK
font is needed: `setup_fonts` finds one (WenQuanYi or Noto CJK, installed by
scripts/system-deps.sh); without one it says so, and callers fall back to
English chart labels instead of drawing boxes.
"""

from __future__ import annotations

import glob
import hashlib
import io
import logging
import unicodedata
import warnings
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei",
                "Microsoft YaHei", "PingFang SC")
CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK*.ttc",
             "/usr/share/fonts/**/NotoSansCJK*", "/usr/share/fonts/**/wqy-*.ttc")
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
DPI = 100
FONT = 10.0  # points
_state: dict[str, str | None] = {}


def element_colour(element: str) -> str:
    """The colour of a cost element (its key, not its translated label)."""
    if element in ELEMENT_COLOURS:
        return ELEMENT_COLOURS[element]
    digest = int(hashlib.sha1(element.encode("utf-8")).hexdigest()[:8], 16)
    return EXTRA[digest % len(EXTRA)]


def drawable(n_points: int) -> bool:
    """Whether a chart is worth drawing: one bar or one point says nothing a table does not."""
    return n_points >= 2


def setup_fonts(language: str = "en") -> str | None:
    """Register a CJK-capable font if the system has one; returns its family name (or None).

    English charts keep DejaVu Sans first (the CJK font only fills in missing glyphs)."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    # without a CJK font the report says so once (text.font_fallback); no warning per glyph
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
    if "cjk" in _state:
        _order(_state["cjk"], language)
        return _state["cjk"]
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in CJK_FAMILIES if n in names), None)
    if found is None:
        for pattern in CJK_FILES:
            for path in glob.glob(pattern, recursive=True):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = next((n for n in CJK_FAMILIES if n in names), None)
    _order(found, language)
    rc = matplotlib.rcParams
    rc["axes.unicode_minus"] = False
    rc["axes.spines.top"] = False
    rc["axes.spines.right"] = False
    rc["axes.titleweight"] = "bold"
    rc["font.size"] = FONT
    _state["cjk"] = found
    return found


def _order(cjk: str | None, language: str) -> None:
    """Fonts in `font.family` order: matplotlib falls back glyph by glyph along this list, so an
    English chart of Chinese customer names still draws them with the CJK font."""
    fonts = ["DejaVu Sans"]
    if cjk:
        fonts = [cjk, *fonts] if language == "zh-CN" else [*fonts, cjk]
    # last, the generic family: an SVG chart opened where none of these fonts is installed still draws its text
    # in a sans-serif face of the viewer's (matplotlib itself resolves it to DejaVu Sans, already first)
    matplotlib.rcParams["font.family"] = [*fonts, "sans-serif"]


SVG_RC = {"svg.fonttype": "none",  # text as <text>, not glyph outlines: half the drawing time, selectable text
          "svg.hashsalt": "batchkit",  # clip-path ids from a fixed salt, so that a rerun writes the same bytes
          "svg.image_inline": True}


def svg(fig: Figure) -> bytes:
    """The figure as SVG bytes (one draw; the layout was set when it was built), without the date matplotlib
    would stamp on it, so that the same figure always gives the same bytes."""
    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):  # type: ignore[arg-type]  # a dict[str, ...] for its Literal keys
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (one draw; the layout was set when it was built).

    The figure is opaque (white), so the picture is stored as RGB without its constant alpha channel, at zlib
    level 3: a third faster to encode than savefig's RGBA at level 6, and a tenth smaller."""
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))  # uint8 HxWx3: RGB
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=3, dpi=(DPI, DPI))
    return buf.getvalue()


# ------------------------------------------------------------------ layout


def text_inches(text: str, size: float = FONT) -> float:
    """Estimated width of a label in inches: wide (CJK) characters count one em, others 0.62 em."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.62 for ch in text)
    return ems * size / 72.0


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _margins(fig: Figure, *, left: float, right: float, bottom: float, top: float) -> None:
    """Margins in inches around the axes."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=min(left / w, 0.6), right=1 - min(right / w, 0.45), bottom=min(bottom / h, 0.6),
                        top=1 - min(top / h, 0.4))


def _legend_inches(labels: Sequence[str]) -> float:
    return (max((text_inches(str(x), 9) for x in labels), default=0.0) + 0.55) if labels else 0.1


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _format(kind: str, span: float) -> FuncFormatter:
    if kind in ("days", "count") or abs(span) >= 10:
        return FuncFormatter(lambda v, _: f"{v:,.0f}")
    return FuncFormatter(lambda v, _: f"{v:,.2f}")


def _value_axis(ax: Axes, axis: str, kind: str, lo: float, hi: float, bins: int) -> None:
    """Limits that contain [lo, hi] (and 0), at most `bins` ticks, formatted for the kind of value."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = (hi - lo) * 0.06 or 1.0
    lo = lo - pad if lo < 0 else lo
    hi = hi + pad
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
    whole = kind in ("days", "count")
    target.set_major_locator(MaxNLocator(nbins=bins, integer=whole, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(_format(kind, hi - lo))


def _tick_inches(lo: float, hi: float, kind: str) -> float:
    """Width of the widest value tick label."""
    fmt = _format(kind, hi - lo)
    return max(text_inches(fmt(v, 0)) for v in (lo, hi, (lo + hi) / 2))


# ------------------------------------------------------------------ charts


def stacked_bars(frame: pd.DataFrame, *, title: str, ylabel: str, colors: Sequence[str], labels: Sequence[str],
                 horizontal: bool = False) -> Figure:
    """Rows = categories (e.g. product lines), columns = stacked parts (e.g. cost elements) drawn in `colors`
    and named `labels` in the legend."""
    cats = [_short(str(i)) for i in frame.index]
    values = frame.to_numpy(dtype=float)
    pos = np.where(values > 0, values, 0).sum(axis=1)
    neg = np.where(values < 0, values, 0).sum(axis=1)
    legend_w = _legend_inches(labels)
    if horizontal:
        fig, ax = _figure(9.0, max(2.6, 0.36 * len(frame) + 1.3))
    else:
        fig, ax = _figure(9.0, 4.2)
    up = np.zeros(len(frame))
    down = np.zeros(len(frame))
    for k in range(values.shape[1]):
        v = values[:, k]
        base = np.where(v >= 0, up, down)
        if horizontal:
            ax.barh(cats, v, left=base, label=str(labels[k]), color=colors[k])
        else:
            ax.bar(cats, v, bottom=base, label=str(labels[k]), color=colors[k])
        up += np.where(v >= 0, v, 0)
        down += np.where(v < 0, v, 0)
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    lo, hi = float(neg.min(initial=0)), float(pos.max(initial=0))
    if horizontal:
        ax.set_xlabel(ylabel)
        ax.invert_yaxis()
        _value_axis(ax, "x", "money", lo, hi, 5)
        left = max(text_inches(c) for c in cats) + 0.25
        _margins(fig, left=left, right=legend_w, bottom=0.6, top=0.4)
    else:
        ax.set_ylabel(ylabel)
        _value_axis(ax, "y", "money", lo, hi, 6)
        for t in ax.get_xticklabels():
            t.set_rotation(30)
            t.set_horizontalalignment("right")
        bottom = max(text_inches(c) for c in cats) * 0.5 + 0.35
        _margins(fig, left=_tick_inches(lo, hi, "money") + 0.55, right=legend_w, bottom=bottom, top=0.4)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return fig


def lines(frame: pd.DataFrame, *, title: str, ylabel: str, xlabel: str = "", reference: float | None = None
          ) -> Figure:
    """One line per column over the index (e.g. unit cost per item over periods)."""
    labels = [str(c) for c in frame.columns]
    legend_w = _legend_inches(labels) if len(labels) > 1 else 0.2
    fig, ax = _figure(9.0, 4.0)
    x = [str(i) for i in frame.index]
    for k, col in enumerate(frame.columns):
        ax.plot(x, frame[col].to_numpy(dtype=float), marker="o", ms=4, lw=1.8, label=str(col),
                color=PALETTE[k % len(PALETTE)])
    if reference is not None:
        ax.axhline(reference, color="#888888", lw=0.8, ls=":")
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    v = frame.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    if reference is not None:
        lo, hi = min(lo, reference), max(hi, reference)
    pad = (hi - lo) * 0.08 or 1.0
    ax.set_ylim(lo - pad, hi + pad)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(_format("index", hi - lo))
    ax.grid(axis="y", alpha=0.3)
    if len(frame.columns) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    _margins(fig, left=_tick_inches(lo, hi, "index") + 0.55, right=legend_w, bottom=0.75 if xlabel else 0.5,
             top=0.4)
    return fig


def control_chart(values: Sequence[float] | np.ndarray, labels: Sequence[str], *, center: float, ucl: float,
                  lcl: float, flagged: Sequence[bool] | np.ndarray, title: str, ylabel: str,
                  legend: Sequence[str]) -> Figure:
    """Individuals chart: points in order, center line and control limits, flagged points in red.

    `legend` = (value label, center label, limits label, flagged label).
    """
    fig, ax = _figure(9.0, 3.6)
    x = np.arange(len(values))
    y = np.asarray(values, dtype=float)
    flags = np.asarray(flagged, dtype=bool)
    ax.plot(x, y, color=PALETTE[1], lw=1.2, marker="o", ms=3.5, label=legend[0])
    ax.axhline(center, color=PALETTE[0], lw=1.2, label=legend[1])
    ax.axhline(ucl, color=PALETTE[4], lw=1, ls="--", label=legend[2])
    ax.axhline(lcl, color=PALETTE[4], lw=1, ls="--")
    if flags.any():
        ax.scatter(x[flags], y[flags], color=PALETTE[4], s=36, zorder=3, label=legend[3])
    step = max(1, -(-len(x) // 10))  # at most 10 batch labels
    ax.set_xticks(x[::step])
    ax.set_xticklabels([labels[i] for i in range(0, len(labels), step)], rotation=30, ha="right", fontsize=8)
    lo, hi = float(min(np.nanmin(y), lcl)), float(max(np.nanmax(y), ucl))
    pad = (hi - lo) * 0.08 or 1.0
    ax.set_ylim(lo - pad, hi + pad)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.yaxis.set_major_formatter(_format("money", hi - lo))
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    longest = max((text_inches(str(s), 8) for s in labels), default=0.5)
    _margins(fig, left=_tick_inches(lo, hi, "money") + 0.55, right=_legend_inches(legend),
             bottom=longest * 0.5 + 0.3, top=0.4)
    return fig


def grouped_bars(frame: pd.DataFrame, *, title: str, ylabel: str) -> Figure:
    """Side-by-side bars: rows = categories (items), columns = series (configurations)."""
    labels = [str(c) for c in frame.columns]
    fig, ax = _figure(9.0, 4.0)
    n = len(frame.columns)
    width = 0.8 / max(1, n)
    x = np.arange(len(frame))
    for k, col in enumerate(frame.columns):
        ax.bar(x + (k - (n - 1) / 2) * width, frame[col].to_numpy(dtype=float), width, label=str(col),
               color=PALETTE[k % len(PALETTE)])
    cats = [_short(str(i)) for i in frame.index]
    ax.set_xticks(x)
    ax.set_xticklabels(cats, rotation=30, ha="right")
    v = frame.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(v, initial=0)), float(np.nanmax(v, initial=0))
    _value_axis(ax, "y", "index", lo, hi, 6)
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    _margins(fig, left=_tick_inches(lo, hi, "index") + 0.55, right=_legend_inches(labels),
             bottom=max(text_inches(c) for c in cats) * 0.5 + 0.35, top=0.4)
    return fig


def waterfall(parts: pd.Series, *, start_label: str, end_label: str, start: float, end: float, title: str,
              ylabel: str) -> Figure:
    """From a reference (start) through signed contributions (parts) to the actual value (end).

    The value axis spans every bar's bottom and top, the running level included (a driver can take the
    level above both the reference and the actual value)."""
    fig, ax = _figure(9.0, 3.8)
    labels = [start_label, *[_short(str(i)) for i in parts.index], end_label]
    level = start
    tops = [start, end, 0.0]
    ax.bar(0, start, color=NEUTRAL)
    for k, value in enumerate(parts.to_numpy(dtype=float), start=1):
        ax.bar(k, value, bottom=level, color=BAD if value > 0 else GOOD)
        level += value
        tops += [level, level - value]
    ax.bar(len(labels) - 1, end, color=INK)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=25, ha="right")
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    ax.set_ylabel(ylabel)
    lo, hi = float(min(tops)), float(max(tops))
    _value_axis(ax, "y", "money", lo, hi, 6)
    ax.grid(axis="y", alpha=0.3)
    _margins(fig, left=_tick_inches(lo, hi, "money") + 0.55, right=0.2,
             bottom=max(text_inches(c) for c in labels) * 0.45 + 0.35, top=0.4)
    return fig


def bars(series: pd.Series, *, title: str, xlabel: str, highlight: Sequence[bool] | None = None,
         kind: str = "money") -> Figure:
    """Horizontal bars, largest first (e.g. margin by customer, WIP days by line). `kind` is what the values
    count: money, days or count (whole-number ticks)."""
    cats = [_short(str(i)) for i in series.index]
    fig, ax = _figure(9.0, max(2.4, 0.32 * len(series) + 1.1))
    colors = [BAD if (highlight is not None and highlight[i]) else BAR for i in range(len(series))]
    v = series.to_numpy(dtype=float)
    ax.barh(cats, v, color=colors)
    ax.invert_yaxis()
    ax.set_title(title, y=1.0)  # a fixed place: no search for top-axis decorations at each draw (we have none)
    ax.set_xlabel(xlabel)
    _value_axis(ax, "x", kind, float(np.nanmin(v, initial=0)), float(np.nanmax(v, initial=0)), 5)
    ax.grid(axis="x", alpha=0.3)
    _margins(fig, left=max(text_inches(c) for c in cats) + 0.25, right=0.45, bottom=0.6, top=0.4)
    return fig
