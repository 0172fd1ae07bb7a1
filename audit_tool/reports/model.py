"""The neutral report model: what a report says, not how it looks.

The core builds a `Report` from findings (see build.py); `pdf.render_pdf` and
`docx.render_docx` turn the same `Report` into the two formats, so both carry the same
content. All text is plain text (no markup): renderers escape it. Newlines in a
`Paragraph` or a table cell become line breaks.

Everything is a frozen dataclass and is checked on construction, so a malformed report
fails where it is built rather than half-way through a render.

The renderers add on their own:
- a title block from `title`, `subtitle`, `author` and `created`;
- a banner on the first page stating whether the report is identifiable or anonymised
  (from `identifiable`; wording in `identity_statement`), and a short marker on every page;
- "DRAFT" on every page when `draft` is true;
- "Page N of M" in the footer.

Example::

    Report(
        title="Case file audit", subtitle="Safe & Together: baseline", author="A. Reviewer",
        subject="Case file audit findings", created=datetime.now(), identifiable=False,
        draft=True,
        blocks=[
            Heading("Summary", 1),
            Paragraph("Twelve case files were read."),
            KeyValue([("Area", "Highland"), ("Checklist", "Safe & Together v1.2")]),
            Table(["Theme", "Meeting the standard"], [["Pattern", "58%"]], align=["l", "r"]),
            BarChart("Meeting the standard", ["Pattern"], [Series("Baseline", [58.0])],
                     unit="%", alt_text="Pattern: 58% meet the standard."),
        ],
    )
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ParagraphStyle = Literal["body", "note", "banner"]
Align = Literal["l", "r", "c"]
Unit = Literal["%", ""]

_STYLES = ("body", "note", "banner")
_ALIGNS = ("l", "r", "c")


@dataclass(frozen=True)
class Heading:
    """A section heading. Level 1 is a chapter, 2 a section, 3 a subsection; in the DOCX
    they are Word's built-in Heading 1-3 styles, so the navigation pane lists them."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"Heading level must be 1, 2 or 3, not {self.level!r}")


@dataclass(frozen=True)
class Paragraph:
    """Plain text. style: "body" (normal text), "note" (small, muted: sources, caveats,
    suppression notes) or "banner" (a boxed, emphasised statement)."""

    text: str
    style: ParagraphStyle = "body"

    def __post_init__(self) -> None:
        if self.style not in _STYLES:
            raise ValueError(f"Paragraph style must be one of {_STYLES}, not {self.style!r}")


@dataclass(frozen=True)
class KeyValue:
    """A two-column metadata table without a header row: (label, value) pairs,
    e.g. ("Area", "Highland"), ("Checklist", "Safe & Together case file audit v1.2")."""

    rows: list[tuple[str, str]]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != 2:
                raise ValueError(f"KeyValue rows are (label, value) pairs, got {row!r}")


@dataclass(frozen=True)
class Table:
    """A data table. The first row rendered is `columns` (the header, repeated on every
    page the table runs over). Every row has one string per column: format numbers and
    suppress small counts ("<5") before building the table.

    align: per column "l", "r" or "c" (default: all left). widths: relative column widths
    (any positive numbers; they are scaled to the page width; default: estimated from
    the text). caption: shown above the table.
    """

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    align: list[str] | None = None
    widths: list[float] | None = None

    def __post_init__(self) -> None:
        n = len(self.columns)
        if n == 0:
            raise ValueError("A Table needs at least one column")
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"Table row {i} has {len(row)} cells; expected {n}")
        if self.align is not None:
            if len(self.align) != n:
                raise ValueError(f"Table align has {len(self.align)} entries; expected {n}")
            bad = [a for a in self.align if a not in _ALIGNS]
            if bad:
                raise ValueError(f"Table align values must be 'l', 'r' or 'c', not {bad}")
        if self.widths is not None:
            if len(self.widths) != n:
                raise ValueError(f"Table widths has {len(self.widths)} entries; expected {n}")
            if any(w <= 0 for w in self.widths):
                raise ValueError("Table widths must be positive")


@dataclass(frozen=True)
class Series:
    """One set of bars, one value per category of the chart. None means no value
    (no data, or suppressed): no bar is drawn and the label says so.

    labels: optional text shown at the end of each bar instead of the formatted value
    (e.g. "<5" for a suppressed count, or "58% (n=12)"); "" falls back to the value.
    """

    name: str
    values: list[float | None]
    labels: list[str] | None = None


@dataclass(frozen=True)
class BarChart:
    """A horizontal (grouped) bar chart: one group of bars per category, one bar per
    series. The PDF draws it as vector graphics; the DOCX embeds the same layout as a PNG.

    unit: "%" (values are percentages; axis 0..100 unless max_value says otherwise) or ""
    (plain numbers). max_value: the axis end; None picks a round number above the data.
    Negative values (e.g. a change between phases) extend the axis below 0.
    alt_text: the text alternative read by screen readers in the DOCX; say what the chart
    shows, not what it looks like. Empty: a plain listing of the values is generated.
    intervals: optional (low, high) per category for the first series, drawn as error
    bars (e.g. a 95% confidence interval); None for a category without one.
    """

    title: str
    categories: list[str]
    series: list[Series]
    unit: Unit = ""
    max_value: float | None = None
    alt_text: str = ""
    intervals: list[tuple[float, float] | None] | None = None

    def __post_init__(self) -> None:
        if not self.series:
            raise ValueError(f"A {type(self).__name__} needs at least one series")
        if self.unit not in ("%", ""):
            raise ValueError(f"BarChart unit must be '%' or '', not {self.unit!r}")
        n = len(self.categories)
        for s in self.series:
            if len(s.values) != n:
                raise ValueError(
                    f"Series {s.name!r} has {len(s.values)} values; expected {n} (categories)"
                )
            if s.labels is not None and len(s.labels) != n:
                raise ValueError(f"Series {s.name!r} has {len(s.labels)} labels; expected {n}")
        if self.intervals is not None:
            if len(self.intervals) != n:
                raise ValueError(f"BarChart intervals has {len(self.intervals)}; expected {n}")
            for iv in self.intervals:
                if iv is not None and (len(iv) != 2 or iv[0] > iv[1]):
                    raise ValueError(f"BarChart interval must be (low, high), got {iv!r}")
        if self.max_value is not None and self.max_value <= 0:
            raise ValueError("BarChart max_value must be positive")

    def describe(self) -> str:
        """The alt text: `alt_text`, or a plain listing of the values when it is empty."""
        if self.alt_text.strip():
            return self.alt_text.strip()
        parts = []
        for i, cat in enumerate(self.categories):
            vals = []
            for s in self.series:
                text = format_value(s.values[i], self.unit, s.labels[i] if s.labels else "")
                vals.append(f"{s.name} {text}" if len(self.series) > 1 else text)
            parts.append(f"{cat}: {', '.join(vals)}")
        return f"Bar chart: {self.title}. " + "; ".join(parts) + "."


@dataclass(frozen=True)
class LineChart:
    """Values over an ordered axis (quarters, in time order), one line per series, with the
    first series' intervals drawn as a shaded band. A value of None is a gap in the line,
    never a zero: a suppressed or empty quarter keeps its place on the axis and breaks the
    line (and the band) there. Labels, unit, max_value and alt_text as for BarChart."""

    title: str
    categories: list[str]
    series: list[Series]
    unit: Unit = ""
    max_value: float | None = None
    alt_text: str = ""
    intervals: list[tuple[float, float] | None] | None = None
    gap_note: str = "A gap in the line is a quarter not shown (suppressed, or no audits)."

    def __post_init__(self) -> None:
        BarChart.__post_init__(self)  # type: ignore[arg-type]  # the same checks apply

    def describe(self) -> str:
        """The alt text: `alt_text`, or a plain listing of the values when it is empty."""
        if self.alt_text.strip():
            return self.alt_text.strip()
        return "Line chart" + BarChart.describe(self).removeprefix("Bar chart")  # type: ignore[arg-type]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | KeyValue | Table | BarChart | LineChart | PageBreak


@dataclass(frozen=True)
class Report:
    """A whole report. `created` is shown in the title block and set as the document's
    creation date. `identifiable`: True when the report contains case references or names
    (the renderers then mark it as such on its face); False for anonymised reports.
    `draft`: True puts "DRAFT" on every page. `free_text`: True when the report holds text
    typed by reviewers (notes, summaries, recommendations, owners), which may name people
    however carefully references are removed: the anonymised banner then says so. Only a
    report built to hold no such text may set it False."""

    title: str
    subtitle: str
    author: str
    subject: str
    created: datetime
    identifiable: bool
    draft: bool = False
    blocks: list[Block] = field(default_factory=list)
    free_text: bool = True
    # the audits the report covers (the release register compares these: disclosure/register.py)
    audit_ids: frozenset[str] = frozenset()
    perturbed: bool = False  # anonymised figures changed by cell-key perturbation (release.py)

    def __post_init__(self) -> None:
        for i, b in enumerate(self.blocks):
            if not isinstance(b, Heading | Paragraph | KeyValue | Table | BarChart | LineChart | PageBreak):
                raise TypeError(f"Report block {i} is a {type(b).__name__}, not a Block")


# Shared wording, so the PDF and the DOCX say exactly the same thing. An anonymised report
# claims only what is true: references are removed from free text, but names typed in it
# cannot be removed reliably, so only a report without free text says "no names".
ANONYMISED_BANNER = (
    "Anonymised report: case references removed. Free text is as the reviewer wrote it: "
    "check it for names before sharing."
)
NO_FREE_TEXT_BANNER = "Anonymised report: no case references, names or free text."
IDENTIFIABLE_BANNER = (
    "Identifiable report: contains case references or names. Handle as "
    "OFFICIAL-SENSITIVE and share only with the named recipient."
)
ANONYMISED_MARK = "Anonymised"
IDENTIFIABLE_MARK = "Identifiable \u2013 OFFICIAL-SENSITIVE"
DRAFT_MARK = "DRAFT"


def identity_statement(report: Report) -> str:
    """The first-page banner saying whether the report is identifiable or anonymised."""
    if report.identifiable:
        return IDENTIFIABLE_BANNER
    return ANONYMISED_BANNER if report.free_text else NO_FREE_TEXT_BANNER


def identity_mark(report: Report) -> str:
    """The short form repeated in every page footer."""
    return IDENTIFIABLE_MARK if report.identifiable else ANONYMISED_MARK


# Characters XML (so DOCX) cannot hold, and that PDFs show as boxes: C0 controls other
# than tab and newline, which turn up in text pasted from other programs.
_CONTROL: dict[int, str | None] = dict.fromkeys([*range(0, 9), *range(14, 32), 0xFFFE, 0xFFFF])
_CONTROL.update({9: " ", 11: "\n", 12: "\n"})  # tab; Word's line break and page break


def clean(text: str) -> str:
    """Text safe for both renderers (XML and the PDF font): Windows line ends, Word's
    line breaks and page breaks become newlines, tabs spaces; other control characters and
    lone surrogates are dropped. The renderers apply it to all report text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_CONTROL)
    if not text.isascii():
        text = text.encode("utf-8", "ignore").decode("utf-8")
    return text


def format_value(value: float | None, unit: str, label: str = "") -> str:
    """How a chart value is written on the bar and in generated alt text."""
    if label:
        return label
    if value is None:
        return "no data"
    if unit == "%":
        text = f"{value:.0f}"
    else:  # plain numbers: 2 decimals for small values (rates), 1 above 10, no trailing 0s
        text = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if text == "-0":
        text = "0"
    return text + unit
