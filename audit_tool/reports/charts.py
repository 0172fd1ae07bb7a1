"""Bar charts: laid out once from a `BarChart` spec, drawn by two back-ends.

`layout_chart` turns the spec into a flat list of primitives (rectangles, lines, text)
positioned in points, origin top-left, y growing downwards; text is positioned by its
baseline. Text is measured with the bundled TTF's metrics, so both back-ends agree:

- `to_drawing`: a reportlab.graphics Drawing (vector, embedded in the PDF);
- `to_png`: a Pillow image (for the DOCX; reportlab 5 cannot rasterise without pycairo,
  and matplotlib would be a heavy dependency for a few bars).

The palette is Okabe & Ito's colour-blind-safe set; every bar is labelled with its value,
so nothing depends on telling colours apart.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from typing import Literal

from . import fonts
from .model import BarChart, clean, format_value

# Okabe-Ito, ordered so the first two (baseline / post-training) contrast most.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
TEXT = "#222222"
MUTED = "#595959"  # 7:1 on white: readable for tick labels and "no data"
GRID = "#D9D9D9"
AXIS = "#595959"
WHISKER = "#222222"

DEFAULT_WIDTH = 481.9  # points: A4 with 20 mm side margins (170 mm)
PNG_SCALE = 192 / 72  # 2x a 96 dpi screen: crisp in Word at 100-200% zoom and in print

TITLE_SIZE = 10.0
LABEL_SIZE = 8.5
VALUE_SIZE = 7.5
TICK_SIZE = 7.5
LEGEND_SIZE = 8.0
EDGE = 2.0  # points of white space left and right
LINE_GAP = 1.25  # line height as a multiple of font size
MAX_LABEL_LINES = 3

Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 0.5


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    color: str = TEXT
    anchor: Anchor = "start"
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Poly:
    """A filled polygon (a line chart's interval band), points in order."""

    points: tuple[tuple[float, float], ...]
    fill: str


@dataclass(frozen=True, slots=True)
class Dot:
    """A filled circle (a line chart's point)."""

    x: float
    y: float
    r: float
    fill: str


Primitive = Rect | Line | Text | Poly | Dot


@dataclass(frozen=True)
class ChartLayout:
    width: float
    height: float
    items: tuple[Primitive, ...]
    alt_text: str
    title: str


def _font(bold: bool) -> str:
    return fonts.BOLD if bold else fonts.REGULAR


def _fit(word: str, font: str, size: float, max_w: float) -> str:
    """Shorten one over-long word with an ellipsis so it never leaves the chart."""
    if fonts.text_width(word, font, size) <= max_w:
        return word
    while len(word) > 1 and fonts.text_width(word + "\u2026", font, size) > max_w:
        word = word[:-1]
    return word + "\u2026"


def wrap(text: str, font: str, size: float, max_w: float, max_lines: int = 0) -> list[str]:
    """Greedy word wrap by measured width; the last allowed line ends in an ellipsis."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        current = ""
        for word in para.split():
            trial = f"{current} {word}" if current else word
            if fonts.text_width(trial, font, size) <= max_w:
                current = trial
            else:
                if current:
                    lines.append(current)
                current = _fit(word, font, size, max_w)
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + "\u2026", font, size, max_w)
        if not lines[-1].endswith("\u2026"):
            lines[-1] += "\u2026"
    return lines


def _nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / target_ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _axis(chart: BarChart) -> tuple[float, float, float]:
    """(axis start, axis end, tick step). 0 is always on the axis."""
    data = [v for s in chart.series for v in s.values if v is not None]
    for iv in chart.intervals or ():
        if iv is not None:
            data.extend(iv)
    lo = min([0.0, *data])
    hi = max([0.0, *data])
    if chart.max_value is not None and chart.max_value >= hi:
        top = float(chart.max_value)
    elif chart.unit == "%" and hi <= 100:
        top = 100.0
    else:
        top = hi
    if top <= lo:
        top = lo + 1.0
    step = _nice_step(top - lo)
    start = math.floor(lo / step + 1e-9) * step if lo < 0 else 0.0
    if chart.max_value is None or chart.max_value < hi:
        top = math.ceil(top / step - 1e-9) * step
    return start, top, step


def _tick_text(v: float, step: float, unit: str) -> str:
    decimals = 0 if float(step).is_integer() else max(1, -math.floor(math.log10(step)) + 1)
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text + unit


def layout_chart(chart: BarChart, width: float = DEFAULT_WIDTH) -> ChartLayout:
    """Compute every mark of the chart, in points, for a drawing `width` points wide."""
    full_width = width
    width -= 2 * EDGE
    items: list[Primitive] = []
    n_series = len(chart.series)
    y = 0.0

    # Title, wrapped to the full width.
    for line in wrap(clean(chart.title), fonts.BOLD, TITLE_SIZE, width):
        y += TITLE_SIZE * LINE_GAP
        items.append(Text(0, y - TITLE_SIZE * 0.25, line, TITLE_SIZE, TEXT, "start", True))
    y += 4

    # Legend only when colour distinguishes series; flows onto more lines if needed.
    if n_series > 1:
        x = 0.0
        y += LEGEND_SIZE * LINE_GAP
        for i, s in enumerate(chart.series):
            name = _fit(clean(s.name), fonts.REGULAR, LEGEND_SIZE, width - 14)
            w = 12 + fonts.text_width(name, fonts.REGULAR, LEGEND_SIZE)
            if x > 0 and x + w > width:
                x = 0.0
                y += LEGEND_SIZE * LINE_GAP + 2
            items.append(Rect(x, y - 8, 8, 8, PALETTE[i % len(PALETTE)]))
            items.append(Text(x + 12, y - 1, name, LEGEND_SIZE, TEXT))
            x += w + 16
        y += 6

    # Category labels: right-aligned in a column of at most 38% of the width.
    max_label_w = width * 0.38
    label_lines = [
        wrap(clean(c), fonts.REGULAR, LABEL_SIZE, max_label_w, MAX_LABEL_LINES)
        for c in chart.categories
    ]
    label_w = max(
        (fonts.text_width(ln, fonts.REGULAR, LABEL_SIZE) for ls in label_lines for ln in ls),
        default=0.0,
    )
    label_w = min(label_w, max_label_w)

    # Value labels sit past the bar end: reserve room for the widest on each side.
    vmin, vmax, step = _axis(chart)
    texts = [
        [
            clean(format_value(v, chart.unit, s.labels[i] if s.labels else ""))
            for i, v in enumerate(s.values)
        ]
        for s in chart.series
    ]
    widest = max(
        [fonts.text_width(t, fonts.REGULAR, VALUE_SIZE) for row in texts for t in row]
        + [fonts.text_width(_tick_text(vmax, step, chart.unit), fonts.REGULAR, TICK_SIZE) / 2],
        default=0.0,
    )
    right_reserve = widest + 6
    left_reserve = widest + 6 if vmin < 0 else 0.0
    x0 = label_w + 8 + left_reserve
    x1 = width - right_reserve
    if x1 - x0 < width * 0.3:  # very long value labels: keep a usable plot area
        x1 = x0 + width * 0.3

    def sx(v: float) -> float:
        return x0 + (min(max(v, vmin), vmax) - vmin) / (vmax - vmin) * (x1 - x0)

    bar_h = 11.0 if n_series == 1 else 9.0
    inner = 2.0
    pad = 4.0
    line_h = LABEL_SIZE * LINE_GAP
    plot_top = y
    gy = y
    bars: list[Primitive] = []
    marks: list[Primitive] = []
    for ci, lines in enumerate(label_lines):
        bars_h = n_series * bar_h + (n_series - 1) * inner
        group_h = max(bars_h, len(lines) * line_h) + 2 * pad
        # Label block, vertically centred on the group.
        ly = gy + (group_h - len(lines) * line_h) / 2
        for k, ln in enumerate(lines):
            base = ly + (k + 1) * line_h - LABEL_SIZE * 0.3
            marks.append(Text(label_w, base, ln, LABEL_SIZE, TEXT, "end"))
        by = gy + (group_h - bars_h) / 2
        for si, s in enumerate(chart.series):
            v = s.values[ci]
            top = by + si * (bar_h + inner)
            mid = top + bar_h / 2
            iv = chart.intervals[ci] if (si == 0 and chart.intervals) else None
            text = texts[si][ci]
            text_y = mid + VALUE_SIZE * 0.35
            if v is None:
                marks.append(Text(sx(0) + 3, text_y, text, VALUE_SIZE, MUTED, "start"))
                continue
            a, b = sorted((sx(0), sx(v)))
            if b - a > 0:
                bars.append(Rect(a, top, b - a, bar_h, PALETTE[si % len(PALETTE)]))
            if iv is not None:
                lo, hi = sx(iv[0]), sx(iv[1])
                cap = bar_h * 0.35
                marks.append(Line(lo, mid, hi, mid, WHISKER, 0.9))
                marks.append(Line(lo, mid - cap, lo, mid + cap, WHISKER, 0.9))
                marks.append(Line(hi, mid - cap, hi, mid + cap, WHISKER, 0.9))
            if v >= 0:
                end = max(sx(v), sx(iv[1]) if iv else sx(v))
                marks.append(Text(end + 3, text_y, text, VALUE_SIZE, TEXT, "start"))
            else:
                end = min(sx(v), sx(iv[0]) if iv else sx(v))
                marks.append(Text(end - 3, text_y, text, VALUE_SIZE, TEXT, "end"))
        gy += group_h
    plot_bottom = gy

    # Gridlines under the bars, ticks below the plot, the zero line on top of the bars.
    ticks = []
    t = vmin
    while t <= vmax + step * 1e-6:
        ticks.append(t)
        t += step
    tick_y = plot_bottom + 4 + TICK_SIZE
    for t in ticks:
        if abs(t) > step * 1e-6:
            items.append(Line(sx(t), plot_top, sx(t), plot_bottom, GRID, 0.5))
        items.append(
            Text(sx(t), tick_y, _tick_text(t, step, chart.unit), TICK_SIZE, MUTED, "middle")
        )
    items.extend(bars)
    items.append(Line(sx(0), plot_top, sx(0), plot_bottom, AXIS, 0.8))
    items.extend(marks)
    height = tick_y + 4

    # A small white edge so antialiased glyphs at x=0 are not cut by the image border.
    shifted = tuple(_shift(it, EDGE) for it in items)
    return ChartLayout(
        full_width, math.ceil(height), shifted, clean(chart.describe()), clean(chart.title)
    )


def _shift(it: Primitive, dx: float) -> Primitive:
    if isinstance(it, Poly):
        return replace(it, points=tuple((x + dx, y) for x, y in it.points))
    if isinstance(it, Rect | Dot):
        return replace(it, x=it.x + dx)
    if isinstance(it, Line):
        return replace(it, x1=it.x1 + dx, x2=it.x2 + dx)
    return replace(it, x=it.x + dx)


def to_drawing(layout: ChartLayout):  # -> reportlab.graphics.shapes.Drawing
    """The layout as a reportlab vector Drawing (a platypus flowable)."""
    from reportlab.graphics.shapes import Circle, Drawing, Polygon, String
    from reportlab.graphics.shapes import Line as RLine
    from reportlab.graphics.shapes import Rect as RRect
    from reportlab.lib.colors import HexColor

    fonts.register_reportlab_fonts()
    h = layout.height
    d = Drawing(layout.width, h)
    d.initialFontName = fonts.REGULAR  # the renderer's default state is Helvetica otherwise
    colours: dict[str, object] = {}

    def col(hex_: str):
        if hex_ not in colours:
            colours[hex_] = HexColor(hex_)
        return colours[hex_]

    for it in layout.items:
        if isinstance(it, Poly):
            flat = [c for x, y in it.points for c in (x, h - y)]
            d.add(Polygon(flat, fillColor=col(it.fill), strokeColor=None))
        elif isinstance(it, Dot):
            d.add(Circle(it.x, h - it.y, it.r, fillColor=col(it.fill), strokeColor=None))
        elif isinstance(it, Rect):
            d.add(
                RRect(it.x, h - it.y - it.h, it.w, it.h, fillColor=col(it.fill), strokeColor=None)
            )
        elif isinstance(it, Line):
            d.add(
                RLine(
                    it.x1,
                    h - it.y1,
                    it.x2,
                    h - it.y2,
                    strokeColor=col(it.color),
                    strokeWidth=it.width,
                )
            )
        else:
            d.add(
                String(
                    it.x,
                    h - it.y,
                    it.text,
                    fontName=_font(it.bold),
                    fontSize=it.size,
                    fillColor=col(it.color),
                    textAnchor=it.anchor,
                )
            )
    return d


_PIL_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}


def to_png(layout: ChartLayout, scale: float = PNG_SCALE) -> bytes:
    """The layout as PNG bytes, `scale` pixels per point (dpi = 72 * scale)."""
    from PIL import Image, ImageDraw

    w, h = math.ceil(layout.width * scale), math.ceil(layout.height * scale)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    for it in layout.items:
        if isinstance(it, Poly):
            draw.polygon([(x * scale, y * scale) for x, y in it.points], fill=it.fill)
        elif isinstance(it, Dot):
            r = it.r * scale
            draw.ellipse((it.x * scale - r, it.y * scale - r, it.x * scale + r, it.y * scale + r),
                         fill=it.fill)
        elif isinstance(it, Rect):
            draw.rectangle(
                (
                    round(it.x * scale),
                    round(it.y * scale),
                    round((it.x + it.w) * scale) - 1,
                    round((it.y + it.h) * scale) - 1,
                ),
                fill=it.fill,
            )
        elif isinstance(it, Line):
            draw.line(
                (it.x1 * scale, it.y1 * scale, it.x2 * scale, it.y2 * scale),
                fill=it.color,
                width=max(1, round(it.width * scale)),
            )
        else:
            # Fractional pixel size keeps Pillow's text widths equal to the measured ones.
            font = fonts.pil_font(_font(it.bold), round(it.size * scale, 2))
            draw.text(
                (it.x * scale, it.y * scale),
                it.text,
                fill=it.color,
                font=font,
                anchor=_PIL_ANCHOR[it.anchor],
            )
    out = io.BytesIO()
    dpi = round(72 * scale)
    img.save(out, format="PNG", dpi=(dpi, dpi), compress_level=6)
    return out.getvalue()
