"""The countdown shown before Brigade quits, or the computer sleeps or shuts down, when batches are done."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui_app.controls import count_text

DEFAULT_SECONDS = 60


class CountdownDialog(QDialog):
    """Counts down, then accepts; Cancel (focused, and Esc) rejects. GUI thread only.

    ``accepted`` means: do it (the time ran out, or the person pressed the
    action's button); ``rejected``: do nothing.

    Parameters
    ----------
    action
        ``"quit"``, ``"sleep"`` or ``"shutdown"``: what the texts say will happen.
    seconds
        How long the person has to cancel.
    tick_ms
        Length of one counted second (tests count faster).
    """

    def __init__(
        self,
        action: str,
        seconds: int = DEFAULT_SECONDS,
        parent: QWidget | None = None,
        tick_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("countdownDialog")
        self.action = action
        self.remaining = seconds
        self.setWindowTitle(self.tr("All batches are done"))
        self.setMinimumWidth(380)
        self.message = QLabel(self)
        self.message.setObjectName("countdownMessage")
        self.message.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, seconds)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Time left"))
        self.buttons = QDialogButtonBox(self)
        self.now = QPushButton(self._now_text(), self)
        self.now.setObjectName("countdownNow")
        self.buttons.addButton(self.now, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("countdownCancel")
        # Enter or a stray key press must never shut the computer down: Cancel is the default.
        self.now.setAutoDefault(False)
        self.cancel.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self, interval=tick_ms)
        self.timer.timeout.connect(self._tick)
        self.finished.connect(self.timer.stop)
        self._show_remaining()

    def _now_text(self) -> str:
        texts = {
            "quit": self.tr("Quit now"),
            "sleep": self.tr("Sleep now"),
            "shutdown": self.tr("Shut down now"),
        }
        return texts[self.action]

    def _show_remaining(self) -> None:
        n = self.remaining
        texts = {
            "quit": (self.tr("Brigade will quit in %1 second."), self.tr("Brigade will quit in %1 seconds.")),
            "sleep": (
                self.tr("The computer will sleep in %1 second."),
                self.tr("The computer will sleep in %1 seconds."),
            ),
            "shutdown": (
                self.tr("The computer will shut down in %1 second."),
                self.tr("The computer will shut down in %1 seconds."),
            ),
        }
        self.message.setText(count_text(n, *texts[self.action]))
        self.bar.setValue(n)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.cancel.setFocus()
        self.timer.start()

    @Slot()
    def _tick(self) -> None:
        self.remaining -= 1
        self._show_remaining()
        if self.remaining <= 0:
            self.accept()
