"""The layout of a checklist workbook, shared by reading and writing it: the sheets, their
columns (which are required) and the note on each column's heading."""

from __future__ import annotations

from .model import TAG_KINDS

# Column names per sheet; the ones in REQUIRED must be present, the rest may be left out.
COLUMNS: dict[str, tuple[str, ...]] = {
    "checklist": ("field", "value"),
    "scales": (
        "scale",
        "scale_title",
        "value",
        "label",
        "key",
        "meets",
        "description",
        "kind",
        "group_label",
        "anchor",
        "exclusive",
    ),
    "tags": ("id", "kind", "label", "number"),
    "items": (
        "theme_id",
        "theme_title",
        "theme_description",
        "id",
        "question",
        "guidance",
        "scale",
        "required",
        "evidence_prompt",
        "tags",
        "show_when",
        "breakdown",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "checklist": ("field", "value"),
    "scales": ("scale", "value", "label"),
    "tags": ("id", "kind", "label"),
    "items": ("theme_id", "id", "question", "guidance", "scale"),
}
CHECKLIST_FIELDS = ("id", "version", "title", "purpose", "audit_types")
# Optional rows of the 'checklist' sheet: what the phases mean (the file's [phases] table)
PHASE_FIELDS = {
    "phase_baseline": "baseline",
    "phase_post_training": "post_training",
    "phase_follow_up": "follow_up",
    "phase_change": "change",
    "training_evaluation": "training_evaluation",
}
IGNORED_SHEETS = ("read me", "readme", "read_me", "notes", "instructions", "help")

NOTES: dict[str, dict[str, str]] = {
    "checklist": {
        "field": "One row per detail: id, version, title, purpose, audit_types; optionally "
        "what the phases mean: phase_baseline, phase_post_training, phase_follow_up, "
        "phase_change, training_evaluation (yes or no).",
        "value": "id: lower case letters, digits, - _ . (unique: not a bundled checklist's id). "
        "version: like 1.0; raise it when questions change. audit_types: comma separated.",
    },
    "scales": {
        "scale": "The scale's name (lower case, no spaces), used in the items sheet's scale "
        "column. One row per level, best first; leave blank to continue the scale above.",
        "scale_title": "The scale's title, on its first row (later rows blank or the same).",
        "value": "What is stored for this level: lower case letters, digits, _ (e.g. yes, 4).",
        "label": "What the reader sees, e.g. Yes, Good.",
        "key": "Ignored, kept for older workbooks: the shortcut follows the level's place, "
        "best first (1 is always the best answer, 0 'not applicable').",
        "meets": "yes: meets the standard; no: rated, does not meet it; blank or 'not rated': "
        "left out of the share (e.g. not applicable). Blank on a fact scale.",
        "description": "Optional longer description of the level.",
        "kind": "On the scale's first row: blank or 'rating' for a scale that judges practice; "
        "'fact' for one that records what happened (sex, services involved): counted in "
        "reports, never scored; 'multiple' for a multiple-choice question (tick all that "
        "apply): one row per option, counted per option, never scored.",
        "group_label": "Optional, on a fact's level: what a report calls the group with this "
        "answer, e.g. women's deaths.",
        "anchor": "Optional: what a file at this level looks like (shown under the choice "
        "in the editor and printed on the blank checklist).",
        "exclusive": "Multiple choice only: yes on an option that cannot be ticked with "
        "others, e.g. None of these.",
    },
    "tags": {
        "id": "The tag's id, used in the items sheet's tags column.",
        "kind": "One of: " + ", ".join(TAG_KINDS) + ".",
        "label": "What the reports show for this tag.",
        "number": "Optional: the framework's number for it (e.g. 2.1), once confirmed.",
    },
    "items": {
        "theme_id": "The theme's id (lower case). Keep a theme's rows together; a blank "
        "cell continues the theme above.",
        "theme_title": "The theme's title, on its first row (later rows blank or the same).",
        "theme_description": "Optional, on the theme's first row.",
        "id": "The question's id, unique in the checklist (e.g. ch-01).",
        "question": "The question the reader answers.",
        "guidance": "What good practice looks like. Line breaks are kept.",
        "scale": "A scale name from the scales sheet.",
        "required": "yes (default when blank) or no.",
        "evidence_prompt": "Optional prompt for the reader's note.",
        "tags": "Optional tag ids from the tags sheet, comma separated.",
        "show_when": "Optional: only ask this when an earlier answer is one of some values, "
        "written ITEM = value, value (e.g. ch-01 = yes, partly).",
        "breakdown": "yes on a fact question to split reports by its answers (e.g. sex); "
        "blank or no otherwise.",
    },
}
