"""Line charts (a measure by quarter): laid out into the same primitives as the bar charts
(charts.py), so the PDF draws them as vectors and the DOCX embeds the same layout as a PNG.

A value of None is a gap: the line and its band stop at the quarter before and start again
after it, and the quarter keeps its place on the axis with its label ("suppressed"), so a
hidden figure never reads as a zero or as a smooth trend across it.
"""

from __future__ import annotations

import math

from . import charts, fonts
from .charts import (
    EDGE,
    GRID,
    LABEL_SIZE,
    LEGEND_SIZE,
    LINE_GAP,
    MUTED,
    PALETTE,
    TEXT,
    TICK_SIZE,
    TITLE_SIZE,
    VALUE_SIZE,
    WHISKER,
    ChartLayout,
    Dot,
    Line,
    Poly,
    Primitive,
    Rect,
    Text,
    wrap,
)
from .model import LineChart, clean, format_value

PLOT_H = 150.0  # points: tall enough to read a change of a few points on a 0-100% axis
GAP_SIZE = 6.5
NOTE_SIZE = 7.0


def _tint(hex_: str, keep: float = 0.28) -> str:
    """The colour mixed with white: a band light enough to read the line and labels over."""
    rgb = [int(hex_[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02X}" for c in rgb)


def _runs(present: list[bool]) -> list[list[int]]:
    """Consecutive indices where `present` holds: the pieces a gap splits a line into."""
    out: list[list[int]] = []
    for i, ok in enumerate(present):
        if not ok:
            continue
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def layout_line_chart(chart: LineChart, width: float = charts.DEFAULT_WIDTH) -> ChartLayout:
    """Every mark of the chart, in points (origin top-left), for a drawing `width` wide."""
    full_width = width
    width -= 2 * EDGE
    items: list[Primitive] = []
    y = 0.0
    for line in wrap(clean(chart.title), fonts.BOLD, TITLE_SIZE, width):
        y += TITLE_SIZE * LINE_GAP
        items.append(Text(0, y - TITLE_SIZE * 0.25, line, TITLE_SIZE, TEXT, "start", True))
    y += 4
    if len(chart.series) > 1 or chart.intervals:
        y = _legend(chart, items, y, width)

    vmin, vmax, step = charts._axis(chart)  # type: ignore[arg-type]  # same fields as a bar chart
    ticks = []
    t = vmin
    while t <= vmax + step * 1e-6:
        ticks.append(t)
        t += step
    tick_texts = [charts._tick_text(t, step, chart.unit) for t in ticks]
    x0 = max(fonts.text_width(s, fonts.REGULAR, TICK_SIZE) for s in tick_texts) + 6
    x1 = width
    n = len(chart.categories)
    slot = (x1 - x0) / max(n, 1)
    plot_top = y + VALUE_SIZE + 6  # room for a value label above a point at the axis top
    plot_bottom = plot_top + PLOT_H

    def cx(i: int) -> float:
        return x0 + slot * (i + 0.5)

    def sy(v: float) -> float:
        v = min(max(v, vmin), vmax)
        return plot_bottom - (v - vmin) / (vmax - vmin) * PLOT_H

    for t, text in zip(ticks, tick_texts, strict=True):
        items.append(Line(x0, sy(t), x1, sy(t), GRID, 0.5))
        items.append(Text(x0 - 4, sy(t) + TICK_SIZE * 0.35, text, TICK_SIZE, MUTED, "end"))

    marks: list[Primitive] = []
    for si, s in enumerate(chart.series):
        colour = PALETTE[si % len(PALETTE)]
        present = [v is not None for v in s.values]
        if si == 0 and chart.intervals:
            _band(chart, items, present, cx, sy, _tint(colour))
        for run in _runs(present):
            for a, b in zip(run, run[1:], strict=False):
                items.append(Line(cx(a), sy(s.values[a]), cx(b), sy(s.values[b]), colour, 1.6))
        for i, v in enumerate(s.values):
            label = clean(format_value(v, chart.unit, s.labels[i] if s.labels else ""))
            if v is None:
                if si == 0:  # the gap says why, at the foot of its place on the axis
                    fits = fonts.text_width(label, fonts.REGULAR, GAP_SIZE) <= slot - 2
                    marks.append(
                        Text(cx(i), plot_bottom - 4, label if fits else "\u2013", GAP_SIZE,
                             MUTED, "middle")
                    )
                continue
            marks.append(Dot(cx(i), sy(v), 2.4, colour))
            alone = not (i and present[i - 1]) and not (i + 1 < n and present[i + 1])
            if alone:  # a point between gaps may carry a whisker: its label goes beside it
                marks.append(Text(cx(i) + 6, sy(v) + VALUE_SIZE * 0.35, label, VALUE_SIZE, TEXT))
            elif fonts.text_width(label, fonts.REGULAR, VALUE_SIZE) <= slot - 2:
                marks.append(Text(cx(i), sy(v) - 5, label, VALUE_SIZE, TEXT, "middle"))
    items.extend(marks)
    items.append(Line(x0, plot_top - VALUE_SIZE - 6, x0, plot_bottom, charts.AXIS, 0.8))
    items.append(Line(x0, plot_bottom, x1, plot_bottom, charts.AXIS, 0.8))

    # Category labels under the axis; two lines ("2024" / "Q4") when one does not fit.
    y = plot_bottom + 3
    lines_of = [wrap(clean(c), fonts.REGULAR, LABEL_SIZE, max(slot - 2, 10), 2)
                for c in chart.categories]
    for i, lines in enumerate(lines_of):
        for k, ln in enumerate(lines):
            items.append(Text(cx(i), y + (k + 1) * LABEL_SIZE * LINE_GAP - 2, ln, LABEL_SIZE,
                              TEXT, "middle"))
    y += max((len(ls) for ls in lines_of), default=1) * LABEL_SIZE * LINE_GAP + 2
    if any(v is None for s in chart.series for v in s.values) and chart.gap_note:
        for ln in wrap(clean(chart.gap_note), fonts.REGULAR, NOTE_SIZE, width):
            y += NOTE_SIZE * LINE_GAP
            items.append(Text(0, y, ln, NOTE_SIZE, MUTED))
    height = y + 4
    shifted = tuple(charts._shift(it, EDGE) for it in items)
    return ChartLayout(
        full_width, math.ceil(height), shifted, clean(chart.describe()), clean(chart.title)
    )


def _legend(chart: LineChart, items: list[Primitive], y: float, width: float) -> float:
    """Series names by colour, and what the band is; flows onto more lines if needed."""
    entries: list[tuple[str, str, bool]] = [
        (PALETTE[i % len(PALETTE)], clean(s.name), False) for i, s in enumerate(chart.series)
    ]
    if chart.intervals:
        entries.append((_tint(PALETTE[0]), "95% interval", True))
    x = 0.0
    y += LEGEND_SIZE * LINE_GAP
    for colour, name, band in entries:
        w = 18 + fonts.text_width(name, fonts.REGULAR, LEGEND_SIZE)
        if x > 0 and x + w > width:
            x = 0.0
            y += LEGEND_SIZE * LINE_GAP + 2
        if band:
            items.append(Rect(x, y - 8, 14, 8, colour))
        else:
            items.append(Line(x, y - 4, x + 14, y - 4, colour, 1.6))
            items.append(Dot(x + 7, y - 4, 2.4, colour))
        items.append(Text(x + 18, y - 1, name, LEGEND_SIZE, TEXT))
        x += w + 16
    return y + 6


def _band(chart: LineChart, items: list[Primitive], present: list[bool], cx, sy,
          fill: str) -> None:
    """The first series' intervals: a band over each run of quarters that have one, a
    whisker for a quarter alone between gaps."""
    ivs = chart.intervals or []
    have = [p and ivs[i] is not None for i, p in enumerate(present)]
    for run in _runs(have):
        if len(run) == 1:
            i = run[0]
            lo, hi = ivs[i]  # type: ignore[misc]
            items.append(Line(cx(i), sy(lo), cx(i), sy(hi), WHISKER, 0.9))
            for v in (lo, hi):
                items.append(Line(cx(i) - 3, sy(v), cx(i) + 3, sy(v), WHISKER, 0.9))
            continue
        upper = [(cx(i), sy(ivs[i][1])) for i in run]  # type: ignore[index]
        lower = [(cx(i), sy(ivs[i][0])) for i in reversed(run)]  # type: ignore[index]
        items.append(Poly(tuple(upper + lower), fill))


def layout_any(chart, width: float = charts.DEFAULT_WIDTH) -> ChartLayout:
    """The layout of a bar chart or a line chart: what the renderers call."""
    if isinstance(chart, LineChart):
        return layout_line_chart(chart, width)
    return charts.layout_chart(chart, width)


__all__ = ["layout_any", "layout_line_chart"]
