"""The identifier spotter: likely names, dates, addresses, postcodes, phone numbers, email
addresses and CHI-like numbers in free text, each kind with what it must and must not flag.
All names, numbers and places here are fictional (Ofcom drama numbers, made-up streets)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from audit_tool.identifiers import describe, find_identifiers

ROOT = Path(__file__).resolve().parent.parent


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in find_identifiers(text)]


def flagged(text: str, kind: str) -> list[str]:
    return [s.text for s in find_identifiers(text) if s.kind == kind]


# -- CHI-like numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, chi",
    [
        ("CHI 1203991234 on file", "1203991234"),
        ("CHI 120 399 1234 on file", "120 399 1234"),
        ("CHI 120399 1234 on file", "120399 1234"),
        ("number 2902001234.", "2902001234"),  # 29 February 2000 is a date
    ],
)
def test_chi_like_numbers(text: str, chi: str) -> None:
    assert flagged(text, "chi") == [chi]


@pytest.mark.parametrize(
    "text",
    [
        "reference 3213991234",  # day 32
        "reference 1213991234",  # month 13
        "reference 3002991234",  # 30 February
        "reference 12039912345",  # 11 digits: not a CHI
        "reference 120399123",  # 9 digits
        "4 of 12 items, 1234 words",
    ],
)
def test_not_chi(text: str) -> None:
    assert flagged(text, "chi") == []


# -- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, date",
    [
        ("Seen on 12/03/2019 at home.", "12/03/2019"),
        ("Seen on 12.3.19 at home.", "12.3.19"),
        ("Seen on 12 March 2019 at home.", "12 March 2019"),
        ("Seen on 12th of March 2019.", "12th of March 2019"),
        ("Seen on 3 Sept 2019.", "3 Sept 2019"),
        ("Seen on March 12, 2019.", "March 12, 2019"),
        ("Seen on 2019-03-12.", "2019-03-12"),
        ("Born 12 March.", "12 March"),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert flagged(text, "date") == [date]


@pytest.mark.parametrize(
    "text",
    [
        "Over 12 months the pattern held.",
        "In March the family moved.",  # a month alone identifies nobody
        "Scored 3/4 and 12/15 on the tool.",
        "2019-13-45 is not a date",
        "32/01/2019 is not a date",
        "Version 1.2.3 of the checklist.",
        "A 10 may be a score.",
    ],
)
def test_not_dates(text: str) -> None:
    assert flagged(text, "date") == []


# -- postcodes, addresses, phone numbers, email -----------------------------------------------------


@pytest.mark.parametrize(
    "code", ["EH1 1AA", "G12 8QQ", "IV2 3XX", "AB10 1ZZ", "KW15 1AB", "eh1 1aa"]
)
def test_postcodes(code: str) -> None:
    assert flagged(f"Moved to {code} last year.", "postcode") == [code]


@pytest.mark.parametrize(
    "text", ["Section 11 of the Act", "Item A2 is optional.", "Form B2 3 times", "Level 6 of 6."]
)
def test_not_postcodes(text: str) -> None:
    assert flagged(text, "postcode") == []


@pytest.mark.parametrize(
    "text, address",
    [
        ("Lives at 14 Rowan Street with the children.", "14 Rowan Street"),
        ("Lives at 3a Glen Fictional Road now.", "3a Glen Fictional Road"),
        ("Moved to Flat 2/1 last spring.", "Flat 2/1"),
        ("Moved to flat 3 in May.", "flat 3"),
        ("Seen at 221 Baker St.", "221 Baker St"),
    ],
)
def test_addresses(text: str, address: str) -> None:
    assert flagged(text, "address") == [address]


@pytest.mark.parametrize(
    "text",
    [
        "Seen 2 times on the street.",
        "A flat tone in the record.",
        "12 Children's Hearings were held.",
        "Two Safe & Together sessions.",
    ],
)
def test_not_addresses(text: str) -> None:
    assert flagged(text, "address") == []


@pytest.mark.parametrize(
    "text, phone",
    [
        ("Call 0131 496 0000 after six.", "0131 496 0000"),
        ("Mobile 07700 900123.", "07700 900123"),
        ("Mobile 07700900123.", "07700900123"),
        ("Call +44 20 7946 0000.", "+44 20 7946 0000"),
        ("Call (0141) 496 0000.", "(0141) 496 0000"),
    ],
)
def test_phone_numbers(text: str, phone: str) -> None:
    assert flagged(text, "phone") == [phone]


@pytest.mark.parametrize(
    "text", ["Scored 12 of 20 on 3 of 4 items.", "Version 2024 1 2", "From 2019 to 2021."]
)
def test_not_phone_numbers(text: str) -> None:
    assert flagged(text, "phone") == []


def test_email() -> None:
    assert flagged("Wrote to jo.fictional+case@example.org today.", "email") == [
        "jo.fictional+case@example.org"
    ]
    assert flagged("Rated @ 3 and 4.", "email") == []


# -- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ("The report by Mrs Fictional was late.", "Mrs Fictional"),
        ("Dr. Ailsa Madeup saw the child.", "Dr. Ailsa Madeup"),
        ("The mother said Jane Fictional had left.", "Jane Fictional"),
        ("Contact with Mary-Jane O'Madeup was made.", "Mary-Jane O'Madeup"),
        ("The worker spoke to Ùna Mhàiri on Monday.", "Ùna Mhàiri"),
        ("Seen by: Callum Invented.", "Callum Invented"),
        ("The file records that Dad (Kevin Invented) was present.", "Kevin Invented"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert flagged(text, "name") == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Referred to Women's Aid and Police Scotland after the MARAC.",
        "The Safe & Together Model asks workers to pivot to the perpetrator.",
        "The Children's Hearing and the Child Protection Plan were reviewed.",
        "Contact with the Health Visitor and the Social Work team.",
        "Jane was seen. Good practice: the worker named the behaviour.",
        "Partnering With the survivor is recorded.",
        "The ADP and VAWP partnership met in East Lothian on Monday.",
        "NHS Lothian and the Alcohol and Drug Partnership reviewed it.",
        "Referral from Glasgow City Council to the Multi-Agency Risk Assessment Conference.",
        "In the Looked After Children review the Named Person was clear.",
    ],
)
def test_not_names(text: str) -> None:
    assert flagged(text, "name") == []


def _checklist_texts() -> list[str]:
    out: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted((ROOT / "checklists").glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return out


def test_bundled_checklist_wording_raises_no_name_flag() -> None:
    """The checklists' own wording is what reviewers quote: it must not look like names."""
    texts = _checklist_texts()
    assert len(texts) > 100
    flags = [(s.text, t[:60]) for t in texts for s in find_identifiers(t) if s.kind == "name"]
    assert flags == []


# -- together ---------------------------------------------------------------------------------------


def test_spans_point_into_the_text_in_order() -> None:
    text = "Mrs Fictional, 14 Rowan Street, EH1 1AA, seen 12/03/2019, CHI 120399 1234."
    spans = find_identifiers(text)
    assert [s.kind for s in spans] == ["name", "address", "postcode", "date", "chi"]
    for s in spans:
        assert text[s.start : s.end] == s.text and s.reason


def test_describe_names_each_kind_once_with_an_example() -> None:
    text = "Mrs Fictional said on 12/03/2019 that Mr Madeup left on 13/03/2019."
    assert describe(find_identifiers(text)) == (
        "This may contain a name ('Mrs Fictional'), a date ('12/03/2019'): "
        "case notes should not hold identifiers."
    )
    assert describe([]) == ""
