"""One audit received both without identifiers and with them: the same audit, not a change.

A bundle without identifiers (bundle.collect, anonymise.py) leaves each case's reference
out, cuts every timestamp to its day, puts redact.REMOVED where typed text named a case and
calls reviewers "Reviewer 1", ... A finalised audit received that way and later in a file
with identifiers differs from it only there; so does the reverse. Neither is a change (no
amendment is needed, none is refused): `relation` tells which copy is the more precise.

Received with identifiers over the unnamed copy here (`refine`): the exact times and the
text left out are written into the audit, its answers and recommendations (these rows alone,
each UPDATE guarded by the value it replaces, inside the import's transaction), and the
history says so in local entries (REFINED; one also names who finalised it, which reports
read from the history). The history rows already here stay as they came (append-only).
The case reference follows the case-link rules (links.py); reviewer names and the exact
times of cases and samplings are taken in `named_rows` (recommendation tracking needs
nothing: the later time, the named one, wins already). Received without identifiers over
the named copy here: what is here is kept, also under an amendment (`keep_named`).
"""

from __future__ import annotations

import json
import re

from ..history import append
from ..identifiers import MIN_REFERENCE_CHARS
from ..reports.redact import REMOVED
from .anonymise import to_day
from .crypto import refused

# the history entry saying an audit's identifiers were added here; it is this laptop's own:
# never sent (bundle.collect) and no part of a version (plan.local_state)
REFINED = "identifiers added"
MAX_SPANS = 200  # redactions in one text matched back at most (a pattern per text)
MAX_REFERENCE = 40  # characters one removed reference may have stood for
_LABEL = re.compile(r"^Reviewer \d+$")  # a reviewer as a file without identifiers names them


def unnamed_form(here: object, received: object) -> bool:
    """Is `here` the value `received` as a bundle without identifiers carries it (or it)?"""
    if here == received:
        return True
    if not isinstance(here, str) or not isinstance(received, str):
        return False
    if to_day(received) == here:
        return True
    parts = here.split(REMOVED)
    if len(parts) < 2 or len(parts) > MAX_SPANS + 1:
        return False
    # each redaction stood for a reference: a short run of text on one line, never nothing
    pattern = "([^\n]+?)".join(re.escape(p) for p in parts)
    m = re.fullmatch(pattern, received)
    return m is not None and all(_reference_shaped(span) for span in m.groups())


def _reference_shaped(span: str) -> bool:
    """Could `span` be a case reference the redaction took out? Short, at least three digits
    and MIN_REFERENCE_CHARS letters and digits, at most one word without a digit, and that
    one under five letters ("SW 2026 0417", "NSH-2025-00417"): so a file cannot put words
    ("no concerns", "not at risk 1") where a reference was and call that the same audit. A
    reference typed otherwise is refused as a change, as before: the safe side."""
    tokens = span.split()
    wordy = [t for t in tokens if not any(ch.isdigit() for ch in t)]
    return (
        len(span) <= MAX_REFERENCE
        and sum(ch.isdigit() for ch in span) >= 3
        and sum(ch.isalnum() for ch in span) >= MIN_REFERENCE_CHARS
        and len(wordy) <= 1
        and all(len(t) < 5 for t in wordy)
    )


def alike(a: object, b: object) -> bool:
    """The same value, one of the two perhaps as a file without identifiers carries it."""
    return unnamed_form(a, b) or unnamed_form(b, a)


def keep_named(c, local: dict, entry: dict) -> dict:
    """The received version (an amendment, taken whole) with what is here kept wherever the
    received value is only its unnamed form, so a file without identifiers never takes away
    a reference or an exact time: text with references removed, the audit's creation time,
    and each answer the amendment left as it was. Times that an amendment sets (updated,
    finalised, amended) are the received ones, even cut to the day."""
    aid = local["id"]

    def pick(received: object, here: object) -> object:
        return here if received != here and unnamed_form(received, here) else received

    audit = {
        k: pick(v, local.get(k))
        if k == "created_at" or (isinstance(v, str) and REMOVED in v)
        else v
        for k, v in entry["audit"].items()
    }
    cur = c.execute("SELECT * FROM answers WHERE audit_id = ?", (aid,))
    names = [d[0] for d in cur.description]
    here = {r[names.index("item_id")]: dict(zip(names, r, strict=True)) for r in cur}
    answers = []
    for r in entry["answers"]:
        mine = here.get(r["item_id"])
        same = mine is not None and all(
            unnamed_form(v, mine.get(k)) for k, v in r.items() if k not in ("audit_id", "id")
        )
        answers.append({k: pick(v, mine.get(k)) for k, v in r.items()} if same else r)
    recs = {
        r[0]: dict(zip(("pos", "text", "owner", "due"), r, strict=True))
        for r in c.execute(
            "SELECT pos, text, owner, due FROM recommendations WHERE audit_id = ?", (aid,)
        )
    }
    return {
        **entry,
        "audit": audit,
        "answers": answers,
        "recommendations": [
            {k: pick(v, recs.get(r["pos"], {}).get(k, v)) for k, v in r.items()}
            for r in entry["recommendations"]
        ],
    }


def _pairs(c, local: dict, entry: dict) -> list[tuple[object, object]] | None:
    """(here, received) for every value the two versions hold; None when their answers or
    recommendations are not the same rows."""
    aid = local["id"]
    pairs = [(local.get(k), v) for k, v in entry["audit"].items()]
    cur = c.execute("SELECT * FROM answers WHERE audit_id = ?", (aid,))
    names = [d[0] for d in cur.description]
    here = {r[names.index("item_id")]: dict(zip(names, r, strict=True)) for r in cur}
    got = {r["item_id"]: r for r in entry["answers"]}
    if here.keys() != got.keys():
        return None
    for item, row in got.items():
        pairs += [(here[item].get(k), v) for k, v in row.items() if k not in ("audit_id", "id")]
    recs = c.execute(
        "SELECT pos, text, owner, due FROM recommendations WHERE audit_id = ? ORDER BY pos", (aid,)
    ).fetchall()
    theirs = sorted(entry["recommendations"], key=lambda r: r["pos"])
    if len(recs) != len(theirs):
        return None
    for mine, r in zip(recs, theirs, strict=True):
        pairs += list(zip(mine, (r["pos"], r["text"], r.get("owner"), r.get("due")), strict=True))
    return pairs


def relation(c, local: dict, entry: dict) -> str | None:
    """'same'; 'named' when the received version is the one here with its identifiers (the
    copy here came without them); 'unnamed' for the reverse; None when anything else
    differs (a change, which a finalised audit takes only through an amendment)."""
    pairs = _pairs(c, local, entry)
    if pairs is None:
        return None
    if all(a == b for a, b in pairs):
        return "same"
    if all(unnamed_form(a, b) for a, b in pairs):
        return "named"
    if all(unnamed_form(b, a) for a, b in pairs):
        return "unnamed"
    return None


def _set(c, sql: str, new: list, where: list, what: str) -> None:
    if c.execute(sql, (*new, *where)).rowcount != 1:
        raise refused(f"its {what} changed while it was being imported")


def refine(c, local: dict, entry: dict, who: str, at: str, bundle_id: str) -> None:
    """Write the received version's exact times and text over the unnamed copy here (the
    plan found `relation` 'named'); one history entry says what came. Inside the import's
    transaction: a finalised audit's rows are written only here, past the read-only triggers
    (the schema steps' marker, set and removed within this transaction, unseen elsewhere),
    and only where each stored value is still the one the plan compared."""
    aid = local["id"]
    c.execute("INSERT INTO meta (key, value) VALUES ('migrating', 'identifiers added')")
    taken: set[str] = set()

    def note(old: object, new: object) -> None:
        taken.add("text" if isinstance(old, str) and REMOVED in old else "times")

    for key, value in entry["audit"].items():
        if local.get(key) != value:
            note(local.get(key), value)
            _set(
                c,
                f'UPDATE audits SET "{key}" = ? WHERE id = ? AND "{key}" IS ?',  # noqa: S608
                [value],
                [aid, local.get(key)],
                "audit",
            )
    cur = c.execute("SELECT * FROM answers WHERE audit_id = ?", (aid,))
    names = [d[0] for d in cur.description]
    here = {r[names.index("item_id")]: dict(zip(names, r, strict=True)) for r in cur}
    for row in entry["answers"]:
        mine = here[row["item_id"]]
        for key, value in row.items():
            if key not in ("audit_id", "id", "item_id") and mine.get(key) != value:
                note(mine.get(key), value)
                _set(
                    c,
                    f'UPDATE answers SET "{key}" = ? WHERE audit_id = ? AND item_id = ?'  # noqa: S608
                    f' AND "{key}" IS ?',
                    [value],
                    [aid, row["item_id"], mine.get(key)],
                    "answers",
                )
    recs = c.execute(
        "SELECT pos, text, owner, due FROM recommendations WHERE audit_id = ?", (aid,)
    ).fetchall()
    mine_recs = {r[0]: r for r in recs}
    for r in entry["recommendations"]:
        old = mine_recs[r["pos"]]
        new = (r["text"], r.get("owner"), r.get("due"))
        if tuple(old[1:]) != new:
            for a, b in zip(old[1:], new, strict=True):
                if a != b:
                    note(a, b)
            _set(
                c,
                "UPDATE recommendations SET text = ?, owner = ?, due = ?"
                " WHERE audit_id = ? AND pos = ? AND text IS ? AND owner IS ? AND due IS ?",
                list(new),
                [aid, r["pos"], *old[1:]],
                "recommendations",
            )
    c.execute("DELETE FROM meta WHERE key = 'migrating' AND value = 'identifiers added'")
    what = " and ".join(
        w
        for k, w in (("times", "exact times"), ("text", "case references in its text"))
        if k in taken
    )
    append(
        c,
        aid,
        at,
        who,
        REFINED,
        "",
        None,
        f"Received earlier without identifiers; {what or 'nothing'} taken from a file with them"
        f" (bundle {bundle_id[:8]}): the same audit, not a change.",
    )
    _who_finalised(c, aid, entry, who, at)


def _who_finalised(c, aid: str, entry: dict, who: str, at: str) -> None:
    """Who finalised it, as named then (reviewers.NAME_SQL reads the last 'reviewer' entry):
    the snapshot here says "Reviewer 1"; the received one, of the same entry, the name."""
    snaps = {h["uid"]: h["new"] for h in entry["history"] if h["field"] == "reviewer"}
    last = c.execute(
        "SELECT uid, new FROM history WHERE audit_id = ? AND field = 'reviewer'"
        " ORDER BY id DESC LIMIT 1",
        (aid,),
    ).fetchone()
    if last and snaps.get(last[0]) not in (None, last[1]) and _relabelled(last[1], snaps[last[0]]):
        append(c, aid, at, who, REFINED, "reviewer", last[1], snaps[last[0]])


def _relabelled(here: str | None, received: str | None) -> bool:
    """Is the snapshot here the received one with its name as a label (anonymise.py)?"""
    try:
        a, b = json.loads(here or ""), json.loads(received or "")
    except ValueError:
        return False
    return (
        isinstance(a, dict)
        and isinstance(b, dict)
        and bool(_LABEL.match(str(a.get("name") or "")))
        and {**a, "name": ""} == {**b, "name": ""}
    )


def _take_names(c, table: str, who: str, rows: list[dict], only: str = "") -> None:
    """Each received row's name (`who`) and created_at over the unnamed form here."""
    for r in rows:
        here = c.execute(
            f"SELECT {who}, created_at FROM {table} WHERE id = ?{only}",  # noqa: S608
            (r["id"],),
        ).fetchone()
        if not here or (here[0], here[1]) == (r.get(who), r.get("created_at")):
            continue
        if (here[0] == r.get(who) or _LABEL.match(here[0] or "")) and unnamed_form(
            here[1], r.get("created_at")
        ):
            c.execute(
                f"UPDATE {table} SET {who} = ?, created_at = ? WHERE id = ?{only}",  # noqa: S608
                (r.get(who), r.get("created_at") or here[1], r["id"]),
            )


def named_rows(c, payload: dict) -> None:
    """From a file with identifiers: the names and exact times of reviewers, samplings and
    cases that came here earlier in files without them (only where what is here is the
    unnamed form of what is received)."""
    _take_names(c, "reviewers", "name", payload["reviewers"], " AND is_local = 0")
    _take_names(c, "samplings", "who", payload.get("samplings", []))
    c.executemany(
        "UPDATE cases SET created_at = ? WHERE id = ? AND created_at = ? AND created_at <> ?",
        [
            (k["created_at"], k["id"], to_day(k["created_at"]), k["created_at"])
            for k in payload["cases"]
            if isinstance(k.get("created_at"), str)
        ],
    )
