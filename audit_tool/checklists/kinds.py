"""The checklist model's plain constants, kept free of pydantic so that modules needing
only these (findings, the window at start) do not load the validating model."""

TAG_KINDS = (
    "principle",
    "component",
    "practice_area",
    "quality_indicator",
    "fact_group",
    "baseline",
    "theme",
    "other",
)
# What a hidden item counts as (Checklist.hidden_effect): a failing practice rating
# must never raise a score by hiding items, so an item it hides counts as not meeting the
# standard; an item hidden by a fact, "not applicable" or a good answer is left out.
SHOWN, PENDING, FAILS, NOT_APPLICABLE = "shown", "pending", "fails", "not_applicable"
# A multiple-choice answer is stored in the one rating column as the ticked option values
# joined by this separator, in the scale's own order (canonical, so equal sets compare
# equal). Level values never contain it (see Level.value).
OPTION_SEP = ","
MAX_LEVELS, MAX_OPTIONS = 12, 30
