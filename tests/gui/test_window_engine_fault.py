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
