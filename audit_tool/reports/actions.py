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
from ..disclosure.rules import HIDDEN, LESS, SUPPRESS_BELOW, Line, small, suppress
from ..findings.records import Recommendation
from ..formatting import long_date
from .model import Heading, KeyValue, Paragraph, Table
from .summary import due_date
from .tally import EXACT, Tally

# each figure's own key shift (reports/tally.py): none shared with the recommendation
# counts (23, 59, 101, 137, 179) nor with another figure here
CELL, ROW_TOTAL, COLUMN_TOTAL, OVERDUE_NOW, DONE_SINCE = 3, 211, 227, 241, 7
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
    bodies = [b for b in (*BODIES, "") if any(r.body == b for r in recs)]
    cells = [[[r.audit_id for r in recs if r.body == b and r.status == s] for s in STATUSES]
             for b in bodies]
    ns = len(STATUSES)
    # cell i*ns+j, then each body's total, then each status's total
    flat = [c for row in cells for c in row]
    totals_r = [[a for c in row for a in c] for row in cells]
    totals_c = [[a for row in cells for a in row[j]] for j in range(ns)]
    everything = flat + totals_r + totals_c
    records = [len(x) for x in everything]
    audits = [len(set(x)) for x in everything]
    r0, c0 = len(flat), len(flat) + len(bodies)
    lines = [Line(tuple(range(i * ns, i * ns + ns)), tuple(records[i * ns:i * ns + ns]), labelled=False)
             for i in range(len(bodies))]
    lines += [Line(tuple(i * ns + j for i in range(len(bodies))),
                   tuple(records[i * ns + j] for i in range(len(bodies))), labelled=False)
              for j in range(ns)]
    lines.append(Line(tuple(range(r0, c0)), tuple(records[r0:c0]), labelled=False))
    hidden = suppress(audits, [small(a) for a in audits], lines)
    if hidden is None:
        return Paragraph(f"The table by body and status is not shown: too many of its figures rest "
                         f"on fewer than {SUPPRESS_BELOW} audits.", "note")

    def show(k: int, offset: int) -> str:
        if hidden[k]:
            return LESS if small(audits[k]) else HIDDEN
        return f"{tally.records(everything[k], offset):,}" if records[k] else "0"

    rows = [[BODY_LABELS[b]] + [show(i * ns + j, CELL + i * ns + j) for j in range(ns)]
            + [show(r0 + i, ROW_TOTAL + i)] for i, b in enumerate(bodies)]
    rows.append(["All bodies"] + [show(c0 + j, COLUMN_TOTAL + j) for j in range(ns)]
                + [_figure([r.audit_id for r in recs], COLUMN_TOTAL + ns, tally)])
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
    rows = [(f"Overdue at {long_date(today)} (open or in progress, due date passed)",
             _figure([r.audit_id for r in late], OVERDUE_NOW, tally))]
    if last_release is None:
        rows.append(("Done since the last report", "No earlier report on this selection's "
                     "checklist is in the release register"))
    else:
        done = done_since(recs, last_release)
        rows.append((f"Done since the last report ({long_date(date.fromisoformat(last_release[:10]))})",
                     _figure([r.audit_id for r in done], DONE_SINCE, tally)))
    linked = [r.audit_id for r in recs if r.link]
    rows.append(("Linked to the item they answer", _figure(linked, CELL + 97, tally)))
    out.append(KeyValue(rows))
    return out


__all__ = ["actions_section", "done_since", "overdue"]
