"""The aggregate report's section "Agreement between readers": how far two readers of the
same case file, reading blind, gave the same ratings (figures from findings/agreement.py).

Shown only when the selection holds double readings; finalised audits only. No coefficient
is given from fewer than MIN_FILES files, and a count of files under that reads "fewer than".
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


def _table(c: ChecklistAgreement) -> Table:
    third = "alpha" if c.most_readers > 2 else "kappa"
    rows = []
    for g in (c.overall, *c.themes):
        name = "All items" if g is c.overall else g.label
        if g.nominal is None:
            rows.append([name, _files(g.files), NO_VALUE, NO_VALUE, NO_VALUE])
            continue
        rows.append(_row(name, g.files, g.nominal, third, True))
        if g.weighted is not None:
            rows.append(
                _row(f"{name} (six-point, weighted: AC2)", g.files, g.weighted, third, False)
            )
    head = "Krippendorff's alpha (95%)" if third == "alpha" else "Cohen's kappa (95%)"
    return Table(
        ["Theme", "Files read twice", "Agreed", "Gwet's AC1 (95%)", head],
        rows,
        align=["l", "r", "r", "r", "r"],
        widths=[3.4, 1.2, 1.0, 2.2, 2.2],
    )


def agreement_section(found: Agreement | None) -> list:
    """Blocks for the aggregate report; nothing when no file was read twice.
    found: the finalised audits' agreement (None for a draft-only selection)."""
    if found is None or not found.checklists:
        return []
    out: list = [Heading("Agreement between readers", 1)]
    out.append(
        Paragraph(
            f"{_files(found.files).capitalize()} case files were read independently by two or more "
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
            out.append(_table(c))
    out.append(Paragraph(NOTE, "note"))
    return out
