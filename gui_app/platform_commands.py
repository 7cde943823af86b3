"""The platform's own commands for what Brigade does when batches end: sleep, shut down, a sound.

Each function returns the command line for a platform (``sys.platform`` by
default) and never runs anything; ``ProcessRunner`` runs one without blocking
the GUI thread and says when it fails. Tests give their own runner, so they
never sleep or shut the machine down.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QProcess, Slot

POWER_ACTIONS = ("sleep", "shutdown")
# The freedesktop sound theme's "complete" event, as installed by sound-theme-freedesktop.
FREEDESKTOP_COMPLETE = "/usr/share/sounds/freedesktop/stereo/complete.oga"

Failed = Callable[[str], None]  # called with the reason a command did not run
Runner = Callable[[list[str], Failed], None]  # runs a command line; reports a failure through Failed


def power_command(action: str, platform: str = sys.platform) -> list[str] | None:
    """The command that puts the computer to sleep or shuts it down, or ``None`` where unknown.

    Linux goes through systemd-logind (``systemctl``), which asks polkit, as the
    desktop's own menu does; Windows through ``shutdown`` and ``powrprof.dll``;
    macOS through ``pmset`` and System Events (which lets other apps save first).
    """
    if action not in POWER_ACTIONS:
        raise ValueError(f"unknown power action {action!r}; expected one of {', '.join(POWER_ACTIONS)}")
    sleep = action == "sleep"
    if platform.startswith("linux"):
        return ["systemctl", "suspend" if sleep else "poweroff"]
    if platform == "win32":
        if sleep:
            # Sleeps, or hibernates where hibernation is switched on: Windows decides, as its Start menu does.
            return ["rundll32.exe", "powrprof.dll,SetSuspendState", "0,1,0"]
        return ["shutdown", "/s", "/t", "0"]
    if platform == "darwin":
        if sleep:
            return ["pmset", "sleepnow"]
        return ["osascript", "-e", 'tell application "System Events" to shut down']
    return None


def sound_command(
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
) -> list[str] | None:
    """The command that plays the desktop's "complete" sound on Linux, or ``None`` when there is none.

    ``canberra-gtk-play`` follows the person's sound theme; ``paplay`` plays the
    freedesktop theme's file when that is installed.
    """
    if not platform.startswith("linux"):
        return None
    if which("canberra-gtk-play"):
        return ["canberra-gtk-play", "--id=complete", "--description=Brigade: batch finished"]
    if which("paplay") and exists(FREEDESKTOP_COMPLETE):
        return ["paplay", FREEDESKTOP_COMPLETE]
    return None


def system_beeps(platform: str = sys.platform) -> bool:
    """Whether ``QApplication.beep()`` makes a sound here (the system's alert sound on Windows and macOS).

    On X11 and Wayland it rings the X bell, which most desktops keep silent.
    """
    return platform in ("win32", "darwin")


class ProcessRunner(QObject):
    """Runs commands with ``QProcess``, never waiting on the GUI thread; a ``Runner``.

    ``failed`` is called on the GUI thread when a command cannot start or
    exits with an error, with the last line of its error output when it wrote one.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[QProcess, tuple[str, Failed]] = {}

    def __call__(self, argv: list[str], failed: Failed) -> None:
        process = QProcess(self)
        process.setProgram(argv[0])
        process.setArguments(argv[1:])
        process.errorOccurred.connect(self._on_error)
        process.finished.connect(self._on_finished)
        self._pending[process] = (" ".join(argv), failed)
        process.start()

    def _end(self, process: QProcess, reason: str | None) -> None:
        command, failed = self._pending.pop(process, ("", None))
        if failed is not None and reason is not None:
            failed(f"{command}: {reason}")
        process.deleteLater()

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        process = self.sender()
        # Other errors (a crash, a timeout) end in ``finished``, which reports them.
        if isinstance(process, QProcess) and error == QProcess.ProcessError.FailedToStart:
            self._end(process, process.errorString())

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        process = self.sender()
        if not isinstance(process, QProcess):
            return
        if status == QProcess.ExitStatus.NormalExit and code == 0:
            self._end(process, None)
            return
        said = bytes(process.readAllStandardError().data()).decode(errors="replace").strip()
        self._end(process, said.splitlines()[-1] if said else f"exit code {code}")
