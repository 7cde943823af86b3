"""The window's banner for history write problems, fed by a real recorder on another thread."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow

from core.events import BatchFinished
from core.model import BatchSpec, TaskState
from core.store import StoreRecorder
from gui_app.history_banner import HistoryBanner
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


class _FullDisk:
    """A connection whose COMMITs fail, as on a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_write_problem_on_the_engine_thread_shows_in_the_banner(qtbot, tmp_path):
    window = QMainWindow()
    window.setCentralWidget(QLabel("tasks"))
    banner = HistoryBanner(window)
    window.addToolBar(banner)
    qtbot.addWidget(window)
    window.resize(900, 300)
    window.show()
    assert banner.isHidden()

    recorder = StoreRecorder.open(str(tmp_path / "h.sqlite3"))
    banner.listen(recorder)
    batch_id, _ = recorder.open_batch(BatchSpec("checksum", {}, ["/data/a"]))
    real = recorder._conn
    recorder._conn = _FullDisk(real)  # type: ignore[assignment]

    def engine_thread() -> None:  # as the engine does: record, and its end makes a commit due
        recorder.record([BatchFinished(batch_id, {TaskState.DONE: 1}, False, 1.0)])

    worker = threading.Thread(target=engine_thread)
    worker.start()
    worker.join(10)
    qtbot.waitUntil(banner.isVisible, timeout=5000)  # the hop to the GUI thread is a queued signal
    assert "database or disk is full" in banner.label.text()
    assert banner.label.text().startswith("History is not saved completely")
    save_artifact(window, "history_banner.png")
    banner.dismiss.trigger()
    assert banner.isHidden()
    recorder._conn = real
    recorder.close()
