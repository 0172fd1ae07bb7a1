"""`audit-tool selftest`: a real round trip in a temporary encrypted database.

Create, answer, finalise, findings, integrity, a PDF and a DOCX export, wrong-passphrase
refusal. Exit 0 only when every step held. Uses fictional data and deletes its folder.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from . import audits
from .cases import add_case
from .checklists.loader import bundled
from .errors import WrongPassphrase
from .filters import AuditFilter
from .findings import findings
from .records import get_audit, new_audit
from .store import Database


def run(say: Callable[[str], None] = print) -> int:
    folder = Path(tempfile.mkdtemp(prefix="audit-selftest-"))
    failures = 0

    def step(name: str, fn: Callable[[], str | None]) -> None:
        nonlocal failures
        try:
            detail = fn()
            say(f"ok    {name}{': ' + detail if detail else ''}")
        except Exception as exc:  # report every step, keep going
            failures += 1
            say(f"FAIL  {name}: {type(exc).__name__}: {exc}")

    path = folder / "selftest.db"
    passphrase = "selftest " + secrets.token_urlsafe(18)
    state: dict = {}
    try:
        def create() -> str:
            state["db"] = Database.create(path, passphrase)
            return f"SQLCipher database at {path.name}"

        def checklists() -> str:
            found = bundled()
            assert len(found) >= 3, "fewer than three bundled checklists"
            return ", ".join(f"{c.id} ({c.definition.item_count()} items)" for c in found)

        def answer_all() -> str:
            db = state["db"]
            case = add_case(db, "SELFTEST-0001", "Selftest area (fictional)", "Selftest agency")
            audit_id = new_audit(db, case.id, bundled()[0], phase="baseline")
            state["audit"] = audit_id
            definition = get_audit(db, audit_id).checklist.definition
            n = 0
            for _, item in definition.items():
                current = get_audit(db, audit_id).ratings if item.show_when else {}
                if item.show_when and not definition.visible(item, current):
                    continue
                scale = definition.scale_of(item)
                # a fact is never scored: any of its values will do
                value = scale.levels[0].value if scale.is_fact else scale.meets_standard[0]
                audits.answer(db, audit_id, item.id, value, "Selftest note, ünïcödé: Ùna")
                n += 1
            return f"{n} items answered"

        def finalise() -> str:
            db = state["db"]
            audits.finalise(db, state["audit"])
            assert get_audit(db, state["audit"]).read_only
            return "read-only"

        def check_findings() -> str:
            f = findings(state["db"], AuditFilter(audit_id=state["audit"]))
            assert f.audits == 1 and f.overall.rated > 0
            assert f.overall.share == 1.0, f"expected every item to meet the standard, got {f.overall.share}"
            return f"{f.overall.meets}/{f.overall.rated} meet the standard"

        def integrity() -> str:
            problems = state["db"].integrity_problems()
            assert not problems, "; ".join(problems)
            return "cipher and structure intact"

        def export(fmt: str) -> Callable[[], str]:
            def go() -> str:
                from .export import export_audit
                from .reports.build import audit_report

                out = folder / f"selftest.{fmt}"
                export_audit(state["db"], state["audit"], fmt, out)
                data = out.read_bytes()
                if fmt == "pdf":
                    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], "not a whole PDF"
                    # PDF text is compressed glyph codes: check what was rendered, the report
                    report = audit_report(state["db"], state["audit"])
                    text = repr(report.blocks)
                else:
                    with zipfile.ZipFile(out) as z:
                        text = z.read("word/document.xml").decode("utf-8")
                pseudonym = get_audit(state["db"], state["audit"]).case.pseudonym
                assert pseudonym in text, "the check cannot see the report's text"
                assert "SELFTEST-0001" not in text, "case reference leaked into an anonymised export"
                return f"{len(data):,} bytes, anonymised"
            return go

        def reopen() -> str:
            state["db"].close()
            try:
                Database.open(path, passphrase + "x")
            except WrongPassphrase:
                pass
            else:
                raise AssertionError("a wrong passphrase was accepted")
            with Database.open(path, passphrase) as db:
                assert get_audit(db, state["audit"]).read_only
            return "wrong passphrase refused; right one reopens"

        def spreadsheet() -> str:
            # openpyxl is loaded only here and by sampling and datasets: prove the bundle has it
            from .checklists.spreadsheet import import_xlsx, write_template

            book = folder / "template.xlsx"
            write_template(book)
            loaded = import_xlsx(book)[1]
            return f"template workbook read back: {loaded.definition.title}"

        def exchange() -> str:
            # pyrage is loaded only by the exchange: prove the bundle has it, both ways
            from .exchange import export_bundle, import_bundle, keygen, read_bundle, read_identities

            key, out, other = folder / "selftest.key", folder / "selftest.age", folder / "other.db"
            public = keygen(key)
            with Database.open(path, passphrase) as db:
                export_bundle(db, out, recipients=[public])
            assert b"SELFTEST-0001" not in out.read_bytes(), "case reference in the sent file"
            with Database.create(other, passphrase) as db2:
                import_bundle(db2, read_bundle(out, identities=read_identities(key)))
                assert get_audit(db2, state["audit"]).read_only
            return "an encrypted file of audits read into a second database"

        def no_plaintext() -> str:
            for p in folder.glob("selftest.db*"):
                assert b"SELFTEST-0001" not in p.read_bytes(), f"plaintext found in {p.name}"
            return "no readable case data in the database files"

        step("create encrypted database", create)
        step("load bundled checklists", checklists)
        step("answer an audit", answer_all)
        step("finalise", finalise)
        step("findings", check_findings)
        step("integrity check", integrity)
        step("export PDF", export("pdf"))
        step("export DOCX", export("docx"))
        step("close and reopen", reopen)
        step("checklist spreadsheet round trip", spreadsheet)
        step("audits sent between laptops", exchange)
        step("encryption at rest", no_plaintext)
    finally:
        db = state.get("db")
        if db is not None and db.is_open:
            db.close()
        shutil.rmtree(folder, ignore_errors=True)
    say("selftest passed" if not failures else f"selftest FAILED: {failures} step(s)")
    return 0 if not failures else 1
