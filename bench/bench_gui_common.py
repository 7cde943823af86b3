"""Helpers of the GUI benchmarks: a window on temporary settings, an event-loop stall meter."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

import psutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class StallMeter:
    """A 5 ms timer on the GUI thread; records how late each tick arrives (the event loop's delays)."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.delays: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.setTimerType(self._timer.timerType().PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.delays.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.delays.append(max(0.0, now - self._last - self.interval))
        self._last = now

    def summary(self) -> tuple[float, float, int]:
        """Longest delay, 99th percentile (seconds), number of ticks."""
        if not self.delays:
            return 0.0, 0.0, 0
        ordered = sorted(self.delays)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return ordered[-1], p99, len(ordered)


_procs: dict[int, psutil.Process] = {}


def app_rss(pids: tuple[int, ...] | None = None) -> int:
    """Resident memory of this process and its workers (the whole app), in bytes.

    With ``pids`` (the engine's workers) no process table scan is needed: on a
    busy machine listing every process's parent takes longer than the stalls
    being measured.
    """
    if pids is None:
        pids = tuple(p.pid for p in psutil.Process().children(recursive=True))
    total = psutil.Process().memory_info().rss
    for pid in pids:
        try:
            proc = _procs.get(pid) or _procs.setdefault(pid, psutil.Process(pid))
            total += proc.memory_info().rss
        except psutil.Error:
            _procs.pop(pid, None)
    return total


def wait_until(
    app, predicate: Callable[[], bool], timeout: float, step: Callable[[], None] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        app.processEvents()
        if step is not None:
            step()
        time.sleep(0.001)


def open_window(workers: int = 2):
    """The QApplication and a shown main window on throw-away settings and history."""
    from PySide6.QtCore import QSettings

    from gui_app.app import make_application
    from gui_app.main_window import MainWindow
    from gui_app.settings import Settings

    tmp = tempfile.mkdtemp(prefix="brigade-bench-")
    os.environ["BRIGADE_DB"] = os.path.join(tmp, "history.sqlite3")
    app = make_application([])
    settings = Settings(QSettings(os.path.join(tmp, "brigade.ini"), QSettings.Format.IniFormat))
    settings.workers = workers
    settings.db_path = os.environ["BRIGADE_DB"]
    window = MainWindow(settings)
    window.resize(1280, 800)
    window.show()
    wait_until(app, lambda: window.engine_running and len(window.bridge.engine.worker_pids) == workers, 30)
    return app, window


def close(app, window) -> None:
    from gui_app.main_window import CloseChoice

    window.close_choice = lambda: CloseChoice.CANCEL
    window.close()
    wait_until(app, lambda: window._can_close, 120)
    window.release()
