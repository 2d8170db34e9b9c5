"""Charts for the reports (matplotlib, rendered to PNG bytes, embedded in the HTML).

Labels come from the caller in the report's language. For Chinese a CJK
font is needed: `setup_fonts` finds one (WenQuanYi or Noto CJK, installed by
scripts/system-deps.sh); without one it says so, and callers fall back to
English chart labels instead of drawing boxes.
"""

from __future__ import annotations

import glob
import io
import logging
import warnings
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter, MaxNLocator

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei",
                "Microsoft YaHei", "PingFang SC")
CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK*.ttc",
             "/usr/share/fonts/**/NotoSansCJK*", "/usr/share/fonts/**/wqy-*.ttc")
PALETTE = ["#1F3A5F", "#3C7DC4", "#F2A541", "#6BB38A", "#C8553D", "#8E6C8A", "#5BC0BE", "#A3A3A3", "#E07A5F",
           "#3D405B"]
_state: dict[str, str | None] = {}


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
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["axes.spines.top"] = False
    plt.rcParams["axes.spines.right"] = False
    plt.rcParams["axes.titleweight"] = "bold"
    plt.rcParams["font.size"] = 10
    _state["cjk"] = found
    return found


def _order(cjk: str | None, language: str) -> None:
    """Fonts in `font.family` order: matplotlib falls back glyph by glyph along this list, so an
    English chart of Chinese customer names still draws them with the CJK font."""
    fonts = ["DejaVu Sans"]
    if cjk:
        fonts = [cjk, *fonts] if language == "zh-CN" else [*fonts, cjk]
    plt.rcParams["font.family"] = fonts


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _thousands(ax: plt.Axes, axis: str = "y", integer: bool = False) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(integer=True))
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    whole = integer or abs(hi - lo) >= 10  # no decimals unless the axis spans small amounts
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if whole else f"{v:,.2f}"))


def stacked_bars(frame: pd.DataFrame, *, title: str, ylabel: str, horizontal: bool = False) -> bytes:
    """Rows = categories (e.g. product lines), columns = stacked parts (e.g. cost elements)."""
    fig, ax = plt.subplots(figsize=(8.5, max(3.2, 0.38 * len(frame) + 1.2) if horizontal else 4.2))
    bottom = np.zeros(len(frame))
    labels = [str(i) for i in frame.index]
    for k, col in enumerate(frame.columns):
        values = frame[col].to_numpy(dtype=float)
        color = PALETTE[k % len(PALETTE)]
        if horizontal:
            ax.barh(labels, values, left=bottom, label=str(col), color=color)
        else:
            ax.bar(labels, values, bottom=bottom, label=str(col), color=color)
        bottom += values
    ax.set_title(title)
    if horizontal:
        ax.set_xlabel(ylabel)
        ax.invert_yaxis()
        _thousands(ax, "x")
    else:
        ax.set_ylabel(ylabel)
        _thousands(ax)
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(fig)


def lines(frame: pd.DataFrame, *, title: str, ylabel: str, xlabel: str = "", reference: float | None = None
          ) -> bytes:
    """One line per column over the index (e.g. unit cost per item over periods)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.0))
    x = [str(i) for i in frame.index]
    for k, col in enumerate(frame.columns):
        ax.plot(x, frame[col].to_numpy(dtype=float), marker="o", ms=4, lw=1.8, label=str(col),
                color=PALETTE[k % len(PALETTE)])
    if reference is not None:
        ax.axhline(reference, color="#888888", lw=0.8, ls=":")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    _thousands(ax)
    ax.grid(axis="y", alpha=0.3)
    if len(frame.columns) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(fig)


def control_chart(values: Sequence[float], labels: Sequence[str], *, center: float, ucl: float, lcl: float,
                  flagged: Sequence[bool], title: str, ylabel: str, legend: Sequence[str]) -> bytes:
    """Individuals chart: points in order, center line and control limits, flagged points in red.

    `legend` = (value label, center label, limits label, flagged label).
    """
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    x = np.arange(len(values))
    y = np.asarray(values, dtype=float)
    flags = np.asarray(flagged, dtype=bool)
    ax.plot(x, y, color=PALETTE[1], lw=1.2, marker="o", ms=3.5, label=legend[0])
    ax.axhline(center, color=PALETTE[0], lw=1.2, label=legend[1])
    ax.axhline(ucl, color=PALETTE[4], lw=1, ls="--", label=legend[2])
    ax.axhline(lcl, color=PALETTE[4], lw=1, ls="--")
    if flags.any():
        ax.scatter(x[flags], y[flags], color=PALETTE[4], s=36, zorder=3, label=legend[3])
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([labels[i] for i in range(0, len(labels), step)], rotation=30, ha="right", fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(fig)


def grouped_bars(frame: pd.DataFrame, *, title: str, ylabel: str) -> bytes:
    """Side-by-side bars: rows = categories (items), columns = series (configurations)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.0))
    n = len(frame.columns)
    width = 0.8 / max(1, n)
    x = np.arange(len(frame))
    for k, col in enumerate(frame.columns):
        ax.bar(x + (k - (n - 1) / 2) * width, frame[col].to_numpy(dtype=float), width, label=str(col),
               color=PALETTE[k % len(PALETTE)])
    ax.set_xticks(x)
    ax.set_xticklabels([str(i) for i in frame.index], rotation=30, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _thousands(ax)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(fig)


def waterfall(parts: pd.Series, *, start_label: str, end_label: str, start: float, end: float, title: str,
              ylabel: str) -> bytes:
    """From a reference (start) through signed contributions (parts) to the actual value (end)."""
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    labels = [start_label, *[str(i) for i in parts.index], end_label]
    level = start
    ax.bar(0, start, color=PALETTE[7])
    for k, value in enumerate(parts.to_numpy(dtype=float), start=1):
        ax.bar(k, value, bottom=level, color=PALETTE[4] if value > 0 else PALETTE[3])
        level += value
    ax.bar(len(labels) - 1, end, color=PALETTE[0])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=25, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _thousands(ax)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def bars(series: pd.Series, *, title: str, xlabel: str, highlight: Sequence[bool] | None = None,
         integer: bool = False) -> bytes:
    """Horizontal bars, largest first (e.g. margin by customer, WIP days by line)."""
    fig, ax = plt.subplots(figsize=(8.5, max(2.8, 0.34 * len(series) + 1.0)))
    colors = [PALETTE[4] if (highlight is not None and highlight[i]) else PALETTE[1] for i in range(len(series))]
    ax.barh([str(i) for i in series.index], series.to_numpy(dtype=float), color=colors)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    _thousands(ax, "x", integer)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
