"""The declared shape of every record a bundle carries, checked before anything is written.

One pydantic TypedDict per kind of record (strict: no text taken for a number, nor a number
for text), with the enumerations the tool writes, the ids and timestamps in the form it
writes them, and the length limits of the core. A record that does not fit is refused in
one line that names the record and the field. Rows of tables that may gain columns in a
later schema step (audits, cases, samplings, answers, recommendations, history) may carry
further fields: each must be a plain value, and the receiving database must have the
column (plan.check_against).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from ..actions import check_actions
from ..disclosure.cellkey import default_table
from ..disclosure.register import check_register
from ..domain import AuditType, Phase, Status
from ..errors import InvalidInput
from ..history import ACTIONS
from ..validation import MAX_SHORT, MAX_TEXT
from .bundle import FORMAT
from .crypto import refused

MAX_LONG = 200_000  # a history entry may hold a list of recommendations; a checklist copy
MAX_REASON = 2000  # audits.amend
KEY_RANGE = default_table().parameters.key_range  # record keys 0..KEY_RANGE-1
MAX_COUNT = 10**9  # counts and positions: far beyond any real file, far below 2^63

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SHA_RE = r"^[0-9a-f]{64}$"
UID_RE = r"^[0-9a-f]{32}$"  # history.uid: lower(hex(randomblob(16)))
IDENT_RE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"  # checklist and item ids (checklists.model.Ident)
LEVEL_RE = r"^[a-z0-9_]{1,32}$"  # a level's value (checklists.model)
# a stored rating: one level, or a multiple-choice answer's options joined by ","
RATING_RE = r"^[a-z0-9_]{1,32}(,[a-z0-9_]{1,32}){0,29}$"
_DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
STAMP_RE = (
    rf"^{_DAY}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{{1,6}})?Z$"  # store.now(): UTC, sorts as text
)
DATE_RE = rf"^{_DAY}$"



def _text(limit: int, pattern: str | None = None):
    return Annotated[str, StringConstraints(max_length=limit, pattern=pattern)]


def _count(limit: int = MAX_COUNT):
    return Annotated[int, Field(ge=0, le=limit)]


Uuid = _text(36, UUID_RE)
Sha = _text(64, SHA_RE)
Ident = _text(64, IDENT_RE)
Stamp = _text(40, STAMP_RE)
Day = _text(10, DATE_RE)
Short = _text(MAX_SHORT)
Note = _text(MAX_TEXT)
Long = _text(MAX_LONG)
Flag = _count(1)
Count = _count()
PhaseValue = Literal[tuple(p.value for p in Phase)]  # type: ignore[valid-type]

_STRICT = ConfigDict(strict=True, extra="forbid")
_OPEN = ConfigDict(strict=True, extra="allow")  # columns a later schema step adds travel


@with_config(_STRICT)
class Manifest(TypedDict):
    format: Literal[FORMAT]  # type: ignore[valid-type]
    version: Count
    bundle_id: Uuid
    created_at: Stamp
    tool_version: _text(40)
    payload_sha256: Sha
    schema: NotRequired[Count]
    identifiers: NotRequired[bool]
    counts: NotRequired[dict[Short, Count]]


@with_config(_OPEN)
class AuditRow(TypedDict):
    id: Uuid
    case_id: Uuid
    checklist_sha: Sha
    checklist_id: Ident
    audit_type: Literal[tuple(t.value for t in AuditType)]  # type: ignore[valid-type]
    phase: PhaseValue
    reviewer_id: Uuid
    status: Literal[tuple(s.value for s in Status)]  # type: ignore[valid-type]
    created_at: Stamp
    updated_at: Stamp
    finalised_at: Stamp | None
    summary: Note
    strengths: Note
    improvements: Note
    answered: Count
    first_finalised_at: Stamp | None
    amended_at: Stamp | None
    amend_reason: _text(MAX_REASON) | None


@with_config(_OPEN)
class AnswerRow(TypedDict):
    item_id: Ident
    rating: _text(30 * 33, RATING_RE) | None
    note: Note
    applies: Flag
    hidden_fails: NotRequired[Flag]
    updated_at: Stamp


@with_config(_STRICT)
class RecommendationRow(TypedDict):
    pos: Count
    text: Note
    owner: Short
    due: Short


@with_config(_STRICT)
class ConcernRow(TypedDict):
    raised_on: Day
    raised_to: Short
    recorded_at: Stamp


@with_config(_OPEN)
class HistoryRow(TypedDict):
    at: Stamp
    who: Short
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    field: Short
    old: Long | None
    new: Long | None
    uid: _text(32, UID_RE)


@with_config(_STRICT)
class ReadingRow(TypedDict):
    reading_id: Uuid


@with_config(_STRICT)
class Entry(TypedDict):
    audit: AuditRow
    answers: list[AnswerRow]
    recommendations: list[RecommendationRow]
    concerns: list[ConcernRow]
    history: Annotated[list[HistoryRow], Field(min_length=1)]
    readings: NotRequired[list[ReadingRow]]


@with_config(_OPEN)
class CaseRow(TypedDict):
    id: Uuid
    reference: NotRequired[Short]
    pseudonym: Short
    area: Short
    agency: Short
    team: Short
    created_at: Stamp
    sampling_id: NotRequired[Uuid | None]


@with_config(_OPEN)
class SamplingRow(TypedDict):
    id: Uuid
    created_at: Stamp
    who: Short
    source_name: _text(1000)  # a file's name
    source_sha256: Sha
    source_encoding: Short
    sheet: Short | None
    columns: Long
    eligible: Count
    excluded: Count
    exclusions: Long
    method: Literal["simple", "stratified"]
    strata_column: Note | None  # a column heading, as the council's list has it
    strata_sizes: Long
    seed: Short
    sample_size: Count
    checklist_id: Ident
    phase: PhaseValue


@with_config(_STRICT)
class ReviewerRow(TypedDict):
    id: Uuid
    name: Short
    role: Short
    agency: Short
    created_at: Stamp


@with_config(_STRICT)
class ChecklistRow(TypedDict):
    sha256: Sha
    checklist_id: Ident
    version: Short
    title: _text(4000)
    source: Long


@with_config(_STRICT)
class Payload(TypedDict):
    audits: list[Entry]
    cases: list[CaseRow]
    samplings: list[SamplingRow]
    reviewers: list[ReviewerRow]
    checklists: list[ChecklistRow]
    # issue 18: record keys by audit id, and the release register (register.ReceivedRelease
    # checks each row); absent in bundles from earlier versions
    keys: NotRequired[dict[Uuid, _count(KEY_RANGE - 1)]]
    releases: NotRequired[list[dict]]
    # issue 20: recommendations tracked as actions (actions.ReceivedAction checks each row)
    actions: NotRequired[list[dict]]


_MANIFEST = TypeAdapter(Manifest)
_PAYLOAD = TypeAdapter(Payload)
# the declared fields of the open rows: anything else is a column from a later schema step
DECLARED = {
    name: set(kind.__annotations__)
    for name, kind in (
        ("audit", AuditRow),
        ("answers", AnswerRow),
        ("history", HistoryRow),
        ("cases", CaseRow),
        ("samplings", SamplingRow),
    )
}


def check_manifest(manifest: dict) -> None:
    try:
        _MANIFEST.validate_python(manifest)
    except ValidationError as exc:
        raise refused(describe(exc.errors()[0], {}, manifest=True)) from None


def check_payload(payload: dict) -> None:
    """Every record against its declared shape; then the further columns' values."""
    try:
        _PAYLOAD.validate_python(payload)
    except ValidationError as exc:
        raise refused(describe(exc.errors()[0], payload)) from None
    try:
        check_register(payload.get("releases", []))
        check_actions(payload.get("actions", []))
    except InvalidInput as exc:
        raise refused("its " + str(exc).removeprefix("The file's ").rstrip(".")) from None
    entries = payload["audits"]
    for name, rows, where in (
        ("audit", [e["audit"] for e in entries], "audits"),
        ("answers", [r for e in entries for r in e["answers"]], "answers"),
        ("history", [r for e in entries for r in e["history"]], "history entries"),
        ("cases", payload["cases"], "cases"),
        ("samplings", payload["samplings"], "samplings"),
    ):
        extra = set().union(*rows) - DECLARED[name] if rows else set()
        if extra:
            _check_extra(rows, extra, where)


def _check_extra(rows: list[dict], names: set[str], where: str) -> None:
    for key in names:
        if len(key) > 64 or not key.replace("_", "").isalnum() or not key.isascii():
            raise refused(f"its {where} have a field with an impossible name ({show(key)})")
    for row in rows:
        for key in names & row.keys():
            value = row[key]
            kind = type(value)
            if value is None or kind is bool:
                continue
            if kind is int and abs(value) < 2**63:
                continue
            if kind is float and math.isfinite(value):
                continue
            if kind is str and len(value) <= MAX_LONG and _encodable(value):
                continue
            raise refused(
                f"its {where} have a field {show(key)} with a value this tool cannot keep"
            )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no database or file can hold it
        return False
    return True


# -- one line for what is wrong ---------------------------------------------------------------

_KINDS = {
    "answers": "answer",
    "recommendations": "recommendation",
    "concerns": "concern",
    "history": "history entry",
    "readings": "reading",
    "cases": "case",
    "samplings": "sampling",
    "reviewers": "reviewer",
    "checklists": "checklist copy",
}
_PATTERNS = {
    UUID_RE: "an id this tool makes",
    SHA_RE: "a checksum",
    UID_RE: "a history entry id",
    IDENT_RE: "an id a checklist can have",
    LEVEL_RE: "a level of any scale",
    STAMP_RE: "a date and time as this tool writes them (like 2026-03-31T09:30:00.000Z)",
    DATE_RE: "a date (like 2026-03-31)",
}
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "none_required": "empty",
}


def show(value: object, limit: int = 40) -> str:
    """A received value, safe to print on one line (quoted, escaped, cut short)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        digits = len(str(abs(value)))
        return str(value) if digits <= 20 else f"a number of {digits:,} digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        cut = value[:limit]
        return repr(cut) + ("…" if len(value) > limit else "")
    return "a " + type(value).__name__


def audit_name(entry: object, n: int) -> str:
    """How a refusal names an audit of the file: its place, and its id when it has one."""
    audit = entry.get("audit") if isinstance(entry, dict) else None
    aid = audit.get("id") if isinstance(audit, dict) else None
    if isinstance(aid, str) and len(aid) == 36 and aid.isascii():
        return f"audit {n + 1} ({aid[:8]})"
    return f"audit {n + 1}"


def _locate(payload: dict, loc: tuple) -> tuple[str, str]:
    """(the record, the field) a pydantic error location points at, in words."""
    if not loc:
        return "its contents", ""
    section, rest = loc[0], list(loc[1:])
    if section == "audits" and rest and isinstance(rest[0], int):
        n = rest.pop(0)
        who = audit_name(payload["audits"][n], n)
        if rest and rest[0] == "audit":
            rest.pop(0)
        elif rest and rest[0] in _KINDS and len(rest) > 1 and isinstance(rest[1], int):
            kind, i = rest.pop(0), rest.pop(0)
            who += f", {_KINDS[kind]} {i + 1}"
            row = payload["audits"][n].get(kind, [])[i]
            if kind == "answers" and isinstance(row, dict) and "item_id" in row:
                who += f" (item {show(row['item_id'])})"
        return who, _path(rest)
    if section in _KINDS and rest and isinstance(rest[0], int):
        return f"{_KINDS[section]} {rest[0] + 1}", _path(rest[1:])
    return "its " + _path([section]), _path(rest)


def _path(parts: list) -> str:
    """Field names as they were received: a name this tool could not have written is quoted."""
    return " ".join(
        p if isinstance(p, str) and p.isascii() and p.isidentifier() else show(p) for p in parts
    )


def describe(err: dict, payload: dict, manifest: bool = False) -> str:
    """A pydantic error as the one line a person reads."""
    who, field = (
        ("its manifest", " ".join(map(str, err["loc"])))
        if manifest
        else _locate(payload, tuple(err["loc"]))
    )
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return f"{who} has no {field or 'contents'}"
    if kind == "extra_forbidden":  # the location ends at the unknown field's own name
        loc = tuple(err["loc"])
        owner = "its manifest" if manifest else _locate(payload, loc[:-1])[0]
        return f"{owner} has a field {show(loc[-1])} this tool does not know"
    if kind == "literal_error":
        return f"{who} has {field} {show(value)}, which this tool does not know"
    if kind == "string_too_long":
        return (
            f"{who}: its {field} is too long ({len(value):,} characters; "
            f"at most {ctx.get('max_length', 0):,})"
        )
    if kind == "string_unicode":
        return f"{who}: {'its ' + field if field else 'a field name'} is not valid text (it holds a lone surrogate)"
    if kind == "string_pattern_mismatch":
        what = _PATTERNS.get(ctx.get("pattern", ""), "in the form this tool writes")
        return f"{who} has {field} {show(value)}, which is not {what}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        if isinstance(value, int) and abs(value) >= 2**63:
            return f"{who}: its {field} is far too large a number ({show(value)})"
        return f"{who} has {field} {show(value)}, which is out of range"
    if kind == "too_short":
        return f"{who} has no {field or 'contents'}"
    if kind == "list_type":
        return f"{who}: its {field or 'contents'} is not a list"
    if kind in ("dict_type", "typed_dict_type", "model_type"):
        return f"{who}{' ' + field if field else ''} is not a record"
    if kind in _EXPECTED:
        if isinstance(value, dict | list):
            return f"{who}: its {field} is not text or a number"
        return f"{who} has {field} {show(value)}, which is not {_EXPECTED[kind]}"
    return f"{who}: its {field} is something this tool cannot use"
