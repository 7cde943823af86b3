"""What Brigade does when batches end: an optional sound, and then nothing, quit, sleep or shut down.

The choice is a setting, shown as check items in the Run menu's "When done"
submenu and in the Settings dialog, so nobody is surprised. Anything but
"nothing" first shows a cancellable countdown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from gui_app.countdown_dialog import DEFAULT_SECONDS, CountdownDialog
from gui_app.i18n import arg
from gui_app.platform_commands import (
    POWER_ACTIONS,
    ProcessRunner,
    Runner,
    power_command,
    sound_command,
    system_beeps,
)
from gui_app.settings import Settings


def when_done_choices() -> list[tuple[str, str]]:
    """(value, label) pairs of the "when done" setting."""
    return [
        ("nothing", QCoreApplication.translate("SettingsDialog", "Do nothing")),
        ("quit", QCoreApplication.translate("SettingsDialog", "Quit Brigade")),
        ("sleep", QCoreApplication.translate("SettingsDialog", "Sleep")),
        ("shutdown", QCoreApplication.translate("SettingsDialog", "Shut down")),
    ]


def choice_available(value: str, platform: str = sys.platform) -> bool:
    """Whether Brigade can do ``value`` (a "when done" choice) here."""
    return value not in POWER_ACTIONS or power_command(value, platform) is not None


def sound_available(platform: str = sys.platform) -> bool:
    """Whether Brigade can play a sound here."""
    return sound_command(platform) is not None or system_beeps(platform)


def unavailable_text() -> str:
    """Why a done action is greyed out."""
    return QCoreApplication.translate("SettingsDialog", "Not available on this computer")


def sound_unavailable_text() -> str:
    """Why the sound is greyed out, and what would make it work."""
    return QCoreApplication.translate(
        "SettingsDialog", "No sound player found (install canberra-gtk-play, or paplay and a sound theme)"
    )


class DoneActions(QObject):
    """Plays the sound when a batch ends and runs the chosen action when all are done. GUI thread only.

    Parameters
    ----------
    settings
        Where the choices are kept (``when_done`` and ``done_sound``).
    window
        The main window: "quit" closes it (its safe close), the countdown belongs to it.
    report
        Says in the window that something failed, and why.
    unfinished
        How many tasks are unfinished now; a batch started during the
        countdown stops the action.
    runner
        Runs a command line (``ProcessRunner`` by default; tests record instead).
    seconds, tick_ms
        The countdown's length and the length of its second.
    platform
        Whose commands to use (``sys.platform`` by default).
    """

    def __init__(
        self,
        settings: Settings,
        window: QWidget,
        report: Callable[[str], None],
        unfinished: Callable[[], int],
        *,
        runner: Runner | None = None,
        seconds: int = DEFAULT_SECONDS,
        tick_ms: int = 1000,
        platform: str = sys.platform,
    ) -> None:
        super().__init__(window)
        self.settings = settings
        self.window = window
        self.report = report
        self.unfinished = unfinished
        self.runner: Runner = runner if runner is not None else ProcessRunner(self)
        self.seconds, self.tick_ms, self.platform = seconds, tick_ms, platform
        self.countdown: CountdownDialog | None = None
        self.choices: dict[str, QAction] = {}
        self.sound_action: QAction | None = None

    # ------------------------------------------------------------ the menu
    def menu(self, parent: QWidget) -> QMenu:
        """The "When done" submenu: one check item per choice, and the sound."""
        menu = QMenu(self.tr("When &done"), parent)
        menu.setObjectName("whenDoneMenu")
        group = QActionGroup(menu)
        group.setExclusive(True)
        for value, label in when_done_choices():
            action = menu.addAction(label)
            action.setObjectName(f"when_done_{value}")
            action.setCheckable(True)
            action.setData(value)
            if not choice_available(value, self.platform):
                action.setEnabled(False)
                action.setStatusTip(unavailable_text())
            group.addAction(action)
            self.choices[value] = action
        group.triggered.connect(self._on_choice)
        menu.addSeparator()
        self.sound_action = menu.addAction(self.tr("Play a &sound when a batch ends"))
        self.sound_action.setObjectName("done_sound")
        self.sound_action.setCheckable(True)
        if not sound_available(self.platform):
            self.sound_action.setEnabled(False)
            self.sound_action.setText(self.tr("Play a sound when a batch ends (unavailable)"))
            self.sound_action.setStatusTip(sound_unavailable_text())
        self.sound_action.toggled.connect(self._on_sound)
        self.sync()
        return menu

    def sync(self) -> None:
        """Check the items that match the settings (after the Settings dialog changed them)."""
        chosen = self.choices.get(self.settings.when_done)
        if chosen is not None:
            chosen.setChecked(True)
        if self.sound_action is not None:
            self.sound_action.setChecked(self.settings.done_sound and sound_available(self.platform))

    @Slot(QAction)
    def _on_choice(self, action: QAction) -> None:
        self.settings.when_done = str(action.data())

    @Slot(bool)
    def _on_sound(self, on: bool) -> None:
        self.settings.done_sound = on

    # ------------------------------------------------------------ when batches end
    def chime(self) -> None:
        """Play the "complete" sound if the person asked for one (a batch ended)."""
        if not self.settings.done_sound:
            return
        command = sound_command(self.platform)
        if command is not None:
            self.runner(command, self._sound_failed)
        elif system_beeps(self.platform):
            QApplication.beep()

    def _sound_failed(self, reason: str) -> None:
        self.report(arg(self.tr("The sound could not be played: %1"), reason))

    def all_finished(self) -> None:
        """Every batch has ended: start the countdown of the chosen action, if any."""
        action = self.settings.when_done
        if action == "nothing" or self.countdown is not None:
            return
        self.countdown = CountdownDialog(action, self.seconds, self.window, tick_ms=self.tick_ms)
        self.countdown.accepted.connect(self._on_countdown_done)
        self.countdown.rejected.connect(self._on_countdown_cancelled)
        self.countdown.open()

    @Slot()
    def _on_countdown_done(self) -> None:
        action = self._forget_countdown()
        if self.unfinished():
            self.report(self.tr("A new batch is running: Brigade stays as it is"))
            return
        self.perform(action)

    @Slot()
    def _on_countdown_cancelled(self) -> None:
        self._forget_countdown()

    def _forget_countdown(self) -> str:
        dialog, self.countdown = self.countdown, None
        if dialog is None:
            return "nothing"
        dialog.deleteLater()
        return dialog.action

    def perform(self, action: str) -> None:
        """Quit (through the window's safe close), sleep or shut down now."""
        if action == "quit":
            self.window.close()
            return
        if action not in POWER_ACTIONS:
            return
        command = power_command(action, self.platform)
        if command is None:
            self.report(arg(self.tr("%1: %2"), dict(when_done_choices())[action], unavailable_text()))
            return
        self.settings.sync()  # the machine may stop before Qt writes the settings on its own
        self.runner(command, self._power_failed)

    def _power_failed(self, reason: str) -> None:
        self.report(arg(self.tr("The computer could not sleep or shut down: %1"), reason))
