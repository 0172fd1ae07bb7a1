"""The checklist definitions behind a selection: for each checklist, the newest stored copy
its audits used. Reports read what a checklist says of itself from it (what its phases
mean, whether it is a death review) without running SQL in the builders."""

from __future__ import annotations

from ..checklists.model import Checklist
from ..filters import AuditFilter
from ..store import Database


def newest_definitions(db: Database, flt: AuditFilter, checklists: set[str]) -> dict[str, Checklist]:
    """{checklist id: the newest stored copy used by the selection's audits}, for the
    checklists given (the ones a report covers). A copy stored before a setting existed
    simply lacks it: the checklist model gives its default."""
    if not checklists:
        return {}
    where, params = flt.where()
    rows = db.query(
        f"""SELECT a.checklist_id, d.sha256 FROM audits a JOIN cases c ON c.id = a.case_id
            JOIN checklist_defs d ON d.sha256 = a.checklist_sha
            WHERE {where} GROUP BY a.checklist_id, d.sha256
            ORDER BY a.checklist_id, d.added_at DESC, d.rowid DESC""",
        params,
    )
    out: dict[str, Checklist] = {}
    for cid, sha in rows:
        if cid in checklists and cid not in out:  # the first row per checklist is the newest
            out[cid] = db.checklist(sha).definition
    return out
