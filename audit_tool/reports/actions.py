"""The report's section on actions (issue 20, item 6): how the recommendations are being
acted on, by the body responsible and by status, what is overdue and what was done since
the last report on the same checklist. No SQL: build.py reads the recommendations (with
their tracking, findings/records.py) and the last release (disclosure/register.py).

Every count is a count of recommendations resting on the audits holding them, so it is
released as reports/tally.py releases records (perturbed, each figure its own key shift)
and a figure resting on 1 to 4 audits reads '<5'. The table's rows and columns add up to
totals it shows, so a cell that could be worked back from them is held back too
(disclosure/rules.py, secondary suppression).
"""

from __future__ import annotations

from datetime import date

from ..actions import BODIES, STATUSES
from ..disclosure.rules import HIDDEN, LESS, SUPPRESS_BELOW, Line, small, suppress, suppress_rows
from ..findings.records import Recommendation
from ..formatting import long_date
from .model import Heading, KeyValue, Paragraph, Table
from .summary import due_date
from .tally import EXACT, Tally

# each figure's own key shift (reports/tally.py): none shared with the recommendation
# counts (23, 59, 101, 137, 179) nor with another figure here
CELL, ROW_TOTAL, OVERDUE_NOW, DONE_SINCE, LINKED = 3, 211, 241, 7, 227
BODY_LABELS = {"CPC": "CPC", "VAWP": "VAWP", "ADP": "ADP", "service": "A service", "": "Not given"}
STATUS_LABELS = {s: s.capitalize() for s in STATUSES}
OPEN = ("open", "in progress")


def _figure(ids: list[str], offset: int, tally: Tally) -> str:
    """A count of recommendations as released: '<5' when it rests on 1 to 4 audits."""
    if small(len(set(ids))):
        return LESS
    return f"{tally.records(ids, offset):,}"


def overdue(recs: list[Recommendation], today: date) -> list[Recommendation]:
    """Open or in progress, with a due date (as typed) before `today`."""
    out = []
    for r in recs:
        d = due_date(r.due) if r.status in OPEN else None
        if d is not None and d < today:
            out.append(r)
    return out


def done_since(recs: list[Recommendation], since: str | None) -> list[Recommendation]:
    """Done, with the status set after `since` (an ISO time stamp from the register)."""
    if since is None:
        return []
    return [r for r in recs if r.status == "done" and r.status_at is not None and r.status_at > since]


def _table(recs: list[Recommendation], tally: Tally) -> Table | Paragraph:
    """Rows by body, columns by status, each row with its total. The rows add up to the
    recommendations recorded (shown in the section before): a row resting on 1 to 4 audits
    is held back whole, with the next-smallest row where one could be worked out from the
    total (rules.suppress_rows). Inside a row shown, a cell resting on 1 to 4 audits reads
    '<5', and one more is held back where the row's total would give it away."""
    bodies = [b for b in (*BODIES, "") if any(r.body == b for r in recs)]
    cells = [[[r.audit_id for r in recs if r.body == b and r.status == s] for s in STATUSES]
             for b in bodies]
    totals = [[a for c in row for a in c] for row in cells]
    gone = suppress_rows([len(t) for t in totals], primary=[small(len(set(t))) for t in totals])
    if gone is None:
        return Paragraph("The table by body and status is not shown: its rows rest on fewer "
                         f"than {SUPPRESS_BELOW} audits.", "note")
    rows, ns = [], len(STATUSES)
    for i, (b, row, total) in enumerate(zip(bodies, cells, totals, strict=True)):
        audits = [len(set(c)) for c in row]
        hidden = None if gone[i] else suppress(
            [len(c) for c in row], [small(a) for a in audits],
            [Line(tuple(range(ns)), tuple(len(c) for c in row))])
        if hidden is None:  # the whole row is held back
            rows.append([BODY_LABELS[b]] + [HIDDEN] * ns + [_figure(total, ROW_TOTAL + i, tally)
                                                           if small(len(set(total))) else HIDDEN])
            continue
        shown = [LESS if h and small(a) else HIDDEN if h else
                 (f"{tally.records(c, CELL + i * ns + j):,}" if c else "0")
                 for j, (c, a, h) in enumerate(zip(row, audits, hidden, strict=True))]
        rows.append([BODY_LABELS[b], *shown, _figure(total, ROW_TOTAL + i, tally)])
    return Table(["Body responsible", *STATUS_LABELS.values(), "All"], rows,
                 align=["l"] + ["r"] * (ns + 1), widths=[2.2] + [1] * (ns + 1))


def actions_section(recs: list[Recommendation], last_release: str | None, today: date,
                    tally: Tally = EXACT, level: int = 1) -> list:
    """The actions section: counts by body and status, overdue, done since the last release."""
    out: list = [Heading("Actions on the recommendations", level)]
    if not recs:
        return out + [Paragraph("No recommendations were recorded in these audits, so there are "
                                "no actions to track.")]
    out.append(Paragraph(
        "Each recommendation is tracked as an action: its status (open, in progress, done or "
        "dropped), the body responsible (the Child Protection Committee, the Violence Against "
        "Women Partnership, the Alcohol and Drug Partnership, or a service) and the item it "
        "answers. Counts are of recommendations."))
    out.append(_table(recs, tally))
    late = overdue(recs, today)
    rows = [("Overdue", f"{_figure([r.audit_id for r in late], OVERDUE_NOW, tally)} (open or in "
                        f"progress, due before {long_date(today)})")]
    if last_release is None:
        rows.append(("Done since the last report", "No earlier report on this checklist is in "
                     "the release register"))
    else:
        done = done_since(recs, last_release)
        rows.append(("Done since the last report", f"{_figure([r.audit_id for r in done], DONE_SINCE, tally)}"
                     f" (released {long_date(date.fromisoformat(last_release[:10]))})"))
    rows.append(("Linked to the item they answer",
                 _figure([r.audit_id for r in recs if r.link], LINKED, tally)))
    out.append(KeyValue(rows))
    return out


__all__ = ["actions_section", "done_since", "overdue"]
