"""Spot text that looks like it identifies a person: names, dates, addresses, postcodes,
phone numbers, email addresses and CHI-like numbers (Scotland's Community Health Index:
ten digits, the first six a date of birth DDMMYY).

Evidence notes and summaries are meant to hold none of these. The editor shows a hint as
the reviewer types (ui/identifier_hint.py), so they are caught before any export. The hint
is a prompt, not a guarantee: the patterns favour precision (few false alarms, so the
hint is not ignored) over catching every possible identifier.

Names are the hard part. A name is flagged when it follows an honorific (Mrs Fictional,
Dr. A Madeup), or when two or more capitalised words stand together away from the start of
a sentence and none of them is a word the checklists and services use (Women's Aid,
Police Scotland, Child Protection Plan, ...: see ALLOWED_WORDS). Words in capitals only
(MARAC, NHS) are acronyms, never names.

Pure functions over strings: no Qt, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

KIND_LABELS = {
    "name": "a name",
    "date": "a date",
    "address": "an address",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "chi": "a CHI-like number",
}


@dataclass(frozen=True)
class Span:
    """One likely identifier: text[start:end], its kind (a key of KIND_LABELS) and why."""

    start: int
    end: int
    kind: str
    text: str
    reason: str


# -- dates ----------------------------------------------------------------------------------------

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February may be real


def _real_day(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_DAY_MONTH = re.compile(
    rf"(?<![\w/])(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH})\b(?:\.?,?\s+\d{{4}}(?!\d))?"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+\d{{4}}(?!\d)")


def _dates(text: str) -> list[Span]:
    out = []
    for m in _NUMERIC_DATE.finditer(text):
        if _real_day(int(m[1]), int(m[3])):
            out.append(_span(m, "date", "looks like a date"))
    for m in _ISO_DATE.finditer(text):
        if _real_day(int(m[3]), int(m[2])):
            out.append(_span(m, "date", "looks like a date"))
    for m in _DAY_MONTH.finditer(text):
        if _real_day(int(m[1]), _MONTH_NUMBER[m[2][:3].lower()]):
            out.append(_span(m, "date", "a day and a month"))
    for m in _MONTH_DAY.finditer(text):
        if _real_day(int(m[2]), _MONTH_NUMBER[m[1][:3].lower()]):
            out.append(_span(m, "date", "a day and a month"))
    return out


# -- numbers: CHI, phone ---------------------------------------------------------------------------

_CHI = re.compile(r"(?<!\d)(?:\d{10}|\d{6}[ -]\d{4}|\d{3}[ -]\d{3}[ -]\d{4})(?!\d)")


def _chi(text: str) -> list[Span]:
    out = []
    for m in _CHI.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        if _real_day(int(digits[:2]), int(digits[2:4])):
            out.append(
                _span(m, "chi", "ten digits starting with a date of birth, like a CHI number")
            )
    return out


_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?\d{2,4}|\(0\d{2,4}\)|0\d{2,4})[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)


def _phones(text: str) -> list[Span]:
    out = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        national = digits[2:] if m[0].startswith("+") else digits
        national = national[1:] if national.startswith("0") else national
        if len(national) in (9, 10) and national[0] in "123789":
            out.append(_span(m, "phone", "looks like a UK phone number"))
    return out


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# -- places ---------------------------------------------------------------------------------------

_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_STREET = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Crescent|Place|Terrace|Court|Gardens|Way"
    r"|Close|Square|Wynd|Brae|Gate|Row|Park|View|Grove|Walk|Hill|Loan|Vennel|Quadrant|Circus"
    r"|Mews|Parade|Green|Rise|Path|Bank|Cottages)"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-ZÀ-Þ][\w'’-]*\s+){{1,3}}{_STREET}\b"
    r"|\b[Ff]lat\s+\d{1,3}[A-Za-z]?(?:/\d{1,3})?\b"
)


# -- names ----------------------------------------------------------------------------------------

_HONORIFIC = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.?\s+[A-ZÀ-Þ][\w'’-]*(?:\s+[A-ZÀ-Þ][\w'’-]*)?"
)
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")

# Capitalised words that reviewers use for services, roles, places in general, the model's
# terms and the checklists' wording: two of these together are not a person's name.
_ALLOWED_TEXT = """
    a about abuse abuser accident accountable accountability act action addiction addictions
    adult adults advocacy advocate advocates after against agencies agency aid alcohol all also
    an and any applicable appendix area areas as assessment at audit audits authority bail
    based baseline be before behaviour behaviours board both but by care carer carers case
    caledonian centre chapter checklist child child's children children's chronology
    coercive college community component components conference control core council court
    courts crisis criminal crown critical dash death deaths department digital doctor domestic
    drug drugs during each east economic education emergency emotional engagement england
    equally every evidence excellent exclusion families family father fiscal findings for
    forced forum framework from gendered getting girfec good government gp group guidance
    harassment he health hearing hearings her here high his hospital housing how hub i if
    impact improvement in independent infirmary intervention interventions interim into is it
    item its justice key language lead leader learning lens local lockdown marriage meeting
    member men men's mental method midwife misuse model monday mother multi named national
    no non north not notes nurse nursery of offending office officer on one or order our
    over panel parent parenting parents part partner partnering partnership partnerships
    pattern people per perpetrator perpetrator's perpetrators person physical pivot plan
    police policy post practice practitioner principle principles procedure procurator
    programme protection protective recommendation recommendations recorded recovery refuge
    region relationship report reporter review reviews right risk royal safe safety scotland
    scotland's scottish school section service services session sexual she sheriff social
    south stalking standard strengths substance summary support supervision survivor
    survivor's survivors system team teams that the their then there these they this those
    three to together tool training trust two under unit university up use violence visitor
    ward was we west when where which who why with women women's work worker workers year
    young your
    tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december christmas easter
    street road avenue lane drive crescent place terrace gardens way close square park view
    city county isle isles island islands highland highlands borders western central greater
    advice around credit decision early foster group job kinship looked making options payback
    primary secondary restorative throughcare universal years multi-agency non-harassment
    inter-agency drug-related alcohol-related named universal options citizens first minister
    committee committees crisis rape database
    """
ALLOWED_WORDS = frozenset(_ALLOWED_TEXT.split())


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _allowed(word: str) -> bool:
    w = word.casefold().replace("’", "'")
    return w in ALLOWED_WORDS or w.removesuffix("'s") in ALLOWED_WORDS


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n•*-–—"


def _names(text: str) -> list[Span]:
    out = [_span(m, "name", "a title followed by a name") for m in _HONORIFIC.finditer(text)]
    words = [m for m in _WORD.finditer(text) if _capitalised(m[0])]
    runs: list[list[re.Match[str]]] = []
    for m in words:  # runs of capitalised words with only spaces between them
        if runs and text[runs[-1][-1].end() : m.start()] in (" ", "  "):
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in runs:
        if _sentence_start(text, run[0].start()):
            run = run[1:]  # any sentence starts with a capital
        part: list[re.Match[str]] = []
        for m in [*run, None]:
            if m is not None and not _allowed(m[0]):
                part.append(m)
                continue
            if len(part) >= 2:
                start, end = part[0].start(), part[-1].end()
                out.append(
                    Span(start, end, "name", text[start:end], "capitalised words like a name")
                )
            part = []
    return out


# -- together ------------------------------------------------------------------------------------

_PRIORITY = ["email", "chi", "phone", "postcode", "date", "address", "name"]


def _span(m: re.Match[str], kind: str, reason: str) -> Span:
    return Span(m.start(), m.end(), kind, m[0], reason)


def find_identifiers(text: str) -> list[Span]:
    """Likely identifiers in `text`, in order, not overlapping. Where two patterns claim
    the same words, the longer match wins, then the more specific kind."""
    if not text or not text.strip():
        return []
    found = [_span(m, "email", "an email address") for m in _EMAIL.finditer(text)]
    found += _chi(text) + _phones(text) + _dates(text) + _names(text)
    found += [_span(m, "postcode", "looks like a UK postcode") for m in _POSTCODE.finditer(text)]
    found += [_span(m, "address", "looks like a street address") for m in _ADDRESS.finditer(text)]
    found.sort(key=lambda s: (s.start, -(s.end - s.start), _PRIORITY.index(s.kind)))
    kept: list[Span] = []
    for s in found:
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept


def _example(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(spans: list[Span]) -> str:
    """One sentence for the reviewer naming each kind found once, with its first example:
    "This may contain a name ('Mrs Fictional'), a date ('12/03/2019'): case notes should
    not hold identifiers." Empty when nothing was found."""
    first: dict[str, Span] = {}
    for s in spans:
        first.setdefault(s.kind, s)
    if not first:
        return ""
    parts = ", ".join(f"{KIND_LABELS[k]} ('{_example(s.text)}')" for k, s in first.items())
    return f"This may contain {parts}: case notes should not hold identifiers."


# -- case references typed the way people type them (issue 18, item 6) -----------------------
#
# Both the references and the text are folded the same way before they are compared:
# - NFKC (full-width and mathematical letters and digits, ligatures) and casefolding;
# - every script's decimal digits to ASCII (Arabic-Indic ٠١٢, Devanagari ०१२ ...);
# - Cyrillic and Greek letters that look like Latin ones to those Latin letters (the Latin
#   look-alikes of Unicode's confusables list that can appear in a reference);
# - then, for matching only, o to 0 and i, l to 1 (O for 0, I or l for 1 inside references).
# A reference is then found (ReferenceIndex.find) when:
# - its letters and digits appear in a row, any separators between them, with no letter or
#   digit glued on (so FICT-1 never eats the start of FICT-10), in order or with its parts
#   reversed (00417-2025-NSH);
# - or its distinctive number (its longest group of digits, 4 or more, not a year when there
#   is another) appears as a whole number, glued to letters or not (caserefNSH00417, "NSH
#   00417" with the middle left out, "file 00417"): the match then takes in the reference's
#   other parts next to it.

MIN_REFERENCE_CHARS = 4  # shorter references ("12", "AB") are never searched for
MIN_NUMBER_DIGITS = 4

_LOOKALIKE = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q",
    "ԝ": "w", "ү": "y", "ӏ": "l", "Ӏ": "I",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
})
_DIGIT_LIKE = str.maketrans({"o": "0", "i": "1", "l": "1"})
_YEAR = re.compile(r"(19|20)\d\d")


def fold_confusables(text: str) -> str:
    """NFKC, every script's digits to ASCII, Latin look-alikes to Latin, casefolded."""
    if text.isascii():  # the same, fast: NFKC keeps ASCII, its digits are digits, no look-alikes
        return text.lower()
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out).translate(_LOOKALIKE).casefold()


def _match_form(text: str) -> str:
    """A reference part as compared: folded, letters and digits only, O/I/l as digits."""
    return "".join(ch for ch in fold_confusables(text) if ch.isalnum()).translate(_DIGIT_LIKE)


def reference_key(reference: str) -> str:
    """A case reference however it is typed ('sw 2026 0417', 'SW/2026/0417', full-width or
    Arabic-Indic digits, O for 0): what two spellings of one reference have in common."""
    return _match_form(reference)


def _folded_with_origin(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The folded text, and for each of its characters the span of the original it came
    from (a character with its combining marks; NFKC can change the length)."""
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            for ch in fold_confusables(text[start:i]):
                chars.append(ch)
                origin.append((start, i))
            start = i
    return "".join(chars), origin


class ReferenceIndex:
    """Every reference's forms, for finding them in free text (see the notes above)."""

    def __init__(self, references: Iterable[str]) -> None:
        self.keys: set[str] = set()  # whole references, forwards and parts reversed
        self.numbers: dict[str, set[str]] = {}  # distinctive number -> the other parts
        for ref in references:
            # parts: runs of letters or of digits, as typed (so DEMO stays one part)
            pieces = re.findall(r"[^\W\d_]+|\d+", fold_confusables(ref))
            groups = [g.translate(_DIGIT_LIKE) for g in pieces]
            key = "".join(groups)
            if len(key) < MIN_REFERENCE_CHARS:
                continue
            self.keys.add(key)
            self.keys.add("".join(reversed(groups)))
            number = _distinctive_number(groups)
            if number and any(not g.isdigit() for g in groups):
                self.numbers.setdefault(number, set()).update(g for g in groups if g != number)
        self._longest = max(map(len, self.keys), default=0)

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) in `text` of each reference found, in order, not overlapping."""
        if not text or not self.keys:
            return []
        folded, origin = _folded_with_origin(text)
        form = folded.translate(_DIGIT_LIKE)
        found = self._whole(folded, form) + self._by_number(folded, form)
        merged: list[list[int]] = []
        for a, b in sorted(found):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(origin[a][0], origin[b - 1][1]) for a, b in merged]

    def _whole(self, folded: str, form: str) -> list[tuple[int, int]]:
        runs = [(m.start(), m.end()) for m in re.finditer(r"[^\W_]+", folded)]
        found = []
        i = 0
        while i < len(runs):
            joined, match = "", None
            for j in range(i, len(runs)):
                joined += form[runs[j][0] : runs[j][1]]
                if len(joined) > self._longest:
                    break
                if joined in self.keys:
                    match = j  # keep going: the longest reference wins
            if match is None:
                i += 1
            else:
                found.append((runs[i][0], runs[match][1]))
                i = match + 1
        return found

    def _by_number(self, folded: str, form: str) -> list[tuple[int, int]]:
        if not self.numbers:
            return []
        found = []
        for m in re.finditer(r"[0-9oil]+", folded):
            a, b = m.start(), m.end()
            if not any(ch.isdigit() for ch in folded[a:b]):
                continue
            # letters o, i, l glued on ("nil00417") may not be digits: try without them too
            lead, trail = len(m[0]) - len(m[0].lstrip("oil")), len(m[0]) - len(m[0].rstrip("oil"))
            for x, y in ((a, b), (a + lead, b), (a, b - trail), (a + lead, b - trail)):
                parts = self.numbers.get(form[x:y])
                if parts is not None:
                    found.append(_extend(folded, form, x, y, parts))
                    break
        return found


def _distinctive_number(groups: list[str]) -> str | None:
    numbers = [g for g in groups if g.isdigit() and len(g) >= MIN_NUMBER_DIGITS]
    not_years = [g for g in numbers if not _YEAR.fullmatch(g)]
    pool = not_years or numbers
    return max(reversed(pool), key=len) if pool else None  # the longest; ties: the last


def _glued(token: str, part: str, at_end: bool) -> bool:
    """A reference's letters glued to a word ("caserefnsh" ends with "nsh"); digits are
    never taken out of a longer number."""
    if part.isdigit() or len(token) <= len(part):
        return False
    if at_end:
        return token.endswith(part) and not token[-len(part) - 1].isdigit()
    return token.startswith(part) and not token[len(part)].isdigit()


def _extend(folded: str, form: str, a: int, b: int, parts: set[str]) -> tuple[int, int]:
    """Widen a number's match over the reference's other parts next to it (up to three
    separator characters away, or glued on)."""
    for _ in range(len(parts) + 1):
        q = a
        while q > 0 and a - q < 3 and not folded[q - 1].isalnum():
            q -= 1
        t = q
        while t > 0 and folded[t - 1].isalnum():
            t -= 1
        token = form[t:q]
        hit = next((p for p in parts if token == p or _glued(token, p, at_end=True)), None)
        if not token or hit is None:
            break
        a = q - len(hit)
    for _ in range(len(parts) + 1):
        q = b
        while q < len(folded) and q - b < 3 and not folded[q].isalnum():
            q += 1
        t = q
        while t < len(folded) and folded[t].isalnum():
            t += 1
        token = form[q:t]
        hit = next((p for p in parts if token == p or _glued(token, p, at_end=False)), None)
        if not token or hit is None:
            break
        b = q + len(hit)
    return a, b


__all__ = [
    "ALLOWED_WORDS",
    "KIND_LABELS",
    "ReferenceIndex",
    "Span",
    "describe",
    "find_identifiers",
    "fold_confusables",
]
