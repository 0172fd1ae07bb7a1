"""The aggregate report's area and agency tables, split by phase, with audit-level intervals,
in an appendix at the end (area_agency_appendix): the group meets for the findings, and these
tables are for looking a figure up. Rows with every figure suppressed are left out, with one
line saying how many; "by agency" is the agency holding the case, so it is left out for
checklists serving only death reviews and multi-agency reviews.

Phases are not pooled: baseline audits meet the standard less often than post-training ones,
so a pooled row would rank an area by how many of its audits were done after training as
much as by its practice. Each cell (area × phase) shows its audits, rated items, share and
interval, and is hidden when it rests on 1 to 4 audits, with any cell that would give it back
from a total a reader can see or get from another report: all cells of the checklist, of a
phase (its audits in "About this report"), and of one area (a report on that area alone).
"""

from __future__ import annotations

from functools import cache

from ..checklists.loader import bundled
from ..checklists.phases import DEFAULT, PhaseWords
from ..disclosure.rules import SUPPRESS_BELOW, Line, small, suppress
from ..domain import Phase
from ..findings.audit_level import AuditLevel
from ..findings.clustered import Interval, Moments, share_interval
from ..formatting import NO_VALUE, percent, percent_interval
from ..vocabulary import AuditType
from .model import Heading, PageBreak, Paragraph, Table

_PHASES = [p.value for p in Phase]


def interval_cell(iv: Interval | None, pct: bool = True) -> str:
    """'48–63%' (or '1.2–3.4' for a rate); '—' with no interval, or none worth the name."""
    if iv is None or not iv.estimable:
        return NO_VALUE
    if pct:
        return percent_interval(iv.low, iv.high)
    return f"{iv.low:.1f}–{iv.high:.1f}"


def _phase_key(phase: str) -> int:
    return _PHASES.index(phase) if phase in _PHASES else len(_PHASES)


def _phase_label(phase: str, words: PhaseWords = DEFAULT) -> str:
    return words.name(phase) if phase in _PHASES else phase


def cells_hidden(cells: list[tuple[str, str, Moments]]) -> list[bool] | None:
    """Which (group, phase, moments) cells to hide; None: the whole table.

    The totals a reader may hold: the checklist's, each phase's ("About this report"), each
    area's or agency's (a report on it alone), in audits, rated items and items meeting the
    standard. A total of 1 to 4 is shown as '<5' everywhere, and with at most three phases a
    '<5' total cannot pin its cells, so such a line is left out. An area audited in one phase
    only (or a phase audited in one area) gives that cell away in a report of its own anyway:
    it is shown, and left out of every line (hiding it would protect nothing)."""
    audits = [m.clusters for _, _, m in cells]
    rated = [int(m.x) for _, _, m in cells]
    meets = [int(m.y) for _, _, m in cells]
    groups = [list(range(len(cells)))]
    for pos in (0, 1):  # each area (or agency), then each phase
        for key in sorted({c[pos] for c in cells}):
            groups.append([i for i, c in enumerate(cells) if c[pos] == key])
    # a cell alone in its area or phase is that total, shown in a report of its own
    public = {g[0] for g in groups[1:] if len(g) == 1 and not small(audits[g[0]])}
    lines: list[Line] = []
    for group in groups:
        idx = [i for i in group if i not in public]
        if not idx or small(sum(audits[i] for i in group)):
            continue  # a total of 1 to 4 is shown nowhere ('<5'): nothing to subtract from
        members = tuple(idx)
        lines.append(Line(members, tuple(audits[i] for i in idx)))
        lines.append(Line(members, tuple(rated[i] for i in idx), labelled=False))
        lines.append(Line(members, tuple(meets[i] for i in idx), labelled=False))
    return suppress(audits, [small(a) for a in audits], lines)


# The audit types where one agency holds the case: for the others (a death review, a
# multi-agency review) "the agency" is every agency round the table, so a split means nothing.
_SINGLE_AGENCY = {AuditType.CASE_FILE_AUDIT.value, AuditType.THEMATIC_REVIEW.value,
                  AuditType.MODERATION.value}


@cache
def _bundled_types() -> dict[str, tuple[str, ...]]:
    return {c.id: c.definition.audit_types for c in bundled()}


def agency_split_means_something(cid: str) -> bool:
    """Whether 'by agency' (the agency holding the case) is worth a table for a checklist:
    not when every audit type it serves is a death review or a multi-agency review. A
    checklist not shipped with the tool (its types unknown here) keeps the table."""
    types = _bundled_types().get(cid)
    return not types or bool(_SINGLE_AGENCY.intersection(types))


def _table(name: str, cells: list[tuple[str, str, Moments]], hidden: list[bool],
           words: PhaseWords = DEFAULT) -> Table:
    """Rows whose figures are all withheld are left out (the caller says how many)."""
    rows = []
    for (group, phase, m), h in zip(cells, hidden, strict=True):
        if h:
            continue
        rows.append(
            [
                group,
                _phase_label(phase, words),
                f"{m.clusters:,}",
                f"{int(m.x):,}",
                percent(m.ratio),
                interval_cell(share_interval(m)),
            ]
        )
    return Table(
        [name, "Phase", "Audits", "Rated items", "Meeting the standard", "95% interval"],
        rows,
        align=["l", "l", "r", "r", "r", "r"],
        widths=[3.3, 1.4, 1.1, 1.3, 1.4, 1.3],  # room for an agency's name on one line
    )


AREA_NOTE = (
    "Each area is shown phase by phase, not pooled: audits in one phase may meet the "
    "standard more often than in another, so a pooled figure would rank areas by how "
    "many of their audits fell in each phase rather than by their practice. "
    f"A cell resting on fewer than {SUPPRESS_BELOW} audits is suppressed, with any that would "
    "give it back from the area's, the phase's or the checklist's totals. Audits counts audits "
    "with at least one rated item."
)
AGENCY_NOTE = (
    "The agency is the one holding the case file that was read, not every agency involved "
    "with the family."
)


def area_agency_sections(level: AuditLevel, cid: str, heading_level: int,
                         words: PhaseWords = DEFAULT) -> list:
    """'By area and phase' and 'By agency holding the case and phase' for one checklist (the
    latter only where one agency holds the case: agency_split_means_something); `words`: what
    its phases mean (checklists/phases.py)."""
    out: list = []
    sources = [("area", "By area and phase", level.area_phase)]
    if agency_split_means_something(cid):
        sources.append(("agency", "By agency holding the case, and phase", level.agency_phase))
    for name, heading, source in sources:
        cells = sorted(
            ((g or "Not recorded", p, m) for (c, g, p), m in source.items() if c == cid),
            key=lambda cell: (cell[0], _phase_key(cell[1])),
        )
        if not cells:
            continue
        out.append(Heading(heading, heading_level))
        if name == "agency":
            out.append(Paragraph(AGENCY_NOTE, "note"))
        hidden = cells_hidden(cells)
        if hidden is None or all(hidden):
            out.append(
                Paragraph(
                    f"Not shown: too few audits in each {name} and phase to show any without "
                    "identifying the people in them.",
                    "note",
                )
            )
            continue
        out.append(_table(name.capitalize(), cells, hidden, words))
        dropped = sum(hidden)
        if dropped:
            out.append(Paragraph(
                f"{dropped} {name}-and-phase row{'s' if dropped != 1 else ''} with every figure "
                f"suppressed (fewer than {SUPPRESS_BELOW} audits, or one that would give such a "
                f"row back) {'are' if dropped != 1 else 'is'} left out.", "note"))
        if name == "area":
            out.append(Paragraph(AREA_NOTE, "note"))
    return out


def area_agency_appendix(level: AuditLevel, checklists: list[tuple[str, str]],
                         words: dict[str, PhaseWords] | None = None) -> list:
    """The appendix at the end of the report: the area and agency tables of each checklist
    reported, (id, title) in report order, with `words` what each one's phases mean. Nothing
    when no checklist has such a table."""
    several = len(checklists) > 1
    body: list = []
    for cid, title in checklists:
        part = area_agency_sections(level, cid, 3 if several else 2, (words or {}).get(cid, DEFAULT))
        if part and several:
            part.insert(0, Heading(title, 2))
        body += part
    if not body:
        return []
    agency = any(isinstance(b, Heading) and b.text.startswith("By agency") for b in body)
    return [PageBreak(), Heading("Appendix: results by area" + (" and by agency" if agency else ""), 1),
            *body]


__all__ = ["agency_split_means_something", "area_agency_appendix", "area_agency_sections",
           "cells_hidden", "interval_cell"]
