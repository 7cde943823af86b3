"""The question asked when the window closes with tasks unfinished."""

from __future__ import annotations

import enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gui_app.controls import count_text


class CloseChoice(enum.Enum):
    """What to do with unfinished tasks when the window closes."""

    FINISH = "finish"  # keep running, close when every batch has finished
    PAUSE = "pause"  # running tasks finish, queued ones stay queued for a later resume
    CANCEL = "cancel"  # cancel everything, then close
    STAY = "stay"  # do not close


def ask_close_choice(parent: QWidget, n: int) -> CloseChoice:
    """Ask what to do with ``n`` unfinished tasks (modal)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("MainWindow", "Tasks are still running"))
    box.setText(
        count_text(
            n,
            QCoreApplication.translate("MainWindow", "%1 task has not finished yet."),
            QCoreApplication.translate("MainWindow", "%1 tasks have not finished yet."),
        )
    )
    box.setInformativeText(
        QCoreApplication.translate("MainWindow", "Finish: keep running and close when done.")
        + "\n"
        + QCoreApplication.translate(
            "MainWindow",
            "Pause for later: running tasks finish, the rest stay queued in the history for a resume.",
        )
        + "\n"
        + QCoreApplication.translate("MainWindow", "Cancel tasks: stop them now.")
    )
    finish = box.addButton(
        QCoreApplication.translate("MainWindow", "Finish"), QMessageBox.ButtonRole.AcceptRole
    )
    pause = box.addButton(
        QCoreApplication.translate("MainWindow", "Pause for later"), QMessageBox.ButtonRole.AcceptRole
    )
    cancel = box.addButton(
        QCoreApplication.translate("MainWindow", "Cancel tasks"), QMessageBox.ButtonRole.DestructiveRole
    )
    stay = box.addButton(
        QCoreApplication.translate("MainWindow", "Don't close"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(pause)
    box.setEscapeButton(stay)
    box.exec()
    clicked = box.clickedButton()
    return {finish: CloseChoice.FINISH, pause: CloseChoice.PAUSE, cancel: CloseChoice.CANCEL}.get(
        clicked, CloseChoice.STAY
    )  # type: ignore[call-overload]
