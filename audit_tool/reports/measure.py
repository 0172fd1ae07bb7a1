"""Column widths for report tables, shared by the PDF and DOCX renderers.

Like a browser's automatic table layout: every column gets at least its longest word
(so no word is broken mid-way), and the remaining width goes to the columns with the
most text. Text is measured with the bundled font's metrics; the DOCX uses Arial,
whose proportions are close enough for dividing a page.
"""

from __future__ import annotations

from . import fonts
from .model import Table

SAMPLE_ROWS = 200  # enough rows to judge a column; keeps long tables cheap to measure
CELL_PADDING = 10.0  # points, left + right, as the renderers pad cells
MAX_NATURAL = 280.0  # a long paragraph's natural width counts as this much, no more
MAX_WORD_SHARE = 0.35  # the most of the width one unbreakable word may claim


HEADER_LINES = 3  # a header wraps to at most this many lines where the table has room
SPARE = 1.0  # points kept beyond a header word's measured width (see _needs)
SMALLEST = 6.5  # points: the smallest text a table shrinks to so that no header word breaks


def header_words(head: str) -> list[str]:
    """The words of a header cell: where a renderer may wrap it, and nowhere else."""
    return head.split()


Needs = tuple[list[float], list[float], list[float]]


def _needs(table: Table, total: float, size: float, padding: float) -> Needs:
    """(minimum, natural, header in HEADER_LINES lines) width of each column at a font
    size, in points."""
    # A table repeats its words and cells ("Meets", "12%"): each distinct text is measured
    # once per size (reportlab sums its characters in Python). Kept for this call only.
    regular: dict[str, float] = {}
    bold: dict[str, float] = {}

    def width(text: str) -> float:
        w = regular.get(text)
        if w is None:
            w = regular[text] = fonts.text_width(text, fonts.REGULAR, size)
        return w

    def width_bold(text: str) -> float:
        w = bold.get(text)
        if w is None:
            w = bold[text] = fonts.text_width(text, fonts.BOLD, size)
        return w

    n = len(table.columns)
    mins, naturals, heads = [0.0] * n, [0.0] * n, [0.0] * n
    sample = table.rows[:SAMPLE_ROWS]
    for c, head in enumerate(table.columns):
        # a header's longest word always fits: headers are short labels, never freak words
        # (and a point spare: at exactly its width, reportlab's line breaking may still
        # find a word too wide by a rounding error and split it, "All au / dits")
        heads[c] = max(map(width_bold, header_words(head)), default=0.0) + padding + SPARE
        lo = 0.0
        hi = width_bold(head) * 0.6  # a header may take two lines
        for row in sample:
            cell = row[c]
            if not cell:
                continue
            full = max(map(width, cell.split("\n"))) if "\n" in cell else width(cell)
            if full > hi:
                hi = full
            if full > lo:  # only then can one of its words be wider than the current min
                lo = max(lo, max(map(width, cell.split())))
        # A column need not fit a freak long word in a cell (a URL, a pasted line): the
        # renderers break such words, so it may not starve the other columns.
        mins[c] = max(min(lo, total * MAX_WORD_SHARE) + padding, heads[c])
        naturals[c] = max(min(hi, MAX_NATURAL) + padding, mins[c])
        # room for the header in HEADER_LINES lines (a little over, as lines break at words)
        heads[c] = max(heads[c], width_bold(head) / HEADER_LINES * 1.15 + padding)
    return mins, naturals, heads


def _font_size(table: Table, total: float, size: float, padding: float
               ) -> tuple[float, Needs | None]:
    """table_font_size, with the column needs at that size when they were worked out."""
    while size > SMALLEST:
        needs = _needs(table, total, size, padding)
        if sum(needs[0]) <= total:
            return size, needs
        size -= 0.5
    return SMALLEST, None


def table_font_size(table: Table, total: float, size: float = 8.5,
                    padding: float = CELL_PADDING) -> float:
    """The largest size, `size` or less in half points, at which every column holds the
    longest word of its header (and of its cells) within `total`: a table with many columns
    is set a little smaller rather than breaking "Adequate" into "Adequat e"."""
    return _font_size(table, total, size, padding)[0]


def fit_table(table: Table, total: float, size: float = 8.5,
              padding: float = CELL_PADDING) -> tuple[float, list[float]]:
    """(table_font_size, column_widths at that size): the same as calling both, measuring
    the table once at the size chosen rather than twice."""
    size, needs = _font_size(table, total, size, padding)
    return size, column_widths(table, total, size, padding, needs)


def column_widths(table: Table, total: float, size: float = 8.5,
                  padding: float = CELL_PADDING, needs: Needs | None = None) -> list[float]:
    """Widths in points summing to `total`, for text of `size` points with `padding` points
    of cell margin (left + right). `needs`: _needs at that size, when already worked out.

    Explicit `table.widths` are scaled to `total`, but a column is widened (taking from the
    others) where it would break a word of its header or cells in the middle. Only when
    even the words cannot fit (see table_font_size) is the width shared by need.
    """
    n = len(table.columns)
    mins, naturals, heads = needs or _needs(table, total, size, padding)
    # A long header ("Not asked (an earlier answer fell short)") is not stacked a word a
    # line where the other columns can spare the room for it in three lines.
    roomy = [max(m, h) for m, h in zip(mins, heads, strict=True)]
    if sum(roomy) <= total:
        mins = roomy
        naturals = [max(nat, m) for nat, m in zip(naturals, mins, strict=True)]

    if sum(mins) >= total:  # even the words do not fit: share by need
        s = sum(mins)
        return [total * m / s for m in mins]
    if table.widths:
        s = sum(table.widths)
        return _at_least([total * w / s for w in table.widths], mins, total)
    if sum(naturals) <= total:  # everything fits on one line: spread the slack
        extra = (total - sum(naturals)) / n
        return [w + extra for w in naturals]
    # Short columns (ratings, numbers) get their natural width first, so "Very good" does
    # not wrap to feed a long evidence column that wraps anyway (max-min fair sharing).
    out = [0.0] * n
    todo = set(range(n))
    remaining = total
    while todo:
        fair = remaining / len(todo)
        short = [c for c in todo if naturals[c] <= fair]
        if not short:
            break
        for c in short:
            out[c] = naturals[c]
            remaining -= naturals[c]
            todo.discard(c)
    if todo:
        need = sum(mins[c] for c in todo)
        if need > remaining:  # long columns would break words: fall back to sharing by need
            slack = total - sum(mins)
            want = [nat - m for nat, m in zip(naturals, mins, strict=True)]
            s = sum(want) or 1.0
            return [m + slack * w / s for m, w in zip(mins, want, strict=True)]
        s = sum(naturals[c] for c in todo)
        for c in todo:
            out[c] = remaining * naturals[c] / s
        # Proportional sharing can leave a column under its longest word: top it up.
        for c in todo:
            if out[c] < mins[c]:
                out[c] = mins[c]
        over = sum(out) - total
        if over > 0:
            flex = [c for c in todo if out[c] > mins[c]]
            room = sum(out[c] - mins[c] for c in flex) or 1.0
            for c in flex:
                out[c] -= over * (out[c] - mins[c]) / room
    return out


def _at_least(target: list[float], mins: list[float], total: float) -> list[float]:
    """`target` with every column raised to its minimum, the others shrunk in proportion."""
    out = list(target)
    fixed: set[int] = set()
    while True:
        short = [c for c in range(len(out)) if c not in fixed and out[c] < mins[c] - 0.01]
        if not short:
            return out
        for c in short:
            out[c] = mins[c]
            fixed.add(c)
        free = [c for c in range(len(out)) if c not in fixed]
        if not free:
            return out
        room = total - sum(out[c] for c in fixed)
        s = sum(target[c] for c in free)
        for c in free:
            out[c] = room * target[c] / s
