"""A bundle without case references (issue 18, item 6): what else it must not carry.

Case references are left out of the cases (bundle.collect). Here, in the collected payload
before it is sealed: every case reference found in typed text (evidence notes, summaries,
strengths, improvements, recommendations, history values) is replaced by the redaction of
reports/redact.py (identifiers.ReferenceIndex, the one set of matching rules); reviewer
names, in the reviewers and in the history, become labels ("Reviewer 1", ...) that hold
for this bundle only; and every timestamp is cut to its day ("T00:00:00Z"), so no edit can
be matched to a moment someone remembers.

What such a bundle still carries is listed in the README ("Releases and disclosure control").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ..reports.redact import Redactor

_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
# typed text per kind of row (all other text is chosen from lists or generated)
_TYPED = {
    "audit": ("summary", "strengths", "improvements", "amend_reason"),
    "answers": ("note",),
    "recommendations": ("text", "owner"),
    "history": ("old", "new"),
}


def to_day(value: object) -> object:
    """A store.now() timestamp cut to its day (still a valid timestamp); anything else as is."""
    if isinstance(value, str) and (m := _STAMP.match(value)):
        return f"{m.group(1)}T00:00:00Z"
    return value


def _days(row: dict) -> None:
    for key, value in row.items():
        row[key] = to_day(value)


def _scrub(row: dict, fields: tuple[str, ...], redact: Callable[[str], str]) -> None:
    for key in fields:
        if isinstance(row.get(key), str) and row[key]:
            row[key] = redact(row[key])


def _relabel_snapshot(text: str, label: Callable[[str], str]) -> str:
    """The reviewer recorded at finalising ({name, role, agency}) with the name relabelled;
    role and agency stay, as the reviewers' own rows keep them."""
    try:
        who = json.loads(text)
    except ValueError:
        return label(text)
    if isinstance(who, dict) and who.get("name"):
        who["name"] = label(str(who["name"]))
    return json.dumps(who, ensure_ascii=False)


def anonymise(payload: dict, references: list[str]) -> dict:
    """Redact, relabel and cut timestamps in a collected payload, in place; returns it."""
    redact = Redactor(references)
    labels: dict[str, str] = {}
    for n, r in enumerate(payload["reviewers"], 1):
        labels[r["name"]] = f"Reviewer {n}"
        r["name"] = f"Reviewer {n}"
        _days(r)

    def label(name: str) -> str:  # a name in the history that is not a reviewer here
        return labels.setdefault(name, f"Reviewer {len(labels) + 1}")

    for entry in payload["audits"]:
        _scrub(entry["audit"], _TYPED["audit"], redact)
        _days(entry["audit"])
        for kind in ("answers", "recommendations", "history", "concerns"):
            for row in entry.get(kind, []):
                _scrub(row, _TYPED.get(kind, ()), redact)
                _days(row)
        for h in entry.get("history", []):
            if h.get("who"):
                h["who"] = label(h["who"])
            if h.get("action") == "reviewer" and h.get("new"):  # who finalised it: JSON
                h["new"] = _relabel_snapshot(h["new"], label)
    for kind in ("cases", "samplings"):
        for row in payload.get(kind, []):
            _days(row)
    for s in payload.get("samplings", []):
        s["who"] = label(s["who"]) if s.get("who") else s.get("who")
    return payload
