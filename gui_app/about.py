"""The About box: name, version, what Brigade does, and what it runs on."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core import __version__
from gui_app.i18n import arg
from gui_app.icons import app_icon


class AboutDialog(QDialog):
    """A small modal box with the icon, version and a short description."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About Brigade"))
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        version = arg(self.tr("Version %1"), __version__)  # outside the f-string, where lupdate sees it
        self.title = QLabel(f"<h2>Brigade</h2><p>{version}</p>")
        self.title.setObjectName("aboutTitle")
        self.description = QLabel(
            self.tr(
                "A desktop task manager for batch file jobs: checksums, compression, images, "
                "text and commands, on every core, with history that survives restarts."
            )
        )
        self.description.setWordWrap(True)
        self.details = QLabel(
            arg(
                self.tr("Python %1 · Qt %2 · PySide6 %3"),
                platform.python_version(),
                qVersion(),
                PySide6.__version__,
            )
            + "<br>"
            + self.tr("Released under the MIT licence.")
        )
        self.details.setTextFormat(Qt.TextFormat.RichText)
        muted = self.details.palette()
        muted.setColor(muted.ColorRole.WindowText, muted.color(muted.ColorRole.PlaceholderText))
        self.details.setPalette(muted)
        text = QVBoxLayout()
        for label in (self.title, self.description, self.details):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.addWidget(label)
        text.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(icon)
        row.addSpacing(12)
        row.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.licences_button = buttons.addButton(self.tr("Licences…"), QDialogButtonBox.ButtonRole.HelpRole)
        self.licences_button.setObjectName("licencesButton")
        self.licences_button.clicked.connect(self.show_licences)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def show_licences(self) -> None:
        """Open the third-party licences over this box (window-modal, without blocking)."""
        from gui_app.licences_dialog import LicencesDialog

        dialog = LicencesDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


def show_about(parent: QWidget | None) -> None:
    """Show the About box (modal) and return when it is closed."""
    dialog = AboutDialog(parent)
    dialog.exec()
    dialog.deleteLater()
