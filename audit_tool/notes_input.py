"""The lead's notes for a release as typed or given in a file (issue 20, item 4): checked
against reports/notes.py's limits, with one clear line for what is wrong. The CLI's
`export report --commentary-file/--decision/--deaths-in-period` and the export dialog's
release-notes box both come through here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AuditToolError, InvalidInput
from .reports.notes import MAX_COMMENTARY, ReleaseNotes

if TYPE_CHECKING:
    from .filters import AuditFilter
    from .store import Database

MAX_FILE = 64 * MAX_COMMENTARY  # bytes read at most: a wrong file is refused, not loaded


def read_commentary(path: str | Path) -> str:
    """The commentary from a UTF-8 text file (a leading BOM and surrounding blank lines
    dropped); InvalidInput naming the file for anything that is not that."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_FILE + 1)
    except OSError as exc:
        raise InvalidInput(f"Cannot read the commentary file {p.name}: {exc.strerror or exc}.") from None
    if len(raw) > MAX_FILE:
        raise InvalidInput(f"The commentary file {p.name} is far longer than {MAX_COMMENTARY:,} "
                           "characters: is it the right file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"The commentary file {p.name} is not UTF-8 text: save it as UTF-8 "
                           "(plain text) and try again.") from None
    if "\x00" in text:
        raise InvalidInput(f"The commentary file {p.name} is not plain text.")
    return text.replace("\r\n", "\n").strip()


def make_notes(commentary: str = "", decisions: Iterable[str] = (),
               deaths_in_period: int | str | None = None) -> ReleaseNotes:
    """ReleaseNotes from what was typed: blank decisions dropped, text trimmed, the number
    of deaths read as a whole number. InvalidInput (one line) when a limit is broken."""
    deaths: int | None
    if deaths_in_period is None or (isinstance(deaths_in_period, str) and not deaths_in_period.strip()):
        deaths = None
    else:
        try:
            deaths = int(str(deaths_in_period).strip())
        except ValueError:
            raise InvalidInput(f"The number of deaths in the period must be a whole number, "
                               f"not '{deaths_in_period}'.") from None
    try:
        return ReleaseNotes(
            commentary.strip(),
            tuple(d.strip() for d in decisions if d.strip()),
            deaths,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None




def counts_deaths(db: Database, flt: AuditFilter) -> bool:
    """Whether a report on this selection is a death review's, so the lead may record the
    number of deaths in the period: its audit type says so, or its one checklist is made for
    death reviews."""
    from .records import find_checklist
    from .vocabulary import AuditType

    death = AuditType.DRUG_ALCOHOL_DEATH_REVIEW.value
    if flt.audit_type:
        return flt.audit_type == death
    if not flt.checklist_id:
        return False
    try:
        return death in find_checklist(db, flt.checklist_id).definition.audit_types
    except AuditToolError:
        return False


__all__ = ["counts_deaths", "make_notes", "read_commentary"]
