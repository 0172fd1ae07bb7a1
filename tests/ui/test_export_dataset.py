"""The export dialog's third kind: the anonymised analyst dataset, as XLSX or CSV, built on the
reader and written off the GUI thread, never with identifiers. Real encrypted database, real
files read back."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from uihelp import read_and_release, shots_dir

from audit_tool import audits
from audit_tool.filters import AuditFilter
from ui.export.export_dialog import ExportDialog

SHOTS = shots_dir("dataset")
GOOD = [("p1", "5"), ("p2", "yes"), ("p3", "4"), ("q1", "5"), ("q2", "na")]  # 5 rows each
NOTE = "Quokka marker note (fictional)"


def _populate(db, mini, n: int = 8) -> None:
    for i in range(n):
        case = audits.add_case(db, f"FICT-GUI-{i:03d}", "Testshire (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
        for item, rating in GOOD:
            audits.answer(db, audit_id, item, rating)
        audits.answer(db, audit_id, "p1", note=f"{NOTE} about FICT-GUI-{(i + 1) % n:03d}")
        audits.finalise(db, audit_id)


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def _dialog(qtbot, session, tmp_path) -> ExportDialog:
    dialog = ExportDialog(session, str(tmp_path), None, AuditFilter(), "8 audits")
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_dataset_to_xlsx_with_notes_never_identifiers(qtbot, session, mini, tmp_path):
    _populate(session.db, mini)
    dialog = _dialog(qtbot, session, tmp_path)
    dialog.identifiers.setChecked(True)  # ticked for a report: the dataset clears and locks it
    _click(qtbot, dialog.dataset)
    assert dialog.dataset.isChecked()
    assert not dialog.identifiers.isChecked() and not dialog.identifiers.isEnabled()
    assert dialog.data_formats.isVisible() and not dialog.report_formats.isVisible()
    assert dialog.free_text.isEnabled() and "evidence notes" in dialog.free_text.text()
    assert Path(dialog.path.text()).name.startswith("Analyst dataset") and dialog.fmt() == "xlsx"
    _click(qtbot, dialog.free_text)
    if SHOTS.is_dir():
        dialog.grab().save(str(SHOTS / "export_dialog_dataset.png"))
    _click(qtbot, dialog.export_button)
    # the notes are listed for the lead to read and tick before anything is written
    listed = read_and_release(qtbot, dialog)
    assert listed == [f"{NOTE} about [case reference removed]"]  # each distinct text once
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    out = Path(dialog.path.text())
    assert dialog.status.text() == f"Saved: {out}", dialog.status.text()
    wb = load_workbook(out, read_only=True)
    rows = list(wb["answers"].iter_rows(values_only=True))
    wb.close()
    header = rows[0]
    assert len(rows) - 1 == 8 * 5
    notes = [r[header.index("note")] for r in rows[1:] if r[header.index("item_id")] == "p1"]
    assert notes == [f"{NOTE} about [case reference removed]"] * 8
    assert not any("FICT-GUI" in str(v) for r in rows for v in r)


def test_dataset_to_csv_names_its_three_files(qtbot, session, mini, tmp_path):
    _populate(session.db, mini)
    dialog = _dialog(qtbot, session, tmp_path)
    _click(qtbot, dialog.dataset)
    _click(qtbot, dialog.csv)
    assert dialog.path.text().endswith(".csv")
    _click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    stem = Path(dialog.path.text()).stem
    names = [f"{stem}_{t}.csv" for t in ("answers", "audits", "codebook")]
    labels = [f"{stem}_wide.{ext}" for ext in ("csv", "sps", "do")]  # issue 23: SPSS/Stata labels
    assert dialog.status.text() == f"Saved in {tmp_path}: {', '.join(names + labels)}"
    assert dialog.will_write.text() == f"Will be written: {', '.join(names + labels)}"
    assert all((tmp_path / n).is_file() for n in labels)
    for n in names:
        assert (tmp_path / n).read_bytes().startswith(b"\xef\xbb\xbf")
    text = (tmp_path / names[0]).read_text(encoding="utf-8-sig")
    assert len(text.splitlines()) == 1 + 8 * 5 and NOTE not in text  # notes not ticked
    # a refused selection is said in the dialog, and nothing is written
    small = ExportDialog(session, str(tmp_path), None, AuditFilter(date_from="2099-01-01"), "0 audits")
    qtbot.addWidget(small)
    small.recipient.setText("Steering group (fictional)")  # the register needs it
    small.dataset.setChecked(True)
    small.path.setText(str(tmp_path / "none.xlsx"))
    small.export_button.click()
    qtbot.waitUntil(lambda: not small.running(), timeout=30_000)
    assert small.status.text() == "No finalised audits match this selection; nothing was written."
    assert not (tmp_path / "none.xlsx").exists()


def test_dataset_to_spss_and_stata_read_back_with_pyreadstat(qtbot, session, mini, tmp_path):
    import pyreadstat

    _populate(session.db, mini)
    for button, suffix, read in (
        ("sav", "sav", pyreadstat.read_sav),
        ("dta", "dta", pyreadstat.read_dta),
    ):
        dialog = _dialog(qtbot, session, tmp_path)
        _click(qtbot, dialog.dataset)
        _click(qtbot, getattr(dialog, button))
        assert dialog.fmt() == suffix and dialog.path.text().endswith("." + suffix)
        assert not dialog.native_note.isVisible() and not dialog.will_write.isVisible()
        _click(qtbot, dialog.export_button)
        qtbot.waitUntil(lambda d=dialog: not d.running(), timeout=30_000)
        out = Path(dialog.path.text())
        assert dialog.status.text() == f"Saved: {out}", dialog.status.text()
        frame, meta = read(str(out))
        assert len(frame) == 8  # one row per audit
        assert "Is the pattern of behaviour described?" in " ".join(meta.column_labels)
        labelled = [v for v in meta.variable_value_labels.values() if "Very good" in v.values()]
        assert labelled, meta.variable_value_labels
        assert not any("FICT-GUI" in str(v) for v in frame.to_numpy().ravel())


def test_no_native_formats_in_the_frozen_app(qtbot, session, tmp_path, monkeypatch):
    from audit_tool import dataset_stats

    monkeypatch.setattr(dataset_stats, "native_available", lambda: False)
    dialog = _dialog(qtbot, session, tmp_path)
    _click(qtbot, dialog.dataset)
    assert not dialog.sav.isEnabled() and not dialog.dta.isEnabled()
    assert dialog.native_note.isVisible()
    assert dialog.native_note.text() == dataset_stats.NATIVE_UNAVAILABLE
    assert dialog.xlsx.isEnabled() and dialog.csv.isEnabled()


def test_save_as_offers_the_spss_and_stata_file_types(qtbot, session, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def fake(_parent, _title, start, filt):
        asked.append(filt)
        return str(Path(start).with_name("chosen")), filt

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    dialog = _dialog(qtbot, session, tmp_path)
    _click(qtbot, dialog.dataset)
    for button, filt, suffix in (
        (dialog.sav, "SPSS data (*.sav)", ".sav"),
        (dialog.dta, "Stata data (*.dta)", ".dta"),
    ):
        _click(qtbot, button)
        _click(qtbot, dialog.choose)
        assert asked[-1] == filt
        assert dialog.path.text() == str(tmp_path / ("chosen" + suffix))
