"""Settings on a real ini file, and the Settings dialog refusing bad values beside the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from core.engine.api import default_workers
from gui_app.settings import Settings
from gui_app.settings_dialog import SettingsDialog, parse_timeout
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def ini(tmp_path):
    return str(tmp_path / "brigade.ini")


def fresh(ini: str) -> Settings:
    return Settings(QSettings(ini, QSettings.Format.IniFormat))


def test_defaults(ini):
    s = fresh(ini)
    assert s.workers == default_workers()
    assert (s.timeout, s.retries, s.recycle_after) == (None, 0, None)
    assert (s.theme, s.language, s.when_done) == ("system", "system", "nothing")
    assert (s.cluster_address, s.cluster_tls, s.db_path) == ("", {}, None)


def test_values_survive_a_new_instance_with_their_types(ini):
    s = fresh(ini)
    s.workers, s.timeout, s.retries, s.recycle_after = 6, 2.5, 3, 100
    s.theme, s.language, s.when_done = "dark", "zh_CN", "quit"
    s.db_path = "/tmp/h.sqlite3"
    s.cluster_address = " tcp://10.0.0.5:8786 "
    s.cluster_tls = {"ca_file": "/etc/ca.pem", "cert_file": "", "key_file": "/etc/k.pem"}
    s.sync()
    t = fresh(ini)
    assert (t.workers, t.timeout, t.retries, t.recycle_after) == (6, 2.5, 3, 100)
    assert isinstance(t.workers, int) and isinstance(t.timeout, float)
    assert (t.theme, t.language, t.when_done) == ("dark", "zh_CN", "quit")
    assert t.db_path == "/tmp/h.sqlite3"
    assert t.cluster_address == "tcp://10.0.0.5:8786"
    assert t.cluster_tls == {"ca_file": "/etc/ca.pem", "key_file": "/etc/k.pem"}
    t.timeout = None
    t.recycle_after = None
    t.db_path = None
    assert (fresh(ini).timeout, fresh(ini).recycle_after, fresh(ini).db_path) == (None, None, None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("workers", 0),
        ("workers", 257),
        ("workers", 2.5),
        ("timeout", 0),
        ("timeout", -1.0),
        ("retries", 11),
        ("retries", -1),
        ("recycle_after", 0),
        ("theme", "blue"),
        ("language", "fr"),
        ("when_done", "hibernate"),
        ("cluster_tls", {"password": "x"}),
    ],
)
def test_setters_refuse_invalid_values(ini, name, value):
    s = fresh(ini)
    with pytest.raises(ValueError):
        setattr(s, name, value)


def test_a_hand_edited_file_falls_back_to_defaults(ini):
    qs = QSettings(ini, QSettings.Format.IniFormat)
    qs.setValue("engine/workers", "lots")
    qs.setValue("engine/timeout", "-3")
    qs.setValue("engine/retries", "99")
    qs.setValue("ui/theme", "purple")
    qs.setValue("cluster/tls", "{not json")
    qs.sync()
    s = Settings(QSettings(ini, QSettings.Format.IniFormat))
    assert (s.workers, s.timeout, s.retries, s.theme, s.cluster_tls) == (
        default_workers(),
        None,
        0,
        "system",
        {},
    )


def test_parse_timeout():
    assert parse_timeout("") is None and parse_timeout("  ") is None
    assert parse_timeout("2,5") == 2.5 and parse_timeout("30") == 30.0
    for bad in ("0", "-2", "abc", "1e999x"):
        with pytest.raises(ValueError):
            parse_timeout(bad)


@pytest.fixture
def dialog(qtbot, ini):
    s = fresh(ini)
    s.workers = 4
    d = SettingsDialog(s)
    qtbot.addWidget(d)
    d.show()
    return d


def ok_button(d: SettingsDialog):
    return d.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_dialog_shows_the_current_values(dialog):
    assert dialog.workers.value() == 4
    assert dialog.timeout.text() == "" and dialog.timeout.placeholderText() == "No limit"
    assert dialog.theme.currentData() == "system"
    assert ok_button(dialog).isEnabled()


def test_a_bad_timeout_is_refused_beside_the_field(dialog, qtbot):
    dialog.timeout.clear()
    qtbot.keyClicks(dialog.timeout, "-5")
    assert dialog.errors["timeout"].isVisible()
    assert "more than 0" in dialog.errors["timeout"].text()
    assert not ok_button(dialog).isEnabled()
    dialog.accept()  # even a forced accept writes nothing
    assert dialog.settings.timeout is None and dialog.isVisible()

    dialog.timeout.clear()
    qtbot.keyClicks(dialog.timeout, "abc")
    assert "number of seconds" in dialog.errors["timeout"].text()

    dialog.timeout.clear()
    qtbot.keyClicks(dialog.timeout, "12.5")
    assert not dialog.errors["timeout"].isVisible() and ok_button(dialog).isEnabled()


def test_a_worker_count_out_of_range_is_refused(dialog, qtbot):
    edit = dialog.workers.lineEdit()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert dialog.errors["workers"].isVisible()  # empty is not a number
    assert "1 to 256" in dialog.errors["workers"].text()
    assert not ok_button(dialog).isEnabled()
    qtbot.keyClicks(edit, "999")  # the spin box's validator refuses what passes 256
    assert dialog.workers.value() <= 256
    edit.selectAll()
    qtbot.keyClicks(edit, "8")
    assert dialog.workers.value() == 8 and ok_button(dialog).isEnabled()
    assert (dialog.retries.minimum(), dialog.retries.maximum()) == (0, 10)


def test_ok_saves_and_emits_changed(dialog, qtbot, ini):
    dialog.workers.setValue(3)
    dialog.timeout.setText("45")
    dialog.retries.setValue(2)
    dialog.recycle.setValue(50)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.when_done.setCurrentIndex(dialog.when_done.findData("quit"))
    dialog.cluster_address.setText("tcp://127.0.0.1:8786")
    dialog.tls["ca_file"].setText("/etc/ca.pem")
    with qtbot.waitSignal(dialog.changed, timeout=2000):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    s = fresh(ini)
    assert (s.workers, s.timeout, s.retries, s.recycle_after) == (3, 45.0, 2, 50)
    assert (s.theme, s.language, s.when_done) == ("dark", "zh_CN", "quit")
    assert s.cluster_address == "tcp://127.0.0.1:8786" and s.cluster_tls == {"ca_file": "/etc/ca.pem"}


def test_cancel_writes_nothing_and_restore_defaults_fills_the_fields(dialog, qtbot, ini):
    dialog.retries.setValue(7)
    dialog.restore_defaults()
    assert dialog.retries.value() == 0 and dialog.workers.value() == min(default_workers(), 256)
    dialog.retries.setValue(5)
    with qtbot.assertNotEmitted(dialog.changed):
        dialog.reject()
    assert fresh(ini).retries == 0


def test_a_cluster_address_without_a_port_is_refused(dialog, qtbot):
    dialog.tabs.setCurrentWidget(dialog.cluster)
    qtbot.keyClicks(dialog.cluster_address, "scheduler")
    assert dialog.errors["cluster_address"].isVisible() and not ok_button(dialog).isEnabled()
    qtbot.keyClicks(dialog.cluster_address, ":8786")
    assert ok_button(dialog).isEnabled()


def test_screenshot(dialog, qtbot):
    qtbot.keyClicks(dialog.timeout, "-1")
    # The dialog grows for the message on the next layout pass: grab after it, not squashed.
    qtbot.waitUntil(lambda: dialog.timeout.height() >= dialog.timeout.sizeHint().height(), timeout=2000)
    assert save_artifact(dialog, "panels/settings_dialog.png").stat().st_size > 5_000
