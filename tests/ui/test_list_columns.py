"""Issue 8, item 5: column widths measured on an empty first-run list must not leave every
row reading "Case D0…" once audits arrive, in this session or the next."""

from __future__ import annotations

import pytest
from uihelp import shots_dir

from audit_tool import audits
from ui import window_state
from ui.list.audit_list_model import COL

PASSPHRASE = "correct horse battery staple"

SHOTS = shots_dir("gui")
PADDING = 12  # the cell's own margins, both sides, with room to spare


@pytest.fixture(autouse=True)
def own_window_state(tmp_path, monkeypatch):
    """Column layout saved by this test only (not by other tests' windows)."""
    monkeypatch.setattr(window_state, "FOLDER", tmp_path)


def _open_window(qtbot, session, settings, size=(900, 700)):
    from ui.main_window import MainWindow

    w = MainWindow(session, settings)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: not w.loader.loading(), timeout=5000)
    return w


def _add_audits(session, mini, n: int) -> list[str]:
    pseudonyms = []
    for i in range(n):
        case = audits.add_case(session.db, f"REF-{i:04d}", "Strathallan Vale (fictional)")
        audits.new_audit(session.db, case.id, mini)
        pseudonyms.append(case.pseudonym)
    return pseudonyms


def _needed(table, texts) -> int:
    fm = table.fontMetrics()
    return max(fm.horizontalAdvance(t) for t in texts) + PADDING


def _assert_case_column_fits(w, pseudonyms) -> None:
    table = w.list_page.table
    assert w.list_model.rowCount() == len(pseudonyms)
    shown = {w.list_model.index(r, COL["case"]).data() for r in range(w.list_model.rowCount())}
    assert shown == set(pseudonyms)
    assert table.columnWidth(COL["case"]) >= _needed(table, pseudonyms)


@pytest.mark.parametrize("size", [(900, 700), (1200, 800)], ids=["narrow", "wide"])
def test_widths_from_an_empty_first_run_do_not_truncate_pseudonyms(
    qtbot, session, settings, mini, size
):
    first = _open_window(qtbot, session, settings, size)
    assert first.list_model.total() == 0  # the first run: nothing listed yet
    first.close()  # saves the window and column layout, and locks
    session.unlock(PASSPHRASE)

    pseudonyms = _add_audits(session, mini, 3)
    second = _open_window(qtbot, session, settings, size)  # the next run
    qtbot.waitUntil(lambda: second.list_model.rowCount() == 3, timeout=5000)
    qtbot.wait(20)
    second.grab().save(str(SHOTS / f"list_after_empty_first_run_{size[0]}.png"))
    _assert_case_column_fits(second, pseudonyms)
    second.close()


def test_rows_arriving_in_the_same_session_widen_the_case_column(qtbot, session, settings, mini):
    w = _open_window(qtbot, session, settings, (900, 700))
    assert w.list_model.total() == 0
    pseudonyms = _add_audits(session, mini, 2)
    w.loader.load()
    qtbot.waitUntil(lambda: w.list_model.rowCount() == 2, timeout=5000)
    _assert_case_column_fits(w, pseudonyms)
    w.close()


def test_a_column_the_reviewer_widened_stays_as_they_left_it(qtbot, session, settings, mini):
    pseudonyms = _add_audits(session, mini, 2)
    first = _open_window(qtbot, session, settings, (1200, 800))
    qtbot.waitUntil(lambda: first.list_model.rowCount() == 2, timeout=5000)
    table = first.list_page.table
    table.setColumnWidth(COL["area"], 400)  # as a drag on the header edge does
    first.close()
    session.unlock(PASSPHRASE)
    second = _open_window(qtbot, session, settings, (1200, 800))
    qtbot.waitUntil(lambda: second.list_model.rowCount() == 2, timeout=5000)
    assert second.list_page.table.columnWidth(COL["area"]) == 400
    _assert_case_column_fits(second, pseudonyms)
    second.close()
