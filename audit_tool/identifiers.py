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


__all__ = ["ALLOWED_WORDS", "KIND_LABELS", "Span", "describe", "find_identifiers"]
