"""The analyst dataset's columns and codebook header: what each column of each sheet means.

Kept apart from dataset.py (which builds and writes the rows) so the SPSS/Stata writer
(dataset_stats.py) reads the same declarations without importing the builder.
"""

from __future__ import annotations

from .disclosure import kanon
from .disclosure.rules import SUPPRESS_BELOW

NOT_ASKED = "not_asked"  # the dataset's name for the level HIDDEN_FAILS

OTHER = f"Other (fewer than {SUPPRESS_BELOW} audits)"
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included

# Geography is in the Restricted file only (issue 18): as national statistics offices do,
# public-use microdata carry coarser geography than the published tables, since counting rows
# by area and phase would give back the cells the report hides. Team is in neither file.
RESTRICTED_ONLY = ("area", "agency")
GEOGRAPHY_NOTE = (
    "Area, agency and team are not in this anonymised file: counting its rows by area and "
    "phase would give back the small cells the aggregate report hides, so (as national "
    "statistics offices do with public-use microdata) the place an audit was done is released "
    "only in a Restricted file, for a named analyst under a data-sharing agreement."
)
# (name, meaning, type, allowed values) for each sheet's columns, in order
_GROUP = f"{OTHER} where the selection has fewer than {SUPPRESS_BELOW} audits of it"
_PROTECTED = f", '{kanon.OTHER}' or '{kanon.SUPPRESSED}' (k-anonymity)"
COMMON_COLUMNS = [
    (
        "audit_key",
        "The audit: case pseudonym, '/', the case's nth audit (new in every export; stable "
        "only in a Restricted file)",
        "text",
        "e.g. Case K7QM2P/1",
    ),
    (
        "pseudonym",
        "The case's pseudonym (random, new in every export; not derived from the reference)",
        "text",
        "Case + 6 or 7 letters or digits",
    ),
    ("area", "Local authority area of the case (Restricted file only)", "text",
     f"as recorded, or {_GROUP}"),
    ("agency", "Agency holding the case file (Restricted file only)", "text",
     f"as recorded (may be blank), or {_GROUP}"),
    (
        "small_group",
        "1 when a value of this audit was coarsened or suppressed (Restricted file: when area "
        "or agency was replaced by the 'Other' label)",
        "whole number",
        "1, 0",
    ),
    (
        "phase",
        "When in the programme the audit was done",
        "text",
        f"baseline, post_training, follow_up{_PROTECTED}",
    ),
    (
        "audit_type",
        "Kind of audit",
        "text",
        "case_file_audit, thematic_review, multi_agency_review, drug_alcohol_death_review, "
        f"moderation{_PROTECTED}",
    ),
    ("status", "Audit status (anonymised exports hold finalised audits only)", "text", "finalised"),
    ("checklist_id", "Checklist the audit used", "text", "see the 'scale level' rows"),
    ("checklist_version", "Version of that checklist", "text", "e.g. 1.0"),
]
ANSWER_COLUMNS = COMMON_COLUMNS + [
    ("theme_id", "Theme of the checklist the item belongs to", "text", "per checklist"),
    ("theme_title", "The theme's title", "text", "per checklist"),
    ("item_id", "Checklist item", "text", "per checklist"),
    ("question", "The item's question", "text", "per checklist"),
    ("scale", "Rating scale of the item", "text", "see the 'scale level' rows"),
    (
        "level_value",
        "The rating given (a code; kept as text on every scale)",
        "text",
        "see the 'scale level' rows",
    ),
    ("level_label", "The rating's label", "text", "see the 'scale level' rows"),
    (
        "level_order",
        "Position of the rating on its scale (1 = first listed, the best)",
        "whole number",
        "1 and up",
    ),
    (
        "meets",
        "Whether the rating meets the standard",
        "whole number",
        "1 meets, 0 does not, blank not rated (e.g. not applicable)",
    ),
]
NOTE_COLUMN = (
    "note",
    "Evidence note as typed, every case reference replaced by "
    "'[case reference removed]'; names are NOT removed",
    "text",
    "free text",
)
AUDIT_COLUMNS = COMMON_COLUMNS + [
    ("checklist_title", "Title of the checklist", "text", "per checklist"),
    (
        "answered",
        "Items this audit has rows for in the answers table (items rated; a multiple-choice "
        "item counts once, however many options were ticked)",
        "whole number",
        "0 and up",
    ),
    (
        "created_month",
        "Month the audit was started (months, not dates), or its quarter or year where the "
        "file had to be coarsened (see the notes)",
        "text",
        f"YYYY-MM, YYYY-Qn or YYYY, or '{kanon.SUPPRESSED}'; YYYY-MM in a Restricted file",
    ),
]
CODEBOOK_HEADER = [
    "section",
    "sheet",
    "name",
    "meaning",
    "type",
    "allowed_values",
    "checklist_id",
    "checklist_version",
    "scale",
    "level_value",
    "level_label",
    "level_order",
    "meets",
    "anchor",
]


def released(columns: list[tuple], restricted: bool) -> list[tuple]:
    """The columns a file carries: area and agency only in a Restricted one."""
    return columns if restricted else [c for c in columns if c[0] not in RESTRICTED_ONLY]
