"""Issue 18 leftovers: one audit's report is recorded in the release register like the
aggregate releases; free text is listed for a person to read and confirm before it is
released, and the confirmation is recorded with the release. Real SQLCipher files, real
PDF/DOCX/CSV files read back, the real command line. Synthetic, clearly fictional data."""

from __future__ import annotations

import csv
import json

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits, demo
from audit_tool.disclosure.register import register_for_bundle, releases
from audit_tool.disclosure.review import code_of, reviews, texts_digest
from audit_tool.errors import InvalidInput
from audit_tool.export import release_audit, release_dataset, release_report
from audit_tool.filters import AuditFilter
from audit_tool.store import Database

REF = "FICT-REV-2026-0099"
STEERING = "Steering group (fictional)"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, passphrase):
    path = tmp_path_factory.mktemp("review") / "demo.db"
    with Database.create(path, passphrase) as db:
        audits.set_local_reviewer(db, "Lead Reviewer (fictional)")
        demo.generate(db, 120, seed=7)
    return path


@pytest.fixture
def db(demo_db, tmp_path, passphrase):
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_db.read_bytes())
    database = Database.open(copy, passphrase)
    yield database
    database.close()


def _pdf_text(path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages)


def test_free_text_is_never_released_unread_and_the_review_is_recorded(db, tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(InvalidInput, match="a person must read them"):
        release_report(db, AuditFilter(), "pdf", out, recipient=STEERING, include_free_text=True)
    assert not out.exists() and releases(db) == []
    seen: list[list[str]] = []

    def read(texts):
        seen.append(texts)
        from audit_tool.disclosure.review import confirmed

        return confirmed(texts, "Lead Reviewer (fictional)", "ticked in a test")

    release_report(db, AuditFilter(), "pdf", out, recipient=STEERING, include_free_text=True,
                   review=read)
    [texts] = seen
    printed = _pdf_text(out)
    assert texts and all(" ".join(t.split()) in printed for t in texts)  # what was listed is printed
    [rel] = releases(db)
    rev = reviews(db)[rel.id]
    assert (rev.texts, rev.texts_sha256, rev.who) == (
        len(texts), texts_digest(texts), "Lead Reviewer (fictional)")
    # without free text: nothing to review, nothing recorded beside the release
    release_report(db, AuditFilter(), "pdf", tmp_path / "plain.pdf", recipient=STEERING)
    assert len(releases(db)) == 2 and len(reviews(db)) == 1
    # the review is append-only, as the register is
    with pytest.raises(Exception, match="append-only"):
        db.conn.execute("DELETE FROM release_reviews")


def test_dataset_notes_listed_are_the_notes_written(db, tmp_path):
    seen: list[list[str]] = []

    def read(texts):
        seen.append(texts)
        from audit_tool.disclosure.review import confirmed

        return confirmed(texts, "Lead", "ticked in a test")

    written = release_dataset(db, AuditFilter(), "csv", tmp_path / "d.csv", recipient=STEERING,
                              include_free_text=True, review=read)
    answers = next(p for p in written if p.name.endswith("_answers.csv"))
    with answers.open(encoding="utf-8-sig") as f:
        notes = {row["note"] for row in csv.DictReader(f) if row.get("note")}
    assert set(seen[0]) == notes and len(seen[0]) == len(notes)
    [rel] = releases(db)
    assert reviews(db)[rel.id].texts == len(notes)


def test_one_audit_report_is_recorded_by_pseudonym(db, tmp_path):
    case = audits.add_case(db, REF, "Glenmorven (fictional)")
    sha = db.query_one("SELECT checklist_sha FROM audits LIMIT 1")[0]
    aid = audits.new_audit(db, case.id, db.checklist(sha))
    with pytest.raises(InvalidInput, match="recipient"):
        release_audit(db, aid, "docx", tmp_path / "a.docx", recipient=" ")
    assert not (tmp_path / "a.docx").exists()
    for n, identifiers in enumerate((True, False)):
        out = release_audit(db, aid, "docx", tmp_path / f"a{n}.docx",
                            recipient="Case holder (fictional)", include_identifiers=identifiers)
        doc = Document(out)
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for row in t.rows for c in row.cells])
        assert (REF in text) is identifiers
    first, second = releases(db)
    assert (first.kind, first.audit_count, first.restricted) == ("audit report", 1, True)
    assert case.pseudonym in first.selection and "with identifiers" in first.selection
    assert "with identifiers" not in second.selection
    # the register travels in bundles without identifiers: never the reference
    assert REF not in json.dumps(register_for_bundle(db))


def test_cli_lists_the_texts_then_takes_their_code(tmp_path, cli, passphrase):
    path = tmp_path / "cli.db"
    with Database.create(path, passphrase) as db:
        audits.set_local_reviewer(db, "Lead Reviewer (fictional)")
        demo.generate(db, 120, seed=7)
    out = tmp_path / "r.docx"
    base = ("--db", path, "export", "report", "--format", "docx", "--out", out,
            "--recipient", STEERING, "--include-free-text")
    r = cli(*base)
    assert r.returncode == 1 and not out.exists(), r
    assert r.stderr.strip().endswith("were listed, not confirmed; nothing was written."), r
    *listed, last = r.stdout.splitlines()
    texts = [line.split(". ", 1)[1] for line in listed]
    code = code_of(texts)
    assert last.endswith(f"run again with --free-text-reviewed {code}.") and texts, r
    r = cli(*base, "--free-text-reviewed", "0" * 10)
    assert r.returncode == 1 and "is not the code of the" in r.stderr and not out.exists(), r
    r = cli(*base, "--free-text-reviewed", code)
    assert r.returncode == 0 and out.exists(), r
    r = cli("--db", path, "releases", "--json")
    [row] = json.loads(r.stdout)
    assert row["free_text_review"]["texts"] == len(texts)
    assert row["free_text_review"]["texts_sha256"].startswith(code)
    assert "with code" in row["free_text_review"]["how"]
    # one audit's report needs a recipient on the command line too, and is recorded
    aid = json.loads(cli("--db", path, "audit", "list", "--json").stdout)[0]["id"]
    r = cli("--db", path, "export", "audit", aid, "--format", "pdf", "--out", tmp_path / "a.pdf")
    assert r.returncode == 2 and "--recipient" in r.stderr, r
    r = cli("--db", path, "export", "audit", aid, "--format", "pdf", "--out", tmp_path / "a.pdf",
            "--recipient", "Case holder (fictional)")
    assert r.returncode == 0, r
    r = cli("--db", path, "releases")
    assert "audit report" in r.stdout.splitlines()[-1] and "RESTRICTED" in r.stdout, r


def test_an_audit_report_and_a_review_travel_with_the_register(db, tmp_path, passphrase):
    """The register travels in bundles: a lead's laptop takes the new kind of release."""
    import pyrage

    from audit_tool.exchange import export_bundle, import_bundle, read_bundle

    aid = db.query_one("SELECT id FROM audits WHERE status = 'finalised' LIMIT 1")[0]
    release_audit(db, aid, "pdf", tmp_path / "one.pdf", recipient="Case holder (fictional)")
    ident = pyrage.x25519.Identity.generate()
    export_bundle(db, tmp_path / "b.age", include_identifiers=True,
                  recipients=[str(ident.to_public())])
    with Database.create(tmp_path / "lead.db", passphrase) as lead:
        import_bundle(lead, read_bundle(tmp_path / "b.age", identities=[str(ident)]))
        [got] = releases(lead)
        assert (got.kind, got.recipient, got.audit_count) == (
            "audit report", "Case holder (fictional)", 1)
