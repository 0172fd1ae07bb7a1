"""Store a drawn sample: its record, its cases and their draft audits, all or nothing.

The cases' references are stored like any case reference (the whole database is
encrypted) and are never written anywhere else.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..cases import add_case
from ..changes import Changes
from ..disclosure.rules import SUPPRESS_BELOW
from ..domain import Phase
from ..errors import InvalidInput
from ..formatting import day
from ..records import find_checklist, new_audit
from ..reviewers import local_reviewer
from ..store import Database, now
from .caselist import CaseList
from .draw import Columns, Draw, Eligibility

if TYPE_CHECKING:
    from ..checklists.loader import LoadedChecklist
    from ..filters import AuditFilter


@dataclass(frozen=True)
class Sampling:
    id: str
    created_at: str
    who: str
    source_name: str
    source_sha256: str
    source_encoding: str
    sheet: str | None
    columns: dict[str, str]
    eligible: int
    excluded: int
    exclusions: dict[str, int]
    method: str
    strata_column: str | None
    strata_sizes: dict[str, list[int]]  # stratum -> [eligible, drawn]
    seed: str
    sample_size: int
    checklist_id: str
    phase: str
    cases: int = 0  # cases in the database that came from it

    def describe(self) -> str:
        """'a random sample of 40 from 212 eligible files, stratified by team (seed 12345)'."""
        text = f"a random sample of {self.sample_size:,} from {self.eligible:,} eligible files"
        if self.method == "stratified":
            text += f", stratified by {(self.strata_column or 'stratum').lower()}"
        seed = f"seed {self.seed}"
        if self.excluded:
            reasons = ", ".join(f"{n:,} with {r}" for r, n in sorted(self.exclusions.items()))
            seed += f"; {self.excluded:,} listed files left out: {reasons}"
        return f"{text} ({seed})"


_COLUMNS = (
    "id, created_at, who, source_name, source_sha256, source_encoding, sheet, columns, "
    "eligible, excluded, exclusions, method, strata_column, strata_sizes, seed, sample_size, "
    "checklist_id, phase"
)


def _from_row(row: tuple) -> Sampling:
    """A samplings row (and optionally its count of cases) as a Sampling."""
    values = list(row)
    for i in (7, 10, 13):  # the JSON columns
        values[i] = json.loads(values[i])
    return Sampling(*values)


@dataclass(frozen=True)
class Created:
    sampling: Sampling
    case_ids: tuple[str, ...]
    audit_ids: tuple[str, ...]

    @property
    def changes(self) -> Changes:
        """A sampling record, its cases and a draft audit for each."""
        return Changes(added=frozenset(self.audit_ids), cases=True, samplings=True)


def create_sample(
    db: Database,
    caselist: CaseList,
    columns: Columns,
    elig: Eligibility,
    drawn: Draw,
    checklist: LoadedChecklist | str,
    phase: Phase | str = Phase.BASELINE,
) -> Created:
    """The sampling record, one case per drawn file and a draft audit for each, in one
    transaction: a failure anywhere leaves nothing of it in the database."""
    loaded = find_checklist(db, checklist) if isinstance(checklist, str) else checklist
    try:
        phase = Phase(phase)
    except ValueError as exc:
        raise InvalidInput(str(exc).capitalize() + ".") from None
    _refuse_repeat(db, caselist, drawn, loaded.id, phase.value)
    # Committed on their own beforehand: both are cached on the connection, and a cache
    # entry for a row rolled back with the sample would outlive it.
    me = local_reviewer(db)
    db.store_checklist(loaded)
    record = Sampling(
        id=str(uuid.uuid4()),
        created_at=now(),
        who=me.name,
        source_name=caselist.source_name,
        source_sha256=caselist.sha256,
        source_encoding=caselist.encoding,
        sheet=caselist.sheet,
        columns=columns.as_dict(),
        eligible=drawn.eligible,
        excluded=elig.excluded,
        exclusions=dict(elig.exclusions),
        method=drawn.method,
        strata_column=columns.strata if drawn.method == "stratified" else None,
        strata_sizes={k: [e, n] for k, (e, n) in drawn.strata.items()},
        seed=str(drawn.seed),
        sample_size=len(drawn.chosen),
        checklist_id=loaded.id,
        phase=phase.value,
    )
    case_ids, audit_ids = [], []
    with db.atomic() as c:
        c.execute(
            f"INSERT INTO samplings ({_COLUMNS}) VALUES ({', '.join('?' * 18)})",
            _to_row(record),
        )
        for f in drawn.chosen:
            # a file already here (however its reference is typed) is the same case file
            case = add_case(db, f.reference, f.area, f.agency, f.team, reuse=True)
            c.execute(
                "UPDATE cases SET sampling_id = ? WHERE id = ? AND sampling_id IS NULL",
                (record.id, case.id),
            )
            audit_ids.append(new_audit(db, case.id, loaded, phase=phase))
            case_ids.append(case.id)
    return Created(record, tuple(case_ids), tuple(audit_ids))


def _to_row(s: Sampling) -> tuple:
    return (
        s.id,
        s.created_at,
        s.who,
        s.source_name,
        s.source_sha256,
        s.source_encoding,
        s.sheet,
        json.dumps(s.columns, ensure_ascii=False),
        s.eligible,
        s.excluded,
        json.dumps(s.exclusions, ensure_ascii=False),
        s.method,
        s.strata_column,
        json.dumps(s.strata_sizes, ensure_ascii=False),
        s.seed,
        s.sample_size,
        s.checklist_id,
        s.phase,
    )


def _refuse_repeat(
    db: Database, caselist: CaseList, drawn: Draw, checklist_id: str, phase: str
) -> None:
    """The same list, seed and size would give the same files again: twice the cases."""
    row = db.query_one(
        "SELECT created_at FROM samplings WHERE source_sha256 = ? AND seed = ? AND sample_size = ?"
        " AND checklist_id = ? AND phase = ?",
        (caselist.sha256, str(drawn.seed), len(drawn.chosen), checklist_id, phase),
    )
    if row:
        raise InvalidInput(
            f"This list was already sampled with seed {drawn.seed} on {day(row[0])}: the same "
            "files and their audits are in the database. Use another seed for a new sample."
        )


def list_samplings(db: Database) -> list[Sampling]:
    rows = db.query(
        f"SELECT {_COLUMNS}, (SELECT count(*) FROM cases c WHERE c.sampling_id = s.id)"
        " FROM samplings s ORDER BY created_at"
    )
    return [_from_row((*r[:-1], r[-1])) for r in rows]


def samplings_behind(db: Database, flt: AuditFilter) -> tuple[list[Sampling], int, int]:
    """The samplings behind the audits a filter selects, with how many audits it selects
    and how many of those came from a sample."""
    where, params = flt.where()
    ids_sql = (
        "SELECT c.sampling_id FROM audits a JOIN cases c ON c.id = a.case_id "  # noqa: S608
        f"WHERE {where}"
    )
    total, sampled = db.query_one(
        f"SELECT count(*), count(sampling_id) FROM ({ids_sql})", tuple(params)
    )
    if not sampled:
        return [], total, 0
    rows = db.query(
        f"SELECT {_COLUMNS} FROM samplings WHERE id IN ({ids_sql}) ORDER BY created_at",
        tuple(params),
    )
    return [_from_row(r) for r in rows], total, sampled


def describe_sampling(db: Database, flt: AuditFilter) -> str:
    """Plain words for how the audits a filter selects were chosen; '' if none was sampled."""
    found, _total, _sampled = samplings_behind(db, flt)
    return "; ".join(s.describe() for s in found)


def sampling_note(db: Database, flt: AuditFilter) -> str | None:
    """The report's method-notes sentence, or None when no selected audit was sampled."""
    found, total, sampled = samplings_behind(db, flt)
    if not found:
        return None
    words = "; ".join(s.describe() for s in found)
    text = f"Case files were chosen as {words}."
    if sampled < total:
        rest = total - sampled
        if rest < SUPPRESS_BELOW:  # the small-number rule of every report figure
            text += f" Fewer than {SUPPRESS_BELOW} of the {total:,} audits were not from a sample."
        else:
            text += f" {rest:,} of the {total:,} audits were not from a sample."
    return text
