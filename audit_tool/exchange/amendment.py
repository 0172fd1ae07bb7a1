"""Is a received change to an audit finalised here explained by the history it carries?

A finalised audit changes only through an amendment: audits.amend() logs "amended" (with
its reason), then every answer, summary and recommendation change is logged with its old
and new value. So a received version that changes a finalised audit here must carry, in
the history entries this laptop has not seen: an amendment, and for each field that
differs an entry (made after that amendment) whose first old value is what is here and
whose last new value is what was received. The audit row's amended_at/amend_reason prove
nothing by themselves: they must be those of an amendment in the carried history.

A value here and a received one that differ only as a file without identifiers cuts them
(times cut to the day, references in text removed: precision.alike) are the same value,
not a change; taking the amendment then keeps the named one of the two (apply.fast_forward).

Such a version is refused, not kept as a conflict: the tool never writes one, so it was
altered or forged, and a conflict would put it one click from replacing a finalised record.
"""

from __future__ import annotations

from ..domain import SUMMARY_FIELDS
from .crypto import refused
from .precision import alike
from .schema import show

# what never changes once an audit was finalised (the read-only triggers, audits_finalised_content)
FIXED = (
    "case_id",
    "checklist_sha",
    "checklist_id",
    "audit_type",
    "phase",
    "reviewer_id",
    "created_at",
)


def recs_text(recs: list[dict]) -> str:
    """Recommendations as the history writes them (audits.set_recommendations)."""
    return "\n".join(f"{r['text']} [owner: {r['owner'] or 'unassigned'}]" for r in recs)


def check(c, local: dict, entry: dict, local_uids: set[str], name: str) -> None:
    """Raise BundleRefused (one line) unless the received change is explained."""
    a = entry["audit"]
    new = [h for h in entry["history"] if h["uid"] not in local_uids]
    amendments = [h for h in new if h["action"] == "amended" and (h["new"] or "").strip()]
    prefix = f"{name} is finalised here, and the file changes"
    if not amendments:
        raise refused(f"{prefix} it without an amendment in its history")
    for key in FIXED:
        if not alike(local.get(key), a.get(key)):
            raise refused(f"{prefix} its {key}, which never changes once an audit is finalised")
    if (a["amended_at"], a["amend_reason"]) not in {(h["at"], h["new"]) for h in amendments}:
        raise refused(f"{prefix} it with an amendment date and reason its history does not hold")
    since = min(h["at"] for h in amendments)
    aid = local["id"]
    here = {
        r[0]: (r[1], r[2])
        for r in c.execute("SELECT item_id, rating, note FROM answers WHERE audit_id = ?", (aid,))
    }
    got = {r["item_id"]: (r["rating"], r["note"]) for r in entry["answers"]}
    for item in sorted(here.keys() | got.keys()):
        mine, theirs = here.get(item, (None, "")), got.get(item, (None, ""))
        for pos, action in ((0, "rating"), (1, "note")):
            if not alike(mine[pos], theirs[pos]):
                _explained(
                    new,
                    action,
                    item,
                    mine[pos],
                    theirs[pos],
                    since,
                    prefix,
                    f"the {action} of item {show(item)}",
                )
    for key in SUMMARY_FIELDS:
        if not alike(local.get(key), a.get(key)):
            _explained(new, "summary", key, local.get(key), a.get(key), since, prefix, f"its {key}")
    mine_recs = [
        dict(zip(("text", "owner", "due"), r, strict=True))
        for r in c.execute(
            "SELECT text, owner, due FROM recommendations WHERE audit_id = ? ORDER BY pos", (aid,)
        )
    ]
    theirs_recs = [
        {k: r[k] for k in ("text", "owner", "due")}
        for r in sorted(entry["recommendations"], key=lambda r: r["pos"])
    ]
    if not alike(recs_text(mine_recs), recs_text(theirs_recs)) or [r["due"] for r in mine_recs] != [
        r["due"] for r in theirs_recs
    ]:
        _explained(
            new,
            "recommendations",
            "",
            recs_text(mine_recs),
            recs_text(theirs_recs),
            since,
            prefix,
            "its recommendations",
        )
    readings = {
        r[0]
        for r in c.execute(
            "SELECT reading_id FROM moderation_sources WHERE moderation_id = ?", (aid,)
        )
    }
    if readings != {r["reading_id"] for r in entry.get("readings", [])}:
        raise refused(f"{prefix} its readings, which never change once a moderation is finalised")


def _explained(
    new: list[dict], action: str, field: str, mine, theirs, since: str, prefix: str, what: str
) -> None:
    steps = [h for h in new if h["action"] == action and h["field"] == field]
    if not steps:
        raise refused(f"{prefix} {what} with no record of the change in its history")
    if any(h["at"] < since for h in steps):
        raise refused(f"{prefix} {what} by a change made before it was reopened")
    if not alike(mine, steps[0]["old"]):
        raise refused(
            f"{prefix} {what}, but its history starts from {show(steps[0]['old'])}, "
            f"not {show(mine)} as here"
        )
    if steps[-1]["new"] != theirs:
        raise refused(f"{prefix} {what}, but its history does not end at the value it carries")
