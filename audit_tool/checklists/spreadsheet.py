"""Checklists written in a spreadsheet (XLSX), in the way survey tools let people write a
form in a spreadsheet: one row per question on an "items" sheet, named scales on a
"scales" sheet, tags on a "tags" sheet and the checklist's own details on a "checklist"
sheet (see checklists/README.md).

The work is split by direction: sheet_layout (the sheets and columns), sheet_read (the
workbook to validated TOML text), sheet_toml (TOML text out, saved atomically) and
sheet_write (a checklist to a workbook, and the template). This module names the public
parts in one place for callers that want the whole feature.
"""

from .sheet_layout import CHECKLIST_FIELDS, COLUMNS, NOTES, REQUIRED
from .sheet_read import (
    MAX_FILE_BYTES,
    MAX_UNPACKED_BYTES,
    Cell,
    SpreadsheetError,
    import_xlsx,
    parse_condition,
)
from .sheet_toml import to_toml, toml_string, write_text_atomic
from .sheet_write import (
    TEMPLATE_README,
    save_workbook,
    template_definition,
    to_spreadsheet,
    write_template,
)

__all__ = [
    "CHECKLIST_FIELDS",
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_UNPACKED_BYTES",
    "NOTES",
    "REQUIRED",
    "TEMPLATE_README",
    "Cell",
    "SpreadsheetError",
    "import_xlsx",
    "parse_condition",
    "save_workbook",
    "template_definition",
    "to_spreadsheet",
    "to_toml",
    "toml_string",
    "write_template",
    "write_text_atomic",
]
