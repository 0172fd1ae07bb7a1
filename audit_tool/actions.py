"""Recommendations tracked as actions (issue 20, item 6): a status, the body responsible
and the checklist item a recommendation answers.

A recommendation's words, owner and due date are part of the audit and frozen with it once
finalised; its status moves on for months after. So the tracking lives in its own table
(recommendation_actions, keyed by audit and position) that stays writable after
finalising, and every change is written to the audit's history ("action") in the same
transaction. A recommendation without a row is open, with no body and no link.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import sqlcipher3

from . import history as history_log
from .changes import NOTHING, Changes, of_audit
from .domain import Recommendation
from .errors import InvalidInput, NotFound
from .store import Database, now

STATUSES = ("open", "in progress", "done", "dropped")
BODIES = ("CPC", "VAWP", "ADP", "service")
BODY_NAMES = {
    "CPC": "Child Protection Committee",
    "VAWP": "Violence Against Women Partnership",
    "ADP": "Alcohol and Drug Partnership",
    "service": "A service",
}
ACTION = "action"  # the history action (history.ACTIONS)


@dataclass(frozen=True)
class Action:
    """How one recommendation is being acted on."""

    pos: int  # the recommendation's position in its audit, from 0
    status: str = "open"
    body: str = ""  # one of BODIES, '' not yet given
    link: str = ""  # the checklist item it answers, '' none
    status_at: str | None = None  # when the status last changed (None: never set)

    def describe(self) -> str:
        """'done · VAWP · answers bl-03': how the history shows it."""
        parts = [self.status, self.body or "no body", f"answers {self.link}" if self.link else "no link"]
        return " · ".join(parts)


def check_status(status: str) -> str:
    s = status.strip().lower().replace("_", " ").replace("-", " ")
    if s not in STATUSES:
        raise InvalidInput(f"Unknown status '{status}': use one of {', '.join(STATUSES)}.")
    return s


def check_body(body: str) -> str:
    b = body.strip()
    if not b:
        return ""
    for known in BODIES:
        if b.lower() == known.lower():
            return known
    raise InvalidInput(f"Unknown body '{body}': use one of {', '.join(BODIES)} (or leave it empty).")


def actions_of(db: Database, audit_id: str) -> dict[int, Action]:
    """Every recommendation's action by position (positions without a row are open)."""
    row = db.query_one("SELECT count(*) FROM recommendations WHERE audit_id = ?", (audit_id,))
    n = row[0] if row else 0
    found = {
        r[0]: Action(*r)
        for r in db.query(
            "SELECT pos, status, body, link, status_at FROM recommendation_actions"
            " WHERE audit_id = ? AND pos < ?", (audit_id, n)
        )
    }
    return {p: found.get(p, Action(p)) for p in range(n)}


def item_choices(db: Database, audit_id: str) -> list[tuple[str, str]]:
    """(item id, question) of the audit's checklist, in checklist order: what a link names."""
    return [
        (r[0], r[1])
        for r in db.query(
            "SELECT i.item_id, i.question FROM checklist_items i"
            " JOIN audits a ON a.checklist_sha = i.sha256 WHERE a.id = ?"
            " ORDER BY i.theme_pos, i.item_pos", (audit_id,)
        )
    ]


def set_action(
    db: Database,
    audit_id: str,
    pos: int,
    *,
    status: str | None = None,
    body: str | None = None,
    link: str | None = None,
    who: str | None = None,
) -> Changes:
    """Set a recommendation's status, body or link (None leaves it as it is). Allowed on a
    finalised audit: tracking is not part of the audit's findings. Logged in the history."""
    head = db.query_one("SELECT checklist_sha FROM audits WHERE id = ?", (audit_id,))
    if head is None:
        raise NotFound(f"No audit with id {audit_id}.")
    n = db.query_one("SELECT count(*) FROM recommendations WHERE audit_id = ?", (audit_id,))[0]
    if not 0 <= pos < n:
        raise InvalidInput(
            f"This audit has {n} recommendation{'s' if n != 1 else ''}: there is no number {pos + 1}."
            if n else "This audit has no recommendations saved yet: save the recommendation first."
        )
    old = actions_of(db, audit_id)[pos]
    new_status = old.status if status is None else check_status(status)
    new_body = old.body if body is None else check_body(body)
    new_link = old.link if link is None else link.strip()
    if new_link and not db.query_one(
        "SELECT 1 FROM checklist_items WHERE sha256 = ? AND item_id = ?", (head[0], new_link)
    ):
        some = ", ".join(i for i, _ in item_choices(db, audit_id)[:4])
        raise InvalidInput(f"No item '{new_link}' in this audit's checklist (its items are {some}, ...).")
    if (new_status, new_body, new_link) == (old.status, old.body, old.link):
        return NOTHING
    stamp = now()
    status_at = stamp if new_status != old.status or old.status_at is None else old.status_at
    new = Action(pos, new_status, new_body, new_link, status_at)
    with db.atomic() as c:
        c.execute(
            "INSERT OR REPLACE INTO recommendation_actions"
            " (audit_id, pos, status, body, link, status_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            (audit_id, pos, new_status, new_body, new_link, status_at, stamp),
        )
        history_log.append(c, audit_id, stamp, who or _author(db, audit_id), ACTION,
                           f"recommendation {pos + 1}", old.describe(), new.describe())
    return of_audit(audit_id)


def _author(db: Database, audit_id: str) -> str:
    """The laptop's reviewer: the lead tracking actions, not necessarily the audit's reader."""
    from .reviewers import local_reviewer

    return local_reviewer(db).name


def realign(
    c: sqlcipher3.Connection, audit_id: str, old: Sequence[Recommendation], new: Sequence[Recommendation]
) -> None:
    """Keep each recommendation's tracking with it when a draft's list is rewritten
    (audits.set_recommendations renumbers them): by the same text first, then a text edited
    in place keeps the tracking of its position. Inside the caller's transaction."""
    rows = {
        r[0]: r[1:]
        for r in c.execute(
            "SELECT pos, status, body, link, status_at, updated_at FROM recommendation_actions"
            " WHERE audit_id = ?", (audit_id,),
        )
    }
    if not rows:
        return
    free = set(range(len(old)))
    moved: dict[int, int] = {}  # new position -> old position
    for i, r in enumerate(new):
        j = next((j for j in sorted(free) if old[j].text == r.text), None)
        if j is not None:
            moved[i] = j
            free.discard(j)
    for i in range(len(new)):
        if i not in moved and i in free:  # edited in place
            moved[i] = i
            free.discard(i)
    c.execute("DELETE FROM recommendation_actions WHERE audit_id = ?", (audit_id,))
    c.executemany(
        "INSERT INTO recommendation_actions (audit_id, pos, status, body, link, status_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?)",
        [(audit_id, i, *rows[j]) for i, j in sorted(moved.items()) if j in rows],
    )


# -- travelling in exchange bundles ---------------------------------------------------------------


@cache
def _received_action() -> type:
    """The model, built on first use: pydantic is not loaded when the window starts."""
    from pydantic import BaseModel, ConfigDict, Field

    class ReceivedAction(BaseModel):
        """One recommendation's tracking as it travels in a bundle (validated before writing)."""

        model_config = ConfigDict(extra="forbid")
        audit_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
        pos: int = Field(ge=0, lt=10_000)
        status: Literal["open", "in progress", "done", "dropped"]
        body: Literal["", "CPC", "VAWP", "ADP", "service"]
        link: str = Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
        status_at: str = Field(min_length=10, max_length=40)
        updated_at: str = Field(min_length=10, max_length=40)

    ReceivedAction.__module__, ReceivedAction.__qualname__ = __name__, "ReceivedAction"
    return ReceivedAction


def __getattr__(name: str) -> type:  # actions.ReceivedAction, as before, built when asked for
    if name == "ReceivedAction":
        return _received_action()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def actions_for_bundle(db: Database, audit_ids: Sequence[str], day_only: bool = False) -> list[dict]:
    """The tracking of these audits' recommendations, for an exchange bundle. `day_only`: an
    anonymised bundle, whose every time is cut to its day (exchange/anonymise.py)."""
    cols = ("audit_id", "pos", "status", "body", "link", "status_at", "updated_at")
    rows = [
        dict(zip(cols, r, strict=True))
        for r in db.query(
            f"SELECT {', '.join(cols)} FROM recommendation_actions"  # noqa: S608
            " WHERE audit_id IN (SELECT value FROM json_each(?)) ORDER BY audit_id, pos",
            (json.dumps(sorted(audit_ids)),),
        )
    ]
    if day_only:
        for r in rows:
            r["status_at"], r["updated_at"] = (r[k][:10] + "T00:00:00Z" for k in ("status_at", "updated_at"))
    return rows


def check_actions(rows: object) -> list:
    """Received tracking rows, each checked (InvalidInput, one line, for the first wrong)."""
    if not isinstance(rows, list):
        raise InvalidInput("The file's recommendation tracking is not valid: not a list.")
    from pydantic import ValidationError

    model = _received_action()
    try:
        return [model.model_validate(r) for r in rows]
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise InvalidInput(f"The file's recommendation tracking is not valid: {where}: {err['msg']}.") from None


def merge_actions(c: sqlcipher3.Connection, rows: list[dict]) -> int:
    """Take received tracking inside the caller's import transaction: a row for a
    recommendation held here, newer (updated_at) than this laptop's, replaces it. Every row
    is validated first; nothing is written when one is wrong. Returns how many were taken."""
    taken = 0
    for r in check_actions(rows):
        if not c.execute("SELECT 1 FROM recommendations WHERE audit_id = ? AND pos = ?",
                         (r.audit_id, r.pos)).fetchone():
            continue
        here = c.execute("SELECT updated_at FROM recommendation_actions WHERE audit_id = ? AND pos = ?",
                         (r.audit_id, r.pos)).fetchone()
        if here is not None and here[0] >= r.updated_at:
            continue
        c.execute(
            "INSERT OR REPLACE INTO recommendation_actions (audit_id, pos, status, body, link,"
            " status_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            (r.audit_id, r.pos, r.status, r.body, r.link, r.status_at, r.updated_at),
        )
        taken += 1
    return taken


__all__ = [
    "ACTION", "BODIES", "BODY_NAMES", "STATUSES", "Action", "ReceivedAction", "actions_for_bundle",  # noqa: F822
    "actions_of", "check_actions", "check_body", "check_status", "item_choices", "merge_actions",
    "realign", "set_action",
]
