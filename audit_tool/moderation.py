"""Double reading and moderation of a case file (issue 10, Care Inspectorate practice).

A *reading* is an audit that is not a moderation. The readings of a case file are the
audits of the SAME case, with the SAME checklist id, in the SAME phase, by DIFFERENT
reviewers (audits.reviewer_id). A second reading is started from a first one, as a new
draft for another reader; readings done on another laptop arrive by import as ordinary
audits with their reviewer and are readings of the file in just the same way.

Blind reading: while a reader's own reading of a file is a draft, the other readings of
that file (and any moderation of it) are hidden from them (`readings_blind_for`).

A *moderation* is an audit of type "moderation" made by a lead reader from two or more
finalised readings (table moderation_sources). Per item it holds the agreed rating, with
the reason in the answer's note; where the readings disagreed a reason is required before
it can be finalised. Findings and reports count a finalised moderation in place of its
readings (see selection.AuditFilter.include_superseded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import history as history_log
from .changes import Changes, NewAudit
from .domain import AuditType, Reviewer, Status
from .errors import InvalidInput, NotFound
from .records import get_audit, new_audit
from .reviewers import (  # noqa: F401 (add_reviewer, reviewer_named, reviewers: re-export for tests; reviewer_named: for cli)
    AGENCY_SQL,
    NAME_SQL,
    ROLE_SQL,
    add_reviewer,
    local_reviewer,
    reviewer_name,
    reviewer_named,
    reviewers,
)
from .store import Database, now

_MODERATION = AuditType.MODERATION.value


@dataclass(frozen=True)
class Reading:
    audit_id: str
    reviewer: Reviewer
    status: str
    created_at: str
    moderated_by: str | None = None  # the moderation that names this reading, if any

    @property
    def finalised(self) -> bool:
        return self.status == Status.FINALISED


@dataclass(frozen=True)
class ItemRow:
    """One item of a moderation: each reading's rating side by side, and the agreed one."""

    theme_title: str
    item_id: str
    question: str
    ratings: tuple[str | None, ...]  # per reading, in moderation order; None: not rated/hidden
    labels: tuple[str, ...]  # the same, as the scale's labels ('—' for none)
    agreed: str | None  # the moderation's rating
    agreed_label: str
    reason: str  # the moderation's note on this item
    applies: bool  # the item is shown in the moderation (its conditions hold)

    @property
    def disagree(self) -> bool:
        return len(set(self.ratings)) > 1

    @property
    def needs_reason(self) -> bool:
        return self.disagree and self.applies and not self.reason.strip()


@dataclass(frozen=True)
class Moderation:
    id: str
    status: str
    lead: Reviewer
    readings: tuple[Reading, ...]
    items: tuple[ItemRow, ...]

    @property
    def disagreements(self) -> int:
        return sum(1 for i in self.items if i.disagree)


# -- the readings of a file ----------------------------------------------------------------


def _head(db: Database, audit_id: str) -> tuple:
    row = db.query_one(
        "SELECT case_id, checklist_id, phase, checklist_sha, audit_type, reviewer_id, status"
        " FROM audits WHERE id = ?",
        (audit_id,),
    )
    if row is None:
        raise NotFound(f"No audit with id {audit_id}.")
    return row


def readings(db: Database, audit_id: str) -> list[Reading]:
    """Every reading of the file this audit (a reading or a moderation) is about, oldest first."""
    case_id, checklist_id, phase, *_ = _head(db, audit_id)
    return [
        Reading(r[0], Reviewer(*r[1:5]), r[5], r[6], r[7])
        for r in db.query(
            f"SELECT a.id, r.id, {NAME_SQL}, {ROLE_SQL}, {AGENCY_SQL}, a.status, a.created_at,"
            " (SELECT ms.moderation_id FROM moderation_sources ms WHERE ms.reading_id = a.id"
            "  LIMIT 1)"
            " FROM audits a JOIN reviewers r ON r.id = a.reviewer_id"
            " WHERE a.case_id = ? AND a.checklist_id = ? AND a.phase = ? AND a.audit_type <> ?"
            " ORDER BY a.created_at, a.rowid",
            (case_id, checklist_id, phase, _MODERATION),
        )
    ]


def moderations_of_file(db: Database, audit_id: str) -> list[str]:
    """The moderations of readings of this audit's file, oldest first."""
    case_id, checklist_id, phase, *_ = _head(db, audit_id)
    return [
        r[0]
        for r in db.query(
            "SELECT id FROM audits a WHERE case_id = ? AND checklist_id = ? AND phase = ?"
            " AND audit_type = ? AND EXISTS (SELECT 1 FROM moderation_sources ms"
            " WHERE ms.moderation_id = a.id) ORDER BY created_at",
            (case_id, checklist_id, phase, _MODERATION),
        )
    ]


def start_second_reading(db: Database, audit_id: str, reviewer_id: str) -> NewAudit:
    """A new draft reading of the same file (same case, checklist copy, phase and audit
    type) for another reader. Returns its id."""
    case_id, _, phase, sha, audit_type, first_reader, _ = _head(db, audit_id)
    if audit_type == _MODERATION:
        raise InvalidInput(
            "A moderation is not a reading; start the second reading from a reading."
        )
    name = reviewer_name(db, reviewer_id)  # NotFound for an unknown reviewer
    if reviewer_id == first_reader:
        raise InvalidInput(f"{name} did this reading; a second reading needs a different reader.")
    if any(r.reviewer.id == reviewer_id for r in readings(db, audit_id)):
        raise InvalidInput(f"{name} has already read this case file; choose another reader.")
    with db.atomic() as c:  # the new audit and its history line, or neither
        new_id = new_audit(
            db, case_id, db.checklist(sha), audit_type, phase, reviewer_id=reviewer_id
        )
        history_log.append(c, new_id, now(), name, "second reading", "", None, audit_id)
    return NewAudit(new_id)


def readings_blind_for(db: Database, reviewer_id: str) -> set[str]:
    """Audits hidden from this reviewer: while their own reading of a file is a draft, the
    other reviewers' readings of that file, and its moderations."""
    return {
        r[0]
        for r in db.query(
            "SELECT DISTINCT o.id FROM audits mine JOIN audits o"
            " ON o.case_id = mine.case_id AND o.checklist_id = mine.checklist_id"
            " AND o.phase = mine.phase AND o.id <> mine.id AND o.reviewer_id <> mine.reviewer_id"
            " WHERE mine.reviewer_id = ? AND mine.status = 'draft' AND mine.audit_type <> ?",
            (reviewer_id, _MODERATION),
        )
    }


def blind_message(db: Database, reviewer_id: str, audit_id: str) -> str | None:
    """Why this reviewer may not see this audit yet, or None when they may (the rule of
    readings_blind_for, asked of this one audit: an index lookup, not a scan of all)."""
    blind = db.query_one(
        "SELECT 1 FROM audits o JOIN audits mine"
        " ON o.case_id = mine.case_id AND o.checklist_id = mine.checklist_id"
        " AND o.phase = mine.phase AND o.id <> mine.id AND o.reviewer_id <> mine.reviewer_id"
        " WHERE o.id = ? AND mine.reviewer_id = ? AND mine.status = 'draft'"
        " AND mine.audit_type <> ? LIMIT 1",
        (audit_id, reviewer_id, _MODERATION),
    )
    if blind is None:
        return None
    name = reviewer_name(db, reviewer_id)
    return (
        f"You are reading this case file blind, as {name}: the other readings stay closed "
        "until your own reading is finalised."
    )


# -- moderation ----------------------------------------------------------------------------


def sources(db: Database, moderation_id: str) -> list[str]:
    """The readings a moderation agrees, oldest first."""
    return [
        r[0]
        for r in db.query(
            "SELECT ms.reading_id FROM moderation_sources ms JOIN audits a ON a.id = ms.reading_id"
            " WHERE ms.moderation_id = ? ORDER BY a.created_at, a.rowid",
            (moderation_id,),
        )
    ]


def start_moderation(
    db: Database, reading_ids: Sequence[str], lead_id: str | None = None
) -> NewAudit:
    """A draft moderation of two or more finalised readings of one file, by the lead reader
    (default: this laptop's reviewer). Items on which every reading agrees start with that
    rating; the others are left for the lead to agree, with a reason. Returns its id."""
    ids = list(dict.fromkeys(reading_ids))
    if len(ids) < 2:
        raise InvalidInput("A moderation needs two or more readings of the same case file.")
    heads = {i: _head(db, i) for i in ids}
    first = heads[ids[0]]
    for i, (case_id, checklist_id, phase, sha, audit_type, reviewer, status) in heads.items():
        if audit_type == _MODERATION:
            raise InvalidInput(f"Audit {i} is a moderation, not a reading.")
        if (case_id, checklist_id, phase) != first[:3]:
            raise InvalidInput(
                "These audits are not readings of the same case file, checklist and phase."
            )
        if sha != first[3]:
            raise InvalidInput(
                "These readings used different versions of the checklist; they cannot be "
                "moderated together."
            )
        if status != Status.FINALISED:
            raise InvalidInput(
                f"Reading {i} by {reviewer_name(db, reviewer)} is still a draft; "
                "every reading must be finalised before moderation."
            )
        taken = db.query_one(
            "SELECT moderation_id FROM moderation_sources WHERE reading_id = ?", (i,)
        )
        if taken:
            raise InvalidInput(f"Reading {i} is already in moderation {taken[0]}.")
    if len({h[5] for h in heads.values()}) < len(ids):
        raise InvalidInput(
            "These readings are by the same reader; moderation needs different readers."
        )
    lead_id = lead_id or local_reviewer(db).id
    lead = reviewer_name(db, lead_id)
    loaded = db.checklist(first[3])
    definition = loaded.definition
    shown = [_shown_ratings(db, i) for i in ids]
    agreed = {
        item.id: shown[0][item.id]
        for _, item in definition.items()
        if shown[0].get(item.id) is not None
        and all(s.get(item.id) == shown[0][item.id] for s in shown)
    }
    stamp = now()
    with db.atomic() as c:
        mod_id = new_audit(
            db, first[0], loaded, AuditType.MODERATION, first[2], reviewer_id=lead_id
        )
        c.executemany(
            "INSERT INTO moderation_sources (moderation_id, reading_id) VALUES (?, ?)",
            [(mod_id, i) for i in ids],
        )
        answered = 0
        for _, item in definition.items():
            if item.id not in agreed:
                continue
            applies = definition.visible(item, agreed)
            answered += int(applies)
            c.execute(
                "INSERT INTO answers (audit_id, item_id, rating, note, applies, updated_at)"
                " VALUES (?, ?, ?, '', ?, ?)",
                (mod_id, item.id, agreed[item.id], int(applies), stamp),
            )
            history_log.append(c, mod_id, stamp, lead, "rating", item.id, None, agreed[item.id])
        c.execute("UPDATE audits SET answered = ? WHERE id = ?", (answered, mod_id))
        history_log.append(c, mod_id, stamp, lead, "moderation", "", None, " ".join(ids))
    # the readings now show who moderated them
    return NewAudit(mod_id, Changes(added=frozenset({mod_id}), audits=frozenset(ids)))


def _shown_ratings(db: Database, audit_id: str) -> dict[str, str | None]:
    """Ratings of the items an audit shows (a hidden item's old rating does not count)."""
    return dict(
        db.query(
            "SELECT item_id, CASE WHEN applies = 1 THEN rating END FROM answers WHERE audit_id = ?",
            (audit_id,),
        )
    )


def get_moderation(db: Database, moderation_id: str) -> Moderation:
    """The moderation with every item: each reading's rating side by side and the agreed one."""
    audit = get_audit(db, moderation_id)
    if audit.audit_type is not AuditType.MODERATION:
        raise InvalidInput(f"Audit {moderation_id} is not a moderation.")
    ids = sources(db, moderation_id)
    by_id = {r.audit_id: r for r in readings(db, moderation_id)}
    reads = tuple(by_id[i] for i in ids)
    shown = [_shown_ratings(db, i) for i in ids]
    d = audit.checklist.definition
    mine = audit.ratings
    rows = []
    for theme, item in d.items():
        scale = d.scale_of(item)
        ratings = tuple(s.get(item.id) for s in shown)
        applies = d.visible(item, mine)
        if not applies and all(r is None for r in ratings):
            continue  # hidden everywhere: nothing to moderate

        def label(value: str | None, scale=scale) -> str:
            return scale.label_of(value) or "—"

        answer = audit.answers.get(item.id)
        rows.append(
            ItemRow(
                theme.title,
                item.id,
                item.question,
                ratings,
                tuple(label(r) for r in ratings),
                answer.rating if answer else None,
                label(answer.rating if answer else None),
                answer.note if answer else "",
                applies,
            )
        )
    return Moderation(audit.id, audit.status.value, audit.reviewer, reads, tuple(rows))


def check_finalisable(db: Database, moderation_id: str) -> None:
    """Raise, in one line, unless the moderation may be finalised: its readings are still
    finalised, and every shown item on which they disagreed has a reason."""
    for i in sources(db, moderation_id):
        if _head(db, i)[6] != Status.FINALISED:
            raise InvalidInput(
                f"Reading {i} was reopened for amendment; finalise it again before the moderation."
            )
    missing = [i.item_id for i in get_moderation(db, moderation_id).items if i.needs_reason]
    if missing:
        first = ", ".join(missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InvalidInput(
            f"Give a reason for the agreed rating where the readings disagreed: {first}{more}."
        )


def is_moderation(db: Database, audit_id: str) -> bool:
    """A moderation of readings (an audit merely typed 'moderation' names none)."""
    return _head(db, audit_id)[4] == _MODERATION and bool(sources(db, audit_id))
