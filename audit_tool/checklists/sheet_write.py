"""Writing a checklist as a workbook (XLSX) that reads back to the same definition, and the
template workbook to start a new checklist from."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from .. import APP_NAME
from ..errors import ChecklistError, ExportProblem
from ..fileio import write_atomic
from .loader import parse
from .model import TAG_KINDS, Checklist
from .sheet_layout import COLUMNS, NOTES, PHASE_FIELDS

# where a workbook is written: a file name, or a binary file open for writing
Target = str | Path | BinaryIO


def save_workbook(out: Path, write: Callable[[BinaryIO], None], force: bool = False) -> None:
    """Call write(f) on a file that becomes `out` only once complete (fileio.write_atomic)."""
    if out.exists() and not force:
        raise ChecklistError(f"{out}: already exists; use --force to replace it")
    try:
        write_atomic(out, write)
    except ExportProblem as exc:
        raise ChecklistError(str(exc)) from None


def _sheet_rows(definition: Checklist) -> dict[str, list[list[str]]]:
    """The workbook's rows (under each header) for a checklist definition."""
    d = definition
    checklist = [["id", d.id], ["version", d.version], ["title", d.title], ["purpose", d.purpose]]
    if d.audit_types:
        checklist.append(["audit_types", ", ".join(d.audit_types)])
    if d.phases is not None:  # the [phases] table, one row per setting
        for field, key in PHASE_FIELDS.items():
            value = getattr(d.phases, key)
            checklist.append([field, ("yes" if value else "no") if isinstance(value, bool) else value])
    scales = []
    for name, scale in d.scales.items():
        for i, lv in enumerate(scale.levels):
            meets = (
                ""
                if scale.is_fact
                else "yes"
                if lv.value in scale.meets_standard
                else ("not rated" if lv.value in scale.not_rated else "no")
            )
            scales.append(
                [
                    name if i == 0 else "",
                    scale.title if i == 0 else "",
                    lv.value,
                    lv.label,
                    lv.key,
                    meets,
                    lv.description,
                    scale.kind if i == 0 and scale.is_fact else "",
                    lv.group_label,
                    lv.anchor,
                    "yes" if lv.exclusive else "",
                ]
            )
    tags = [[tag_id, tag.kind, tag.label, tag.number] for tag_id, tag in d.tags.items()]
    items = []
    for theme in d.themes:
        for i, item in enumerate(theme.items):
            cond = item.show_when
            items.append(
                [
                    theme.id if i == 0 else "",
                    theme.title if i == 0 else "",
                    theme.description if i == 0 else "",
                    item.id,
                    item.question,
                    item.guidance,
                    item.scale,
                    "yes" if item.required else "no",
                    item.evidence_prompt,
                    ", ".join(item.tags),
                    f"{cond.item} = {', '.join(cond.any_of)}" if cond else "",
                    "yes" if item.breakdown else "",
                ]
            )
    return {"checklist": checklist, "scales": scales, "tags": tags, "items": items}


_WIDTHS = {
    "question": 60,
    "guidance": 60,
    "description": 40,
    "anchor": 50,
    "theme_description": 30,
    "evidence_prompt": 40,
    "label": 24,
    "scale_title": 28,
    "theme_title": 24,
    "value": 14,
    "show_when": 24,
    "tags": 24,
}


def _write_cell(ws, row: int, col: int, value: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    cell = ws.cell(
        row=row, column=col, value=ILLEGAL_CHARACTERS_RE.sub("", value) if value else None
    )
    cell.data_type = "s" if value else cell.data_type  # text starting '=' is text, not a formula
    cell.number_format = "@"  # so '1.0' or '4' stay text when edited
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _lines_needed(text: str, width: float) -> int:
    """Rough count of wrapped lines, so rows are tall enough for their text when opened."""
    per_line = max(int(width * 1.1), 8)
    return sum(max(1, -(-len(par) // per_line)) for par in text.split("\n"))


def _fit_rows(ws, first: int, widths: dict[int, float]) -> None:
    for row in ws.iter_rows(min_row=first):
        lines = max(
            (_lines_needed(str(c.value), widths.get(c.column, 14)) for c in row if c.value),
            default=1,
        )
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * min(lines, 20)


def _print_setup(ws) -> None:
    """Landscape, one page wide, header row repeated: a sheet prints as a readable list."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


def _list_validation(ws, options: list[str], col: int, rows: int, title: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = '"' + ",".join(options) + '"'
    if not options or len(formula) > 255 or any("," in o or '"' in o for o in options):
        return  # Excel's list validation cannot hold it; the import still checks every cell
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=f"Choose one of: {', '.join(options)}",
    )
    letter = get_column_letter(col)
    dv.add(f"{letter}2:{letter}{rows}")
    ws.add_data_validation(dv)


def to_spreadsheet(definition: Checklist, path: Target, readme: str = "") -> None:
    """Write a checklist as a workbook that `import_xlsx` reads back to the same definition."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    if readme:
        ws = wb.create_sheet("read me")
        ws.column_dimensions["A"].width = 110
        for r, line in enumerate(readme.splitlines(), start=1):
            ws.cell(row=r, column=1, value=line or None).alignment = Alignment(wrap_text=True)
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        _fit_rows(ws, 2, {1: 110})
        _print_setup(ws)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    for sheet, rows in _sheet_rows(definition).items():
        ws = wb.create_sheet(sheet)
        headers = COLUMNS[sheet]
        for col, header in enumerate(headers, start=1):
            cell = ws.cell(row=1, column=col, value=header)
            cell.font, cell.fill = bold, fill
            comment = Comment(NOTES[sheet][header], "audit-tool")
            comment.width, comment.height = 300, 120
            cell.comment = comment
            ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(header, 14)
        if sheet == "checklist":
            ws.column_dimensions["B"].width = 90
        for r, values in enumerate(rows, start=2):
            for col, value in enumerate(values, start=1):
                _write_cell(ws, r, col, value)
        widths = {col: float(_WIDTHS.get(h, 14)) for col, h in enumerate(headers, start=1)}
        if sheet == "checklist":
            widths[2] = 90.0
        _fit_rows(ws, 2, widths)
        _print_setup(ws)
        ws.freeze_panes = "A2"
        last = max(len(rows) + 200, 300)
        if sheet == "items":
            _list_validation(ws, list(definition.scales), headers.index("scale") + 1, last, "Scale")
            _list_validation(ws, ["yes", "no"], headers.index("required") + 1, last, "Required")
        elif sheet == "scales":
            _list_validation(
                ws, ["yes", "no", "not rated"], headers.index("meets") + 1, last, "Meets"
            )
            _list_validation(
                ws, ["rating", "fact", "multiple"], headers.index("kind") + 1, last, "Kind"
            )
        elif sheet == "tags":
            _list_validation(ws, list(TAG_KINDS), headers.index("kind") + 1, last, "Kind")
    wb.active = wb.sheetnames.index("items")
    wb.save(str(path) if isinstance(path, (str, Path)) else path)


TEMPLATE_README = f"""Writing a checklist in a spreadsheet
This workbook is a checklist for the {APP_NAME}. The example in it is fictional: replace it with your own.
Sheet 'checklist': one row per detail (id, version, title, purpose, audit_types). The id must be new to your area.
Sheet 'scales': one row per level of each scale, best first (the key 1 always picks the best answer). meets: yes = meets the standard; no = does not; blank or 'not rated' = left out of the share. kind 'fact' (on the first row) for a scale that records what happened: counted, never scored, meets left blank; group_label names a group in reports (e.g. women's deaths). kind 'multiple' for a tick-all-that-apply question: one row per option, exclusive yes on an option such as None of these. anchor: what a file at that level looks like.
Sheet 'tags' (optional): tags that group questions in reports (kind: principle, component, practice_area, quality_indicator, fact_group, baseline, theme, other).
Sheet 'items': one row per question. Keep each theme's rows together; theme title and description go on the theme's first row.
show_when: only ask the question when an earlier answer is one of some values, e.g.  ch-01 = yes, partly. A question not asked because an earlier answer fell short of the standard counts as not meeting it.
breakdown: yes on a fact question (e.g. sex) splits reports by its answers.
Hover over a column heading for a note on what goes in it. Do not merge cells. Empty rows are skipped.
Then run:  audit-tool checklist import THIS-FILE.xlsx
Every problem is reported with its sheet, row and column, and nothing is imported until the whole workbook is valid.
Never put names, dates of birth, addresses or case references in a checklist."""


def template_definition() -> Checklist:
    text = (
        resources.files("resources").joinpath("checklist_template_example.toml").read_text("utf-8")
    )
    return parse(text, "checklist_template_example.toml", "bundled").definition


def write_template(path: Target) -> None:
    """The template workbook: a fictional two-theme example with notes and drop-downs."""
    to_spreadsheet(template_definition(), path, TEMPLATE_README)
