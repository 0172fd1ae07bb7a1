"""The aggregate report's "Over time" table and charts: per calendar quarter of the date each
audit was finalised, the audits, the share of rated items meeting the standard and the
language measure, with audit-level intervals (see findings/clustered.py).

Quarters with 1 to 4 audits are suppressed, and any other quarter that would give one back
from the checklist's total; a quarter without audits is listed as 0, so gaps show.
"""

from __future__ import annotations

from ..disclosure.rules import HIDDEN, SUPPRESS_BELOW, label, small, suppress_counts
from ..findings.over_time import QuarterRow
from ..formatting import NO_VALUE, percent
from .model import Heading, LineChart, Paragraph, Series, Table
from .sections_area import interval_cell

NOTE = (
    "Quarters are calendar quarters (Q1 is January to March) of the date each audit was "
    "finalised; an audit finalised again after an amendment counts in the quarter of its latest "
    "finalisation. 'Meeting the standard' is the share of rated items; 'Flags per 1,000 words' "
    "counts wording from the language list in the evidence notes and summaries. Both intervals "
    "are at the audit level: each is a ratio over the quarter's audits with a cluster-robust "
    "standard error (each audit one cluster) and a t critical value (see the method notes). "
    f"A quarter with fewer than {SUPPRESS_BELOW} audits is suppressed, with the next-smallest "
    "where its count could be worked out from the total; a rate of flags found in the notes of "
    f"fewer than {SUPPRESS_BELOW} audits is suppressed too."
)


def _row(r: QuarterRow, hidden: bool) -> list[str]:
    if hidden:
        return [r.quarter, label(r.audits, True), HIDDEN, NO_VALUE, HIDDEN, NO_VALUE]
    if r.audits == 0:
        return [r.quarter, "0", "none", NO_VALUE, "none", NO_VALUE]
    share, share_iv = percent(r.share), interval_cell(r.share_interval)
    if small(r.rated.clusters):  # finalised in the quarter, but few with a rated item
        share, share_iv = HIDDEN, NO_VALUE
    rate, rate_iv = NO_VALUE, NO_VALUE
    if r.per_thousand is not None:
        rate, rate_iv = f"{r.per_thousand:.1f}", interval_cell(r.language_interval, pct=False)
    if small(r.flagged_audits) or small(r.language.clusters):
        rate, rate_iv = HIDDEN, NO_VALUE
    return [r.quarter, f"{r.audits:,}", share, share_iv, rate, rate_iv]


def time_section(rows: list[QuarterRow], heading_level: int, title: str = "") -> list:
    """'Over time' for one checklist: a table by quarter and, where two or more quarters can
    be shown, a chart of each measure."""
    out: list = [Heading("Over time, by quarter", heading_level)]
    if not rows:
        return out + [Paragraph("No finalised audits in this selection.")]
    hidden = suppress_counts([r.audits for r in rows])
    if hidden is None:
        return out + [
            Paragraph(
                "Not shown: too few audits in each quarter to show any without identifying the "
                "people in them.",
                "note",
            )
        ]
    cells = [_row(r, h) for r, h in zip(rows, hidden, strict=True)]
    out.append(
        Table(
            [
                "Quarter finalised",
                "Audits",
                "Meeting the standard",
                "95% interval",
                "Flags per 1,000 words",
                "95% interval",
            ],
            cells,
            align=["l", "r", "r", "r", "r", "r"],
            widths=[1.5, 1.35, 1.4, 1.3, 1.4, 1.3],
        )
    )
    out.append(Paragraph(NOTE, "note"))
    out += _charts(rows, cells, title)
    return out


def _charts(rows: list[QuarterRow], cells: list[list[str]], title: str) -> list:
    """Line charts, quarters in time order left to right, with the interval as a band; a
    suppressed or empty quarter keeps its place as a gap in the line (never a zero)."""
    out: list = []
    quarters = [r.quarter for r in rows]
    for col, name, unit, value, iv in (
        (2, "Share meeting the standard", "%", lambda r: r.share * 100, lambda r: r.share_interval),
        (
            4,
            "Language flags per 1,000 words",
            "",
            lambda r: r.per_thousand,
            lambda r: r.language_interval,
        ),
    ):
        shown = [c[col] not in (HIDDEN, "none", NO_VALUE) for c in cells]
        if sum(shown) < 2:
            continue
        values = [value(r) if s else None for r, s in zip(rows, shown, strict=True)]
        labels = [c[col] for c in cells]  # as in the table (a rate to one decimal)
        scale = 100 if unit == "%" else 1
        intervals = []
        for r, s in zip(rows, shown, strict=True):
            i = iv(r) if s else None
            intervals.append(
                (i.low * scale, i.high * scale) if i is not None and i.estimable else None
            )
        heading = f"{name}, by quarter finalised" + (f": {title}" if title else "")
        out.append(
            LineChart(
                heading,
                quarters,
                [Series(name, values, labels)],
                unit=unit,
                max_value=100 if unit == "%" else None,
                intervals=intervals,
                alt_text=f"Line chart: {heading}. "
                + "; ".join(
                    f"{q} {c[col]}" + (f" (95% interval {c[col + 1]})" if c[col + 1] != NO_VALUE else "")
                    for q, c in zip(quarters, cells, strict=True)
                )
                + ". Quarters not shown are gaps in the line.",
            )
        )
    return out


__all__ = ["NOTE", "time_section"]
