"""Cases, audits and answers: every rule about changing an audit lives here, once.

Each write is one transaction (committed and fsynced before returning), so whatever a
screen shows as saved survives a crash. Every change is appended to the history.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import sqlcipher3

from . import history as history_log
from .changes import NOTHING, Changes, NewAudit, of_audit, of_status
from .domain import (
    SUMMARY_FIELDS,
    Answer,
    AnswerChange,
    Audit,
    AuditType,
    Case,
    Concern,
    HistoryEntry,
    Phase,
    Recommendation,
    Reviewer,
    Status,
)
from .errors import InvalidInput, NotFound, ReadOnlyAudit
from .store import Database, now
from .store.flat import mark_hidden
from .store.schema import FROZEN, NEEDS_REASON, ONCE_FINALISED

if TYPE_CHECKING:
    from .checklists.loader import LoadedChecklist
    from .checklists.model import Checklist

MAX_TEXT = 20_000  # an evidence note or summary field; generous, but bounded
MAX_SHORT = 200
UNSET: object = object()
_READ_ONLY = "This audit is finalised and read-only; amend it (with a reason) to change it."
_NOT_DELETABLE = "Only draft audits can be deleted; this one is finalised."
_AMENDED_NOT_DELETABLE = (
    "This audit was finalised before and then reopened for amendment; it cannot be deleted. "
    "Its history is kept."
)
_NEEDS_REASON = "Give a reason for amending a finalised audit."


@contextlib.contextmanager
def _write(db: Database) -> Iterator[sqlcipher3.Connection]:
    """db.atomic(), with the database's own refusals (triggers that keep a finalised audit
    read-only even against another process) told in the core's words."""
    try:
        with db.atomic() as c:
            yield c
    except sqlcipher3.IntegrityError as exc:
        message = {
            FROZEN: _READ_ONLY,
            ONCE_FINALISED: _AMENDED_NOT_DELETABLE,
            NEEDS_REASON: _NEEDS_REASON,
        }.get(str(exc))
        if message is None:
            raise
        raise (InvalidInput if message is _NEEDS_REASON else ReadOnlyAudit)(message) from None


def _clean(text: str, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be text.")
    text = text.replace("\x00", "")
    if len(text) > limit:
        raise InvalidInput(
            f"{what} is too long ({len(text):,} characters; the limit is {limit:,})."
        )
    return text


def _required(text: str, what: str) -> str:
    text = _clean(text, what, MAX_SHORT).strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty.")
    return text


# -- reviewer --------------------------------------------------------------------------


def local_reviewer(db: Database) -> Reviewer:
    """The profile of whoever uses this laptop; created on first use."""
    cached = db.cache.get("local_reviewer")
    if cached is not None:
        return cached
    row = db.query_one("SELECT id, name, role, agency FROM reviewers WHERE is_local = 1 LIMIT 1")
    if row:
        db.cache["local_reviewer"] = Reviewer(*row)
        return db.cache["local_reviewer"]
    reviewer = Reviewer(str(uuid.uuid4()), "Reviewer")
    with db.atomic() as c:
        c.execute(
            "INSERT INTO reviewers VALUES (?, ?, '', '', 1, ?)", (reviewer.id, reviewer.name, now())
        )
    return reviewer


def set_local_reviewer(db: Database, name: str, role: str = "", agency: str = "") -> Reviewer:
    me = local_reviewer(db)
    name = _required(name, "Reviewer name")
    role, agency = _clean(role, "Role", MAX_SHORT), _clean(agency, "Agency", MAX_SHORT)
    with db.atomic() as c:
        c.execute(
            "UPDATE reviewers SET name = ?, role = ?, agency = ? WHERE id = ?",
            (name, role, agency, me.id),
        )
    db.cache["local_reviewer"] = Reviewer(me.id, name, role, agency)
    return db.cache["local_reviewer"]


# -- cases ------------------------------------------------------------------------------


def _pseudonym() -> str:
    # Short, readable, not derived from the reference: safe to show in exports.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "Case " + "".join(secrets.choice(alphabet) for _ in range(6))


def add_case(db: Database, reference: str, area: str, agency: str = "", team: str = "") -> Case:
    """A new case; the returned Case carries the change (`.changes`)."""
    case = Case(
        id=str(uuid.uuid4()),
        reference=_required(reference, "Case reference"),
        pseudonym=_pseudonym(),
        area=_required(area, "Area"),
        agency=_clean(agency, "Agency", MAX_SHORT).strip(),
        team=_clean(team, "Team", MAX_SHORT).strip(),
        created_at=now(),
    )
    with db.atomic() as c:
        c.execute(
            "INSERT INTO cases (id, reference, pseudonym, area, agency, team, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                case.id,
                case.reference,
                case.pseudonym,
                case.area,
                case.agency,
                case.team,
                case.created_at,
            ),
        )
    return case


def get_case(db: Database, case_id: str) -> Case:
    row = db.query_one(
        "SELECT id, reference, pseudonym, area, agency, team, created_at FROM cases WHERE id = ?",
        (case_id,),
    )
    if row is None:
        raise NotFound(f"No case with id {case_id}.")
    return Case(*row)


def list_cases(db: Database) -> list[Case]:
    return [
        Case(*r)
        for r in db.query(
            "SELECT id, reference, pseudonym, area, agency, team, created_at FROM cases ORDER BY created_at"
        )
    ]


# -- checklists -------------------------------------------------------------------------


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


# -- audits: create, read ---------------------------------------------------------------


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
    who = _reviewer_name(db, reviewer_id)
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


def _reviewer_name(db: Database, reviewer_id: str) -> str:
    row = db.query_one("SELECT name FROM reviewers WHERE id = ?", (reviewer_id,))
    if row is None:
        raise NotFound(f"No reviewer with id {reviewer_id}.")
    return row[0]


def _author(db: Database, audit_id: str) -> str:
    """Who a change to an audit is logged under when no one is named: the audit's own reader
    (a second reader on a shared laptop is not the laptop's usual reviewer)."""
    row = db.query_one(
        "SELECT r.name FROM audits a JOIN reviewers r ON r.id = a.reviewer_id WHERE a.id = ?",
        (audit_id,),
    )
    return row[0] if row else local_reviewer(db).name



def _audit_head(db: Database, audit_id: str) -> tuple[str, str]:
    row = db.query_one("SELECT status, checklist_sha FROM audits WHERE id = ?", (audit_id,))
    if row is None:
        raise NotFound(f"No audit with id {audit_id}.")
    return row[0], row[1]


def _writable(db: Database, audit_id: str) -> str:
    status, sha = _audit_head(db, audit_id)
    if status == Status.FINALISED:
        raise ReadOnlyAudit(_READ_ONLY)
    return sha


def get_audit(db: Database, audit_id: str) -> Audit:
    row = db.query_one(
        "SELECT a.id, a.case_id, a.checklist_sha, a.audit_type, a.phase, a.status, a.created_at,"
        " a.updated_at, a.finalised_at, a.summary, a.strengths, a.improvements,"
        " r.id, r.name, r.role, r.agency, a.first_finalised_at, a.amended_at, a.amend_reason"
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
        f"{_day(audit.amended_at)}: {audit.amend_reason}" if audit.amended_at is not None else ""
    )
    if audit.status is Status.FINALISED:
        text = f"Finalised on {_day(audit.finalised_at)}" if audit.finalised_at else "Finalised"
        return text + (f" (after an amendment on {amended})" if amended else "")
    return f"Draft (reopened for amendment on {amended})" if amended else "Draft"


def _day(stamp: str | None) -> str:
    return stamp[:10] if stamp else "—"


# -- answering ----------------------------------------------------------------------------


def answer(
    db: Database,
    audit_id: str,
    item_id: str,
    rating: str | None | object = UNSET,
    note: str | object = UNSET,
    who: str | None = None,
) -> AnswerChange:
    """Set an item's rating and/or evidence note. Committed before it returns.

    rating=None clears the rating. Items whose conditions now hide (or show) them are
    marked so findings and completeness ignore hidden answers without deleting them.
    """
    # one read for the audit's state and the current answer: this is the autosave hot path
    head = db.query_one(
        "SELECT a.status, a.checklist_sha, an.rating, an.note, an.applies FROM audits a"
        " LEFT JOIN answers an ON an.audit_id = a.id AND an.item_id = ? WHERE a.id = ?",
        (item_id, audit_id),
    )
    if head is None:
        raise NotFound(f"No audit with id {audit_id}.")
    if head[0] == Status.FINALISED:
        raise ReadOnlyAudit(_READ_ONLY)
    checklist = db.checklist(head[1]).definition
    try:
        item = checklist.item(item_id)
    except KeyError:
        raise NotFound(f"Item '{item_id}' is not in checklist {checklist.id}.") from None
    scale = checklist.scale_of(item)
    if rating is not UNSET and rating is not None:
        rating = str(rating).strip().lower()
        if scale.level(rating) is None:
            by_label = next((lv.value for lv in scale.levels if lv.label.lower() == rating), None)
            if by_label is None:
                allowed = ", ".join(f"{lv.value} ({lv.label})" for lv in scale.levels)
                raise InvalidInput(
                    f"'{rating}' is not a level of the {scale.title}: use one of {allowed}."
                )
            rating = by_label
    if note is not UNSET:
        note = _clean(note, "Evidence note")
    who = who or _author(db, audit_id)
    stamp = now()
    old = head[2:] if head[4] is not None else None
    old_rating, old_note = (old[0], old[1]) if old else (None, "")
    new_rating = old_rating if rating is UNSET else rating
    new_note = old_note if note is UNSET else note
    from .checklists.model import FAILS, SHOWN  # loaded with the checklist above

    applies, fails = True, False
    ratings: dict[str, str | None] = {}
    if item.show_when is not None or checklist.dependents(item_id):
        ratings = dict(
            db.query("SELECT item_id, rating FROM answers WHERE audit_id = ?", (audit_id,))
        )
        ratings[item_id] = new_rating
        effect = checklist.hidden_effect(item, ratings)
        applies, fails = effect == SHOWN, effect == FAILS and not scale.is_fact
    if old and (old_rating, old_note) == (new_rating, new_note):
        return AnswerChange(
            audit_id,
            item_id,
            Answer(item_id, new_rating, new_note, bool(old[2]), stamp),
            changed=False,
        )
    shown: list[str] = []
    hidden: list[str] = []
    with _write(db) as c:
        c.execute(
            "INSERT INTO answers (audit_id, item_id, rating, note, applies, hidden_fails,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (audit_id, item_id) DO UPDATE"
            " SET rating = excluded.rating, note = excluded.note, applies = excluded.applies,"
            " hidden_fails = excluded.hidden_fails, updated_at = excluded.updated_at",
            (audit_id, item_id, new_rating, new_note, int(applies), int(fails), stamp),
        )
        if new_rating != old_rating:
            history_log.append(c, audit_id, stamp, who, "rating", item_id, old_rating, new_rating)
            before = {**ratings, item_id: old_rating}
            deps = checklist.dependents(item_id)
            for dep in deps:
                visible = checklist.visible(dep, ratings)
                if visible != checklist.visible(dep, before):  # report changes only
                    (shown if visible else hidden).append(dep.id)
            # what each dependent counts as: shown, left out, or failing with its parent
            mark_hidden(c, audit_id, checklist, stamp, ratings, deps)
        if new_note != old_note:
            history_log.append(c, audit_id, stamp, who, "note", item_id, old_note, new_note)
        if shown or hidden:  # other items came or went: count again
            c.execute(
                "UPDATE audits SET updated_at = ?, answered = (SELECT count(*) FROM answers"
                " WHERE audit_id = ? AND rating IS NOT NULL AND applies = 1) WHERE id = ?",
                (stamp, audit_id, audit_id),
            )
        else:  # the autosave hot path: adjust the count by this one answer
            was = int(bool(old) and old_rating is not None and bool(old[2]))
            now_counted = int(new_rating is not None and applies)
            c.execute(
                "UPDATE audits SET updated_at = ?, answered = answered + ? WHERE id = ?",
                (stamp, now_counted - was, audit_id),
            )
    return AnswerChange(
        audit_id,
        item_id,
        Answer(item_id, new_rating, new_note, applies, stamp),
        tuple(shown),
        tuple(hidden),
    )


def set_summary(
    db: Database, audit_id: str, field: str, text: str, who: str | None = None
) -> Changes:
    """Overall summary, strengths or areas for improvement."""
    if field not in SUMMARY_FIELDS:
        raise InvalidInput(
            f"Unknown summary field '{field}'; use one of {', '.join(SUMMARY_FIELDS)}."
        )
    _writable(db, audit_id)
    text = _clean(text, SUMMARY_FIELDS[field])
    old = db.query_one(f"SELECT {field} FROM audits WHERE id = ?", (audit_id,))[0]  # noqa: S608 (whitelisted)
    if old == text:
        return NOTHING
    stamp = now()
    with _write(db) as c:
        c.execute(
            f"UPDATE audits SET {field} = ?, updated_at = ? WHERE id = ?", (text, stamp, audit_id)
        )
        history_log.append(c, audit_id, stamp, who or _author(db, audit_id), "summary", field, old, text)
    return of_audit(audit_id)


def set_recommendations(
    db: Database, audit_id: str, recommendations: Sequence[Recommendation], who: str | None = None
) -> Changes:
    _writable(db, audit_id)
    clean = [
        Recommendation(
            _clean(r.text, "Recommendation").strip(),
            _clean(r.owner, "Owner", MAX_SHORT).strip(),
            _clean(r.due, "Due", MAX_SHORT).strip(),
        )
        for r in recommendations
        if r.text.strip()
    ]
    old = get_audit(db, audit_id).recommendations
    if tuple(clean) == old:
        return NOTHING
    stamp = now()
    with _write(db) as c:
        c.execute("DELETE FROM recommendations WHERE audit_id = ?", (audit_id,))
        c.executemany(
            "INSERT INTO recommendations (audit_id, pos, text, owner, due) VALUES (?, ?, ?, ?, ?)",
            [(audit_id, i, r.text, r.owner, r.due) for i, r in enumerate(clean)],
        )
        c.execute("UPDATE audits SET updated_at = ? WHERE id = ?", (stamp, audit_id))
        history_log.append(
            c,
            audit_id,
            stamp,
            who or _author(db, audit_id),
            "recommendations",
            "",
            _fmt_recs(old),
            _fmt_recs(clean),
        )
    return of_audit(audit_id)


def _fmt_recs(recs: Iterable[Recommendation]) -> str:
    return "\n".join(f"{r.text} [owner: {r.owner or 'unassigned'}]" for r in recs)


def record_concern(
    db: Database, audit_id: str, raised_on: str, raised_to: str, raised_by: str
) -> Concern:
    """Record THAT a matter of concern was raised outside the audit; its details stay out.
    The returned Concern carries the change as `.changes`.

    Allowed on finalised audits too: raising a concern must never wait for an amendment.
    """
    _audit_head(db, audit_id)
    concern = Concern(
        _required(raised_on, "Date raised"),
        _required(raised_to, "Raised with"),
        _required(raised_by, "Raised by"),
        now(),
    )
    with db.atomic() as c:
        c.execute(
            "INSERT INTO concerns (audit_id, raised_on, raised_to, raised_by, recorded_at) VALUES (?,?,?,?,?)",
            (
                audit_id,
                concern.raised_on,
                concern.raised_to,
                concern.raised_by,
                concern.recorded_at,
            ),
        )
        history_log.append(
            c,
            audit_id,
            concern.recorded_at,
            concern.raised_by,
            "concern",
            "",
            None,
            f"raised on {concern.raised_on} with {concern.raised_to}",
        )
    # the record's fields are fixed (a concern holds no more than this), so the change
    # rides along as a plain attribute of the returned value, not as a field
    object.__setattr__(concern, "changes", of_audit(audit_id))
    return concern


# -- completeness, finalise, amend, delete ---------------------------------------------------


def missing_required(db: Database, audit_id: str) -> list[tuple[str, str, str]]:
    """(theme title, item id, question) of required, visible items without a rating."""
    audit = get_audit(db, audit_id)
    ratings = audit.ratings
    d = audit.checklist.definition
    return [
        (theme.title, item.id, item.question)
        for theme, item in d.items()
        if item.required and d.visible(item, ratings) and not ratings.get(item.id)
    ]


def theme_progress(
    definition: Checklist, ratings: dict[str, str | None]
) -> dict[str, tuple[int, int]]:
    """{theme id: (answered, applicable)} over the items currently shown."""
    out: dict[str, tuple[int, int]] = {}
    for theme in definition.themes:
        visible = [i for i in theme.items if definition.visible(i, ratings)]
        out[theme.id] = (sum(1 for i in visible if ratings.get(i.id)), len(visible))
    return out


def progress(audit: Audit) -> tuple[int, int]:
    """(answered, applicable) over visible items, for progress bars."""
    per_theme = theme_progress(audit.checklist.definition, audit.ratings).values()
    return sum(a for a, _ in per_theme), sum(n for _, n in per_theme)


def finalise(db: Database, audit_id: str, who: str | None = None) -> Changes:
    who = who or _author(db, audit_id)
    _writable(db, audit_id)
    with _write(db) as c:
        # checked again inside the write transaction: another process may have changed
        # the audit since (the triggers refuse a second finalise; this catches a cleared rating)
        _writable(db, audit_id)
        missing = missing_required(db, audit_id)
        if missing:
            first = ", ".join(m[1] for m in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise InvalidInput(f"{len(missing)} required item(s) have no rating: {first}{more}.")
        if db.query_one("SELECT audit_type FROM audits WHERE id = ?", (audit_id,))[0] == (
            AuditType.MODERATION
        ):  # a moderation also needs a reason wherever its readings disagreed
            from .moderation import check_finalisable

            check_finalisable(db, audit_id)
        stamp = now()
        c.execute(
            "UPDATE audits SET status = 'finalised', finalised_at = ?, updated_at = ?,"
            " first_finalised_at = coalesce(first_finalised_at, ?) WHERE id = ?",
            (stamp, stamp, stamp, audit_id),
        )
        history_log.append(c, audit_id, stamp, who, "finalised", "status", "draft", "finalised")
    return of_status(audit_id)


def amend(db: Database, audit_id: str, reason: str, who: str | None = None) -> Changes:
    """Reopen a finalised audit as a draft; the reason is kept on the audit and logged.

    The date it was finalised is cleared (it is a draft now) but the first finalisation
    is kept, so an amended audit is never deleted."""
    status, _ = _audit_head(db, audit_id)
    if status != Status.FINALISED:
        raise InvalidInput("Only a finalised audit can be amended; this one is still a draft.")
    reason = _clean(reason, "Reason", 2000).strip()
    if not reason:
        raise InvalidInput(_NEEDS_REASON)
    who = who or local_reviewer(db).name
    stamp = now()
    with _write(db) as c:
        reopened = c.execute(
            "UPDATE audits SET status = 'draft', updated_at = ?, amended_at = ?,"
            " amend_reason = ?, first_finalised_at = coalesce(first_finalised_at, finalised_at, ?),"
            " finalised_at = NULL WHERE id = ? AND status = 'finalised'",
            (stamp, stamp, reason, stamp, audit_id),
        ).rowcount
        if not reopened:  # another process amended it since the check above
            raise InvalidInput(
                "Only a finalised audit can be amended; this one is already a draft."
            )
        history_log.append(c, audit_id, stamp, who, "amended", "status", "finalised", reason)
    return of_status(audit_id)


def check_deletable(db: Database, audit_id: str) -> None:
    """Raise, with the reason in words, unless the audit is a draft never finalised."""
    row = db.query_one(
        "SELECT status, first_finalised_at IS NOT NULL OR amended_at IS NOT NULL"
        " FROM audits WHERE id = ?",
        (audit_id,),
    )
    if row is None:
        raise NotFound(f"No audit with id {audit_id}.")
    if row[0] != Status.DRAFT:
        raise ReadOnlyAudit(_NOT_DELETABLE)
    if row[1]:
        raise ReadOnlyAudit(_AMENDED_NOT_DELETABLE)


def delete_draft(db: Database, audit_id: str, who: str | None = None) -> Changes:
    """Delete a draft audit and its answers. An audit once finalised is never deleted,
    even after an amendment made it a draft again."""
    check_deletable(db, audit_id)
    who = who or local_reviewer(db).name
    with _write(db) as c:
        check_deletable(db, audit_id)  # again, inside the transaction: no other process since
        stamp = now()
        c.execute("DELETE FROM audits WHERE id = ?", (audit_id,))
        history_log.append(c, audit_id, stamp, who, "deleted", "", "draft", None)
    return Changes(removed=frozenset({audit_id}))


def history(db: Database, audit_id: str, item_id: str | None = None) -> list[HistoryEntry]:
    sql = "SELECT at, who, action, field, old, new FROM history WHERE audit_id = ?"
    params: tuple = (audit_id,)
    if item_id is not None:
        sql += " AND field = ?"
        params += (item_id,)
    return [HistoryEntry(*r) for r in db.query(sql + " ORDER BY id", params)]
