"""The audit rules: answering, the summary, recommendations, concerns, completeness,
finalise, amend and delete. Every rule about changing an audit lives here, once.

Each write is one transaction (committed and fsynced before returning), so whatever a
screen shows as saved survives a crash. Every change is appended to the history.
Cases live in cases.py, reviewer profiles in reviewers.py, creating and reading an audit
in records.py, the text rules in validation.py, the history in history.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

import sqlcipher3

from . import history as history_log
from .actions import realign
from .cases import add_case, get_case, list_cases  # noqa: F401 (re-export: tests written before the split call audits.X)
from .changes import NOTHING, Changes, of_audit, of_status
from .completion import progress_of, shown_items
from .domain import (
    SUMMARY_FIELDS,
    Answer,
    AnswerChange,
    Audit,
    AuditType,
    Concern,
    Recommendation,
    Status,
)
from .errors import InvalidInput, NotFound, ReadOnlyAudit
from .moderation import check_finalisable
from .records import (  # noqa: F401 (re-export: tests written before the split call audits.X)
    get_audit,
    new_audit,
    status_text,
)
from .reviewers import local_reviewer, set_local_reviewer, snapshot  # noqa: F401 (re-export: tests written before the split call audits.X)
from .store import Database, now
from .store.flat import mark_hidden
from .store.schema import FROZEN, NEEDS_REASON, ONCE_FINALISED
from .validation import MAX_REASON, clean, optional, required

# Names marked "re-export" moved to their own modules (issue 16); audits.X keeps working
# for the command line (cli.py, jsonout.py: being rewritten this wave) and for the tests,
# whose bodies call audits.X and may not change in this restructuring.
history = history_log.entries  # re-export: tests written before the split call audits.X

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


# -- answering ----------------------------------------------------------------------------


_UPDATE_ANSWER = (
    "UPDATE answers SET rating = ?, note = ?, applies = ?, hidden_fails = ?, updated_at = ?"
    " WHERE audit_id = ? AND item_id = ?"
)
_UPSERT_ANSWER = (
    "INSERT INTO answers (rating, note, applies, hidden_fails, updated_at, audit_id, item_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (audit_id, item_id) DO UPDATE"
    " SET rating = excluded.rating, note = excluded.note, applies = excluded.applies,"
    " hidden_fails = excluded.hidden_fails, updated_at = excluded.updated_at"
)


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
    # one read for the audit's state, the current answer and who the audit's reader is
    # (_author's question): this is the autosave hot path
    head = db.query_one(
        "SELECT a.status, a.checklist_sha, an.rating, an.note, an.applies, a.shown,"
        " (SELECT r.name FROM reviewers r WHERE r.id = a.reviewer_id) FROM audits a"
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
    if rating is not UNSET and rating is not None and scale.is_multiple:
        # a set of ticked options (or "a,b" text) -> canonical text; nothing ticked clears
        from .checklists.model import OPTION_SEP

        parts = rating.split(OPTION_SEP) if isinstance(rating, str) else list(rating)  # type: ignore[call-overload]
        try:
            rating = scale.canonical(parts)
        except ValueError as exc:
            raise InvalidInput(f"{exc}.") from None
    elif rating is not UNSET and rating is not None:
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
        note = clean(note, "Evidence note")
    who = who or (head[6] if head[6] is not None else local_reviewer(db).name)  # as _author()
    stamp = now()
    old = head[2:5] if head[4] is not None else None
    old_rating, old_note = (old[0], old[1]) if old else (None, "")
    new_rating = old_rating if rating is UNSET else rating
    new_note = old_note if note is UNSET else note
    from .checklists.model import FAILS, SHOWN  # loaded with the checklist above

    applies, fails = True, False
    ratings: dict[str, str | None] = {}
    deps = checklist.dependents(item_id)  # asked once: a walk over every item
    if item.show_when is not None or deps:
        ratings = dict(
            db.query("SELECT item_id, rating FROM answers WHERE audit_id = ?", (audit_id,))
        )
        ratings[item_id] = new_rating
        effect = checklist.hidden_effect(item, ratings)
        applies, fails = effect == SHOWN, effect == FAILS and not scale.is_fact
    # items shown (the list's progress, kept on the audit): changes only with a parent's rating
    shown_count = head[5]
    if shown_count is None or (new_rating != old_rating and deps):
        if not ratings:
            ratings = dict(
                db.query("SELECT item_id, rating FROM answers WHERE audit_id = ?", (audit_id,))
            )
            ratings[item_id] = new_rating
        shown_count = len(shown_items(checklist, ratings))
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
        row = (new_rating, new_note, int(applies), int(fails), stamp, audit_id, item_id)
        # An answer there already: the upsert's UPDATE alone (the same columns set, so the
        # same triggers, less the INSERT's); else, or if it went meanwhile, the upsert.
        if old is None or c.execute(_UPDATE_ANSWER, row).rowcount == 0:
            c.execute(_UPSERT_ANSWER, row)
        if new_rating != old_rating:
            history_log.append(c, audit_id, stamp, who, "rating", item_id, old_rating, new_rating)
            before = {**ratings, item_id: old_rating}
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
                " WHERE audit_id = ? AND rating IS NOT NULL AND applies = 1), shown = ? WHERE id = ?",
                (stamp, audit_id, shown_count, audit_id),
            )
        else:  # the autosave hot path: adjust the count by this one answer
            was = int(bool(old) and old_rating is not None and bool(old[2]))
            now_counted = int(new_rating is not None and applies)
            c.execute(
                "UPDATE audits SET updated_at = ?, answered = answered + ?, shown = ? WHERE id = ?",
                (stamp, now_counted - was, shown_count, audit_id),
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
    text = clean(text, SUMMARY_FIELDS[field])
    old = db.query_one(f"SELECT {field} FROM audits WHERE id = ?", (audit_id,))[0]  # noqa: S608 (whitelisted)
    if old == text:
        return NOTHING
    stamp = now()
    with _write(db) as c:
        c.execute(
            f"UPDATE audits SET {field} = ?, updated_at = ? WHERE id = ?", (text, stamp, audit_id)
        )
        history_log.append(
            c, audit_id, stamp, who or _author(db, audit_id), "summary", field, old, text
        )
    return of_audit(audit_id)


def set_recommendations(
    db: Database, audit_id: str, recommendations: Sequence[Recommendation], who: str | None = None
) -> Changes:
    _writable(db, audit_id)
    recs = [
        Recommendation(
            clean(r.text, "Recommendation").strip(),
            optional(r.owner, "Owner"),
            optional(r.due, "Due"),
        )
        for r in recommendations
        if r.text.strip()
    ]
    old = get_audit(db, audit_id).recommendations
    if tuple(recs) == old:
        return NOTHING
    stamp = now()
    with _write(db) as c:
        c.execute("DELETE FROM recommendations WHERE audit_id = ?", (audit_id,))
        c.executemany(
            "INSERT INTO recommendations (audit_id, pos, text, owner, due) VALUES (?, ?, ?, ?, ?)",
            [(audit_id, i, r.text, r.owner, r.due) for i, r in enumerate(recs)],
        )
        realign(c, audit_id, old, recs)  # each recommendation's tracking moves with it
        c.execute("UPDATE audits SET updated_at = ? WHERE id = ?", (stamp, audit_id))
        history_log.append(
            c,
            audit_id,
            stamp,
            who or _author(db, audit_id),
            "recommendations",
            "",
            _fmt_recs(old),
            _fmt_recs(recs),
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
        required(raised_on, "Date raised"),
        required(raised_to, "Raised with"),
        required(raised_by, "Raised by"),
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


def progress(audit: Audit) -> tuple[int, int]:
    """(answered, applicable) over visible items, for progress bars (progress.py)."""
    return progress_of(audit.checklist.definition, audit.ratings)


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
            check_finalisable(db, audit_id)
        stamp = now()
        c.execute(
            "UPDATE audits SET status = 'finalised', finalised_at = ?, updated_at = ?,"
            " first_finalised_at = coalesce(first_finalised_at, ?) WHERE id = ?",
            (stamp, stamp, stamp, audit_id),
        )
        # who did the work, as they are named now: kept with the audit from here on
        history_log.append(
            c, audit_id, stamp, who, "reviewer", "reviewer", None, snapshot(db, audit_id)
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
    reason = clean(reason, "Reason", MAX_REASON).strip()
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
