"""A person reads the free text before it is released (issue 18 item 5).

Redaction takes case references out of free text, but names and other details people type
cannot all be caught by a pattern. So when a release prints free text (an anonymised
report's recommendation texts, a dataset's evidence notes), the texts it will print are
listed for the lead to read, each one confirmed, and the confirmation is recorded with the
release in the register (table release_reviews): who, when, how many texts and a digest
of them. The texts are taken from what was built, so the list is what will be printed.

The command line binds the confirmation to the texts: it prints them with a code (the
start of their digest), and --free-text-reviewed CODE releases exactly those texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import InvalidInput

# Table columns of a report that hold typed text (every other cell is a count, a share, a
# label chosen from a list or fixed wording); a section printing other typed text names
# its column here, so it is listed for review
FREE_TEXT_COLUMNS = ("Recommendation", "Owner")
FIXED_WORDING = frozenset({"", "Not assigned", "Various", "Not set", "Various dates"})
CODE_CHARS = 10


@dataclass(frozen=True)
class FreeTextReview:
    """That a person read the listed texts and confirmed them for release."""

    texts: int
    texts_sha256: str
    who: str
    how: str
    reviewed_at: str = ""

    @property
    def code(self) -> str:
        return self.texts_sha256[:CODE_CHARS]


def distinct(texts: Iterable[str | None]) -> list[str]:
    """Each text once, in the order first met; blank ones left out."""
    return list(dict.fromkeys(t for t in texts if t and t.strip()))


def report_texts(report: Any) -> list[str]:
    """The typed texts a built report prints (cells of its free-text columns)."""
    from ..reports.model import Table

    found: list[str] = []
    for block in getattr(report, "blocks", []):
        if not isinstance(block, Table):
            continue
        cols = [i for i, c in enumerate(block.columns) if c in FREE_TEXT_COLUMNS]
        found += [row[i] for row in block.rows for i in cols if row[i] not in FIXED_WORDING]
    return distinct(found)


def dataset_texts(dataset: Any) -> list[str]:
    """The evidence notes a built dataset holds (references already removed)."""
    return distinct(row[3] for row in dataset.answers)


def texts_digest(texts: Iterable[str]) -> str:
    """sha256 over the distinct texts, sorted: the same texts, the same digest."""
    h = hashlib.sha256()
    for t in sorted(set(texts)):
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def code_of(texts: Iterable[str]) -> str:
    """What a person types to confirm these texts on the command line."""
    return texts_digest(texts)[:CODE_CHARS]


def confirmed(texts: list[str], who: str, how: str) -> FreeTextReview:
    return FreeTextReview(len(set(texts)), texts_digest(texts), who, how, _now())


def confirmed_by_code(texts: list[str], code: str, who: str) -> FreeTextReview:
    """The review when `code` is the one printed with these texts; else InvalidInput."""
    wanted = code_of(texts)
    if code.strip().lower() != wanted:
        raise InvalidInput(
            f"--free-text-reviewed {code.strip()} is not the code of the {len(texts):,} texts "
            "this release would print (they changed, or another selection was listed): list "
            "them again without --free-text-reviewed, read them, then use the code printed; "
            "nothing was written."
        )
    return confirmed(texts, who, f"listed and confirmed with code {wanted} on the command line")


def listing(texts: list[str], kind: str) -> list[str]:
    """The texts as printed for review: numbered, one a line (line breaks shown as ' / ')."""
    return [f"{n:>4}. " + " / ".join(t.splitlines()) for n, t in enumerate(texts, 1)] + [
        f"{len(texts):,} {kind} would be released. Read each one for names and other "
        f"details; to release them, run again with --free-text-reviewed {code_of(texts)}."
    ]


def write_review(conn: Any, release_id: str, review: FreeTextReview) -> None:
    """Record the review with its release (inside the register's transaction)."""
    conn.execute(
        "INSERT INTO release_reviews (release_id, reviewed_at, who, texts, texts_sha256, how)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (release_id, review.reviewed_at or _now(), review.who, review.texts,
         review.texts_sha256, review.how),
    )


def reviews(db: Any) -> dict[str, FreeTextReview]:
    """Each release's review of its free text, by release id."""
    return {
        r[0]: FreeTextReview(r[3], r[4], r[2], r[5], r[1])
        for r in db.query(
            "SELECT release_id, reviewed_at, who, texts, texts_sha256, how FROM release_reviews"
        )
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
