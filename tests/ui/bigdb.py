"""A 50,000-audit database for list tests and benchmarks, made in a few seconds.

The list only reads cases and audits, so this writes those rows in large batches (the
demo generator also writes two million answers, which the list never reads).
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

from audit_tool import audits
from audit_tool.checklists.loader import bundled
from audit_tool.domain import AuditType, Phase
from audit_tool.store import Database, now

AREAS = ["Glenmorven (test)", "Strathallan Vale (test)", "Inverbrack (test)", "Port Ceanna (test)"]


def make(path: Path, passphrase: str, n: int = 50_000, seed: int = 7) -> int:
    """Create `path` with n audits; returns how many audits were written."""
    rng = random.Random(seed)
    db = Database.create(path, passphrase)
    try:
        me = audits.local_reviewer(db)
        lists = bundled()
        shas = [(db.store_checklist(c), c) for c in lists]
        cases, rows = [], []
        stamp0 = now()
        for i in range(n):
            case_id = str(uuid.uuid4())
            cases.append(
                (case_id, f"TEST-{i:06d}", f"Case T{i:06d}", rng.choice(AREAS), "", "", stamp0)
            )
            sha, c = rng.choice(shas)
            total = c.definition.item_count()
            finalised = rng.random() < 0.8
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:{i % 60:02d}:00.000Z"
            rows.append(
                (
                    str(uuid.uuid4()),
                    case_id,
                    sha,
                    c.id,
                    (c.definition.audit_types or (AuditType.CASE_FILE_AUDIT.value,))[0],
                    rng.choice([p.value for p in Phase]),
                    me.id,
                    "finalised" if finalised else "draft",
                    day,
                    day,
                    day if finalised else None,
                    rng.randint(0, total),
                )
            )
        with db.atomic() as conn:
            conn.executemany(
                "INSERT INTO cases (id, reference, pseudonym, area, agency, team, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                cases,
            )
            conn.executemany(
                "INSERT INTO audits (id, case_id, checklist_sha, checklist_id, audit_type, phase,"
                " reviewer_id, status, created_at, updated_at, finalised_at, answered)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
    finally:
        db.close()
    return n
