"""The settings registry (Qt-free) and the settings dialog."""

from __future__ import annotations

import json

import pytest

from audit_tool import audits
from audit_tool.errors import InvalidInput
from audit_tool.settings import REGISTRY, Settings
from ui.dialogs.settings_dialog import SettingsDialog


def test_registry_declares_each_setting_once_with_doc():
    assert set(REGISTRY) == {
        "idle_lock_minutes", "export_folder", "show_identifiers", "release_period"}
    for setting in REGISTRY.values():
        assert setting.doc and setting.doc.endswith(".")
        setting.validate(setting.default())


def test_defaults_round_trip_and_bad_values(tmp_path):
    path = tmp_path / "settings.json"
    s = Settings.load(path)
    assert s.get("idle_lock_minutes") == 10 and s.get("show_identifiers") is False
    with pytest.raises(InvalidInput):
        s.set("idle_lock_minutes", 0)
    with pytest.raises(InvalidInput):
        s.set("show_identifiers", "yes")
    with pytest.raises(InvalidInput):
        s.set("case_reference", "x")
    s.set("idle_lock_minutes", 3)
    s.save()
    assert json.loads(path.read_text()) == {"idle_lock_minutes": 3}
    assert Settings.load(path).get("idle_lock_minutes") == 3
    path.write_text('{"idle_lock_minutes": "soon", "unknown": 1')  # damaged: defaults, no crash
    assert Settings.load(path).get("idle_lock_minutes") == 10
    path.write_text('{"idle_lock_minutes": -5, "from_a_newer_version": 1}')
    assert Settings.load(path).get("idle_lock_minutes") == 10


def test_settings_dialog_saves_profile_and_preferences(qtbot, window, session, settings):
    dialog = SettingsDialog(session, settings, window)
    qtbot.addWidget(dialog)
    assert dialog.reviewer_name.text() == "Test Reviewer"
    dialog.reviewer_name.setText("Morag Example")
    dialog.reviewer_role.setText("Safe & Together champion")
    dialog.idle_minutes.setValue(5)
    dialog.show_identifiers.setChecked(True)
    dialog._save()
    assert audits.local_reviewer(session.db).name == "Morag Example"
    assert Settings.load(settings.path).get("idle_lock_minutes") == 5
    assert Settings.load(settings.path).get("show_identifiers") is True


def test_settings_action_applies_the_idle_minutes(qtbot, window, settings, monkeypatch):
    def change(dialog):
        dialog.idle_minutes.setValue(2)
        dialog._save()
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", change)
    window.actions.settings.trigger()
    assert window.idle.interval_ms() == 2 * 60_000
