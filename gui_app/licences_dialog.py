"""About > Licences: the third-party components Brigade ships, with their licence texts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui_app.notices import Notice, load_notices


class LicencesDialog(QDialog):
    """A list of the shipped components beside the licence text of the one selected."""

    def __init__(self, parent: QWidget | None = None, notices: list[Notice] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licencesDialog")
        self.setWindowTitle(self.tr("Third-party licences"))
        self.notices = load_notices() if notices is None else notices
        intro = QLabel(
            self.tr(
                "Brigade is released under the MIT licence. It ships these components, "
                "each under its own licence. Qt is used under the LGPLv3: its entry says "
                "how to replace the Qt libraries."
            )
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("licencesList")
        for notice in self.notices:
            self.list.addItem(f"{notice.name} {notice.version}".strip())
        self.licence = QLabel()
        self.licence.setObjectName("licenceName")
        self.licence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit()
        self.text.setObjectName("licenceText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # the texts carry their own breaks
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.licence)
        column.addWidget(self.text, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 680])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self.select)
        if not self.notices:
            self.licence.setText(self.tr("The licence notices are missing from this installation."))
        else:
            self.list.setCurrentRow(0)
        self.resize(940, 600)

    def component_names(self) -> list[str]:
        """The components listed, in order."""
        return [notice.name for notice in self.notices]

    @Slot(int)
    def select(self, row: int) -> None:
        """Show the licence of the component in ``row``."""
        if not 0 <= row < len(self.notices):
            return
        notice = self.notices[row]
        if self.list.currentRow() != row:
            self.list.setCurrentRow(row)
        self.licence.setText(self.tr("Licence: %1").replace("%1", notice.licence))
        self.text.setPlainText(notice.text or self.tr("(no licence text was shipped with this component)"))


def show_licences(parent: QWidget | None) -> None:
    """Show the licences (modal) and return when the dialog is closed."""
    dialog = LicencesDialog(parent)
    dialog.exec()
    dialog.deleteLater()
