"""Numbered migrations on PRAGMA user_version. Append only: never edit a released step."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE reviewers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT '',
        agency TEXT NOT NULL DEFAULT '',
        is_local INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        reference TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        area TEXT NOT NULL,
        agency TEXT NOT NULL DEFAULT '',
        team TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE checklist_defs (
        sha256 TEXT PRIMARY KEY,
        checklist_id TEXT NOT NULL,
        version TEXT NOT NULL,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    -- the definition flattened, so findings aggregate in SQL
    CREATE TABLE checklist_items (
        sha256 TEXT NOT NULL REFERENCES checklist_defs(sha256),
        item_id TEXT NOT NULL,
        theme_id TEXT NOT NULL,
        theme_title TEXT NOT NULL,
        theme_pos INTEGER NOT NULL,
        item_pos INTEGER NOT NULL,
        scale TEXT NOT NULL,
        required INTEGER NOT NULL,
        question TEXT NOT NULL,
        PRIMARY KEY (sha256, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE checklist_item_tags (
        sha256 TEXT NOT NULL,
        item_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        tag_kind TEXT NOT NULL,
        tag_label TEXT NOT NULL,
        PRIMARY KEY (sha256, item_id, tag)
    ) WITHOUT ROWID;
    CREATE TABLE checklist_levels (
        sha256 TEXT NOT NULL,
        scale TEXT NOT NULL,
        value TEXT NOT NULL,
        label TEXT NOT NULL,
        pos INTEGER NOT NULL,
        meets INTEGER,            -- 1 meets the standard, 0 does not, NULL not rated
        PRIMARY KEY (sha256, scale, value)
    ) WITHOUT ROWID;
    CREATE TABLE audits (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id),
        checklist_sha TEXT NOT NULL REFERENCES checklist_defs(sha256),
        checklist_id TEXT NOT NULL,
        audit_type TEXT NOT NULL,
        phase TEXT NOT NULL,
        reviewer_id TEXT NOT NULL REFERENCES reviewers(id),
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'finalised')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finalised_at TEXT,
        summary TEXT NOT NULL DEFAULT '',
        strengths TEXT NOT NULL DEFAULT '',
        improvements TEXT NOT NULL DEFAULT '',
        answered INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX audits_case ON audits(case_id);
    CREATE INDEX audits_updated ON audits(updated_at);
    CREATE TABLE answers (
        audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        rating TEXT,
        note TEXT NOT NULL DEFAULT '',
        applies INTEGER NOT NULL DEFAULT 1,   -- 0 while a condition hides the item
        updated_at TEXT NOT NULL,
        PRIMARY KEY (audit_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE recommendations (
        id INTEGER PRIMARY KEY,
        audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        pos INTEGER NOT NULL,
        text TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        due TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX recommendations_audit ON recommendations(audit_id);
    CREATE TABLE concerns (
        id INTEGER PRIMARY KEY,
        audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        raised_on TEXT NOT NULL,
        raised_to TEXT NOT NULL,
        raised_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    -- append only: triggers below refuse UPDATE and DELETE
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        audit_id TEXT NOT NULL,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        field TEXT NOT NULL DEFAULT '',
        old TEXT,
        new TEXT
    );
    CREATE INDEX history_audit ON history(audit_id, field);
    CREATE TRIGGER history_no_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_no_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
