"""Tell the person that something finished: a system tray message, or the status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon, QWidget

from gui_app.icons import app_icon

MESSAGE_MS = 10_000


class Notifier(QObject):
    """Shows short notifications; call ``notify`` on the GUI thread.

    Where the platform has a system tray that shows messages, they go there;
    otherwise to ``fallback(title, text)`` if given, else to the window's
    status bar (never a modal box: nobody may be watching). The window is
    also flagged for attention (taskbar flash) when it is not active.

    Parameters
    ----------
    parent_window
        The main window; the tray icon and the fallback belong to it.
    fallback
        Called with ``(title, text)`` when there is no tray.
    chime
        Called with each notification to play a sound (it decides whether to).
    """

    def __init__(
        self,
        parent_window: QWidget | None,
        fallback: Callable[[str, str], None] | None = None,
        chime: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent_window)
        self._window = parent_window
        self._fallback = fallback
        self._chime = chime
        self._tray: QSystemTrayIcon | None = None
        self.last_route = ""  # "tray", "callback", "status bar" or "none": where the last one went

    @staticmethod
    def tray_available() -> bool:
        """Whether a system tray can show messages here."""
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def notify(self, title: str, text: str) -> None:
        """Show ``title`` and ``text`` without interrupting the person."""
        if self.tray_available():
            self._ensure_tray().showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
            self.last_route = "tray"
        elif self._fallback is not None:
            self._fallback(title, text)
            self.last_route = "callback"
        elif isinstance(self._window, QMainWindow):
            self._window.statusBar().showMessage(f"{title} — {text}", MESSAGE_MS)
            self.last_route = "status bar"
        else:
            self.last_route = "none"
        if self._chime is not None:
            self._chime()
        if self._window is not None and not self._window.isActiveWindow():
            QApplication.alert(self._window)

    def _ensure_tray(self) -> QSystemTrayIcon:
        if self._tray is None:
            self._tray = QSystemTrayIcon(app_icon(), self)
            self._tray.setToolTip("Brigade")
            self._tray.activated.connect(self._raise_window)
            self._tray.show()
        return self._tray

    def _raise_window(self, _reason: QSystemTrayIcon.ActivationReason) -> None:
        if self._window is not None:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def close(self) -> None:
        """Remove the tray icon (call when the window closes)."""
        if self._tray is not None:
            self._tray.hide()
            self._tray.deleteLater()
            self._tray = None
