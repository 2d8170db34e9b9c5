"""A `Chart` written as SVG: rectangles, polylines and `<text>`, in points.

The text stays text (selectable, sharp on paper, in the reader's fonts with a generic fallback) and every
data value is XML-escaped, so a label cannot become markup. The same chart always gives the same bytes:
no ids, no dates, numbers at two decimals.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .chart_model import TEXT, TICK, Chart, Key, Text

GRID = "#b0b0b0"
# where the baseline goes for a line of text, in ems below the anchor: the font's ascent is about 0.76 em and
# its descent 0.24 em (DejaVu Sans: 0.76 / 0.24; WenQuanYi Micro Hei: 0.80 / 0.20)
BASELINE = {"top": 0.76, "middle": 0.28, "bottom": -0.24}


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v == v else "0"


def _text(t: Text) -> str:
    attrs = f'font-size="{_n(t.size)}" text-anchor="{t.anchor}"' + (f' class="{t.role}"' if t.role else "")
    if t.bold:
        attrs += ' font-weight="bold"'
    dy = BASELINE[t.baseline] * t.size
    if t.rotation:
        place = f'transform="translate({_n(t.x)},{_n(t.y)}) rotate({_n(-t.rotation)})" x="0" y="{_n(dy)}"'
    else:
        place = f'x="{_n(t.x)}" y="{_n(t.y + dy)}"'
    return f"<text {place} {attrs}>{escape(t.content)}</text>"


def _legend_mark(key: Key, x: float, y: float) -> str:
    if key.mark == "box":
        return f'<rect x="{_n(x)}" y="{_n(y - 3.5)}" width="16" height="7" fill="{key.colour}"/>'
    if key.mark == "dot":
        return f'<circle cx="{_n(x + 8)}" cy="{_n(y)}" r="3" fill="{key.colour}"/>'
    dash = ' stroke-dasharray="3.7,1.6"' if key.mark == "dashed" else ""
    mark = f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 16)}" y2="{_n(y)}" stroke="{key.colour}" ' \
           f'stroke-width="1.5"{dash}/>'
    if key.mark == "line+dot":
        mark += f'<circle cx="{_n(x + 8)}" cy="{_n(y)}" r="2" fill="{key.colour}"/>'
    return mark


def svg(chart: Chart, fonts: list[str]) -> bytes:
    """The chart as a standalone SVG document; `fonts` is the font-family list, generic family last."""
    x0, y0, x1, y1 = chart.box
    value, category = chart.value_scale(), chart.category_scale()
    family = ", ".join(f if f == "sans-serif" else f"'{f}'" for f in fonts)
    out = ['<?xml version="1.0" encoding="utf-8" standalone="no"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(chart.width)}pt" height="{_n(chart.height)}pt" '
           f'viewBox="0 0 {_n(chart.width)} {_n(chart.height)}" version="1.1">',
           f'<rect width="{_n(chart.width)}" height="{_n(chart.height)}" fill="#ffffff"/>']
    def across(at: float, style: str) -> str:
        """A line across the plot at value `at` (a grid line, a rule)."""
        v = value(at)
        ends = (v, y0, v, y1) if chart.horizontal else (x0, v, x1, v)
        return '<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>'.format(*map(_n, ends), style)

    if chart.grid:
        out += [across(t.at, f'stroke="{GRID}" stroke-opacity="0.3" stroke-width="0.8"')
                for t in chart.shown_value_ticks()]
    for r in chart.rects:
        lo, hi = value(r.low), value(r.high)
        c0, c1 = category(r.at - r.thickness / 2), category(r.at + r.thickness / 2)
        if chart.horizontal:
            x, y, w, h = lo, min(c0, c1), hi - lo, abs(c1 - c0)
        else:
            x, y, w, h = min(c0, c1), hi, abs(c1 - c0), lo - hi
        out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{r.colour}"/>')
    for rule in chart.rules:
        dash = f' stroke-dasharray="{rule.dash}"' if rule.dash else ""
        out.append(across(rule.value, f'stroke="{rule.colour}" stroke-width="{_n(rule.width)}"{dash}'))
    for ln in chart.lines:
        pts = [chart.point(c, v) for c, v in ln.points if v == v]  # NaN: no point
        dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{ln.colour}" stroke-width="{_n(ln.width)}" '
                   f'stroke-linejoin="round"{dash}/>')
        if ln.marker:
            out += [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(ln.marker)}" fill="{ln.colour}"/>' for x, y in pts]
    for dots in chart.dots:
        out += [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(dots.radius)}" fill="{dots.colour}"/>'
                for x, y in (chart.point(c, v) for c, v in dots.points)]
    # axes: left and bottom spines, tick marks outward
    out.append(f'<path d="M{_n(x0)},{_n(y0)} V{_n(y1)} H{_n(x1)}" fill="none" stroke="{TEXT}" stroke-width="0.8"/>')
    marks = []
    for t in chart.shown_value_ticks():
        v = value(t.at)
        marks.append(f"M{_n(v)},{_n(y1)} v{_n(TICK)}" if chart.horizontal else f"M{_n(x0)},{_n(v)} h{_n(-TICK)}")
    for t in chart.category_ticks:
        c = category(t.at)
        marks.append(f"M{_n(x0)},{_n(c)} h{_n(-TICK)}" if chart.horizontal else f"M{_n(c)},{_n(y1)} v{_n(TICK)}")
    if marks:
        out.append(f'<path d="{" ".join(marks)}" stroke="{TEXT}" stroke-width="0.8"/>')
    for key, (x, y) in zip(chart.legend, chart.legend_slots(), strict=True):
        out.append(_legend_mark(key, x, y))
    out.append(f'<g style="font-family:{family};" fill="{TEXT}">')
    out += [_text(t) for t in chart.texts() if t.content]
    out.append("</g></svg>\n")
    return "\n".join(out).encode("utf-8")
