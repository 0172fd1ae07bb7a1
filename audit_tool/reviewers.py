"""Reviewer profiles: this laptop's own reviewer, and the other readers who use it."""

from __future__ import annotations

import json
import uuid

from .domain import Reviewer
from .errors import InvalidInput, NotFound
from .store import Database, now
from .validation import MAX_SHORT, clean, optional, required


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
    """Name this laptop's reviewer; the returned profile carries the change (`.changes`)."""
    me = local_reviewer(db)
    name = required(name, "Reviewer name")
    role, agency = clean(role, "Role", MAX_SHORT), clean(agency, "Agency", MAX_SHORT)
    with db.atomic() as c:
        c.execute(
            "UPDATE reviewers SET name = ?, role = ?, agency = ? WHERE id = ?",
            (name, role, agency, me.id),
        )
    db.cache["local_reviewer"] = Reviewer(me.id, name, role, agency)
    return db.cache["local_reviewer"]


def reviewer_name(db: Database, reviewer_id: str) -> str:
    """The name of a reviewer; NotFound for an unknown id."""
    row = db.query_one("SELECT name FROM reviewers WHERE id = ?", (reviewer_id,))
    if row is None:
        raise NotFound(f"No reviewer with id {reviewer_id}.")
    return row[0]


def reviewers(db: Database) -> list[Reviewer]:
    """Every reviewer profile: this laptop's own first, then by name."""
    return [
        Reviewer(*r)
        for r in db.query(
            "SELECT id, name, role, agency FROM reviewers ORDER BY is_local DESC, name, created_at"
        )
    ]


def add_reviewer(db: Database, name: str, role: str = "", agency: str = "") -> Reviewer:
    """A profile for another reader on this laptop (a second reader, a lead reader)."""
    name = required(name, "Reader's name")
    role, agency = optional(role, "Role"), optional(agency, "Agency")
    if _by_name(db, name):
        raise InvalidInput(f"There is already a reader called {name}; choose them from the list.")
    reviewer = Reviewer(str(uuid.uuid4()), name, role, agency)
    with db.atomic() as c:
        c.execute(
            "INSERT INTO reviewers (id, name, role, agency, is_local, created_at)"
            " VALUES (?, ?, ?, ?, 0, ?)",
            (reviewer.id, reviewer.name, reviewer.role, reviewer.agency, now()),
        )
    return reviewer


def _by_name(db: Database, name: str) -> list[Reviewer]:
    return [r for r in reviewers(db) if r.name.casefold() == name.strip().casefold()]


def reviewer_named(db: Database, name: str, create: bool = True) -> Reviewer:
    """The reviewer with this name (any case); a new profile when there is none."""
    found = _by_name(db, name)
    if len(found) > 1:
        raise InvalidInput(f"Several readers are called {name.strip()}; give a fuller name.")
    if found:
        return found[0]
    if not create:
        raise NotFound(f"No reader called {name.strip()}.")
    return add_reviewer(db, name)


# Who did an audit, as they were named when they finalised it: kept in its history (which
# travels with it and is append-only), so renaming this laptop's reviewer later relabels
# drafts only. SQL over the audit `a` joined to its reviewer `r`; a draft never finalised
# shows the reviewer's profile as it is now.
_AT_FINALISE = (
    "(SELECT h_.new FROM history h_ WHERE h_.audit_id = a.id AND h_.field = 'reviewer'"
    " ORDER BY h_.id DESC LIMIT 1)"
)
NAME_SQL = f"coalesce(json_extract({_AT_FINALISE}, '$.name'), r.name)"
ROLE_SQL = f"coalesce(json_extract({_AT_FINALISE}, '$.role'), r.role)"
AGENCY_SQL = f"coalesce(json_extract({_AT_FINALISE}, '$.agency'), r.agency)"


def snapshot(db: Database, audit_id: str) -> str:
    """The audit's reviewer as they are now, as the JSON the history keeps at finalise."""
    row = db.query_one(
        "SELECT r.name, r.role, r.agency FROM audits a JOIN reviewers r ON r.id = a.reviewer_id"
        " WHERE a.id = ?",
        (audit_id,),
    )
    name, role, agency = row if row else ("", "", "")
    return json.dumps({"name": name, "role": role, "agency": agency}, ensure_ascii=False)
