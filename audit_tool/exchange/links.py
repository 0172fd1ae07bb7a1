"""One case file, one record, across laptops (issue 17 item 4).

Two laptops may each add the same case file, typed differently ('SW/2026/0417' here,
'sw 2026 0417' there): two case rows with different ids. On import, a received case not
here by id whose reference, however typed (identifiers.reference_key), matches exactly
one case here in the same area is that case: its audits are attached to the case here and
the received case row is not written. Readings of the one file then meet for moderation
and agreement. When two or more cases here already share the key, which one is meant is
not clear: the received case is kept as received and the preview says so. A received case
already here by id, without its reference (it came in a file without references), whose
reference matches another case here cannot be joined to it (a finalised audit's case never
changes): its reference is not added, so later files still link to the one case named by
it, and the preview says the two stay apart.

The link is worked out again at every import from the references, never stored: a later
version of the same audit arrives with the sender's case id and is linked the same way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from ..identifiers import reference_key
from ..store import Database

MAX_LINES = 20  # a preview names this many cases, then says how many more


@dataclass(frozen=True)
class CaseLink:
    """A received case whose reference matches one or more cases here (same area)."""

    received_id: str
    received_reference: str
    area: str
    audits: int  # received audits of the case
    here: tuple[tuple[str, str], ...]  # (id, reference) of each matching case here
    known: bool = False  # the received case is here already (by id), without its reference

    @property
    def local_id(self) -> str | None:
        """The case here the received one is, when exactly one matches."""
        return self.here[0][0] if len(self.here) == 1 and not self.known else None

    def line(self) -> str:
        if self.known:
            return (
                f"Received case {self.received_reference!r} came earlier without its reference; "
                f"case {self.here[0][1]} here has the same reference, so it is not added and "
                "the two stay apart (their readings are not linked)."
            )
        if self.local_id is not None:
            return (
                f"Case {self.here[0][1]} here matches received {self.received_reference!r}: "
                f"readings linked ({self.audits:,} audit{'s' if self.audits != 1 else ''})."
            )
        refs = ", ".join(ref for _, ref in self.here[:3]) + (", …" if len(self.here) > 3 else "")
        return (
            f"Received case {self.received_reference!r} kept as received: {len(self.here)} "
            f"cases here in {self.area} match it ({refs}), so it is linked to neither."
        )


def find_links(db: Database, payload: dict) -> list[CaseLink]:
    """Each received case, not here by id, whose reference key matches a case here in its
    area; reads only."""
    cases = [c for c in payload["cases"] if reference_key(c.get("reference") or "")]
    if not cases:
        return []
    ids = [c["id"] for c in cases]
    here_refs = dict(
        db.conn.execute(
            "SELECT id, reference FROM cases WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        ).fetchall()
    )
    cases = [c for c in cases if here_refs.get(c["id"]) in (None, "")]
    if not cases:
        return []
    areas = sorted({c["area"] for c in cases})
    local: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for cid, ref, area in db.conn.execute(
        "SELECT id, reference, area FROM cases WHERE area IN (SELECT value FROM json_each(?))"
        " ORDER BY created_at, id",
        (json.dumps(areas),),
    ):
        if key := reference_key(ref):
            local[area, key].append((cid, ref))
    audits: dict[str, int] = defaultdict(int)
    for e in payload["audits"]:
        audits[e["audit"]["case_id"]] += 1
    out = []
    for c in cases:
        here = [
            h for h in local.get((c["area"], reference_key(c["reference"])), []) if h[0] != c["id"]
        ]
        if here:
            known = c["id"] in here_refs
            out.append(
                CaseLink(c["id"], c["reference"], c["area"], audits[c["id"]], tuple(here), known)
            )
    return out


def linked_payload(payload: dict, links: list[CaseLink]) -> dict:
    """The payload as this laptop takes it: audits of a linked case name the case here, and
    the linked case rows are left out. The received payload itself is not changed."""
    to = {x.received_id: x.local_id for x in links if x.local_id is not None}
    apart = {x.received_id for x in links if x.known}
    if not to and not apart:
        return payload
    out = dict(payload)
    out["cases"] = [
        {**c, "reference": ""} if c["id"] in apart else c
        for c in payload["cases"]
        if c["id"] not in to
    ]
    out["audits"] = [
        {**e, "audit": {**e["audit"], "case_id": to[e["audit"]["case_id"]]}}
        if e["audit"]["case_id"] in to
        else e
        for e in payload["audits"]
    ]
    return out


def lines(links: list[CaseLink]) -> list[str]:
    out = [x.line() for x in links[:MAX_LINES]]
    if len(links) > MAX_LINES:
        out.append(f"… and {len(links) - MAX_LINES:,} more case(s) matched the same way.")
    return out
