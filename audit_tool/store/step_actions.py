"""Schema step (issue 20, items 4 and 6): the lead's notes kept with each release, and the
tracking of recommendations as actions.

release_notes: one row per anonymised report release (append-only, as the register it
belongs to), with the checklist it covers so the next release of the same checklist can
start from what was written last time.

recommendation_actions: status, body responsible and the item answered, per recommendation
(audit, position). Kept apart from `recommendations` on purpose: those are frozen with a
finalised audit by triggers, while an action's status moves on for months after. Every
change is also written to the audit's history (audit_tool/actions.py).
"""

from __future__ import annotations

# IF NOT EXISTS: a file whose earlier step is run again (as a test does to replay one) keeps
# what this step made
STEP = """
    CREATE TABLE IF NOT EXISTS release_notes (
        release_id TEXT PRIMARY KEY REFERENCES releases(id),
        checklist_id TEXT NOT NULL DEFAULT '',   -- '' for a release over every checklist
        commentary TEXT NOT NULL DEFAULT '',
        decisions TEXT NOT NULL DEFAULT '[]',    -- JSON list of the decisions sought
        deaths_in_period INTEGER                 -- death reviews: as the lead recorded it
    );
    CREATE TRIGGER IF NOT EXISTS release_notes_no_update BEFORE UPDATE ON release_notes
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS release_notes_no_delete BEFORE DELETE ON release_notes
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TABLE IF NOT EXISTS recommendation_actions (
        audit_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'in progress', 'done', 'dropped')),
        body TEXT NOT NULL DEFAULT '' CHECK (body IN ('', 'CPC', 'VAWP', 'ADP', 'service')),
        link TEXT NOT NULL DEFAULT '',           -- the checklist item it answers ('' none)
        status_at TEXT NOT NULL,                 -- when the status last changed
        updated_at TEXT NOT NULL,                -- any change: the newer wins between laptops
        PRIMARY KEY (audit_id, pos)
    ) WITHOUT ROWID;
    CREATE TRIGGER IF NOT EXISTS recommendation_actions_audit_deleted AFTER DELETE ON audits
        BEGIN DELETE FROM recommendation_actions WHERE audit_id = OLD.id; END;
"""
