"""Language scan: wording that hides who did what, with a suggested reframe for each.

The term list is editable data (resources/language_terms.toml; a local copy named
language_terms.toml in the user data folder replaces it). Flags are counted per 1,000
words so baseline and post-training audits can be compared. A flag is a prompt to look
again, not a finding on its own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ChecklistError
from ..paths import data_dir
from ..selection import AuditFilter
from ..store import Database

_WORD = re.compile(r"\w+(?:['’]\w+)?")


@dataclass(frozen=True)
class Term:
    phrase: str
    why: str
    reframe: str


@dataclass(frozen=True)
class Flag:
    term: Term
    start: int
    end: int


@dataclass(frozen=True)
class PhaseLanguage:
    phase: str
    audits: int
    words: int
    flags: int
    flagged_audits: int = 0  # audits whose notes hold at least one flag

    @property
    def per_thousand(self) -> float | None:
        return self.flags * 1000 / self.words if self.words else None


class Scanner:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = {t.phrase.lower(): t for t in terms}
        # Longest phrase first, so overlapping terms ("she failed to" / "failed to protect")
        # count once; \b keeps "argument" from matching inside "arguments" only partly.
        alternatives = sorted(self.terms, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in alternatives)
        self.pattern = re.compile(rf"\b(?:{body})\b", re.IGNORECASE) if alternatives else None

    def scan(self, text: str) -> list[Flag]:
        if not text or self.pattern is None:
            return []
        return [
            Flag(self.terms[" ".join(m.group(0).lower().split())], m.start(), m.end())
            for m in self.pattern.finditer(text)
        ]

    def count(self, text: str | None) -> int:
        if not text or self.pattern is None:
            return 0
        return sum(1 for _ in self.pattern.finditer(text))


def words(text: str | None) -> int:
    return len(_WORD.findall(text)) if text else 0


def parse_terms(source: str, name: str = "language_terms.toml") -> list[Term]:
    try:
        data = tomllib.loads(source)
        terms = [Term(str(t["phrase"]).strip(), str(t.get("why", "")), str(t.get("reframe", "")))
                 for t in data.get("terms", [])]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ChecklistError(f"{name}: not a valid term list: {exc}") from None
    return [t for t in terms if t.phrase]


@lru_cache(maxsize=4)
def _scanner_for(path: str | None, mtime: float) -> Scanner:
    if path:
        return Scanner(parse_terms(Path(path).read_text("utf-8"), path))
    text = (resources.files("resources") / "language_terms.toml").read_text("utf-8")
    return Scanner(parse_terms(text))


def scanner() -> Scanner:
    """The bundled term list, or the local copy if a local area has put one in place."""
    local = data_dir() / "language_terms.toml"
    if local.is_file():
        return _scanner_for(str(local), local.stat().st_mtime)
    return _scanner_for(None, 0.0)


@dataclass(frozen=True)
class LanguageSummary:
    by_phase: tuple[PhaseLanguage, ...]
    top_terms: tuple[tuple[Term, int], ...]
    # lower-case phrase -> distinct audits whose notes hold it: a count of flags can rest on
    # one audit's notes, so reports judge small numbers by these
    term_audits: dict[str, int] = field(default_factory=dict)


def summarise(db: Database, flt: AuditFilter | None = None, limit: int = 8) -> LanguageSummary:
    """Flags per 1,000 words of evidence notes and summary fields, per phase, and the most
    often flagged terms. Grouping and sums run in SQL; the scan of each text is a
    registered SQL function (SQLite has no regular expressions of its own)."""
    sc = scanner()
    tally: dict[str, int] = {}
    term_ids: dict[str, set[str]] = {}
    phase_ids: dict[str, set[str]] = {}

    def flags(audit_id: str, phase: str, text: str | None) -> int:
        found = sc.scan(text or "")
        for f in found:
            key = f.term.phrase.lower()
            tally[key] = tally.get(key, 0) + 1
            term_ids.setdefault(key, set()).add(audit_id)
        if found:
            phase_ids.setdefault(phase, set()).add(audit_id)
        return len(found)

    db.conn.create_function("lang_flags", 3, flags)
    db.conn.create_function("lang_words", 1, words, deterministic=True)
    where, params = (flt or AuditFilter()).where()
    rows = db.query(
        f"""SELECT a.phase, count(DISTINCT a.id), sum(lang_words(t.text)), sum(lang_flags(a.id, a.phase, t.text))
            FROM audits a JOIN cases c ON c.id = a.case_id
            JOIN (SELECT audit_id, note AS text FROM answers WHERE note <> ''
                  UNION ALL SELECT id, summary || ' ' || strengths || ' ' || improvements FROM audits)
                 t ON t.audit_id = a.id
            WHERE {where} GROUP BY a.phase ORDER BY a.phase""",
        params,
    )
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return LanguageSummary(
        tuple(PhaseLanguage(p, n, w or 0, f or 0, len(phase_ids.get(p, ()))) for p, n, w, f in rows),
        tuple((sc.terms[k], n) for k, n in ranked),
        {k: len(v) for k, v in term_ids.items()},
    )
