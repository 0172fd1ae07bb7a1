"""Language scan: wording that hides who did what, with a suggested reframe for each.

The term list is editable data (resources/language_terms.toml; a local copy named
language_terms.toml in the user data folder replaces it). A flag is a prompt to look again,
not a finding on its own: the editor shows it under the note as it is written (`hint`); the
report's language measure is the record's own wording, ticked by the reader
(record_language.py). Each text's flags are kept in the database (language_cache.py), so
the over-time rate (flags per 1,000 words) reads them without scanning again.

Each term matches its phrase and its listed variants, with a hyphen or a space between
words, ' or ’ for an apostrophe, and a plural ending on the last word. A match is skipped
when the sentence negates it just before ("not a volatile relationship"), challenges it
("rather than 'failure to protect'") or quotes it: the cue words are in the term file. A
term may also name senses that are not its own: words just before or after it ("a strong
argument for"), or who the sentence is about ("he did not engage": the perpetrator's).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ChecklistError
from ..filters import AuditFilter
from ..paths import data_dir
from ..store import Database
from .language_cache import RS, selection_flags

RULES = "2"  # the matching code's version: change it when a change here changes what is flagged
_WORD = re.compile(r"\w+(?:['’]\w+)?")
_SPLIT = re.compile(r"[\s\-‐‑]+")  # a hyphen and a space between words are the same
_SEP = r"[\s\-‐‑]+"
_APOS = r"['’]"
_SENTENCE_END = ".!?;\n"
CHALLENGE_WORDS = 6  # a challenge cue counts this many words before the phrase, at most
_WINDOW = 240  # characters looked at before a match: the checks stay cheap and local
_LAST_BOUNDARY = re.compile(r".*[.!?;\n]", re.DOTALL)  # up to where the sentence starts
_OPEN_SINGLE = re.compile(r"(?:^|(?<=[\s(\[]))['‘](?=\S)")
_CLOSE_SINGLE = re.compile(r"(?<=\S)['’](?!\w)")


@dataclass(frozen=True)
class Term:
    phrase: str
    why: str
    reframe: str
    variants: tuple[str, ...] = ()  # other phrasings flagged as this term
    inflect: bool = True  # also match a plural ending on the last word
    # another sense of the words: not flagged when one of these comes just before ("a strong
    # argument"), just after ("argument for"), or when the sentence's nearest subject is
    # one of these groups of [context.subjects] ("he did not engage": the perpetrator)
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    not_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    term: Term
    start: int
    end: int


# The cue words used when a term file has no [context] table (an older file).
DEFAULT_NEGATIONS = ("not", "no", "never", "nor", "isn't", "wasn't", "aren't", "weren't")
DEFAULT_FILLERS = ("a", "an", "the", "be", "been", "being", "just", "simply", "merely",
                   "really", "about", "one", "of", "called", "described", "as", "seen")
DEFAULT_CHALLENGES = (
    "rather than", "instead of", "avoid calling", "avoid describing", "avoid using",
    "wrongly", "incorrectly", "mislabelled", "misdescribed", "so-called", "the phrase",
    "the term", "the label", "the wording", "words like", "terms like", "phrases like",
    "language such as", "wording such as", "phrases such as", "terms such as",
    "stop using", "no longer use", "not as",
)


# Who a sentence is about, for a term's not_by (a file without [context.subjects] gets these):
# the nearest of these words before the phrase, in the same sentence, is its subject.
DEFAULT_SUBJECTS = (
    ("survivor", ("she", "her", "mother", "mum", "woman", "victim", "survivor", "ms", "mrs")),
    ("perpetrator", ("he", "him", "his", "father", "dad", "stepfather", "perpetrator", "mr",
                     "husband", "boyfriend", "offender", "accused")),
    ("worker", ("worker", "workers", "practitioner", "practitioners", "service", "services",
                "agency", "agencies", "police", "officer", "officers", "staff", "team", "gp",
                "nurse", "visitor", "school", "professional", "professionals", "we", "i",
                "department", "authority", "council", "clinician", "doctor", "midwife")),
)
SUBJECT_WORDS = 8  # how far back a subject is looked for
_PREPOSITIONS = frozenset(("from", "to", "with", "at", "by", "of", "in", "for", "into", "about",
                          "towards", "on"))


@dataclass(frozen=True)
class Context:
    """When a match is not flagged. A negation counts when only filler words sit between it
    and the phrase ("was not simply a volatile relationship"); a challenge counts anywhere
    earlier in the same sentence ("rather than calling it mutual violence")."""

    negations: tuple[str, ...] = DEFAULT_NEGATIONS
    fillers: tuple[str, ...] = DEFAULT_FILLERS
    challenges: tuple[str, ...] = DEFAULT_CHALLENGES
    subjects: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_SUBJECTS


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


def _key(text: str) -> str:
    """One spelling per phrasing: lower case, straight apostrophes, single spaces."""
    return " ".join(_SPLIT.split(text.lower().replace("’", "'").replace("‘", "'"))).strip()


def _inflections(key: str) -> list[str]:
    last = key.rsplit(" ", 1)[-1]
    if not last.isalpha():
        return []
    out = [key + "s", key + "es"]
    if len(last) > 1 and last[-1] == "y" and last[-2] not in "aeiou":
        out.append(key[:-1] + "ies")
    return out


def _trie_pattern(keys: list[str]) -> str:
    """One regular expression branching letter by letter, so each position in a note is
    tried against the few terms sharing its first letters, not against every term."""
    trie: dict = {}
    for k in keys:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = {}

    def atom(ch: str) -> str:
        return _SEP if ch == " " else _APOS if ch == "'" else re.escape(ch)

    def emit(node: dict) -> str:
        alts = [atom(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer phrase wins

    return emit(trie)


class Scanner:
    def __init__(self, terms: list[Term], context: Context | None = None) -> None:
        self.terms = {t.phrase.lower(): t for t in terms}
        self.context = context or Context()
        # what the flags kept per note were worked out with (findings/language_cache.py):
        # the terms, the cue words and the matching rules
        self.version = f"{RULES}:" + hashlib.sha256(
            repr((sorted(self.terms.items()), self.context)).encode("utf-8")).hexdigest()[:24]
        # every phrasing -> its term; written forms win over generated plurals
        self._forms: dict[str, Term] = {}
        for t in self.terms.values():
            for form in (t.phrase, *t.variants):
                self._forms.setdefault(_key(form), t)
        for t in self.terms.values():
            if t.inflect:
                for form in (t.phrase, *t.variants):
                    for k in _inflections(_key(form)):
                        self._forms.setdefault(k, t)
        keys = [k for k in self._forms if k]
        # whole words only: "argument" is not flagged inside "counterargument"
        body = rf"(?<!\w){_trie_pattern(keys)}\b" if keys else None
        self.pattern = re.compile(body, re.IGNORECASE) if body else None
        # Matching lower-cased text without IGNORECASE is about three times faster.
        self._lower = re.compile(body) if body else None
        self._overlaps = _overlapping(keys)
        ctx = self.context
        self._negations = frozenset(w.lower().replace("’", "'") for w in ctx.negations)
        self._fillers = frozenset(w.lower() for w in ctx.fillers)
        cues = sorted((_key(c) for c in ctx.challenges if _key(c)), key=len, reverse=True)
        body = "|".join(_SEP.join(map(re.escape, c.split())) for c in cues)
        self._challenge = re.compile(rf"(?<!\w)(?:{body})(?!\w)") if cues else None
        self._subject_of = {w.lower(): g for g, ws in ctx.subjects for w in ws}
        self._sense = {t.phrase.lower(): _sense_rules(t) for t in self.terms.values()
                       if t.not_before or t.not_after or t.not_by}

    def scan(self, text: str) -> list[Flag]:
        if not text or self.pattern is None:
            return []
        hay, pat = text.lower(), self._lower
        if len(hay) != len(text):  # offsets would not line up (a few letters, e.g. İ)
            hay, pat = text, self.pattern
        out: list[Flag] = []
        last_end = 0
        for m in pat.finditer(hay):
            start, end = m.span()
            if start < last_end:
                continue  # inside the longer match taken before
            key = hay[start:end]
            if key not in self._forms:
                key = _key(key)
            if key in self._overlaps:
                start, end = _longest(pat, hay, start, end)
                key = _key(hay[start:end])
            last_end = end
            term = self._forms.get(key)
            if term is not None and self._why(hay, start, pat is self._lower) is None \
                    and not self._other_sense(term, hay, start, end):
                out.append(Flag(term, start, end))
        return out

    def count(self, text: str | None) -> int:
        return len(self.scan(text)) if text else 0

    def words(self, text: str | None) -> int:
        return words(text)

    def why_skipped(self, text: str, start: int) -> str | None:
        """'negated', 'challenged', 'quoted' or None: why a match at `start` is not a flag."""
        return self._why(text, start, False)

    def _why(self, hay: str, start: int, lowered: bool) -> str | None:
        lo = max(0, start - _WINDOW)
        boundary = _LAST_BOUNDARY.match(hay, lo, start)
        before = hay[boundary.end() if boundary else lo : start]
        if not lowered:
            before = before.lower()
        if "’" in before:
            before = before.replace("’", "'")
        if self._negated(before):
            return "negated"
        if self._challenged(before):
            return "challenged"
        # up to the match's first letter, so an opening ' just before it can be told apart
        if _quoted(hay[max(hay.rfind("\n", lo, start) + 1, lo) : start + 1]):
            return "quoted"
        return None

    def _other_sense(self, term: Term, hay: str, start: int, end: int) -> bool:
        """Whether the words around the match give it a sense the term does not mean: a
        point made ("a strong argument for"), the perpetrator's or a worker's own failing."""
        rules = self._sense.get(term.phrase.lower())
        if rules is None:
            return False
        before_re, after_re, by = rules
        lo = max(0, start - _WINDOW)
        boundary = _LAST_BOUNDARY.match(hay, lo, start)
        before = _key(hay[boundary.end() if boundary else lo : start])
        if before_re is not None and before_re.search(before):
            return True
        after = _key(hay[end : end + _WINDOW])
        if after_re is not None and after_re.match(after):
            return True
        if by:
            ws = before.split()[-SUBJECT_WORDS:]
            for i in range(len(ws) - 1, -1, -1):
                group = self._subject_of.get(ws[i].removesuffix("'s").rstrip("'"))
                # "refused support from the women's service": after a preposition, an object
                if group is not None and not _PREPOSITIONS.intersection(ws[max(0, i - 3) : i]):
                    return group in by
        return False

    def _challenged(self, before: str) -> bool:
        """A challenge cue no more than CHALLENGE_WORDS words before the phrase: close enough
        to be about it, not about another clause of a long sentence."""
        if self._challenge is None:
            return False
        cues = list(self._challenge.finditer(before))
        return bool(cues) and len(_WORD.findall(before, cues[-1].end())) <= CHALLENGE_WORDS

    def _negated(self, before: str) -> bool:
        for w in reversed(_WORD.findall(before)):
            if w in self._negations or w.endswith("n't"):
                return True
            if w not in self._fillers:
                return False
        return False


def _sense_rules(t: Term) -> tuple[re.Pattern | None, re.Pattern | None, frozenset[str]]:
    """A term's not_before (ending the text before it) and not_after (starting the text
    after it) as patterns over _key-normalised text, and its not_by groups."""

    def alternation(phrases: tuple[str, ...]) -> str:
        return "|".join(re.escape(_key(p)) for p in sorted(phrases, key=len, reverse=True))

    before = re.compile(rf"(?:^|\s)(?:{alternation(t.not_before)})\s*$") if t.not_before else None
    after = re.compile(rf"\s*(?:{alternation(t.not_after)})(?!\w)") if t.not_after else None
    return before, after, frozenset(g.lower() for g in t.not_by)


def _overlapping(keys: list[str]) -> frozenset[str]:
    """Phrasings whose last words begin a longer phrasing ("she failed to" and "failed to
    engage"): only matches of these need the look for a longer, later match."""
    ordered = sorted(keys)

    def begins_longer(prefix: str) -> bool:
        i = bisect.bisect_right(ordered, prefix)  # the first key after prefix itself
        return i < len(ordered) and ordered[i].startswith(prefix)

    out = set()
    for k in keys:
        ws = k.split(" ")
        if any(begins_longer(" ".join(ws[i:])) for i in range(1, len(ws))):
            out.add(k)
    return frozenset(out)


def _longest(pat: re.Pattern, hay: str, start: int, end: int) -> tuple[int, int]:
    """Where a phrase starting inside this match runs on past its end ("she failed to", then
    "failed to engage"), the later, more specific one is flagged instead."""
    for i in range(start + 1, end):
        if not hay[i - 1].isalnum() and hay[i].isalnum():
            m = pat.match(hay, i)
            if m and m.end() > end:
                return m.start(), m.end()
    return start, end


def _quoted(before: str) -> bool:
    """Whether an open quotation mark (", “ or ') comes before this point in the paragraph."""
    if not ('"' in before or "“" in before or "'" in before or "‘" in before):
        return False
    if before.count('"') % 2:
        return True
    if before.rfind("“") > before.rfind("”"):
        return True
    opened = [m.start() for m in _OPEN_SINGLE.finditer(before)]
    if not opened:
        return False
    closed = [m.start() for m in _CLOSE_SINGLE.finditer(before, opened[-1] + 1)]
    return not closed


def words(text: str | None) -> int:
    return len(_WORD.findall(text)) if text else 0


def _strings(value: object) -> tuple[str, ...] | None:
    """The value as a tuple of non-empty phrases, or None if it is not a list of them."""
    if not isinstance(value, list) or not all(isinstance(v, str) and _key(v) for v in value):
        return None
    return tuple(v.strip() for v in value)


def _term(entry: dict, name: str) -> Term:
    phrase = str(entry["phrase"]).strip()
    variants = _strings(entry.get("variants", []))
    if variants is None:
        raise ChecklistError(
            f"{name}: term '{phrase}': variants must be a list of phrases in quotes, "
            f'e.g. variants = ["relationship is volatile"]'
        )
    inflect = entry.get("inflect", True)
    if not isinstance(inflect, bool):
        raise ChecklistError(f"{name}: term '{phrase}': inflect must be true or false")
    sense = {}
    for key in ("not_before", "not_after", "not_by"):
        value = _strings(entry.get(key, [])) if entry.get(key, []) != [] else ()
        if value is None:
            raise ChecklistError(f"{name}: term '{phrase}': {key} must be a list of phrases in quotes")
        sense[key] = value
    return Term(phrase, str(entry.get("why", "")), str(entry.get("reframe", "")), variants, inflect,
                **sense)


def parse_terms(source: str, name: str = "language_terms.toml") -> list[Term]:
    try:
        data = tomllib.loads(source)
        terms = [_term(t, name) for t in data.get("terms", [])]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ChecklistError(f"{name}: not a valid term list: {exc}") from None
    return [t for t in terms if t.phrase]


def parse_context(source: str, name: str = "language_terms.toml") -> Context:
    """The [context] cue words; a file without them (an older one) gets the defaults."""
    try:
        table = tomllib.loads(source).get("context", {})
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"{name}: not a valid term list: {exc}") from None
    if not isinstance(table, dict):
        raise ChecklistError(f"{name}: [context] must be a table of cue word lists")
    cues = {}
    for key in ("negations", "fillers", "challenges"):
        if key in table:
            words_ = _strings(table[key]) if table[key] != [] else ()
            if words_ is None:
                raise ChecklistError(f"{name}: [context] {key} must be a list of words in quotes")
            cues[key] = words_
    subjects = table.get("subjects")
    if subjects is not None:
        groups = {g: _strings(ws) for g, ws in subjects.items()} if isinstance(subjects, dict) else None
        if not groups or any(ws is None for ws in groups.values()):
            raise ChecklistError(f"{name}: [context.subjects] must name groups of words in quotes, "
                                 'e.g. perpetrator = ["he", "father"]')
        cues["subjects"] = tuple((g.lower(), ws) for g, ws in groups.items())
    return Context(**cues)


def load_scanner(source: str, name: str = "language_terms.toml") -> Scanner:
    terms, context = parse_terms(source, name), parse_context(source, name)
    groups = {g for g, _ in context.subjects}
    for t in terms:
        unknown = [g for g in t.not_by if g.lower() not in groups]
        if unknown:
            raise ChecklistError(f"{name}: term '{t.phrase}': not_by names '{unknown[0]}', which is "
                                 f"not a group of [context.subjects] ({', '.join(sorted(groups))})")
    return Scanner(terms, context)


@lru_cache(maxsize=4)
def _scanner_for(path: str | None, mtime: float) -> Scanner:
    if path:
        return load_scanner(Path(path).read_text("utf-8"), path)
    return load_scanner((resources.files("resources") / "language_terms.toml").read_text("utf-8"))


def scanner() -> Scanner:
    """The bundled term list, or the local copy if a local area has put one in place."""
    local = data_dir() / "language_terms.toml"
    if local.is_file():
        return _scanner_for(str(local), local.stat().st_mtime)
    return _scanner_for(None, 0.0)


def hint(text: str, sc: Scanner | None = None) -> str:
    """The editor's line under a note whose wording is flagged: each term once, as written,
    and why the first matters. Empty when nothing is flagged. A prompt while writing: the
    report counts the record's own wording (the checklist's question), not the notes'."""
    found: dict[str, str] = {}
    first: Term | None = None
    for f in (sc or scanner()).scan(text):
        first = first or f.term
        found.setdefault(f.term.phrase.lower(), text[f.start : f.end])
    if first is None:
        return ""
    quoted = ", ".join(f"'{w}'" for w in found.values())
    why = f" {first.why}" if first.why else ""
    return f"Wording to look at again: {quoted}.{why} A prompt, not a finding: say who did what."


@dataclass(frozen=True)
class LanguageSummary:
    by_phase: tuple[PhaseLanguage, ...]
    top_terms: tuple[tuple[Term, int], ...]
    # lower-case phrase -> distinct audits whose notes hold it: a count of flags can rest on
    # one audit's notes, so reports judge small numbers by these
    term_audits: dict[str, int] = field(default_factory=dict)
    # audit id -> [words, flags] in its notes: the scan's results kept, so a report can split
    # them another way (by quarter, see over_time.py) without scanning the texts again
    per_audit: dict[str, list[int]] = field(default_factory=dict)
    # lower-case phrase -> audit id -> times flagged in its notes: what a release's count of
    # a term rests on (reports/tally.py)
    term_hits: dict[str, dict[str, int]] = field(default_factory=dict)


def summarise(db: Database, flt: AuditFilter | None = None, limit: int = 8) -> LanguageSummary:
    """Flags per 1,000 words of evidence notes and summary fields, per phase, and the most
    often flagged terms. Each text is scanned once and its flags kept (language_cache.py);
    the sums per audit run in SQL over the kept rows."""
    sc = scanner()
    where, params = (flt or AuditFilter()).where()
    kept = selection_flags(db, sc, where, params)
    per_audit = {a: [w, n] for a, (_, w, n) in kept.per_audit.items()}
    phases: dict[str, list[int]] = {}  # phase -> [audits, words, flags, flagged audits]
    for phase, w, n in kept.per_audit.values():
        acc = phases.setdefault(phase, [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += w
        acc[2] += n
        acc[3] += n > 0
    tally: dict[str, int] = {}
    term_ids: dict[str, dict[str, int]] = {}
    for audit_id, stored in kept.flagged:
        if not stored:
            continue
        for flag in stored.split(RS):  # 'start,end,phrase' (language_cache.encode): the phrase
            key = flag.split(",", 2)[2]
            tally[key] = tally.get(key, 0) + 1
            hits = term_ids.setdefault(key, {})
            hits[audit_id] = hits.get(audit_id, 0) + 1
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return LanguageSummary(
        tuple(PhaseLanguage(p, *v) for p, v in sorted(phases.items())),
        tuple((sc.terms[k], n) for k, n in ranked),
        {k: len(v) for k, v in term_ids.items()},
        per_audit,
        term_ids,
    )


def summarise_covered(db: Database, flt: AuditFilter, covered: set[str], whole: bool) -> LanguageSummary:
    """The language summary over the audits the report covers: every checklist of the
    selection (whole), or only those with enough audits to be reported."""
    if whole:
        return summarise(db, flt, limit=10_000)
    phases: dict[str, list[int]] = {}
    terms: dict[str, list] = {}
    term_audits: dict[str, int] = {}
    per_audit: dict[str, list[int]] = {}
    term_hits: dict[str, dict[str, int]] = {}
    for cid in sorted(covered):  # an audit has one checklist: its parts add up exactly
        part = summarise(db, dc_replace(flt, checklist_id=cid), limit=10_000)
        for p in part.by_phase:
            acc = phases.setdefault(p.phase, [0, 0, 0, 0])
            for i, v in enumerate((p.audits, p.words, p.flags, p.flagged_audits)):
                acc[i] += v
        for term, n in part.top_terms:
            terms.setdefault(term.phrase.lower(), [term, 0])[1] += n
        for k, n in part.term_audits.items():
            term_audits[k] = term_audits.get(k, 0) + n
        per_audit.update(part.per_audit)
        for k, hits in part.term_hits.items():
            term_hits.setdefault(k, {}).update(hits)
    return LanguageSummary(
        tuple(PhaseLanguage(p, *v) for p, v in phases.items()),
        tuple(sorted(((t, n) for t, n in terms.values()), key=lambda x: (-x[1], x[0].phrase))),
        term_audits,
        per_audit,
        term_hits,
    )
