"""An audit's record: created (`new_audit`) and read back (`get_audit`, `status_text`).

Below both the audit rules (audits.py) and double reading (moderation.py), which each
create and read audits: neither needs the other for that.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from . import history as history_log
from .cases import get_case
from .changes import NewAudit
from .domain import (
    Answer,
    Audit,
    AuditType,
    Concern,
    Phase,
    Recommendation,
    Reviewer,
    Status,
)
from .errors import InvalidInput, NotFound
from .formatting import day
from .reviewers import AGENCY_SQL, NAME_SQL, ROLE_SQL, local_reviewer, reviewer_name
from .store import Database, now

if TYPE_CHECKING:
    from .checklists.loader import LoadedChecklist


def find_checklist(db: Database, checklist_id: str) -> LoadedChecklist:
    """The current file for a checklist id (bundled or user), else the newest stored copy."""
    from .checklists.loader import available  # pydantic loads on first use, not at start-up

    items, _ = available()
    for c in items:
        if c.id == checklist_id:
            return c
    row = db.query_one(
        "SELECT sha256 FROM checklist_defs WHERE checklist_id = ? ORDER BY added_at DESC LIMIT 1",
        (checklist_id,),
    )
    if row:
        return db.checklist(row[0])
    known = ", ".join(c.id for c in items)
    raise NotFound(f"No checklist called '{checklist_id}'. Available: {known}.")



def new_audit(
    db: Database,
    case_id: str,
    checklist: LoadedChecklist | str,
    audit_type: AuditType | str | None = None,
    phase: Phase | str = Phase.BASELINE,
    reviewer_id: str | None = None,
) -> NewAudit:
    """A draft audit of a case; returns its id (a str) carrying the change (`.changes`)."""
    case = get_case(db, case_id)
    loaded = find_checklist(db, checklist) if isinstance(checklist, str) else checklist
    if audit_type is None:
        first = loaded.definition.audit_types[:1]
        audit_type = first[0] if first else AuditType.CASE_FILE_AUDIT
    try:
        audit_type, phase = AuditType(audit_type), Phase(phase)
    except ValueError as exc:
        raise InvalidInput(str(exc).capitalize() + ".") from None
    reviewer_id = reviewer_id or local_reviewer(db).id
    sha = db.store_checklist(loaded)
    audit_id = str(uuid.uuid4())
    stamp = now()
    who = reviewer_name(db, reviewer_id)
    with db.atomic() as c:
        c.execute(
            "INSERT INTO audits (id, case_id, checklist_sha, checklist_id, audit_type, phase,"
            " reviewer_id, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?, 'draft', ?, ?)",
            (
                audit_id,
                case.id,
                sha,
                loaded.id,
                audit_type.value,
                phase.value,
                reviewer_id,
                stamp,
                stamp,
            ),
        )
        history_log.append(c, audit_id, stamp, who, "created", "", None, f"{loaded.id} {loaded.version}")
    return NewAudit(audit_id)



def get_audit(db: Database, audit_id: str) -> Audit:
    row = db.query_one(
        "SELECT a.id, a.case_id, a.checklist_sha, a.audit_type, a.phase, a.status, a.created_at,"
        " a.updated_at, a.finalised_at, a.summary, a.strengths, a.improvements,"
        f" r.id, {NAME_SQL}, {ROLE_SQL}, {AGENCY_SQL}, a.first_finalised_at, a.amended_at,"
        " a.amend_reason"
        " FROM audits a JOIN reviewers r ON r.id = a.reviewer_id"
        " WHERE a.id = ?",
        (audit_id,),
    )
    if row is None:
        raise NotFound(f"No audit with id {audit_id}.")
    answers = {
        r[0]: Answer(r[0], r[1], r[2], bool(r[3]), r[4])
        for r in db.query(
            "SELECT item_id, rating, note, applies, updated_at FROM answers WHERE audit_id = ?",
            (audit_id,),
        )
    }
    recs = tuple(
        Recommendation(*r)
        for r in db.query(
            "SELECT text, owner, due FROM recommendations WHERE audit_id = ? ORDER BY pos",
            (audit_id,),
        )
    )
    concerns = tuple(
        Concern(*r)
        for r in db.query(
            "SELECT raised_on, raised_to, raised_by, recorded_at FROM concerns WHERE audit_id = ? ORDER BY id",
            (audit_id,),
        )
    )
    return Audit(
        id=row[0],
        case=get_case(db, row[1]),
        checklist=db.checklist(row[2]),
        audit_type=AuditType(row[3]),
        phase=Phase(row[4]),
        status=Status(row[5]),
        created_at=row[6],
        updated_at=row[7],
        finalised_at=row[8],
        summary=row[9],
        strengths=row[10],
        improvements=row[11],
        reviewer=Reviewer(*row[12:16]),
        answers=answers,
        recommendations=recs,
        concerns=concerns,
        first_finalised_at=row[16],
        amended_at=row[17],
        amend_reason=row[18],
    )


def status_text(audit: Audit) -> str:
    """The status as a record shows it: 'Draft', 'Finalised on <date>', or a draft that
    says it was reopened for amendment (when, and why)."""
    amended = (
        f"{day(audit.amended_at)}: {audit.amend_reason}" if audit.amended_at is not None else ""
    )
    if audit.status is Status.FINALISED:
        text = f"Finalised on {day(audit.finalised_at)}" if audit.finalised_at else "Finalised"
        return text + (f" (after an amendment on {amended})" if amended else "")
    return f"Draft (reopened for amendment on {amended})" if amended else "Draft"

