"""The list's search in evidence notes and summaries (issue 23 item 4), with real widgets and
a real encrypted database: the matching audit shows with its snippet; nothing else does; a
deleted draft's note is no longer found; the notes never reach an export."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tool import audits
from ui.list.audit_list_model import COL

SHOTS = Path("/tmp/search_shots")


@pytest.fixture
def noted(session, mini) -> dict[str, str]:
    ids = {}
    for ref, note in (
        ("REF-A", "Chronology shows the zebrafinch incidents since the move."),
        ("REF-B", "Plan names his actions; nothing unusual."),
        ("REF-C", ""),
    ):
        case = audits.add_case(session.db, ref, "Testshire (fictional)")
        ids[ref] = audits.new_audit(session.db, case.id, mini)
        if note:
            audits.answer(session.db, ids[ref], "p1", note=note)
    audits.set_summary(session.db, ids["REF-C"], "summary", "Kestrel safety plan reviewed.")
    return ids


def _shown(model) -> dict[str, str]:
    """Audit id -> what the 'Found in notes' column shows, for every row in view."""
    return {
        model.audit_id(r): model.index(r, COL["match"]).data() for r in range(model.rowCount())
    }


def _search(qtbot, window, text: str) -> None:
    page = window.list_page
    page.search.clear()
    qtbot.keyClicks(page.search, text)


def test_a_word_from_a_note_shows_that_audit_with_its_snippet(qtbot, window, noted):
    window.loader.load()
    page, model = window.list_page, window.list_model
    _search(qtbot, window, "zebrafin")
    qtbot.waitUntil(lambda: list(_shown(model)) == [noted["REF-A"]], timeout=3000)
    assert "[zebrafinch]" in _shown(model)[noted["REF-A"]]
    assert not page.table.isColumnHidden(COL["match"])
    assert page.count_label.text() == "Showing 1 of 3 audits"
    # a summary is searched too; the existing search on area etc. still works
    _search(qtbot, window, "kestrel")
    qtbot.waitUntil(lambda: list(_shown(model)) == [noted["REF-C"]], timeout=3000)
    assert _shown(model)[noted["REF-C"]] == "Summary: [Kestrel] safety plan reviewed."
    _search(qtbot, window, "testshire")
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=3000)
    assert page.table.isColumnHidden(COL["match"])  # no note matched: no notes column


def test_a_word_in_no_note_shows_none(qtbot, window, noted):
    window.loader.load()
    page = window.list_page
    _search(qtbot, window, "ocelot")
    qtbot.wait(200)  # the reader's answer (none) has arrived
    assert window.list_model.rowCount() == 0
    assert page.stack.currentWidget() is page.empty
    assert page.empty_title.text() == "No audits match"


def test_a_deleted_drafts_note_is_no_longer_found(qtbot, window, session, noted, monkeypatch):
    import ui.controller as controller

    monkeypatch.setattr(controller, "confirm", lambda *a, **k: True)
    window.loader.load()
    model = window.list_model
    _search(qtbot, window, "zebrafinch")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=3000)
    window.list_page.select_audit(noted["REF-A"])
    window.actions.delete_draft.trigger()
    assert model.row_of(noted["REF-A"]) < 0
    _search(qtbot, window, "zebrafinc")
    _search(qtbot, window, "zebrafinch")
    qtbot.wait(200)
    assert model.rowCount() == 0
    from audit_tool.search import search_notes

    assert search_notes(session.db, "zebrafinch") == {}


def test_the_notes_index_never_reaches_an_export(tmp_path):
    """A demo database (synthetic, fictional) whose finalised audits have notes in the index:
    the safe dataset (CSV with its syntax files, XLSX) and the anonymised aggregate report of
    the same database hold none of the indexed texts, nor a snippet of them."""
    import zipfile

    from audit_tool.dataset import build_dataset, write_dataset
    from audit_tool.demo import generate
    from audit_tool.export import render_report
    from audit_tool.filters import AuditFilter
    from audit_tool.reports.build import aggregate_report
    from audit_tool.search import search_notes
    from audit_tool.store import Database

    with Database.create(tmp_path / "demo.db", "fictional passphrase for a test") as db:
        generate(db, 120, seed=3)
        texts = [
            t for (t,) in db.query(
                "SELECT s.text FROM search_text s JOIN search_keys k ON k.rid = s.rowid"
                " JOIN audits a ON a.id = k.audit_id WHERE a.status = 'finalised'"
            )
            if len(t) > 25
        ]
        assert len(texts) > 20
        word = max(texts[0].split(), key=len).strip(".,;:")
        snippets = list(search_notes(db, word).values())
        assert snippets and "[" in snippets[0]
        ds = build_dataset(db, AuditFilter(), include_free_text=False)
        written = write_dataset(ds, "csv", tmp_path / "data.csv")
        written += write_dataset(ds, "xlsx", tmp_path / "data.xlsx")
        render_report(aggregate_report(db, AuditFilter()), "docx", tmp_path / "r.docx", None)
    written.append(tmp_path / "r.docx")
    assert len(written) >= 5
    for path in written:
        if path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as z:
                text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            text = path.read_text(encoding="utf-8-sig")
        leaked = [t for t in texts + snippets if t in text]
        assert leaked == [], (path.name, leaked[:2])


def test_screenshots_of_the_list_with_a_snippet(qtbot, window, noted):
    window.loader.load()
    out = SHOTS
    out.mkdir(parents=True, exist_ok=True)
    for w, h in ((1440, 900), (1024, 600)):
        window.resize(w, h)
        _search(qtbot, window, "")
        _search(qtbot, window, "zebrafinch")
        qtbot.waitUntil(lambda: window.list_model.rowCount() == 1, timeout=3000)
        qtbot.wait(50)
        rect = window.list_page.table.visualRect(window.list_model.index(0, COL["match"]))
        assert window.list_page.table.viewport().rect().contains(rect.center())  # in view
        window.grab().save(str(out / f"list-snippet-{w}x{h}.png"))


def test_exporters_never_read_the_search_tables():
    """Nothing but the search module names the FTS tables."""
    root = Path(__file__).resolve().parents[2] / "audit_tool"
    readers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "search_text" in p.read_text(encoding="utf-8") or "search_keys" in p.read_text(encoding="utf-8")
    )
    assert readers == ["search.py", "store/schema.py"]
