"""The aggregate report's section "Agreement between readers": how far two readers of the
same case file, reading blind, gave the same ratings (figures from findings/agreement.py).

Shown only when the selection holds double readings; finalised audits only. No coefficient
is given from fewer than MIN_FILES files, and a count of files under that reads "fewer than".
In an anonymised report the counts of files are released through the cell-key step (a
`Tally`, reports/tally.py); the coefficients are not counts and are shown as worked out.
"""

from __future__ import annotations

from ..findings.agreement import (
    MIN_FILES,
    Agreement,
    ChecklistAgreement,
    Coefficients,
    Estimate,
    GroupAgreement,
)
from ..formatting import NO_VALUE, percent
from .model import Heading, Paragraph, Table
from .tally import EXACT, Tally

NOTE = (
    "A case file counts as read twice when two or more reviewers audited it with the same "
    "checklist in the same phase, each on their own (moderation audits are not counted; where "
    "one reviewer audited a file more than once, their latest audit counts). Only finalised "
    "audits count. Each rated item of each file is compared; 'Not applicable' counts as an "
    "answer of its own, so readers who differ on whether an item applies disagree; items one "
    "reader left unrated or that a condition hid are left out. Percent agreement is the share "
    "of pairs of readers who chose the same answer. Cohen's kappa (two readers) and Gwet's AC1 "
    "correct it for agreement expected by chance; AC1 stays stable when most answers fall in "
    "one category, where kappa can be low despite high agreement. Krippendorff's alpha is "
    "given where a file had more than two readers. On the six-point quality scale, weighted "
    "figures (quadratic weights: AC2, weighted kappa) count a near miss as partial agreement. "
    "95% intervals use Gwet's variance formulas (as in the irrCAC package) and treat items as "
    "independent, so the true uncertainty is somewhat wider. No figure is given from fewer "
    f"than {MIN_FILES} case files."
)


def _num(e: Estimate | None) -> str:
    if e is None:
        return NO_VALUE
    if e.low is None:
        return f"{e.value:.2f}"
    return f"{e.value:.2f} ({e.low:.2f} to {e.high:.2f})"


def _pct(e: Estimate | None) -> str:
    return percent(None if e is None else e.value)


def _files(n: int) -> str:
    return f"fewer than {MIN_FILES}" if n < MIN_FILES else f"{n:,}"


def sentence(g: GroupAgreement) -> str:
    """The plain-words summary: 'Readers agreed on 82% of ratings; AC1 0.78 (0.70 to 0.86).'"""
    c = g.nominal
    if c is None or c.percent is None:
        return (
            f"Fewer than {MIN_FILES} case files were read by two readers, so no agreement "
            "figures are given: over so few files they would mean little."
        )
    text = f"Readers agreed on {_pct(c.percent)} of ratings"
    if c.ac is not None:
        text += f"; AC1 {_num(c.ac)}"
    if g.weighted is not None and g.weighted.ac is not None:
        text += f". On the six-point quality scale, weighted AC2 {_num(g.weighted.ac)}"
    return text + "."


def _row(name: str, files: int, c: Coefficients, third: str, nominal: bool) -> list[str]:
    chance = c.alpha if third == "alpha" else c.kappa
    return [name, _files(files), _pct(c.percent) if nominal else NO_VALUE, _num(c.ac), _num(chance)]


def _group_files(c: ChecklistAgreement, g: GroupAgreement, tally: Tally) -> int:
    return tally.files(c.readers.get(f, ()) for f in sorted(g.units)) if g.units else g.files


def _table(c: ChecklistAgreement, tally: Tally = EXACT) -> list:
    third = "alpha" if c.most_readers > 2 else "kappa"
    rows = []
    withheld = 0
    for g in (c.overall, *c.themes):
        name = "All items" if g is c.overall else g.label
        files = _group_files(c, g, tally)
        if g.nominal is None:
            withheld += 1
            rows.append([name, _files(files), NO_VALUE, NO_VALUE, NO_VALUE])
            continue
        rows.append(_row(name, files, g.nominal, third, True))
        if g.weighted is not None:
            rows.append(
                _row(f"{name} (six-point, weighted: AC2)", files, g.weighted, third, False)
            )
    head = "Krippendorff's alpha (95%)" if third == "alpha" else "Cohen's kappa (95%)"
    out: list = [Table(
        ["Theme", "Files read twice", "Agreed", "Gwet's AC1 (95%)", head],
        rows,
        align=["l", "r", "r", "r", "r"],
        widths=[3.4, 1.2, 1.0, 2.2, 2.2],
    )]
    if withheld:
        out.append(Paragraph(
            f"A theme read twice in fewer than {MIN_FILES} case files has no agreement figures "
            f"({NO_VALUE}): over so few files they would mean little, and could point to the "
            "files and their readers.", "note"))
    return out


def _all_files(found: Agreement, tally: Tally) -> int:
    if not any(c.readers for c in found.checklists):
        return found.files
    return tally.files(r for c in found.checklists for r in c.readers.values())


def agreement_section(found: Agreement | None, tally: Tally = EXACT) -> list:
    """Blocks for the aggregate report; nothing when no file was read twice.
    found: the finalised audits' agreement (None for a draft-only selection); tally: how its
    counts of files are released (exact for an identifiable report)."""
    if found is None or not found.checklists:
        return []
    out: list = [Heading("Agreement between readers", 1)]
    out.append(
        Paragraph(
            f"{_files(_all_files(found, tally)).capitalize()} case files were read independently by two or more "
            "readers. How often they gave the same rating shows how consistently the checklist is "
            "applied."
        )
    )
    several = len(found.checklists) > 1
    for c in found.checklists:
        if several:
            out.append(Heading(c.title, 2))
        out.append(Paragraph(sentence(c.overall)))
        if c.overall.nominal is not None:
            out += _table(c, tally)
    out.append(Paragraph(NOTE, "note"))
    return out
