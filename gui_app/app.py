"""``run_app``: the QApplication, its look and language, and the main window.

``brigade PATH...`` adds the paths to the job setup, or hands them to the
window already running (``gui_app.single_instance``).

``brigade --smoke`` opens the window, waits for its first paint, prints how
long that took from process start, then opens every panel (``gui_app.smoke``),
closes cleanly and exits 0, or 1 if a panel failed: the frozen app's smoke
check and the start-up benchmark both use it.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

import core
from gui_app.i18n import install_translator
from gui_app.icons import app_icon
from gui_app.main_window import MainWindow
from gui_app.settings import Settings
from gui_app.single_instance import FileOpenFilter, PathServer, command_line_paths, forward, server_name
from gui_app.theme import apply_theme


def process_start_time() -> float:
    """Wall-clock time this process started (``time.time()`` scale)."""
    mark = os.environ.get("BRIGADE_T0")
    if mark:
        return float(mark)
    try:
        return _linux_start_time()
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import psutil

        return psutil.Process().create_time()
    except Exception:  # noqa: BLE001 - fall back to "now": the figure is then a lower bound
        return time.time()


def _linux_start_time() -> float:
    """Start time from /proc, against a boot time precise to 10 ms.

    psutil adds the start tick to the boot time Linux reports in whole
    seconds, which puts its figure up to a second off; /proc/uptime is finer.
    """
    with open("/proc/self/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    with open("/proc/uptime", "rb") as f:
        uptime = float(f.read().split()[0])
    started_after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return time.time() - uptime + started_after_boot


class FirstPaint(QObject):
    """Event filter that notes the first paint of a widget and then runs ``then``."""

    def __init__(self, then: object, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.then = then
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.time()
            # After this paint has finished, not inside it.
            QTimer.singleShot(0, self._fire)
        return False

    @Slot()
    def _fire(self) -> None:
        if callable(self.then):
            self.then(self.at)


def make_application(argv: list[str]) -> QApplication:
    """The QApplication with Brigade's names and icon (an existing one is reused)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0], *argv])
    app.setApplicationName("Brigade")
    app.setOrganizationName("Brigade")
    app.setApplicationVersion(core.__version__)
    app.setDesktopFileName("io.brigade.Brigade")
    app.setWindowIcon(app_icon())
    return app


def run_app(args: list[str]) -> int:
    """Open the main window and run the event loop; return the exit code."""
    smoke = "--smoke" in args
    qt_args = [a for a in args if a != "--smoke"]
    app = make_application(qt_args)
    settings = Settings()
    paths = command_line_paths(app.arguments()[1:])
    server = None
    if not smoke:  # the smoke check is its own window, whatever else runs
        name = server_name(settings.qsettings.fileName())
        if forward(name, paths):
            return 0  # the running window has them and comes forward
        server = PathServer(name)
        server.listen()
    apply_theme(app, settings.theme)
    install_translator(app, settings.language)
    window = MainWindow(settings)
    if server is not None:
        server.setParent(window)
        server.pathsReceived.connect(window.open_paths)
    app.installEventFilter(FileOpenFilter(window.open_paths, window))
    if paths:
        window.open_paths(paths)
    tour = None
    if smoke:
        from gui_app.smoke import SmokeTour

        t0 = process_start_time()
        tour = SmokeTour(window)

        def done(at: float | None) -> None:
            print(f"first paint after {(at or time.time()) - t0:.3f} s", flush=True)
            tour.start()  # every panel, then a clean close (engine stopped, workers ended)

        watcher = FirstPaint(done, window)
        window.installEventFilter(watcher)
    window.show()
    code = app.exec()
    window.release()
    if server is not None:
        server.close()
    return code or (tour.result() if tour is not None else 0)
