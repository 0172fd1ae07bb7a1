"""The append-only history: the one place a row is written to it, and read back.

Every change to an audit (answers, summary, finalise, amend, moderation, a received
bundle, the demo) is logged through `append`, inside the caller's own transaction, so
the change and its record commit together or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlcipher3

from .domain import HistoryEntry

if TYPE_CHECKING:
    from .store import Database

# Every action the tool writes to an audit's history (audits, moderation, exchange). A
# received bundle is checked against this list (exchange/schema.py), so a new action must be
# added here or bundles carrying it are refused.
ACTIONS = (
    "created",
    "rating",
    "note",
    "summary",
    "recommendations",
    "concern",
    "finalised",
    "reviewer",  # who finalised it: name, role and agency as they were then (JSON)
    "amended",
    "deleted",
    "second reading",
    "moderation",
    "conflict resolved",
    "action",  # a recommendation's status, body or link changed (audit_tool/actions.py)
)

_INSERT = "INSERT INTO history (audit_id, at, who, action, field, old, new) VALUES (?,?,?,?,?,?,?)"


def append(
    c: sqlcipher3.Connection,
    audit_id: str,
    at: str,
    who: str,
    action: str,
    field: str,
    old: str | None,
    new: str | None,
) -> None:
    """Log one change (old -> new) on the open transaction `c`."""
    c.execute(_INSERT, (audit_id, at, who, action, field, old, new))


def append_many(c: sqlcipher3.Connection, rows) -> None:
    """Log many changes at once: rows of (audit_id, at, who, action, field, old, new)."""
    c.executemany(_INSERT, rows)


def entries(db: Database, audit_id: str, item_id: str | None = None) -> list[HistoryEntry]:
    """An audit's history, oldest first (only one item's lines when item_id is given)."""
    sql = "SELECT at, who, action, field, old, new FROM history WHERE audit_id = ?"
    params: tuple = (audit_id,)
    if item_id is not None:
        sql += " AND field = ?"
        params += (item_id,)
    return [HistoryEntry(*r) for r in db.query(sql + " ORDER BY id", params)]
