"""Schema step (issue 18 item 5): a person's review of the free text in a release.

One row per release that printed free text (recommendation texts in a report, evidence
notes in a dataset): who read them, when, how many distinct texts and a digest of them
(disclosure/review.py). Append-only, like the register it belongs to."""

RELEASE_REVIEW_STEP = """
    CREATE TABLE IF NOT EXISTS release_reviews (
        release_id TEXT PRIMARY KEY REFERENCES releases(id),
        reviewed_at TEXT NOT NULL,
        who TEXT NOT NULL,
        texts INTEGER NOT NULL,           -- distinct texts listed and confirmed
        texts_sha256 TEXT NOT NULL,       -- of the sorted texts (review.texts_digest)
        how TEXT NOT NULL                 -- 'ticked in the export dialog', 'typed yes', ...
    );
    CREATE TRIGGER IF NOT EXISTS release_reviews_no_update BEFORE UPDATE ON release_reviews
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS release_reviews_no_delete BEFORE DELETE ON release_reviews
        BEGIN SELECT RAISE(ABORT, 'the release register is append-only'); END;
"""
