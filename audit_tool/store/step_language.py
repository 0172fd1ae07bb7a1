"""Schema step: the language flags kept per note (issue 22), so the note scan runs once per
note and term list, not on every report or editor open.

One row per scanned text: an evidence note (part = its item id) or an audit's summary
fields together (part = ''), scanned with the term list `version` (Scanner.version: terms,
cue words, rules). A row of another version is never used. Triggers drop a note's row the
moment its text changes, is replaced (INSERT OR REPLACE fires no delete trigger, so the
insert trigger drops it) or deleted, so a report reads kept rows without reading any note.
A later step that rebuilds answers or audits drops these triggers: it must recreate them
(TRIGGERS); until then findings/language_cache.py sees them missing and scans every note,
keeping nothing, and tests/test_language_cache.py fails. Inside the encrypted file.
IF NOT EXISTS: a test that winds user_version back past an earlier step runs it again.
"""

from __future__ import annotations

TRIGGER_NAMES = (
    "language_flags_answer_insert", "language_flags_answer_update", "language_flags_answer_delete",
    "language_flags_audit_insert", "language_flags_audit_update",
)

TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS language_flags_answer_insert AFTER INSERT ON answers
    BEGIN DELETE FROM language_flags WHERE audit_id = NEW.audit_id AND part = NEW.item_id; END;
CREATE TRIGGER IF NOT EXISTS language_flags_answer_update AFTER UPDATE OF note, audit_id, item_id ON answers
    WHEN OLD.note IS NOT NEW.note OR OLD.audit_id IS NOT NEW.audit_id OR OLD.item_id IS NOT NEW.item_id
    BEGIN DELETE FROM language_flags WHERE audit_id = OLD.audit_id AND part = OLD.item_id; END;
CREATE TRIGGER IF NOT EXISTS language_flags_answer_delete AFTER DELETE ON answers
    BEGIN DELETE FROM language_flags WHERE audit_id = OLD.audit_id AND part = OLD.item_id; END;
CREATE TRIGGER IF NOT EXISTS language_flags_audit_insert AFTER INSERT ON audits
    BEGIN DELETE FROM language_flags WHERE audit_id = NEW.id AND part = ''; END;
CREATE TRIGGER IF NOT EXISTS language_flags_audit_update
    AFTER UPDATE OF summary, strengths, improvements, id ON audits
    BEGIN DELETE FROM language_flags WHERE audit_id = OLD.id AND part = ''; END;
"""

LANGUAGE_STEP = """
CREATE TABLE IF NOT EXISTS language_flags (
    audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    part TEXT NOT NULL,       -- the item id of an evidence note, '' for the summary fields
    version TEXT NOT NULL,    -- the term list scanned with (Scanner.version)
    words INTEGER NOT NULL,
    n INTEGER NOT NULL,       -- flags found
    flags TEXT NOT NULL,      -- 'start,end,phrase' per flag, in order, joined by \\x1e; '' for none
    PRIMARY KEY (audit_id, part)
) WITHOUT ROWID;
""" + TRIGGERS

__all__ = ["LANGUAGE_STEP", "TRIGGERS", "TRIGGER_NAMES"]
