"""Schema step: the language flags kept per note (issue 22), so the note scan runs once per
note and term list, not on every report or editor open.

One row per scanned text: an evidence note (part = its item id) or an audit's summary
fields together (part = ''). A row holds for as long as both its `digest` (of the text
scanned) and its `version` (of the term list, findings/language.py) match: a changed note or
a changed term list misses and is scanned again (findings/language_cache.py). Keyed on the
text itself rather than kept by triggers, so a later step that rebuilds answers or audits
cannot leave stale flags behind. Inside the encrypted file like everything else. IF NOT
EXISTS: a test (or a tool) that winds user_version back past an earlier step runs it again.
"""

from __future__ import annotations

LANGUAGE_STEP = """
CREATE TABLE IF NOT EXISTS language_flags (
    audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    part TEXT NOT NULL,       -- the item id of an evidence note, '' for the summary fields
    digest BLOB NOT NULL,     -- blake2b of the text scanned
    version TEXT NOT NULL,    -- the term list scanned with (Scanner.version)
    words INTEGER NOT NULL,
    flags TEXT NOT NULL,      -- 'start,end,phrase' per flag, in order, joined by \x1e; '' for none
    PRIMARY KEY (audit_id, part)
) WITHOUT ROWID;
"""

__all__ = ["LANGUAGE_STEP"]
