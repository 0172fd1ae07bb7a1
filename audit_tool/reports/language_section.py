"""The aggregate report's "Language in the record": per framing and phase, the share of case
files whose record uses it, from the checklist's multiple-choice item on the record's
language (findings/record_language.py). No SQL here.

Every figure passes the disclosure layer as the rest of the report does: whether a share
is shown is decided on the true counts (disclosure/suppress.py: a framing used in 1 to 4
files reads '<5'; all but 1 to 4 files, or all or none of fewer than 10, is withheld); a
shown share is worked out from the counts of files as released (reports/tally.py: exact
for a named recipient, cell-key perturbed when anonymised). Phases are named by the
checklist (checklists/phases.py), so a death review never reads as a training evaluation.
"""

from __future__ import annotations

from ..disclosure.rules import HIDDEN, LESS, SUPPRESS_BELOW, Census, label, small, suppress_counts
from ..disclosure.suppress import suppression_reason
from ..findings.record_language import RecordLanguage
from ..formatting import NO_VALUE
from ..vocabulary import Phase
from .model import BarChart, Heading, Paragraph, Series, Table
from .tally import EXACT, Tally

BEFORE, AFTER = Phase.BASELINE.value, Phase.POST_TRAINING.value

TITLE = "Language in the record"
INTRO = (
    "For each framing that hides who did what or blames the person harmed, the share of case "
    "files whose record itself uses it (in its own words, not quoting), as ticked by the "
    "reader in answer to the question below. Fewer files using a framing in a "
    "later phase suggests records that name the person who harmed and the behaviour. The "
    "reviewers' own notes are not counted: the scan of notes is a prompt while writing them.")
NOTE = (
    "Shares are of the files whose reader answered the question in that phase ('Files read'). "
    f"A framing used in 1 to {SUPPRESS_BELOW - 1} files reads '{LESS}'; one used in all but "
    f"1 to {SUPPRESS_BELOW - 1} files, or in all or none of fewer than 10, is '{HIDDEN}'.")


def _cell(ticked: tuple[str, ...], base: tuple[str, ...], tally: Tally) -> tuple[str, float | None]:
    """The cell's text and the share it shows (None when withheld)."""
    n, k = len(base), len(ticked)
    if n == 0:
        return NO_VALUE, None
    if suppression_reason(k, n - k, n) is not None:
        return (LESS if 0 < k < SUPPRESS_BELOW or small(n) else HIDDEN), None
    shown_n = tally.audits(base)
    shown_k = min(shown_n, tally.audits(ticked))
    share = shown_k / shown_n if shown_n else None
    return (NO_VALUE if share is None else f"{share * 100:.0f}% ({shown_k:,})"), share


def _change(first: float | None, last: float | None) -> str:
    if first is None or last is None:
        return NO_VALUE
    points = round((last - first) * 100)
    return f"{points:+d}".replace("-", "−") if points else "0"


def hidden_phases(census: Census | None, cid: str) -> set[str]:
    """The phases whose audit count the report hides ('About this report': the phases add up
    to the checklist's audits). Their files read and shares are hidden here too: the
    question is required, so files read would give the count back."""
    if census is None:
        return set()
    per: dict[str, int] = {}
    for c, p, _, n in census.rows:
        if c == cid:
            per[p] = per.get(p, 0) + n
    present = [p for p, n in per.items() if n]
    hidden = suppress_counts([per[p] for p in present]) or [True] * len(present)
    return {p for p, h in zip(present, hidden, strict=True) if h}


def _one(use: RecordLanguage, tally: Tally, census: Census | None = None) -> list:
    words = use.words
    phases = [p for p in use.phases if use.answered.get(p)]
    gone = hidden_phases(census, use.checklist_id)
    if not phases:
        return [Paragraph("No file in this selection has an answer to the question on the "
                          "record's language.")]
    # the comparison the checklist's words name ("Change after training"): the later phase
    # against the baseline
    compare = BEFORE in phases and AFTER in phases and not {BEFORE, AFTER} & gone
    names = [words.name(p) for p in phases]
    columns = ["Framing the record uses", *names] + ([words.change] if compare else [])
    files = [label(len(use.answered[p]), True) if p in gone else label_files(use.answered[p], tally)
             for p in phases]
    rows = [["Files read", *files] + ([""] if compare else [])]
    shares: list[list[float | None]] = []
    for term in use.terms:
        cells = [(HIDDEN, None) if p in gone else _cell(term.ticked.get(p, ()), use.answered[p], tally)
                 for p in phases]
        row = [term.label, *(c for c, _ in cells)]
        if compare:
            row.append(_change(cells[phases.index(BEFORE)][1], cells[phases.index(AFTER)][1]))
        rows.append(row)
        shares.append([s for _, s in cells])
    out: list = [
        Paragraph(f"Question {use.item_id}: {use.question}", "note"),
        Table(columns, rows, align=["l"] + ["r"] * (len(columns) - 1),
              widths=[3.2] + [1.4] * len(phases) + ([1.3] if compare else [])),
    ]
    change = (f" {words.change}: {words.name(AFTER)} minus {words.name(BEFORE)}, in percentage "
              "points, where both shares are shown." if compare else "")
    out.append(Paragraph(NOTE + change, "note"))
    charted = [(t, s) for t, s in zip(use.terms, shares, strict=True)
               if not t.exclusive and any(v is not None for v in s)]
    if charted:
        title = "Share of files whose record uses each framing, by phase"
        out.append(BarChart(
            title, [t.label for t, _ in charted],
            [Series(name, [None if s[i] is None else s[i] * 100 for _, s in charted])
             for i, name in enumerate(names)],
            unit="%",
            alt_text=f"{title}: " + "; ".join(
                f"{t.label}: " + ", ".join(
                    f"{name} {'not shown' if v is None else f'{v * 100:.0f}%'}"
                    for name, v in zip(names, s, strict=True)) for t, s in charted) + ".",
        ))
    return out


def label_files(base: tuple[str, ...], tally: Tally) -> str:
    """A count of files read as released: '<5' for 1 to 4."""
    return LESS if small(len(base)) else f"{tally.audits(base):,}"


def language_section(uses: tuple[RecordLanguage, ...], tally: Tally = EXACT,
                     census: Census | None = None) -> list:
    """The section: one table (and chart) per checklist reported that asks the question.
    `census`: the report's audit counts, to hide the phases it hides."""
    out: list = [Heading(TITLE, 1)]
    if not uses:
        return out + [Paragraph("No checklist in this report asks which framings the record uses.")]
    out.append(Paragraph(INTRO))
    for use in uses:
        if len(uses) > 1:
            out.append(Heading(use.title, 2))
        out += _one(use, tally, census)
    return out


__all__ = ["INTRO", "NOTE", "TITLE", "hidden_phases", "label_files", "language_section"]
