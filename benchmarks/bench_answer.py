"""Answer-save (autosave) path through the core against a bare SQLCipher upsert + commit,
on a 10,000-audit database, in the same run. Target: median < 5 ms and within 2x.

    python -m benchmarks.bench_answer [--audits 10000] [--n 300]
"""

from __future__ import annotations

import argparse
import itertools

from audit_tool import audits, records
from audit_tool.filters import AuditFilter
from audit_tool.selection import list_audits
from audit_tool.store import Database

from .common import PASSPHRASE, demo_db, summary, timings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    path = demo_db(args.audits)
    db = Database.open(path, PASSPHRASE)
    draft = list_audits(db, AuditFilter(status="draft", checklist_id="safe-together-case-file-audit"), 1)[0]
    definition = records.get_audit(db, draft.id).checklist.definition
    item = next(i for _, i in definition.items() if i.scale == "quality" and not i.show_when)
    levels = itertools.cycle(["3", "4", "5", "2"])
    notes = itertools.cycle(["Chronology shows the pattern (bench).", "Plan names his actions (bench)."])
    conn = db.conn

    def bare() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO answers (audit_id, item_id, rating, note, applies, updated_at)"
            " VALUES (?, ?, ?, ?, 1, '2026-01-01') ON CONFLICT (audit_id, item_id) DO UPDATE SET"
            " rating = excluded.rating, note = excluded.note, updated_at = excluded.updated_at",
            (draft.id, item.id, next(levels), next(notes)),
        )
        conn.execute("COMMIT")

    def core_rating() -> None:
        audits.answer(db, draft.id, item.id, rating=next(levels))

    def core_note() -> None:
        audits.answer(db, draft.id, item.id, note=next(notes))

    for f in (bare, core_rating, core_note):  # warm up caches
        timings(f, 10)
    print(f"Answer save on a {args.audits:,}-audit database (WAL, synchronous=FULL):")
    b, r, n = [], [], []
    for _ in range(args.n // 50):  # interleave so disk noise hits all three alike
        b += timings(bare, 50)
        r += timings(core_rating, 50)
        n += timings(core_note, 50)
    mb = summary("bare SQLCipher upsert + commit", b)
    mr = summary("core audits.answer (rating, with history)", r)
    mn = summary("core audits.answer (evidence note)", n)
    print(f"  ratio core/bare: rating {mr / mb:.2f}x, note {mn / mb:.2f}x   (target < 5 ms, within 2x)")
    db.close()


if __name__ == "__main__":
    main()
