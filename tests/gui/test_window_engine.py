"""An unexpected error on the engine thread is shown in the window, and the run ends."""

from __future__ import annotations

import pytest

from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def test_the_window_says_the_engine_stopped_on_an_unexpected_error(qtbot, window):
    bridge = window.bridge
    with qtbot.waitSignal(bridge.stopped, timeout=20_000):
        bridge.engine.call(lambda: {}["no such key"])  # a real exception on the engine thread
    assert bridge.engine.fault.message == "KeyError: 'no such key'"
    message = window.statusBar().currentMessage()
    assert "The engine stopped" in message and "KeyError" in message, message
    assert not window.setup.isEnabled()  # nothing more can be started on a dead engine
    assert not bridge.engine.worker_pids
    save_artifact(window, "engine-fault.png")


def test_the_library_log_level_setting_reaches_the_workers(qtbot, settings):
    import logging

    from gui_app.settings_dialog import SettingsDialog
    from tests.gui.conftest import open_window, shut

    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.library_log.setCurrentIndex(dialog.library_log.findData("DEBUG"))
    dialog.save()
    save_artifact(dialog, "settings-library-log.png")
    assert settings.library_log_level == "DEBUG"
    window = open_window(qtbot, settings)
    try:
        assert window.bridge.engine.config.log_level == logging.DEBUG
    finally:
        shut(qtbot, window)
