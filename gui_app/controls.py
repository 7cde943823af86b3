"""The main actions (toolbar, menus, shortcuts) and the status bar widgets."""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass

import humanize
from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QStyle, QToolBar, QWidget

from core.model import TaskState
from gui_app.batch_progress import Progress
from gui_app.task_text import state_names
from gui_app.tasks_model import Counts, duration_text


def count_text(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` (each holding ``%1``) for ``n``; Qt's ``%n`` plurals need a .qm even in English."""
    return (one if n == 1 else many).replace("%1", f"{n:,}")


class Actions(QObject):
    """Every main action, with its shortcut and icon. Enabled states follow ``update``."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        style = parent.style()
        sp = QStyle.StandardPixmap

        def make(
            name: str,
            text: str,
            shortcut: QKeySequence | str | None,
            icon: QStyle.StandardPixmap | None,
            tip: str,
        ) -> QAction:
            action = QAction(text, parent)
            action.setObjectName(name)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if icon is not None:
                action.setIcon(style.standardIcon(icon))
            shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({shown})" if shown else tip)
            action.setStatusTip(tip)
            parent.addAction(action)
            return action

        # self.tr spelled out: lupdate finds the context (Actions) only that way.
        self.add_files = make(
            "add_files",
            self.tr("Add &files…"),
            QKeySequence.StandardKey.Open,
            sp.SP_FileIcon,
            self.tr("Add files to the next batch"),
        )
        self.add_folder = make(
            "add_folder",
            self.tr("Add fol&der…"),
            "Ctrl+Shift+O",
            sp.SP_DirIcon,
            self.tr("Add a folder to the next batch"),
        )
        self.start = make(
            "start", self.tr("&Start"), "Ctrl+Return", sp.SP_MediaPlay, self.tr("Run the job on the files")
        )
        self.pause = make(
            "pause",
            self.tr("&Pause"),
            "Ctrl+P",
            sp.SP_MediaPause,
            self.tr("Start no new task; running tasks finish"),
        )
        self.resume = make(
            "resume", self.tr("&Resume"), "Ctrl+Shift+P", sp.SP_MediaSeekForward, self.tr("Start tasks again")
        )
        self.remove_selected = make(
            "remove_selected",
            self.tr("Re&move selected"),
            "Delete",
            sp.SP_TrashIcon,
            self.tr("Take the selected queued tasks out of the queue; running ones keep running"),
        )
        self.move_up = make(
            "move_up",
            self.tr("Move batch &up"),
            "Ctrl+Shift+Up",
            sp.SP_ArrowUp,
            self.tr("Run the selected batch's queued tasks before those of the batch above it"),
        )
        self.move_down = make(
            "move_down",
            self.tr("Move batch do&wn"),
            "Ctrl+Shift+Down",
            sp.SP_ArrowDown,
            self.tr("Run the selected batch's queued tasks after those of the batch below it"),
        )
        # Icons only in the toolbar (the menu and the tooltips name them): the toolbar fits the window.
        self.move_up.setPriority(QAction.Priority.LowPriority)
        self.move_down.setPriority(QAction.Priority.LowPriority)
        self.cancel_selected = make(
            "cancel_selected",
            self.tr("&Cancel selected"),
            "Ctrl+Delete",
            sp.SP_DialogCancelButton,
            self.tr("Cancel the selected tasks"),
        )
        self.cancel_all = make(
            "cancel_all",
            self.tr("Cancel &all"),
            "Ctrl+Shift+Delete",
            sp.SP_MediaStop,
            self.tr("Cancel every unfinished task"),
        )
        self.retry_failed = make(
            "retry_failed",
            self.tr("Re&try failed"),
            "Ctrl+R",
            sp.SP_BrowserReload,
            self.tr("Run every failed task again"),
        )
        self.clear_finished = make(
            "clear_finished",
            self.tr("C&lear finished"),
            "Ctrl+Shift+L",
            sp.SP_DialogResetButton,
            self.tr("Remove finished batches from the table"),
        )
        self.settings = make(
            "settings",
            self.tr("S&ettings…"),
            QKeySequence.StandardKey.Preferences,
            None,
            self.tr("Workers, timeouts, theme, language"),
        )
        if self.settings.shortcut().isEmpty():
            self.settings.setShortcut(QKeySequence("Ctrl+,"))
        self.about = make("about", self.tr("&About Brigade"), None, None, self.tr("Version and licence"))
        self.guide = make(
            "guide",
            self.tr("&User guide"),
            QKeySequence.StandardKey.HelpContents,
            None,
            self.tr("Open Brigade's guide"),
        )
        self.quit = make(
            "quit", self.tr("&Quit"), QKeySequence.StandardKey.Quit, None, self.tr("Close Brigade")
        )
        if self.quit.shortcut().isEmpty():
            self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        self._last: tuple[bool, ...] = ()
        self.update_state(Counts(), paused=False, has_selection=False, can_start=False)

    def toolbar(self, parent: QWidget) -> QToolBar:
        bar = QToolBar(self.tr("Main"), parent)
        bar.setObjectName("mainToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (
            self.add_files,
            self.add_folder,
            None,
            self.start,
            self.pause,
            self.resume,
            None,
            self.remove_selected,
            self.move_up,
            self.move_down,
            None,
            self.cancel_selected,
            self.cancel_all,
            self.retry_failed,
            self.clear_finished,
        ):
            if a is None:
                bar.addSeparator()
            else:
                bar.addAction(a)
        return bar

    def update_state(self, counts: Counts, *, paused: bool, has_selection: bool, can_start: bool) -> None:
        """Enable what makes sense now (called often: unchanged states cost no Qt call)."""
        active = counts.unfinished > 0
        key = (
            active,
            counts.by_state[TaskState.QUEUED] > 0,
            paused,
            has_selection,
            can_start,
            counts.by_state[TaskState.FAILED] > 0,
            counts.total > counts.unfinished,
        )
        if key == self._last:
            return
        self._last = key
        self.start.setEnabled(can_start)
        self.pause.setEnabled(active and not paused)
        self.resume.setEnabled(paused)
        self.cancel_selected.setEnabled(has_selection and active)
        queued = has_selection and counts.by_state[TaskState.QUEUED] > 0
        for action in (self.remove_selected, self.move_up, self.move_down):
            action.setEnabled(queued)
        self.cancel_all.setEnabled(active)
        self.retry_failed.setEnabled(counts.by_state[TaskState.FAILED] > 0)
        self.clear_finished.setEnabled(counts.total > counts.unfinished)


@dataclass
class Rate:
    """Files and bytes per second over the last few seconds."""

    files: float = 0.0
    bytes: float = 0.0


class RateMeter:
    """A sliding window of (time, finished, bytes) samples."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self.samples: collections.deque[tuple[float, int, int]] = collections.deque()

    def sample(self, finished: int, done_bytes: int, now: float | None = None) -> Rate:
        now = time.monotonic() if now is None else now
        s = self.samples
        s.append((now, finished, done_bytes))
        while len(s) > 2 and now - s[0][0] > self.window:
            s.popleft()
        t0, f0, b0 = s[0]
        dt = now - t0
        if dt <= 0:
            return Rate()
        return Rate(max(0.0, (finished - f0) / dt), max(0.0, (done_bytes - b0) / dt))

    def reset(self) -> None:
        self.samples.clear()


def title_text(progress: Progress) -> str:
    """The window title while batches run: their progress, seen in the taskbar."""
    text = f"Brigade — {progress.percent}%"
    if progress.batches > 1:
        text += " · " + QCoreApplication.translate("StatusWidgets", "%1 batches").replace(
            "%1", str(progress.batches)
        )
    return text


class StatusWidgets(QObject):
    """Counts by state, rate, elapsed and ETA, and the progress bar, of the running (or chosen) batches."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.counts = QLabel(bar)
        self.rate = QLabel(bar)
        self.times = QLabel(bar)
        self.progress = QProgressBar(bar)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        for w in (self.counts, self.rate, self.times):
            bar.addPermanentWidget(w)
        bar.addPermanentWidget(self.progress)
        self._names = state_names()
        self.show(Progress(Counts(), None, None, 0), Rate(), paused=False)

    def show(self, progress: Progress, rate: Rate, *, paused: bool, label: str = "") -> None:
        """Show ``progress`` of the batches ``label`` names, and the overall rate."""
        counts = progress.counts
        parts = [f"{self._names[s]} {counts.by_state[s]:,}" for s in TaskState if counts.by_state[s]]
        text = " · ".join(parts) if parts else self.tr("No tasks")
        self.counts.setText(f"{label} {text}" if label and parts else text)
        if rate.files > 0:
            self.rate.setText(
                self.tr("%1 files/s, %2/s")
                .replace("%1", f"{rate.files:,.1f}")
                .replace("%2", humanize.naturalsize(rate.bytes, binary=True))
            )
        else:
            self.rate.setText("")
        self.times.setText(self._times_text(progress, paused))
        total = counts.total
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(progress.done)
        self.progress.setFormat(f"{progress.done:,} / {total:,} (%p%)" if total else "")

    def _times_text(self, progress: Progress, paused: bool) -> str:
        if progress.elapsed is None:
            return ""
        text = self.tr("elapsed %1").replace("%1", duration_text(progress.elapsed))
        if paused and progress.counts.unfinished:
            return text + " · " + self.tr("paused")
        if progress.eta is not None:
            text += " · " + self.tr("ETA %1").replace("%1", duration_text(progress.eta))
        return text
