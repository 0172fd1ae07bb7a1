"""Installing a checklist written in a spreadsheet into the local checklists folder.

One rule for both clients (the command line and the window): where the TOML goes, which
ids it may not take (a bundled checklist's, or another local file's), and what it would
replace. Planning reads and checks everything; installing only writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..changes import Changes
from ..errors import ChecklistError
from ..paths import user_checklists_dir
from .loader import LoadedChecklist, bundled_clash, load_file, user_defined
from .spreadsheet import import_xlsx, write_text_atomic


@dataclass(frozen=True)
class ImportPlan:
    """A valid checklist read from a workbook and where it would be written."""

    source: Path
    text: str
    checklist: LoadedChecklist
    out: Path
    replaces: LoadedChecklist | None  # the readable checklist already at `out`, if any

    @property
    def changes(self) -> Changes:
        """What installing this plan changes: the checklists on offer."""
        return Changes(checklists=True)

    @property
    def out_exists(self) -> bool:
        return self.out.exists()


def plan_import(xlsx_path: str | Path, out: Path | None = None) -> ImportPlan:
    """Read and check the workbook; raise ChecklistError (SpreadsheetError for the
    workbook's own problems) for anything that may not be installed. Writes nothing."""
    text, c = import_xlsx(xlsx_path)
    clash = bundled_clash(c)
    if clash is not None:
        raise ChecklistError(
            f"{xlsx_path}: id '{c.id}' is already used by the bundled checklist '{clash.title}'; "
            "change the id on the checklist sheet"
        )
    if out is None:
        folder = user_checklists_dir()
        out = folder / f"{c.id}.toml"
        # another local file with this id would make the folder hold two of the same checklist
        other = next(
            (x for x in user_defined(folder)[0] if x.id == c.id and Path(x.path) != out), None
        )
        if other is not None:
            raise ChecklistError(
                f"{xlsx_path}: id '{c.id}' is already used by the local checklist {other.path}"
            )
    replaces = None
    if out.exists():
        try:
            replaces = load_file(out)
        except ChecklistError:
            replaces = None  # a broken file there is still replaced only when asked
    return ImportPlan(Path(xlsx_path), text, c, out, replaces)


def install(plan: ImportPlan, force: bool = False) -> Path:
    """Write the planned TOML; an existing file is replaced only with force."""
    write_text_atomic(plan.text, plan.out, force=force)
    return plan.out


def install_from_spreadsheet(
    xlsx_path: str | Path, out: Path | None = None, force: bool = False
) -> ImportPlan:
    """Plan and install in one step (the command line's route)."""
    plan = plan_import(xlsx_path, out)
    install(plan, force)
    return plan
