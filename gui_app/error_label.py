"""``ErrorLabel``: the red message shown beside a form field while its value is invalid."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_COLOUR = "#d9363e"  # readable on the light and the dark palette


class ErrorLabel(QLabel):
    """A red message shown beside a field while its value is invalid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setWordWrap(True)
        self.hide()

    def show_error(self, text: str | None) -> None:
        """Show ``text``; hide the label when it is empty or ``None``."""
        self.setText(text or "")
        self.setVisible(bool(text))
