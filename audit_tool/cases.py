"""Cases: the case files audits are about. A case's reference identifies a person; its
pseudonym is what exports show."""

from __future__ import annotations

import secrets
import uuid

from .domain import Case
from .errors import InvalidInput, NotFound
from .identifiers import reference_key
from .store import Database, now
from .validation import optional, required

_COLUMNS = "id, reference, pseudonym, area, agency, team, created_at"


def pseudonym() -> str:
    """Short, readable, not derived from the reference: safe to show in exports."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "Case " + "".join(secrets.choice(alphabet) for _ in range(6))


def find_case(db: Database, reference: str, area: str) -> Case | None:
    """The case in `area` whose reference is `reference` however either was typed."""
    wanted = reference_key(reference)
    if not wanted:
        return None
    for row in db.query(
        f"SELECT {_COLUMNS} FROM cases WHERE area = ? ORDER BY created_at", (area.strip(),)  # noqa: S608
    ):
        if reference_key(row[1]) == wanted:
            return Case(*row)
    return None


def add_case(
    db: Database, reference: str, area: str, agency: str = "", team: str = "", reuse: bool = False
) -> Case:
    """A new case; the returned Case carries the change (`.changes`). One case file is one
    record: a reference already in the area, however typed, is refused with the existing
    case named (`reuse`: that case is returned instead)."""
    existing = find_case(db, reference, area)
    if existing is not None:
        if reuse:
            return existing
        raise InvalidInput(
            f"The case {existing.reference!r} is already in {existing.area} (case id "
            f"{existing.id}); {reference.strip()!r} is the same reference typed another way: "
            "use that case."
        )
    case = Case(
        id=str(uuid.uuid4()),
        reference=required(reference, "Case reference"),
        pseudonym=pseudonym(),
        area=required(area, "Area"),
        agency=optional(agency, "Agency"),
        team=optional(team, "Team"),
        created_at=now(),
    )
    with db.atomic() as c:
        c.execute(
            f"INSERT INTO cases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 (constant)
            (
                case.id,
                case.reference,
                case.pseudonym,
                case.area,
                case.agency,
                case.team,
                case.created_at,
            ),
        )
    return case


def get_case(db: Database, case_id: str) -> Case:
    row = db.query_one(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,))  # noqa: S608
    if row is None:
        raise NotFound(f"No case with id {case_id}.")
    return Case(*row)


def list_cases(db: Database) -> list[Case]:
    return [Case(*r) for r in db.query(f"SELECT {_COLUMNS} FROM cases ORDER BY created_at")]  # noqa: S608
