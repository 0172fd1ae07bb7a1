"""The export dialog's wording, in one place (ui/export/export_dialog.py)."""

from __future__ import annotations

from audit_tool.disclosure.rules import SUPPRESS_BELOW

IDENTIFIERS_NOTE = (
    "Leave unticked to share the report: case references are left out, and an aggregate "
    "report leaves out free text too. Tick only for a named recipient who needs them; the "
    "report says on its face which it is."
)
# the core leaves drafts out of every anonymised aggregate report (reports/build.py)
FINALISED_ONLY_NOTE = "Anonymised reports and datasets include finalised audits only."
RECIPIENT_LABEL = "&For (recipient):"
RECIPIENT_TIP = (
    "Who the report or dataset is for, e.g. 'Steering group, March meeting'. Required: the "
    "release register records every release, and refuses one that could be subtracted from "
    "an earlier one (Tools > Releases lists them)."
)
FREE_TEXT_LABEL = "Include recommendation texts (listed for you to read first)"
FREE_TEXT_TIP = (
    f"Aggregate report only. Shows recommendations recorded in {SUPPRESS_BELOW} or more audits, "
    "with case references removed. Names typed in them are not removed: each is listed for "
    "you to read before the export."
)
NOTES_LABEL = "Include evidence notes (listed for you to read first)"
NOTES_TIP = (
    "Adds each item's evidence note to the dataset, with case references removed. Names typed "
    "in them are not removed: each is listed for you to read before the export."
)
# issue 18 item 5: the record-level file is a separate, deliberate choice
RESTRICTED_LABEL = (
    "Restricted record-level data, for a named analyst under a data-sharing agreement"
)
RESTRICTED_TIP = (
    "Not k-anonymous: one row per audit with its area, agency, phase and month as recorded. "
    "Only for the analyst named under 'For', under a signed data-sharing agreement. The "
    "anonymised dataset has no area, agency or team."
)
RESTRICTED_NOTE = (
    "Restricted: every row is one audit as recorded, not protected by grouping. The release "
    "register records it as restricted for the person named under 'For'; the file name and "
    "every sheet say Restricted."
)
