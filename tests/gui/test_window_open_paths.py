"""Paths given to ``brigade``: on its command line, by a second launch, or by the system (macOS)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from gui_app.single_instance import FileOpenFilter, PathServer, command_line_paths, server_name
from tests.gui.conftest import make_files

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_second_launch_hands_its_paths_to_the_running_window(qtbot, window, tmp_path):
    folder = tmp_path / "photos"
    make_files(folder, 3)
    config = tmp_path / "config"
    server = PathServer(server_name(str(config / "Brigade" / "Brigade.conf")), window)
    assert server.listen()
    server.pathsReceived.connect(window.open_paths)
    env = dict(
        os.environ,
        PYTHONPATH=ROOT,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(config),
        HOME=str(tmp_path),
        BRIGADE_DB=str(tmp_path / "second.sqlite3"),
    )
    proc = subprocess.Popen([sys.executable, "-m", "gui_app.main", str(folder)], env=env, cwd=ROOT)
    try:
        # The window answers while the test waits: the second launch gets through and exits.
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    qtbot.waitUntil(lambda: window.setup.found.count == 3, timeout=10_000)
    assert window.setup.roots == [str(folder)]
    server.close()


def test_a_macos_open_file_event_adds_the_file(qtbot, window, tmp_path):
    (f,) = make_files(tmp_path, 1)
    filt = FileOpenFilter(window.open_paths, window)
    QApplication.instance().installEventFilter(filt)
    try:
        with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
            QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(f)))
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert window.setup.found.paths == [str(f)]


def test_command_line_paths_are_made_absolute_and_options_left_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert command_line_paths(["a.txt", "--smoke", str(tmp_path / "b")]) == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b"),
    ]


def test_a_socket_left_by_a_crashed_window_is_replaced(qtbot, tmp_path):
    from gui_app.single_instance import _address, forward

    name = server_name(str(tmp_path / "settings.conf"))
    address, family = _address(name)
    if family == "AF_UNIX":
        with open(address, "w"):
            pass  # what a killed window leaves behind
    assert not forward(name, ["/nowhere"])  # nobody answers on it
    server = PathServer(name)
    try:
        assert server.listen()
        with qtbot.waitSignal(server.pathsReceived, timeout=10_000) as got:
            assert forward(name, [str(tmp_path)])
        assert got.args == [[str(tmp_path)]]
    finally:
        server.close()
    assert not forward(name, [str(tmp_path)])  # closed: the next launch opens its own window
