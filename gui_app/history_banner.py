"""A strip at the top of the window that says when the history cannot be written.

The recorder reports each distinct write problem on the engine thread; the
banner's ``problem`` signal carries it to the GUI thread (a queued hop) and the
strip shows the latest ones until the person dismisses it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from gui_app.i18n import arg

SHOWN = 3  # latest distinct problems listed


class HistoryBanner(QToolBar):
    """Hidden until the recorder of the window's engine meets a write problem."""

    problem = Signal(str)  # one line; may be emitted on any thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyBanner")
        self.setMovable(False)
        self.setFloatable(False)
        self.label = QLabel(objectName="historyBannerText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("#historyBanner { background: #fff3cd; } #historyBannerText { color: #664d03; }")
        self.addWidget(self.label)
        self.dismiss = self.addAction(self.tr("Dismiss"))
        self.dismiss.triggered.connect(self.hide)
        self.lines: list[str] = []
        self.problem.connect(self.show_problem)
        self.hide()

    def listen(self, recorder: object) -> None:
        """Show the write problems of ``recorder`` (a ``StoreRecorder``; other recorders report none)."""
        add = getattr(recorder, "add_problem_listener", None)
        if add is not None:
            add(self.problem.emit)

    @Slot(str)
    def show_problem(self, line: str) -> None:
        """Show ``line`` with the latest others (GUI thread)."""
        self.lines = [*self.lines, line][-SHOWN:]
        text = arg(self.tr("History is not saved completely: %1"), "; ".join(self.lines))
        self.label.setText(text)
        self.show()
