"""Schema step (issue 22): each audit keeps how many of its checklist's items it shows.

The list's progress column is answered of shown (completion.py, the one definition). Working
"shown" out while listing read the ratings of every conditional item of every listed audit:
the first page of 10,000 audits went from 23 to 107 ms, the whole list from 0.4 to 2 s.
Now audits.shown holds it, written by the one writer (audits.answer) with the answer, and
filled here for the audits already there. NULL means "not known": the list works it out as
before. Triggers set it to NULL whenever a rating changes outside that writer (an exchange
import, a moderation, a repair), so a stored count is never stale; the writer sets it again
after its own change, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict

import sqlcipher3

TRIGGERS = """
    CREATE TRIGGER IF NOT EXISTS audits_shown_insert AFTER INSERT ON answers WHEN NEW.rating IS NOT NULL
        BEGIN UPDATE audits SET shown = NULL WHERE id = NEW.audit_id AND shown IS NOT NULL; END;
    CREATE TRIGGER IF NOT EXISTS audits_shown_update AFTER UPDATE OF rating ON answers
        WHEN OLD.rating IS NOT NEW.rating
        BEGIN UPDATE audits SET shown = NULL WHERE id = NEW.audit_id AND shown IS NOT NULL; END;
    CREATE TRIGGER IF NOT EXISTS audits_shown_delete AFTER DELETE ON answers WHEN OLD.rating IS NOT NULL
        BEGIN UPDATE audits SET shown = NULL WHERE id = OLD.audit_id AND shown IS NOT NULL; END;
"""


_DEFINITIONS: dict = {}


def step(conn: sqlcipher3.Connection) -> None:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audits)")}
    if "shown" not in columns:  # a step may be run again (a test replays the search step)
        conn.execute("ALTER TABLE audits ADD COLUMN shown INTEGER")  # NULL: worked out when listed
    for trigger in TRIGGERS.split("END;")[:-1]:  # executescript would commit half way
        conn.execute(trigger + "END;")
    fill(conn)


def fill(conn: sqlcipher3.Connection, audit_ids: list[str] | None = None) -> None:
    """Set `shown` on the audits (all, or these) whose count is not known. Draft audits only
    outside a migration: a finalised audit does not change."""
    from ..checklists.loader import parse
    from ..errors import ChecklistError

    where, params = "shown IS NULL", ()
    if audit_ids is not None:
        where += f" AND id IN ({', '.join('?' * len(audit_ids))})"
        params = tuple(audit_ids)
    by_sha: dict[str, list[str]] = defaultdict(list)
    for audit_id, sha in conn.execute(f"SELECT id, checklist_sha FROM audits WHERE {where}", params):  # noqa: S608
        by_sha[sha].append(audit_id)
    for sha, ids in by_sha.items():
        definition = _DEFINITIONS.get(sha)
        if definition is None:
            row = conn.execute(
                "SELECT checklist_id, source FROM checklist_defs WHERE sha256 = ?", (sha,)
            ).fetchone()
            try:
                definition = parse(row[1], f"stored copy of {row[0]}", "database").definition
            except (ChecklistError, TypeError):
                continue  # left NULL: the list works it out
            _DEFINITIONS[sha] = definition  # a copy's sha256 is its content: never stale
        parents = sorted({i.show_when.item for _, i in definition.items() if i.show_when})
        ratings: dict[str, dict[str, str]] = defaultdict(dict)
        if parents:
            marks = ", ".join("?" * len(parents))
            if audit_ids is None:  # every audit of this checklist (the migration)
                sql = ("SELECT an.audit_id, an.item_id, an.rating FROM answers an JOIN audits a"
                       " ON a.id = an.audit_id WHERE a.checklist_sha = ?")
                args: tuple = (sha,)
            else:  # these audits only (a batch of new ones)
                sql = ("SELECT audit_id, item_id, rating FROM answers an"
                       f" WHERE audit_id IN ({', '.join('?' * len(ids))})")
                args = tuple(ids)
            for audit_id, item_id, rating in conn.execute(
                f"{sql} AND an.item_id IN ({marks}) AND an.rating IS NOT NULL",  # noqa: S608
                (*args, *parents),
            ):
                ratings[audit_id][item_id] = rating
        seen: dict[tuple, int] = {}  # many audits share the same answers to the parents
        rows = []
        for audit_id in ids:
            mine = ratings.get(audit_id, {})
            key = tuple(mine.get(p) for p in parents)
            if key not in seen:
                # completion.shown_items, asked of the model here (the store sits below it);
                # tests/test_list_shown.py holds the two to the same count
                seen[key] = sum(1 for _, item in definition.items() if definition.visible(item, mine))
            rows.append((seen[key], audit_id))
        conn.executemany("UPDATE audits SET shown = ? WHERE id = ?", rows)
