"""``brigade --smoke``: open every panel of the window and fail on any error.

The frozen app's smoke check (``tests/packaging`` and the release workflow run
it on the built bundle). After the first paint it visits, one step after the
other, the tasks table, the log, the monitor (until its CPU graph has drawn a
curve), the history, the watch folders, the settings dialog, the About box with its licences
and the user guide, then closes the window the normal way (engine stopped, workers ended). A step
fails when its panel was replaced by an "unavailable" note, when it does not
become ready within ``STEP_TIMEOUT``, or when anything reports an error
meanwhile: an exception that reached Qt's event loop, a critical Qt message, or
a log record at ERROR. The exit code is then 1 and each failure is printed; so it is for an error
raised while the window closes.

With ``BRIGADE_SMOKE_SHOTS=<folder>`` each panel is saved there as a PNG.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, QtMsgType, Slot, qInstallMessageHandler
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QDockWidget, QLabel, QMainWindow, QWidget

from gui_app.notices import QT_NAME

STEP_TIMEOUT_MS = 30_000  # a panel not ready by then is broken, not slow
POLL_MS = 50
MONITOR_SAMPLES = 3  # a curve needs two points; the third shows the graph keeps drawing
SHOTS_ENV = "BRIGADE_SMOKE_SHOTS"


class SmokeError(Exception):
    """A panel is broken; the message says how."""


@dataclass(frozen=True, slots=True)
class Step:
    """One panel to visit: ``check`` returns None once it passed, or what it still waits for."""

    name: str
    check: Callable[[], str | None]


class ErrorTrap(logging.Handler):
    """Collects every error reported while the tour runs: exceptions, Qt criticals, ERROR logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []
        self._previous_hook = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self._excepthook
        qInstallMessageHandler(self._qt_message)
        logging.getLogger().addHandler(self)

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        qInstallMessageHandler(None)
        logging.getLogger().removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(f"log {record.name}: {record.getMessage()}")

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        self.errors.append("".join(traceback.format_exception(kind, exc, tb)).rstrip())
        self._previous_hook(kind, exc, tb)

    def _qt_message(self, mode: QtMsgType, context: object, message: str) -> None:
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            self.errors.append(f"Qt: {message}")
        print(message, file=sys.stderr)


class SmokeTour(QObject):
    """Visits each panel of ``window`` in turn (GUI thread); ``exit_code`` says how it went.

    Call ``start`` after the window's first paint; the tour closes the window
    when it has finished, passed or not.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__()  # not the window's child: it outlives the window (see result)
        self.window = window
        self.failures: list[str] = []
        self.trap = ErrorTrap()
        self.shots = Path(os.environ[SHOTS_ENV]) if os.environ.get(SHOTS_ENV) else None
        self.steps = [
            Step("tasks", self._tasks),
            Step("log", self._dock_check("logDock", "LogPanel")),
            Step("monitor", self._monitor),
            Step("history", self._dock_check("historyDock", "HistoryPanel")),
            Step("watch", self._dock_check("watchDock", "WatchPanel")),
            Step("settings", self._dialog_check("settings", _open_settings)),
            Step("about", self._dialog_check("about", _open_about)),
            Step("licences", self._licences),
            Step("guide", self._guide),
        ]
        self._index = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._dialogs: list[QDialog] = []
        self._monitor_raised_at: float | None = None  # time of the last sample when the monitor was raised

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def result(self) -> int:
        """After the event loop: delete the window, report errors raised while it closed; return the code."""
        import shiboken6

        window, self.window = self.window, None  # type: ignore[assignment]
        if shiboken6.isValid(window):
            shiboken6.delete(window)  # now, with the trap set, not when Python lets go of it
        self.trap.uninstall()
        if self.trap.errors:
            self.failures.append("closing: " + "; ".join(self.trap.errors))
            print(f"smoke: closing FAILED: {'; '.join(self.trap.errors)}", flush=True)
        return self.exit_code

    def start(self) -> None:
        self.trap.install()
        self._clock.start()
        self._timer.start()

    @Slot()
    def _poll(self) -> None:
        step = self.steps[self._index]
        try:
            waiting = step.check()
            if waiting is None and self.trap.errors:
                raise SmokeError("; ".join(self.trap.errors))
        except Exception as exc:  # noqa: BLE001 - any error of a panel is what the tour reports
            self._fail(step, str(exc) or type(exc).__name__)
        else:
            if waiting is not None and self._clock.elapsed() <= STEP_TIMEOUT_MS:
                return  # polled again on the next tick
            if waiting is not None:
                self._fail(step, f"not ready after {STEP_TIMEOUT_MS // 1000} s: {waiting}")
            else:
                print(f"smoke: {step.name} ok", flush=True)
        self.trap.errors.clear()
        self._index += 1
        self._clock.restart()
        if self._index == len(self.steps):
            self._finish()

    def _fail(self, step: Step, reason: str) -> None:
        self.failures.append(f"{step.name}: {reason}")
        print(f"smoke: {step.name} FAILED: {reason}", flush=True)

    def _finish(self) -> None:
        self._timer.stop()  # the trap stays: errors while the window closes count too (see result)
        for dialog in self._dialogs:
            dialog.close()
            dialog.deleteLater()
        print("smoke: every panel works" if not self.failures else "smoke: FAILED", flush=True)
        self.window.close()

    # -- the steps ----------------------------------------------------------------------------

    def _save(self, name: str, widget: QWidget) -> QImage:
        image = widget.grab().toImage()
        if image.isNull() or image.width() < 50 or image.height() < 50:
            raise SmokeError(f"drew nothing ({image.width()}x{image.height()})")
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            image.save(str(self.shots / f"smoke-{name}.png"))
        return image

    def _tasks(self) -> str | None:
        central = self.window.centralWidget()
        if central is None or not central.isVisible():
            return "the tasks table"
        view = _child(central, "TasksView")
        if view.model() is None or view.model().columnCount() == 0:
            raise SmokeError("the tasks table has no columns")
        self._save("tasks", self.window)
        return None

    def _dock_check(self, dock_name: str, panel_class: str) -> Callable[[], str | None]:
        def check() -> str | None:
            dock = self._raise_dock(dock_name)
            panel = _find(dock, panel_class)
            if panel is None:
                return _unavailable(dock) or f"{panel_class} to be built"
            self._save(dock_name.removesuffix("Dock"), panel)
            return None

        return check

    def _raise_dock(self, name: str) -> QDockWidget:
        dock = self.window.findChild(QDockWidget, name)
        if dock is None:
            raise SmokeError(f"the window has no {name}")
        dock.show()
        dock.raise_()
        return dock

    def _monitor(self) -> str | None:
        dock = self._raise_dock("monitorDock")
        panel = _find(dock, "MonitorPanel")
        if panel is None:
            return _unavailable(dock) or "the monitor to be built"
        samples = panel.samples
        if self._monitor_raised_at is None:
            self._monitor_raised_at = samples[-1].time if samples else 0.0
        # A sample that arrived after the panel was raised has been drawn on a panel that is seen.
        if len(samples) < MONITOR_SAMPLES or samples[-1].time <= self._monitor_raised_at:
            return f"{MONITOR_SAMPLES} samples, one drawn while the panel is shown"
        self._save("monitor", panel)
        for plot in (panel.cpu_plot, panel.memory_plot):
            if not _draws_curves(plot):
                raise SmokeError(f"{plot.title()!r}: samples arrived but no curve is drawn")
        return None

    def _dialog_check(self, name: str, opener: Callable[[QMainWindow], QDialog]) -> Callable[[], str | None]:
        def check() -> str | None:
            dialog = opener(self.window)
            self._dialogs.append(dialog)
            dialog.show()
            self._save(name, dialog)
            return None

        return check

    def _licences(self) -> str | None:
        about = next((d for d in self._dialogs if d.objectName() == "aboutDialog"), None)
        if about is None:
            raise SmokeError("the About box did not open")
        dialog = about.findChild(QDialog, "licencesDialog")
        if dialog is None:
            about.licences_button.click()  # type: ignore[attr-defined]
            return "the licences dialog"
        names = dialog.component_names()  # type: ignore[attr-defined]
        for needed in (QT_NAME, "Python", "pillow"):
            if needed not in names:
                raise SmokeError(f"the licences list lacks {needed!r} (has {len(names)} entries)")
        dialog.select(names.index(QT_NAME))  # type: ignore[attr-defined]
        if "GNU LESSER GENERAL PUBLIC LICENSE" not in dialog.text.toPlainText():  # type: ignore[attr-defined]
            raise SmokeError("the Qt entry shows no LGPLv3 text")
        self._save("licences", dialog)
        return None

    def _guide(self) -> str | None:
        from gui_app.guide import GuideWindow, open_guide

        failure = open_guide(self.window)
        if failure:
            raise SmokeError(failure)
        guide = self.window.findChild(GuideWindow, "guideWindow")
        if guide is None:
            raise SmokeError("Help > User guide opened no window")
        self._dialogs.append(guide)
        if guide.contents.count() < 2 or "Brigade" not in guide.browser.toPlainText():
            raise SmokeError(f"the guide shows {guide.contents.count()} pages and no text of the README")
        self._save("guide", guide)
        return None


def _open_settings(window: QMainWindow) -> QDialog:
    from gui_app.settings_dialog import SettingsDialog

    return SettingsDialog(window.settings, window)  # type: ignore[attr-defined]


def _open_about(window: QMainWindow) -> QDialog:
    from gui_app.about import AboutDialog

    return AboutDialog(window)


def _find(root: QWidget, class_name: str) -> QWidget | None:
    """The first widget under ``root`` whose class is named ``class_name``, or None."""
    for widget in root.findChildren(QWidget):
        if type(widget).__name__ == class_name:
            return widget
    return None


def _child(root: QWidget, class_name: str) -> QWidget:
    found = _find(root, class_name)
    if found is None:
        raise SmokeError(f"no {class_name} in {type(root).__name__}")
    return found


def _unavailable(dock: QDockWidget) -> str | None:
    """Raise if the dock shows an "unavailable" note instead of its panel."""
    widget = dock.widget()
    if isinstance(widget, QLabel) and "unavailable" in widget.text().lower():
        raise SmokeError(widget.text())
    return None


def _draws_curves(plot: Any) -> bool:
    """Whether the curves of ``plot`` (a Monitor graph) change what it shows, whatever the values."""
    curves = plot.curves()
    for curve in curves:
        curve.setVisible(False)
    without = plot.grab().toImage()
    for curve in curves:
        curve.setVisible(True)
    return bool(curves) and plot.grab().toImage() != without
