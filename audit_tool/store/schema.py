"""Numbered migrations on PRAGMA user_version. Append only: never edit a released step.

A step is SQL text or a callable taking the connection; migrate.run runs each in
one transaction with foreign keys off (so rebuilding a table never cascades).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlcipher3

from . import step_list_shown
from .step_actions import STEP as ACTIONS_STEP
from .step_language import LANGUAGE_STEP
from .step_release_review import RELEASE_REVIEW_STEP


def _hidden_fails(conn: sqlcipher3.Connection) -> None:
    """Add the columns, then flatten each stored checklist copy again (facts, the level a
    hidden failing item counts as) and mark every audit's hidden failing items. A copy that
    no longer parses is left as it was: its audits could not be opened before either."""
    from ..checklists.loader import parse  # pydantic, only when a database is upgraded
    from ..errors import ChecklistError
    from .flat import HIDDEN_FAILS, level_rows, mark_hidden

    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    for table, column in (("answers", "hidden_fails"), ("checklist_items", "fact")):
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:  # a test may have added it to write an older file
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
    for sha, cid, source in conn.execute(
        "SELECT sha256, checklist_id, source FROM checklist_defs"
    ).fetchall():
        try:
            d = parse(source, f"stored copy of {cid}", "database").definition
        except ChecklistError:
            continue
        conn.executemany(
            "UPDATE checklist_items SET fact = 1 WHERE sha256 = ? AND item_id = ?",
            [(sha, item.id) for _, item in d.items() if d.scale_of(item).is_fact],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO checklist_levels VALUES (?,?,?,?,?,?)",
            [row for row in level_rows(sha, d) if row[2] == HIDDEN_FAILS],
        )
        if not any(item.show_when for _, item in d.items()):
            continue
        for (audit_id,) in conn.execute(
            "SELECT id FROM audits WHERE checklist_sha = ?", (sha,)
        ).fetchall():
            mark_hidden(conn, audit_id, d, stamp)


DISCLOSURE_STEP = """
    CREATE TABLE audit_keys (
        audit_id TEXT PRIMARY KEY,
        -- 0..249: the key range of resources/perturbation.toml; never exported
        record_key INTEGER NOT NULL DEFAULT ((random() % 250 + 250) % 250)
            CHECK (record_key BETWEEN 0 AND 249)
    ) WITHOUT ROWID;
    INSERT INTO audit_keys (audit_id) SELECT id FROM audits;
    CREATE TRIGGER audit_keys_on_insert AFTER INSERT ON audits
        BEGIN INSERT OR IGNORE INTO audit_keys (audit_id) VALUES (NEW.id); END;
    CREATE TABLE releases (
        id TEXT PRIMARY KEY,
        released_at TEXT NOT NULL,
        who TEXT NOT NULL,
        recipient TEXT NOT NULL,
        kind TEXT NOT NULL,               -- report, dataset, bundle, restricted dataset
        selection TEXT NOT NULL,          -- the selection as described in the output
        audit_count INTEGER NOT NULL,
        audits_sha256 TEXT NOT NULL,      -- of the sorted audit ids, one per line
        restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1))
    );
    CREATE TABLE release_audits (
        release_id TEXT NOT NULL REFERENCES releases(id),
        audit_id TEXT NOT NULL,
        PRIMARY KEY (release_id, audit_id)
    ) WITHOUT ROWID;
    CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TRIGGER release_audits_no_update BEFORE UPDATE ON release_audits
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TRIGGER release_audits_no_delete BEFORE DELETE ON release_audits
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
"""

# Issue 23 item 4: the list's search over evidence notes and summaries, on this laptop only
# (identifiable: nothing exported reads these tables). answers is WITHOUT ROWID, so the FTS5
# table keeps its own copy of the text; search_keys maps (audit, field) to its FTS rowid so a
# trigger replaces one note by rowid instead of scanning the index. Triggers keep both up to
# date on every write, so the core's write path needs no change; a note on an item a
# condition hides (applies = 0) is not searchable, and a deleted audit's text leaves.
# A step that rebuilds answers or audits must recreate these triggers.
SEARCH_STEP = """
    CREATE TABLE search_keys (
        rid INTEGER PRIMARY KEY,
        audit_id TEXT NOT NULL,
        field TEXT NOT NULL,               -- 'note:<item id>', 'summary', 'strengths', 'improvements'
        UNIQUE (audit_id, field)
    );
    CREATE VIRTUAL TABLE search_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER search_answers_insert AFTER INSERT ON answers
        WHEN NEW.note <> '' AND NEW.applies
        BEGIN
            -- a row REPLACE removed fires no delete trigger: drop what it left first
            DELETE FROM search_text WHERE rowid = (SELECT rid FROM search_keys
                WHERE audit_id = NEW.audit_id AND field = 'note:' || NEW.item_id);
            DELETE FROM search_keys WHERE audit_id = NEW.audit_id AND field = 'note:' || NEW.item_id;
            INSERT INTO search_keys (audit_id, field) VALUES (NEW.audit_id, 'note:' || NEW.item_id);
            INSERT INTO search_text (rowid, text) VALUES (last_insert_rowid(), NEW.note);
        END;
    CREATE TRIGGER search_answers_update AFTER UPDATE OF note, applies ON answers
        WHEN OLD.note IS NOT NEW.note OR OLD.applies IS NOT NEW.applies
        BEGIN
            DELETE FROM search_text WHERE rowid = (SELECT rid FROM search_keys
                WHERE audit_id = OLD.audit_id AND field = 'note:' || OLD.item_id);
            DELETE FROM search_keys WHERE audit_id = OLD.audit_id AND field = 'note:' || OLD.item_id;
            INSERT INTO search_keys (audit_id, field)
                SELECT NEW.audit_id, 'note:' || NEW.item_id WHERE NEW.note <> '' AND NEW.applies;
            INSERT INTO search_text (rowid, text)
                SELECT rid, NEW.note FROM search_keys
                WHERE audit_id = NEW.audit_id AND field = 'note:' || NEW.item_id;
        END;
    CREATE TRIGGER search_answers_delete AFTER DELETE ON answers
        BEGIN
            DELETE FROM search_text WHERE rowid = (SELECT rid FROM search_keys
                WHERE audit_id = OLD.audit_id AND field = 'note:' || OLD.item_id);
            DELETE FROM search_keys WHERE audit_id = OLD.audit_id AND field = 'note:' || OLD.item_id;
        END;
    CREATE TRIGGER search_audits_insert AFTER INSERT ON audits
        BEGIN
            DELETE FROM search_text WHERE rowid IN (SELECT rid FROM search_keys
                WHERE audit_id = NEW.id AND field NOT LIKE 'note:%');
            DELETE FROM search_keys WHERE audit_id = NEW.id AND field NOT LIKE 'note:%';
            INSERT INTO search_keys (audit_id, field)
                SELECT NEW.id, f FROM (SELECT 'summary' AS f, NEW.summary AS t
                    UNION ALL SELECT 'strengths', NEW.strengths
                    UNION ALL SELECT 'improvements', NEW.improvements) WHERE t <> '';
            INSERT INTO search_text (rowid, text)
                SELECT k.rid, CASE k.field WHEN 'summary' THEN NEW.summary
                    WHEN 'strengths' THEN NEW.strengths ELSE NEW.improvements END
                FROM search_keys k WHERE k.audit_id = NEW.id AND k.field NOT LIKE 'note:%';
        END;
    CREATE TRIGGER search_audits_update AFTER UPDATE OF summary, strengths, improvements ON audits
        WHEN OLD.summary IS NOT NEW.summary OR OLD.strengths IS NOT NEW.strengths
          OR OLD.improvements IS NOT NEW.improvements
        BEGIN
            DELETE FROM search_text WHERE rowid IN (SELECT rid FROM search_keys
                WHERE audit_id = OLD.id AND field NOT LIKE 'note:%');
            DELETE FROM search_keys WHERE audit_id = OLD.id AND field NOT LIKE 'note:%';
            INSERT INTO search_keys (audit_id, field)
                SELECT NEW.id, f FROM (SELECT 'summary' AS f, NEW.summary AS t
                    UNION ALL SELECT 'strengths', NEW.strengths
                    UNION ALL SELECT 'improvements', NEW.improvements) WHERE t <> '';
            INSERT INTO search_text (rowid, text)
                SELECT k.rid, CASE k.field WHEN 'summary' THEN NEW.summary
                    WHEN 'strengths' THEN NEW.strengths ELSE NEW.improvements END
                FROM search_keys k WHERE k.audit_id = NEW.id AND k.field NOT LIKE 'note:%';
        END;
    CREATE TRIGGER search_audits_delete AFTER DELETE ON audits
        BEGIN
            DELETE FROM search_text WHERE rowid IN (SELECT rid FROM search_keys WHERE audit_id = OLD.id);
            DELETE FROM search_keys WHERE audit_id = OLD.id;
        END;
    -- backfill what is already there
    INSERT INTO search_keys (audit_id, field)
        SELECT audit_id, 'note:' || item_id FROM answers WHERE note <> '' AND applies;
    INSERT INTO search_keys (audit_id, field)
        SELECT id, f FROM (SELECT id, 'summary' AS f, summary AS t FROM audits
            UNION ALL SELECT id, 'strengths', strengths FROM audits
            UNION ALL SELECT id, 'improvements', improvements FROM audits) WHERE t <> '';
    INSERT INTO search_text (rowid, text)
        SELECT k.rid, CASE WHEN k.field LIKE 'note:%' THEN
                (SELECT n.note FROM answers n WHERE n.audit_id = k.audit_id AND n.item_id = substr(k.field, 6))
            WHEN k.field = 'summary' THEN a.summary
            WHEN k.field = 'strengths' THEN a.strengths ELSE a.improvements END
        FROM search_keys k JOIN audits a ON a.id = k.audit_id;
"""

MIGRATIONS: list[str | Callable[[sqlcipher3.Connection], None]] = [
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
    # 2: an amended audit remembers it was finalised (never deletable, says it was reopened);
    #    a finalised audit is read-only in the database itself, inside every write
    #    transaction, so a second process cannot slip a change in after the core's check.
    """
    ALTER TABLE audits ADD COLUMN first_finalised_at TEXT;
    ALTER TABLE audits ADD COLUMN amended_at TEXT;
    ALTER TABLE audits ADD COLUMN amend_reason TEXT;
    -- schema 1 kept this only in the history (and left finalised_at on amended drafts)
    UPDATE audits SET first_finalised_at = coalesce(
        (SELECT min(h.at) FROM history h WHERE h.audit_id = audits.id AND h.action = 'finalised'),
        CASE WHEN status = 'finalised' THEN finalised_at END);
    UPDATE audits SET
        amended_at = (SELECT h.at FROM history h WHERE h.audit_id = audits.id
                      AND h.action = 'amended' ORDER BY h.id DESC LIMIT 1),
        amend_reason = (SELECT h.new FROM history h WHERE h.audit_id = audits.id
                        AND h.action = 'amended' ORDER BY h.id DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM history h WHERE h.audit_id = audits.id AND h.action = 'amended');
    UPDATE audits SET first_finalised_at = coalesce(first_finalised_at, finalised_at, amended_at)
        WHERE amended_at IS NOT NULL;
    UPDATE audits SET finalised_at = NULL WHERE status = 'draft';

    -- a schema migration, and only it, holds meta 'migrating' so it may rewrite old rows
    CREATE TRIGGER answers_finalised_insert BEFORE INSERT ON answers
        WHEN ((SELECT status FROM audits WHERE id = NEW.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER answers_finalised_update BEFORE UPDATE ON answers
        WHEN ((SELECT status FROM audits WHERE id = OLD.audit_id) = 'finalised'
          OR (SELECT status FROM audits WHERE id = NEW.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER answers_finalised_delete BEFORE DELETE ON answers
        WHEN ((SELECT status FROM audits WHERE id = OLD.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER recommendations_finalised_insert BEFORE INSERT ON recommendations
        WHEN ((SELECT status FROM audits WHERE id = NEW.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER recommendations_finalised_update BEFORE UPDATE ON recommendations
        WHEN ((SELECT status FROM audits WHERE id = OLD.audit_id) = 'finalised'
          OR (SELECT status FROM audits WHERE id = NEW.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER recommendations_finalised_delete BEFORE DELETE ON recommendations
        WHEN ((SELECT status FROM audits WHERE id = OLD.audit_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    -- a finalised audit's content never changes, not even on the way back to draft
    CREATE TRIGGER audits_finalised_content BEFORE UPDATE OF id, case_id, checklist_sha,
        checklist_id, audit_type, phase, reviewer_id, created_at, summary, strengths,
        improvements, answered ON audits
        WHEN (OLD.status = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    -- while it stays finalised nothing changes at all; the one way out is an amendment
    CREATE TRIGGER audits_finalised_stays BEFORE UPDATE ON audits
        WHEN (OLD.status = 'finalised' AND NEW.status IS NOT 'draft')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER audits_amend_needs_reason BEFORE UPDATE OF status ON audits
        WHEN (OLD.status = 'finalised' AND NEW.status = 'draft' AND (
            NEW.amended_at IS NULL OR NEW.amended_at IS OLD.amended_at
            OR trim(coalesce(NEW.amend_reason, '')) = '' OR NEW.first_finalised_at IS NULL))
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'an amendment needs a reason'); END;
    CREATE TRIGGER audits_first_finalised_kept BEFORE UPDATE OF first_finalised_at ON audits
        WHEN (OLD.first_finalised_at IS NOT NULL
         AND NEW.first_finalised_at IS NOT OLD.first_finalised_at)
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER audits_finalised_delete BEFORE DELETE ON audits
        WHEN (OLD.status = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER audits_once_finalised_delete BEFORE DELETE ON audits
        WHEN (OLD.status = 'draft' AND (OLD.first_finalised_at IS NOT NULL OR OLD.amended_at IS NOT NULL))
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'once-finalised audit cannot be deleted'); END;
    """,
    # 3: case files drawn as a sample from a council's case list (issue 11): how the sample
    #    was drawn, so it can be stated in reports and drawn again from the same list and seed
    """
    CREATE TABLE samplings (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        who TEXT NOT NULL,
        source_name TEXT NOT NULL,        -- the file's name only, never its path
        source_sha256 TEXT NOT NULL,
        source_encoding TEXT NOT NULL,    -- utf-8, cp1252... or xlsx
        sheet TEXT,
        columns TEXT NOT NULL,            -- JSON: role -> column heading
        eligible INTEGER NOT NULL,
        excluded INTEGER NOT NULL,
        exclusions TEXT NOT NULL,         -- JSON: reason -> count
        method TEXT NOT NULL CHECK (method IN ('simple', 'stratified')),
        strata_column TEXT,
        strata_sizes TEXT NOT NULL,       -- JSON: stratum -> [eligible, drawn]
        seed TEXT NOT NULL,
        sample_size INTEGER NOT NULL,
        checklist_id TEXT NOT NULL,
        phase TEXT NOT NULL
    );
    ALTER TABLE cases ADD COLUMN sampling_id TEXT REFERENCES samplings(id);
    CREATE INDEX cases_sampling ON cases(sampling_id);
    """,
    # 4: issue 9: an item hidden by a failing answer counts as not meeting the standard
    #    (answers.hidden_fails, a row even if the item was never rated); facts are never
    #    scored (checklist_items.fact). Recomputed for every audit, finalised ones included:
    #    their ratings stay as given, only how they are counted changes (see _hidden_fails).
    _hidden_fails,
    # 5: double reading and moderation (issue 10): a moderation audit names the readings it
    #    agrees; once finalised it is counted in place of them (selection.AuditFilter), and
    #    the readings it names are fixed with it
    """
    CREATE TABLE moderation_sources (
        moderation_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        -- no foreign key: a moderation received from another laptop may name a reading
        -- that arrives in a later file
        reading_id TEXT NOT NULL,
        PRIMARY KEY (moderation_id, reading_id)
    ) WITHOUT ROWID;
    CREATE INDEX moderation_sources_reading ON moderation_sources(reading_id);
    CREATE TRIGGER moderation_sources_finalised_insert BEFORE INSERT ON moderation_sources
        WHEN ((SELECT status FROM audits WHERE id = NEW.moderation_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER moderation_sources_finalised_delete BEFORE DELETE ON moderation_sources
        WHEN ((SELECT status FROM audits WHERE id = OLD.moderation_id) = 'finalised')
         AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    CREATE TRIGGER moderation_sources_no_update BEFORE UPDATE ON moderation_sources
        WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'migrating')
        BEGIN SELECT RAISE(ABORT, 'finalised audit cannot change'); END;
    """,
    # 6: audits passed between laptops (issue 10): every history row gets an identity that
    #    travels with it (so two laptops' histories are united exactly), the bundles already
    #    imported (a replayed file is refused) and the received versions that clash with a
    #    local change, kept side by side until a person chooses
    lambda conn: _exchange_step(conn),
    # 7: issue 18. Each audit's random record
    #    key for cell-key perturbation (audit_tool/disclosure/cellkey.py), kept in its own
    #    table so that it can be set on EVERY insert by the database (ALTER TABLE cannot
    #    add a column with a random default, and an AFTER INSERT update of a finalised audit
    #    would trip the audits_finalised_* triggers); existing audits get random keys here.
    #    A key survives the audit's deletion on purpose: an exchange import that replaces a
    #    row keeps the key. And the release register (disclosure/register.py), append only.
    DISCLOSURE_STEP,
    # 8: issue 23, the notes search: an FTS5 index inside the encrypted file, kept by
    #    triggers (a later step that rebuilds answers or audits must recreate them)
    SEARCH_STEP,
    # 9: issue 22, the language flags kept per note and term-list version (store/step_language.py)
    LANGUAGE_STEP,
    # 10: issue 18, free text read by a person before release (store/step_release_review.py)
    RELEASE_REVIEW_STEP,
    # 11: issue 20, release notes kept with the release; recommendations tracked as actions
    ACTIONS_STEP,
    # 12: issue 22, audits.shown: the list's progress without reading answers
    step_list_shown.step,
]


def _exchange_step(conn: sqlcipher3.Connection) -> None:
    """Rebuild history with a uid column (ALTER TABLE cannot add a column whose default is
    random). Built from the table's own CREATE text, so columns another step added survive."""
    create = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'history'"
    ).fetchone()[0]
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'history' AND type IN ('index', 'trigger')"
            " AND sql IS NOT NULL"
        )
    ]
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(history)"))
    head, _, _ = create.rstrip().rpartition(")")
    head = head.replace("CREATE TABLE history", "CREATE TABLE history_new", 1)
    conn.execute(head + ",\n    uid TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))\n)")
    conn.execute(f"INSERT INTO history_new ({columns}) SELECT {columns} FROM history")  # noqa: S608
    conn.execute("DROP TABLE history")
    conn.execute("ALTER TABLE history_new RENAME TO history")
    for sql in extras:
        conn.execute(sql)
    for sql in (
        "CREATE UNIQUE INDEX history_uid ON history(uid)",
        """CREATE TABLE exchange_imports (
            bundle_id TEXT PRIMARY KEY,
            imported_at TEXT NOT NULL,
            created_at TEXT NOT NULL,       -- when the sending laptop made the file
            tool_version TEXT NOT NULL,
            audits INTEGER NOT NULL
        )""",
        # one row per received version that clashes with this laptop's (JSON, as received)
        """CREATE TABLE exchange_conflicts (
            audit_id TEXT NOT NULL REFERENCES audits(id),
            version TEXT NOT NULL,          -- sha256 of the received version
            bundle_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            incoming TEXT NOT NULL,
            PRIMARY KEY (audit_id, version)
        )""",
    ):
        conn.execute(sql)


# The triggers' messages (kept free of words such as "read-only" or "locked" that
# connection.translate would take for a problem with the file), mapped by the core to
# the one-line messages a reviewer sees.
FROZEN = "finalised audit cannot change"
ONCE_FINALISED = "once-finalised audit cannot be deleted"
NEEDS_REASON = "an amendment needs a reason"
MIGRATING = "migrating"  # the meta key migrate.run holds inside each step

SCHEMA_VERSION = len(MIGRATIONS)
