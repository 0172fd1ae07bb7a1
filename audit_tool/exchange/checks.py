"""What a received file's records must agree with beyond their shape (schema.py): each other,
the clock, and the checklist copies the file carries. Touches no database; what only the
receiving database can tell is checked in plan.check_against, also before any write.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from ..domain import SUMMARY_FIELDS, AuditType
from .crypto import refused
from .schema import audit_name, show

CLOCK_SKEW = timedelta(days=1)  # laptops' clocks differ; a day later than here is not a clock

# (section, field) of every timestamp a file carries; "audit" fields are on each audit row
_ENTRY_STAMPS = (
    ("audit", "created_at"),
    ("audit", "updated_at"),
    ("audit", "finalised_at"),
    ("audit", "first_finalised_at"),
    ("audit", "amended_at"),
    ("answers", "updated_at"),
    ("history", "at"),
    ("concerns", "recorded_at"),
    ("concerns", "raised_on"),
)
_TOP_STAMPS = (("cases", "created_at"), ("reviewers", "created_at"), ("samplings", "created_at"))


def carried_checklists(payload: dict) -> dict:
    """Each carried checklist copy, checked against its checksum and parsed: sha -> loaded."""
    from ..checklists.loader import parse as parse_checklist
    from ..checklists.loader import sha256_text
    from ..errors import ChecklistError

    out = {}
    for c in payload["checklists"]:
        name = show(c["checklist_id"])
        if c["sha256"] in out:
            raise refused(f"it carries checklist {name} twice")
        if sha256_text(c["source"]) != c["sha256"]:
            raise refused(f"the copy of checklist {name} does not match its checksum")
        try:
            loaded = parse_checklist(
                c["source"], f"received copy of {c['checklist_id']}", "database"
            )
        except ChecklistError as exc:
            raise refused(f"its copy of checklist {name} is not valid ({exc})") from None
        if loaded.id != c["checklist_id"]:
            raise refused(f"its copy of checklist {name} holds checklist {show(loaded.id)}")
        out[c["sha256"]] = loaded
    return out


def check_contents(payload: dict, checklists: dict) -> None:
    entries = payload["audits"]
    _unique(payload)
    _clock(payload)
    ids = {e["audit"]["id"]: e for e in entries}
    for n, entry in enumerate(entries):
        _audit(entry, n, ids)
    check_answers(payload, checklists)
    for n, s in enumerate(payload["samplings"]):
        for key in ("columns", "exclusions", "strata_sizes"):
            try:
                ok = isinstance(json.loads(s[key]), dict)
            except (ValueError, RecursionError):
                ok = False
            if not ok:
                raise refused(f"sampling {n + 1} has {key} that are not a list of names and values")


def _unique(payload: dict) -> None:
    for section, key, what in (
        ("cases", "id", "case"),
        ("reviewers", "id", "reviewer"),
        ("samplings", "id", "sampling"),
    ):
        twice = _twice(r[key] for r in payload[section])
        if twice:
            raise refused(f"{what} {show(twice)} appears twice")
    entries = payload["audits"]
    twice = _twice(e["audit"]["id"] for e in entries)
    if twice:
        raise refused(f"audit {show(twice)} appears twice")
    if _twice(h["uid"] for e in entries for h in e["history"]):
        raise refused("two of its history entries share an id")
    for n, e in enumerate(entries):
        twice = _twice(a["item_id"] for a in e["answers"])
        if twice:
            raise refused(f"{audit_name(e, n)} answers item {show(twice)} twice")
        if _twice(r["reading_id"] for r in e.get("readings", [])):
            raise refused(f"{audit_name(e, n)} names one reading twice")


def _twice(values) -> object:
    counts = Counter(values)
    return next((v for v, k in counts.items() if k > 1), None)


def _horizon() -> str:
    return (datetime.now(UTC) + CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%S")


def not_future(stamp: str, what: str) -> None:
    if stamp[:19] > _horizon()[: len(stamp[:19])]:
        raise refused(f"{what} {show(stamp)}, which is in the future")


def _clock(payload: dict) -> None:
    """No timestamp later than a day from now, and no day that is not in the calendar."""
    horizon = _horizon()
    entries = payload["audits"]
    checks = [
        (
            [r[field] for e in entries for r in ([e["audit"]] if kind == "audit" else e[kind])],
            kind,
            field,
        )
        for kind, field in _ENTRY_STAMPS
    ] + [([r[field] for r in payload[kind]], kind, field) for kind, field in _TOP_STAMPS]
    for values, kind, field in checks:
        values = [v for v in values if v]
        if not values:
            continue
        latest = max(values)
        if latest[:19] > horizon[: len(latest[:19])]:
            raise refused(
                f"{_holder(payload, kind, field, latest)} has {field} {show(latest)}, "
                "which is in the future"
            )
        for day in {v[:10] for v in values}:
            try:
                date.fromisoformat(day)
            except ValueError:
                bad = next(v for v in values if v.startswith(day))
                raise refused(
                    f"{_holder(payload, kind, field, bad)} has {field} {show(bad)}, "
                    "which is not a day of the calendar"
                ) from None


def _holder(payload: dict, kind: str, field: str, value: str) -> str:
    if kind in ("cases", "reviewers", "samplings"):
        n = next(i for i, r in enumerate(payload[kind]) if r[field] == value)
        return f"{kind[:-1]} {n + 1}"
    for n, e in enumerate(payload["audits"]):
        if kind == "audit":
            if e["audit"][field] == value:
                return audit_name(e, n)
            continue
        i = next((i for i, r in enumerate(e[kind]) if r[field] == value), None)
        if i is not None:
            return f"{audit_name(e, n)}, {_ROW[kind]} {i + 1}"
    return "a record"


_ROW = {"answers": "answer", "history": "history entry", "concerns": "concern"}


def _audit(entry: dict, n: int, ids: dict) -> None:
    a, name = entry["audit"], audit_name(entry, n)
    if (a["status"] == "finalised") != (a["finalised_at"] is not None):
        raise refused(f"{name} is {a['status']} but its finalised_at says otherwise")
    if (a["amended_at"] is None) != (a["amend_reason"] is None) or (
        a["amend_reason"] is not None and not a["amend_reason"].strip()
    ):
        raise refused(f"{name} has an amendment date without a reason, or a reason without a date")
    readings = [r["reading_id"] for r in entry.get("readings", [])]
    moderation = a["audit_type"] == AuditType.MODERATION
    if readings and not moderation:
        raise refused(f"{name} names readings but is not a moderation")
    for rid in readings:
        if rid == a["id"]:
            raise refused(f"{name} names itself as one of its readings")
        other = ids.get(rid)
        if other is not None and other["audit"]["case_id"] != a["case_id"]:
            raise refused(f"{name} names a reading of another case file ({rid[:8]})")
        if other is not None and other["audit"]["audit_type"] == AuditType.MODERATION:
            raise refused(f"{name} names another moderation as a reading ({rid[:8]})")
    for i, h in enumerate(entry["history"]):
        if h["action"] == "summary" and h["field"] not in SUMMARY_FIELDS:
            raise refused(
                f"{name}, history entry {i + 1} changes {show(h['field'])}, which is not a summary field"
            )


def check_answers(payload: dict, checklists: dict) -> None:
    """Each answer against the checklist copy its audit uses: the item is in it, the rating
    is a level of that item's scale (for multiple choice: a set of its options, in the store
    form the tool writes); each history entry of an item names an item in it."""
    scales: dict[str, dict] = {}
    for sha, loaded in checklists.items():
        d = loaded.definition
        scales[sha] = {item.id: d.scale_of(item) for _, item in d.items()}
    for n, entry in enumerate(payload["audits"]):
        a = entry["audit"]
        levels = scales.get(a["checklist_sha"])
        if levels is None:
            continue  # not carried: checked against this laptop's copy (plan.check_against)
        name = audit_name(entry, n)
        if a["checklist_id"] != checklists[a["checklist_sha"]].id:
            raise refused(
                f"{name} says it uses checklist {show(a['checklist_id'])}, not the copy it names"
            )
        if a["answered"] > len(levels):
            raise refused(f"{name} says {a['answered']:,} items were answered of {len(levels):,}")
        for i, ans in enumerate(entry["answers"]):
            scale = levels.get(ans["item_id"])
            if scale is None:
                raise refused(
                    f"{name}, answer {i + 1} is for item {show(ans['item_id'])}, "
                    f"which is not in checklist {show(a['checklist_id'])}"
                )
            if ans["rating"] is not None and not _valid_rating(scale, ans["rating"]):
                what = "a set of its options" if scale.is_multiple else "a level of its scale"
                raise refused(
                    f"{name} rates item {show(ans['item_id'])} {show(ans['rating'])}, "
                    f"which is not {what}"
                )
        for i, h in enumerate(entry["history"]):
            if h["action"] in ("rating", "note") and h["field"] not in levels:
                raise refused(
                    f"{name}, history entry {i + 1} changes item {show(h['field'])}, "
                    f"which is not in checklist {show(a['checklist_id'])}"
                )


def _valid_rating(scale, rating: str) -> bool:
    if not scale.is_multiple:
        return scale.level(rating) is not None
    try:  # known options, none twice, in the scale's order, no clash with "none of these"
        return scale.canonical(rating.split(",")) == rating
    except ValueError:
        return False
