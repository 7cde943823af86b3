"""The log pane: the selected task's lines as they arrive, or every task's.

Live lines come from ``TaskLog`` events and are kept in bounded rings (per
task and overall), so a chatty batch cannot grow the GUI without limit.
Finished and past tasks are read from the job store, which holds every line
the engine committed (up to the per-task bound).
"""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import QSize, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.events import Event, TaskLog

TASK_RING = 2000  # live lines kept per task
ALL_RING = 5000  # live lines kept for the "all tasks" view
MAX_TASKS = 5000  # tasks whose rings are kept; the oldest are dropped first
STORE_LIMIT = 10_000
RENDER_MS = 200  # new lines reach the view at most this often
RENDER_STEP = 400  # lines appended per catch-up; a flood shows its newest lines
RENDER_FULL = 5000  # lines drawn when the view is redrawn (mode, task or search changed)


class Line(NamedTuple):
    """One log line, from an event or from the store."""

    task_id: int
    level: int
    time: float
    text: str


LogLine = Line | TaskLog  # live lines are the events themselves; stored ones are Lines


def level_color(level: int, dark: bool) -> QColor | None:
    """Text colour of a level (``None``: the palette's)."""
    if level >= logging.ERROR:
        return QColor("#ff6b6b") if dark else QColor("#c0392b")
    if level >= logging.WARNING:
        return QColor("#f0b429") if dark else QColor("#b9770e")
    if level < logging.INFO:
        return QColor("#8a8a8a")
    return None


@functools.lru_cache(maxsize=64)
def _color_of(level: int, dark: bool) -> QColor | None:
    """``level_color``, one shared object per level (runs of a colour are found by identity)."""
    return level_color(level, dark)


@functools.lru_cache(maxsize=4096)
def _clock(second: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(second))


def format_line(line: LogLine, with_task: bool) -> str:
    stamp = f"{_clock(int(line.time))}.{int(line.time * 1000) % 1000:03d}"
    level = logging.getLevelName(line.level)
    task = f"[{line.task_id}] " if with_task else ""
    return f"{stamp} {level:<7} {task}{line.text}"


class LogPanel(QWidget):
    """Log lines of the selected task, or of all tasks. GUI thread only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: Any = None
        self._rings: collections.OrderedDict[int, collections.deque[LogLine]] = collections.OrderedDict()
        self._all: collections.deque[LogLine] = collections.deque(maxlen=ALL_RING)
        self._counts: dict[int, int] = {}  # lines ever received per task
        self._all_count = 0
        self._task = -1
        self._header = ""
        self._footer = ""
        self._finished = False
        self._from_store: list[Line] | None = None
        self._shown = 0  # lines of the current source already in the view (of its total)
        # Mirrors of widget states, read per drain without a call into Qt.
        self._all_mode = False
        self._following = True
        self._due = False  # a catch-up is scheduled
        self._catch_up = QTimer(self, singleShot=True, interval=RENDER_MS)
        self._catch_up.timeout.connect(self._on_catch_up)
        self._build()

    def _build(self) -> None:
        self.mode = QComboBox(self)
        self.mode.setAccessibleName(self.tr("Log shown"))
        self.mode.addItem(self.tr("Selected task"))
        self.mode.addItem(self.tr("All tasks"))
        self.title = QLabel(self.tr("No task selected"), self)
        self.follow = QCheckBox(self.tr("Follow"), self)
        self.follow.setChecked(True)
        self.follow.setToolTip(self.tr("Show new lines as they arrive; untick to pause the view"))
        self.search = QLineEdit(self)
        self.search.setAccessibleName(self.tr("Search the log"))
        self.search.setPlaceholderText(self.tr("Search log…"))
        self.search.setClearButtonEnabled(True)
        self.copy = QPushButton(self.tr("Copy"), self)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(STORE_LIMIT + 100)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.view.setFont(mono)
        bar = QHBoxLayout()
        bar.addWidget(self.mode)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.search)
        bar.addWidget(self.follow)
        bar.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self.follow.toggled.connect(self._on_follow)
        self.search.textChanged.connect(self.render)
        self.copy.clicked.connect(self.copy_text)

    def sizeHint(self) -> QSize:  # noqa: N802
        # Modest, so the tasks table keeps most of the window's height.
        return QSize(640, 200)

    # ------------------------------------------------------------ inputs
    @property
    def all_tasks(self) -> bool:
        return self._all_mode

    @Slot(int)
    def _on_mode(self, index: int) -> None:
        self._all_mode = index == 1
        self.render()

    def set_store(self, store: Any) -> None:
        """Use ``store`` (a ``JobStore`` or ``None``) for lines of finished and past tasks."""
        self.store = store

    @Slot(list)
    def on_events(self, events: Sequence[Event]) -> None:
        """Keep new log lines; the view catches up on a short timer. GUI thread."""
        fresh = False
        rings, counts, task = self._rings, self._counts, self._task
        for ev in events:
            if type(ev) is not TaskLog:
                continue
            tid = ev.task_id
            line = ev  # a TaskLog has every field a Line has: no copy per line
            ring = rings.get(tid)
            if ring is None:
                ring = rings[tid] = collections.deque(maxlen=TASK_RING)
                if len(rings) > MAX_TASKS:
                    old, _ = rings.popitem(last=False)
                    counts.pop(old, None)
            ring.append(line)
            counts[tid] = counts.get(tid, 0) + 1
            self._all.append(line)
            self._all_count += 1
            fresh = fresh or tid == task
        if (fresh or self._all_mode) and self._following and not self._due:
            # Rendering is batched: a flood of lines costs a few paints a second, not one per drain.
            self._due = True
            self._catch_up.start()

    def show_task(self, task_id: int, *, finished: bool = False, header: str = "", footer: str = "") -> None:
        """Show one task's lines: live ones, or the store's for a finished or past task.

        ``header`` (the reason it failed) comes first, ``footer`` (a traceback, a
        count of lines not kept) last.
        """
        self._task = task_id
        self._finished = finished
        self._header = header
        self._footer = footer
        self._from_store = None
        if task_id >= 0 and (finished or task_id not in self._rings):
            self._from_store = self._store_lines(task_id)
        self.title.setText(
            self.tr("Task %1").replace("%1", str(task_id)) if task_id >= 0 else self.tr("No task selected")
        )
        if self.all_tasks:
            self.mode.setCurrentIndex(0)
        else:
            self.render()

    def _store_lines(self, task_id: int) -> list[Line] | None:
        if self.store is None:
            return None
        try:
            rows = self.store.log_lines(task_id, limit=STORE_LIMIT)
        except Exception:  # noqa: BLE001 - history is optional; live lines still show
            return None
        return [Line(r.task_id, r.level, r.time, r.text) for r in rows]

    def _source(self) -> tuple[Sequence[Line] | collections.deque[LogLine], int]:
        """The shown lines and how many were ever added to them (rings forget the oldest)."""
        if self.all_tasks:
            return self._all, self._all_count
        live = self._rings.get(self._task, ())
        stored = self._from_store
        # The store may lag the live ring by one commit; show whichever is more complete.
        if stored is not None and len(stored) >= len(live):
            return stored, len(stored)
        return live, self._counts.get(self._task, 0)

    def lines(self) -> list[Line]:
        """The lines of the shown source that are kept, before the search filter."""
        return list(self._source()[0])

    # ------------------------------------------------------------ rendering
    @Slot()
    def render(self) -> None:
        """Redraw the view from scratch: reason, lines, traceback for a finished task."""
        self.view.clear()
        self._shown = 0
        one_task = not self.all_tasks
        if one_task and self._header:
            self._note(self._header, logging.ERROR, bold=True)
        self._append_new(limit=RENDER_FULL)
        if one_task and self._footer:
            self._note(self._footer, logging.ERROR)
        if one_task and self._finished:
            # A finished task is read from the top: its reason first.
            self.view.verticalScrollBar().setValue(0)

    @Slot()
    def _append_new(self, limit: int = RENDER_STEP) -> None:
        lines, total = self._source()
        new = total - self._shown
        if new <= 0:
            return
        self._shown = total
        take = min(new, len(lines), limit)
        tail = list(itertools.islice(lines, len(lines) - take, None))
        if new > take:
            self._note(self.tr("⋯ %1 more lines").replace("%1", f"{new - take:,}"), logging.DEBUG)
        self._write(tail)

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def _note(self, text: str, level: int, bold: bool = False) -> None:
        """One block of text that is not a log line (a reason, a traceback, a gap)."""
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        fmt = QTextCharFormat()
        color = level_color(level, self._dark())
        if color is not None:
            fmt.setForeground(color)
        if bold:
            fmt.setFontWeight(QFont.Weight.Bold)
        if not self.view.document().isEmpty():
            cursor.insertBlock()
        cursor.insertText(text, fmt)

    def _write(self, lines: Iterable[LogLine]) -> None:
        """Append ``lines``: one ``insertText`` per run of lines of the same colour.

        Each call into Qt may have to wait for the interpreter lock while the
        engine thread is busy, so a catch-up of hundreds of lines is a few
        calls (one per colour change), not several per line.
        """
        needle = self.search.text().strip().lower()
        dark = self._dark()
        with_task = self.all_tasks
        runs: list[tuple[QColor | None, list[str]]] = []
        key: object = ()  # the level colour of the current run
        for line in lines:
            text = format_line(line, with_task)
            if needle and needle not in text.lower():
                continue
            color = _color_of(line.level, dark)
            if color is not key or not runs:
                runs.append((color, []))
                key = color
            runs[-1][1].append(text)
        if not runs:
            return
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        first = self.view.document().isEmpty()
        plain = QTextCharFormat()
        for color, texts in runs:
            fmt = plain
            if color is not None:
                fmt = QTextCharFormat()
                fmt.setForeground(color)
            if not first:
                cursor.insertBlock(QTextBlockFormat(), plain)
            first = False
            cursor.insertText("\n".join(texts), fmt)  # a newline starts a new block
        cursor.endEditBlock()
        if self._following and not (self._finished and not self.all_tasks):
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.maximum())

    @Slot()
    def _on_catch_up(self) -> None:
        self._due = False
        self._append_new()

    @Slot(bool)
    def _on_follow(self, on: bool) -> None:
        self._following = on
        if on:
            self._append_new()

    def text(self) -> str:
        """The text shown (what Copy copies)."""
        return self.view.toPlainText()

    @Slot()
    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
