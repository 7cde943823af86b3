"""Fixtures of the window tests: a temp database and settings, a shown window,
and checks that no QThread or Python thread outlives a test (the process check
is in ``tests/conftest.py``)."""

from __future__ import annotations

import os
import threading
import time
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThread

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

_started: weakref.WeakSet[QThread] = weakref.WeakSet()
_original_start = QThread.start


def _tracking_start(self: QThread, *args: object) -> None:
    _started.add(self)
    _original_start(self, *args)


QThread.start = _tracking_start  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    """Fail a test that leaves a QThread running or a new Python thread alive."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        running = [t for t in list(_started) if _alive(t)]
        extra = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]
        if not running and not extra:
            return
        time.sleep(0.05)
    assert not running, f"QThreads left running: {[t.objectName() for t in running]}"
    assert not extra, f"threads left running: {[t.name for t in extra]}"


def _alive(thread: QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # the C++ object is gone: it cannot be running
        return False


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """A home and config folder of the test's own: presets and file dialogs never see the real ones."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "history.sqlite3")
    monkeypatch.setenv("BRIGADE_DB", path)
    return path


@pytest.fixture
def settings(tmp_path, db_path):
    from gui_app.settings import Settings

    qs = QSettings(str(tmp_path / "brigade.ini"), QSettings.Format.IniFormat)
    s = Settings(qs)
    s.workers = 2
    s.db_path = db_path
    return s


def close_window(qtbot, window, choice=None) -> None:
    """Close ``window`` (cancelling what still runs) and wait until everything stopped."""
    from gui_app.main_window import CloseChoice

    if window._can_close:
        return
    window.close_choice = lambda: choice or CloseChoice.CANCEL
    window.close()
    qtbot.waitUntil(lambda: window._can_close, timeout=30_000)
    assert not window.engine_running


def open_window(qtbot, settings):
    """A shown main window whose engine runs with two workers."""
    from gui_app.main_window import MainWindow

    # Not qtbot.addWidget: pytest-qt would close and delete it before the
    # fixture's teardown had stopped the engine thread.
    w = MainWindow(settings)
    try:
        w.show()
        qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.engine_running and len(w.bridge.engine.worker_pids) == 2, timeout=20_000)
    except BaseException:
        shut(qtbot, w)
        raise
    return w


def shut(qtbot, w) -> None:
    """Close ``w`` and make sure its engine, workers and samplers are gone."""
    try:
        close_window(qtbot, w)
    finally:
        w.release()  # blocking, idempotent: no engine thread may outlive the test
        w.deleteLater()


@pytest.fixture
def window(qtbot, settings):
    w = open_window(qtbot, settings)
    try:
        yield w
    finally:
        shut(qtbot, w)


def make_files(folder: Path, count: int, content: bytes = b"x", prefix: str = "f") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"{prefix}{i:03d}.txt"
        p.write_bytes(content * (i + 1))
        paths.append(p)
    return paths


def save_artifact(widget, name: str) -> Path:
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)  # names may hold a sub-folder
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
