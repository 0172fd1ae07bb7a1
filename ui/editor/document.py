"""The audit open in the editor, as stored: no widgets.

What was last saved for each box (so a box that did not change is not saved again, and a
step knows what to undo to), what the database refused and why, and the saves through the
core. Each save publishes its Changes through the session (the list marks the row). The
editor shows the document; its undo steps change it through the editor, on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from audit_tool import audits
from audit_tool.changes import Changes
from audit_tool.domain import SUMMARY_FIELDS, Audit, Recommendation
from audit_tool.errors import AuditToolError
from audit_tool.records import get_audit
from ui.common.numbers import item_numbers
from ui.session import Session, changes_of


@dataclass(frozen=True)
class Unsaved:
    """Something typed that the database refused, kept in memory while locked (never on
    disk, never on the lock screen) and put back in the editor after unlocking."""

    audit_id: str
    key: str  # "note:<item>", "summary:<field>", "recommendations" or "rating:<item>"
    what: str  # "The evidence note for question 1.1"
    reason: str  # the core's one-line message
    value: object = None  # the text or recommendations to put back; None for a rating


def _texts(audit: Audit) -> tuple[dict[str, str], dict[str, str]]:
    notes = {k: a.note for k, a in audit.answers.items()}
    summary = {f: getattr(audit, f) for f in ("summary", "strengths", "improvements")}
    return notes, summary


def _set(values: dict) -> dict:
    """Without the empty ones: no answer and an empty answer are the same on screen."""
    return {k: v for k, v in values.items() if v}


class AuditDocument:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.publishing = False  # True while this document's own save is being published
        self.reset()

    def reset(self) -> None:
        self.audit: Audit | None = None
        self.ratings: dict[str, str | None] = {}
        self.notes: dict[str, str] = {}
        self.summary_saved: dict[str, str] = {}
        self.recs_saved: tuple[Recommendation, ...] = ()
        self.failed: set[str] = set()
        self.why: dict[str, str] = {}  # failed key -> the core's message
        self.announced: set[str] = set()  # failures already shown in a message box

    def read(self, audit_id: str) -> Audit:
        """The audit as stored (raises AuditToolError if it cannot be read)."""
        return get_audit(self.session.db, audit_id)

    def take(self, audit: Audit) -> None:
        """This audit, just read, is the one open now."""
        self.reset()
        self.audit = audit
        self.ratings = dict(audit.ratings)
        self.notes, self.summary_saved = _texts(audit)
        self.recs_saved = audit.recommendations

    def differs(self, stored: Audit) -> bool:
        """Is what is stored not what this document last saved (another write changed
        the answers, the summary or the recommendations)?"""
        notes, summary = _texts(stored)
        return (
            _set(stored.ratings) != _set(self.ratings)
            or _set(notes) != _set(self.notes)
            or _set(summary) != _set(self.summary_saved)
            or stored.recommendations != self.recs_saved
        )

    def numbers(self) -> dict[str, str]:
        """'2.3' for the third question of the second theme, as shown on the page."""
        return item_numbers(self.audit.checklist.definition) if self.audit is not None else {}

    # -- saving through the core: each raises AuditToolError after noting it ---------------
    def rate(self, item_id: str, value: str | None) -> Any:
        """Save a rating; returns the core's answer (with the questions shown and hidden)."""
        key = f"rating:{item_id}"
        change = self._save(key, lambda db, a: audits.answer(db, a, item_id, rating=value))
        self.ratings[item_id] = change.answer.rating
        return change

    def save_text(self, kind: str, key: str, text: str) -> None:
        if kind == "note":
            self._save(f"note:{key}", lambda db, a: audits.answer(db, a, key, note=text))
            self.notes[key] = text
        else:
            self._save(f"summary:{key}", lambda db, a: audits.set_summary(db, a, key, text))
            self.summary_saved[key] = text

    def save_recommendations(self, recs: tuple[Recommendation, ...]) -> None:
        self._save("recommendations", lambda db, a: audits.set_recommendations(db, a, recs))
        self.recs_saved = recs

    def actions(self) -> dict:
        """Each saved recommendation's tracking (status, body, item answered) by position."""
        assert self.audit is not None
        from audit_tool.actions import actions_of

        return actions_of(self.session.db, self.audit.id)

    def save_action(self, pos: int, status: str, body: str, link: str) -> None:
        """Track a recommendation (allowed on a finalised audit: not part of its findings)."""
        from audit_tool.actions import set_action

        self._save(f"action:{pos}", lambda db, a: set_action(db, a, pos, status=status, body=body,
                                                             link=link))

    def _save(self, key: str, write: Any) -> Any:
        assert self.audit is not None
        audit_id = self.audit.id
        try:
            result = write(self.session.db, audit_id)
        except AuditToolError as exc:
            self.failed.add(key)
            self.why[key] = str(exc)
            raise
        self.failed.discard(key)
        self.publishing = True  # the editor already shows this change
        try:
            self.session.publish(changes_of(result, Changes(audits=frozenset({audit_id}))))
        finally:
            self.publishing = False
        return result

    def unsaved(self, typed: Callable[[str, str], object]) -> list[Unsaved]:
        """What could not be saved, named as the reviewer sees it; typed(kind, key) gives
        the text the box shows, to put back after unlocking."""
        if self.audit is None:
            return []
        numbers = self.numbers()
        out = []
        for key in sorted(self.failed):
            kind, _, name_ = key.partition(":")
            if kind == "note":
                what = f"The evidence note for question {numbers.get(name_, name_)}"
            elif kind == "summary":
                what = f"The summary field “{SUMMARY_FIELDS.get(name_, name_)}”"
            elif kind == "recommendations":
                what = "The recommendations"
            elif kind == "rating":
                what = f"The rating for question {numbers.get(name_, name_)}"
            else:
                what = "A change"
            value = typed(kind, name_)
            out.append(Unsaved(self.audit.id, key, what, self.why.get(key, ""), value))
        return out

    def announce(self, key: str) -> bool:
        """True the first time a failure is to be shown (one box per problem, not one per
        keystroke)."""
        if key in self.announced:
            return False
        self.announced.add(key)
        return True
