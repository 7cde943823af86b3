"""The tasks table view: a progress delegate, a filter bar and the context menu."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.discovery import display_path
from core.model import TaskId, TaskState
from gui_app.batch_progress import BatchClocks
from gui_app.tasks_model import (
    COL_DURATION,
    COL_FILE,
    COL_JOB,
    COL_PROGRESS,
    COL_STATE,
    COL_WORKER,
    PROGRESS_ROLE,
    STATE_ROLE,
    BatchRows,
    TasksModel,
    duration_text,
)
from gui_app.tasks_proxy import TasksProxy

REPAINT_MS = 80  # changed rows in view are repainted together at most this often


class ProgressDelegate(QStyledItemDelegate):
    """Draws a progress bar in the Progress column of running tasks.

    Given the ``TasksProxy`` the view shows, it reads states from the model's
    arrays; otherwise it asks the index.
    """

    def __init__(self, parent: QWidget | None = None, proxy: TasksProxy | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # Read from the arrays, not index.data(): each of those is a call into Qt and back.
        proxy = self._proxy
        row = proxy.source_row(index.row()) if proxy is not None else -1
        state = proxy.tasks()._state[row] if proxy is not None else index.data(STATE_ROLE)
        if state != TaskState.RUNNING:  # finished rows say so in State; bars only where work moves
            super().paint(painter, option, index)
            return
        value = proxy.tasks().progress(row) if proxy is not None else index.data(PROGRESS_ROLE)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)  # type: ignore[attr-defined]
        bar.minimum, bar.maximum = 0, 100
        bar.progress = max(0, value)
        bar.text = f"{value}%" if value >= 0 else "…"
        bar.textVisible = True
        bar.state = option.state  # type: ignore[attr-defined]
        bar.palette = option.palette  # type: ignore[attr-defined]
        style = option.widget.style() if option.widget else QApplication.style()  # type: ignore[attr-defined]
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(option.rect, option.palette.highlight())  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class PathDelegate(QStyledItemDelegate):
    """Elides paths in the middle (folder start and file name stay); other cells elide at the end."""

    def initStyleOption(  # noqa: N802 - Qt override
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle  # type: ignore[attr-defined]


class TasksView(QTableView):
    """The table of tasks, with multi-select and a context menu.

    Emits requests; the main window turns them into engine commands.
    """

    cancelRequested = Signal(list)  # noqa: N815 - Qt naming;task ids to cancel
    removeRequested = Signal(list)  # noqa: N815 - Qt naming;task ids to take out of the queue
    retryRequested = Signal(list)  # noqa: N815 - Qt naming;task ids to run again
    showLogRequested = Signal(int)  # noqa: N815 - Qt naming;task id whose log to show
    currentTaskChanged = Signal(int)  # noqa: N815 - Qt naming;task id of the current row, -1 for none
    actionFailed = Signal(str)  # noqa: N815 - Qt naming;why an action of the menu did nothing

    def __init__(self, proxy: TasksProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self._pending: tuple[int, int, int, int] | None = None  # rows and columns changed in view
        self._repaint = QTimer(self, singleShot=True, interval=REPAINT_MS)
        self._repaint.timeout.connect(self._repaint_changed)
        self.setModel(proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        # Results and errors read from their start: cut at the end (full text in the tooltip).
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setItemDelegateForColumn(COL_FILE, PathDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setItemDelegateForColumn(COL_PROGRESS, ProgressDelegate(self, proxy))
        self._setup_headers()
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        copy = QAction(self.tr("Copy path"), self, shortcut=QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_paths)
        self.addAction(copy)
        copy_result = QAction(self.tr("Copy result"), self, shortcut=QKeySequence("Ctrl+Shift+C"))
        copy_result.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy_result.triggered.connect(self.copy_results)
        self.addAction(copy_result)
        self.setAccessibleName(self.tr("Tasks"))

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.proxy.rowCount() == 0:
            # An empty table says how to fill it.
            keys = QKeySequence(QKeySequence.StandardKey.Open).toString(
                QKeySequence.SequenceFormat.NativeText
            )
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_hint().replace("%1", keys)
            )
            painter.end()

    def empty_hint(self) -> str:
        return self.tr("Drop files or folders here, or press %1 to add files")

    def _setup_headers(self) -> None:
        # Fixed row heights and no content-based sizing: a million rows cost nothing to lay out.
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        vh.hide()
        # Always shown: a scroll bar appearing with the first batch would resize the viewport
        # and repaint the whole table once more while that batch starts.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        hh = self.horizontalHeader()
        # A header paints whether each section is wholly selected (even with highlighting off), asking
        # the model for every row of each column: a million calls into Python after a select-all.
        # The headers get a selection of their own, always empty, and show none.
        for header in (hh, vh):
            header.setHighlightSections(False)
            header.setSelectionModel(QItemSelectionModel(self.proxy, header))
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        widths = {
            COL_FILE: 300,
            COL_JOB: 120,
            COL_STATE: 96,
            COL_PROGRESS: 100,
            COL_DURATION: 72,
            COL_WORKER: 64,
        }
        for col, width in widths.items():
            self.setColumnWidth(col, width)

    def dataChanged(  # noqa: N802
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: list[int] = [],  # noqa: B006 - Qt's signature
    ) -> None:
        # Most changes of a big batch are far off screen: dropped here, as rows scrolled
        # into view are painted from the model anyway. Changes in view are repainted
        # together on a short timer: a paint of the table costs a call into Python per
        # cell, each of which may wait for the interpreter lock while the engine thread
        # is busy, so it happens a few times a second, not on every drain tick.
        top, bottom = top_left.row(), bottom_right.row()
        first = self.rowAt(0)
        if first >= 0:
            last = self.rowAt(self.viewport().height() - 1)
            last = last if last >= 0 else self.proxy.rowCount() - 1  # no call into Qt for the model
            if bottom < first or top > last:
                return
            top, bottom = max(top, first), min(bottom, last)
        left, right = top_left.column(), bottom_right.column()
        pending = self._pending
        if pending is None:
            self._pending = (top, bottom, left, right)
            self._repaint.start()
        else:
            self._pending = (
                min(pending[0], top),
                max(pending[1], bottom),
                min(pending[2], left),
                max(pending[3], right),
            )

    @Slot()
    def _repaint_changed(self) -> None:
        """Repaint the rows in view that changed since the last repaint."""
        if self._pending is None:
            return
        (top, bottom, left, right), self._pending = self._pending, None
        n = self.proxy.rowCount()
        if top < n:
            model = self.proxy
            super().dataChanged(model.index(top, left), model.index(min(bottom, n - 1), right), [])

    @property
    def tasks(self) -> TasksModel:
        return self.proxy.tasks()

    # ------------------------------------------------------------ selection
    def selected_spans(self) -> list[range]:
        """The selected view rows as ascending, disjoint spans, read from the selection's ranges.

        A select-all of a million rows is one range: listing its indexes
        (``selectedRows()``) would call into Python for every row and column.
        """
        spans = sorted((r.top(), r.bottom() + 1) for r in self.selectionModel().selection())
        merged: list[list[int]] = []
        for top, end in spans:
            if merged and top <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([top, end])
        return [range(top, end) for top, end in merged]

    def selected_rows(self) -> list[int]:
        """Source rows of the selected tasks, in view order."""
        rows: list[int] = []
        for span in self.selected_spans():
            rows.extend(self.proxy.source_rows(span))
        return rows

    def selected_task_ids(self, states: Collection[TaskState] | None = None) -> list[TaskId]:
        """Task ids of the selected rows (only those in ``states`` if given), in view order."""
        ids: list[TaskId] = []
        for span in self.selected_spans():
            rows = self.proxy.source_rows(span)
            if states is not None:
                rows = self.tasks.rows_among(rows, states)
            ids.extend(self.tasks.task_ids(rows))
        return ids

    def select_task(self, task_id: TaskId) -> bool:
        """Make ``task_id`` the current, selected row; return whether it is shown."""
        row = self.tasks.row_of(task_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.tasks.index(row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)
        return True

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        tid = self.tasks.task_id(self.proxy.source_row(current.row())) if current.isValid() else -1
        self.currentTaskChanged.emit(tid)

    # ------------------------------------------------------------ context menu
    def build_menu(self) -> QMenu:
        """The context menu for the current selection (also used by tests)."""
        rows, tasks = self.selected_rows(), self.tasks  # a select-all may give a million rows
        states = tasks.states_of(rows)
        menu = QMenu(self)
        remove = menu.addAction(self.tr("Remove from queue"), self._remove_selected)
        remove.setEnabled(TaskState.QUEUED in states)
        cancel = menu.addAction(self.tr("Cancel"), self._cancel_selected)
        cancel.setEnabled(bool(states & {TaskState.QUEUED, TaskState.RUNNING}))
        retry = menu.addAction(self.tr("Retry"), self._retry_selected)
        retry.setEnabled(bool(states & {TaskState.FAILED, TaskState.CANCELLED}))
        menu.addSeparator()
        output = tasks.first_output(rows)
        open_out = menu.addAction(self.tr("Open output"), lambda: self._said(open_path(output)))
        open_out.setEnabled(output is not None)
        folder = self.tasks.output_folder(self.tasks.batch_of(rows[0])) if rows else None
        open_folder = menu.addAction(self.tr("Open output folder"), lambda: self._said(open_path(folder)))
        open_folder.setEnabled(folder is not None)
        show = menu.addAction(
            self.tr("Show in file manager"),
            lambda: self._said(show_in_file_manager(output or self._first_path(rows))),
        )
        show.setEnabled(bool(rows))
        copy = menu.addAction(self.tr("Copy path"), self.copy_paths)
        copy.setEnabled(bool(rows))
        copy_result = menu.addAction(self.tr("Copy result"), self.copy_results)
        copy_result.setEnabled(tasks.has_result(rows))
        menu.addSeparator()
        log = menu.addAction(self.tr("Show log"), self._show_log)
        log.setEnabled(len(rows) >= 1)
        for action, name in (
            (remove, "remove"),
            (cancel, "cancel"),
            (retry, "retry"),
            (open_out, "open"),
            (open_folder, "open_folder"),
            (show, "show"),
            (copy, "copy"),
            (copy_result, "copy_result"),
            (log, "log"),
        ):
            action.setObjectName(name)
        return menu

    @Slot("QPoint")
    def _show_menu(self, pos: Any) -> None:
        if not self.selectionModel().hasSelection():
            return
        self.build_menu().popup(self.viewport().mapToGlobal(pos))

    def _cancel_selected(self) -> None:
        ids = self.selected_task_ids((TaskState.QUEUED, TaskState.RUNNING))
        if ids:
            self.cancelRequested.emit(ids)

    def _remove_selected(self) -> None:
        ids = self.selected_task_ids()
        if ids:
            self.removeRequested.emit(ids)

    def _retry_selected(self) -> None:
        ids = self.selected_task_ids((TaskState.FAILED, TaskState.CANCELLED))
        if ids:
            self.retryRequested.emit(ids)

    def _show_log(self) -> None:
        spans = self.selected_spans()
        if spans:  # the first selected row's log: of a select-all, no list of every row
            self.showLogRequested.emit(self.tasks.task_id(self.proxy.source_row(spans[0][0])))

    def _first_path(self, rows: list[int]) -> str | None:
        return self.tasks.path(rows[0]) if rows else None

    def _said(self, failure: str) -> None:
        if failure:
            self.actionFailed.emit(failure)

    @Slot()
    def copy_results(self) -> None:
        """Copy the selected tasks' results or failure reasons, whole, one task after another."""
        texts = [t for t in (self.tasks.full_result(r) for r in self.selected_rows()) if t]
        if texts:
            QGuiApplication.clipboard().setText("\n".join(texts))

    @Slot()
    def copy_paths(self) -> None:
        """Copy the selected input paths, one a line."""
        rows = self.selected_rows()
        if rows:
            QGuiApplication.clipboard().setText("\n".join(self.tasks.path(r) for r in rows))


def show_in_file_manager(path: str | None) -> str:
    """Reveal ``path`` in the system file manager (selecting it where the platform can).

    Returns why it could not, or ``""``.
    """
    if not path:
        return QCoreApplication.translate("TasksView", "No file to show")
    if not os.path.exists(path):
        return QCoreApplication.translate("TasksView", "%1 no longer exists").replace(
            "%1", display_path(path)
        )
    try:
        if sys.platform == "win32":
            subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
        elif sys.platform == "darwin":
            subprocess.Popen(["open", "-R", path])
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path) or path)):
            raise OSError("no file manager answered")
    except OSError as exc:
        return (
            QCoreApplication.translate("TasksView", "Could not show %1 in the file manager: %2")
            .replace("%1", display_path(path))
            .replace("%2", exc.strerror or str(exc))
        )
    return ""


def open_path(path: str | None) -> str:
    """Open ``path`` with its default application; return why it could not, or ``""``."""
    if not path or not os.path.exists(path):
        return QCoreApplication.translate("TasksView", "%1 no longer exists").replace(
            "%1", display_path(path or "")
        )
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
        return QCoreApplication.translate("TasksView", "No application could open %1").replace(
            "%1", display_path(path)
        )
    return ""


class TaskFilterBar(QWidget):
    """State and text filters above the table; drives a ``TasksProxy``."""

    def __init__(self, proxy: TasksProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.state_box = QComboBox(self)
        self.state_box.addItem(self.tr("All states"), None)
        self.state_box.addItem(self.tr("Active (queued or running)"), (TaskState.QUEUED, TaskState.RUNNING))
        names = {
            TaskState.QUEUED: self.tr("Queued"),
            TaskState.RUNNING: self.tr("Running"),
            TaskState.DONE: self.tr("Done"),
            TaskState.FAILED: self.tr("Failed"),
            TaskState.CANCELLED: self.tr("Cancelled"),
            TaskState.SKIPPED: self.tr("Skipped"),
        }
        for state, name in names.items():
            self.state_box.addItem(name, (state,))
        self.batch_box = QComboBox(self)
        self.batch_box.setObjectName("batchFilter")
        self.batch_box.setAccessibleName(self.tr("Batch shown"))
        self.batch_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.batch_box.addItem(self.tr("All batches"), None)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(self.tr("Filter by file name or result…"))
        self.text.setClearButtonEnabled(True)
        self.state_box.setAccessibleName(self.tr("States shown"))
        self.text.setAccessibleName(self.tr("Text filter"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.batch_box)
        layout.addWidget(self.state_box)
        layout.addWidget(self.text, 1)
        self.state_box.currentIndexChanged.connect(self._on_state)
        self.batch_box.currentIndexChanged.connect(self._on_batch)
        self.text.textChanged.connect(proxy.set_text_filter)

    @Slot(int)
    def _on_state(self, index: int) -> None:
        self.proxy.set_state_filter(self.state_box.itemData(index))

    @Slot(int)
    def _on_batch(self, index: int) -> None:
        self.proxy.set_batch_filter(self.batch_box.itemData(index))

    @property
    def batch_id(self) -> int | None:
        """The batch chosen in the filter, ``None`` for every batch."""
        return self.batch_box.currentData()

    def show_batches(self, batches: Sequence[BatchRows], clocks: BatchClocks, now: float) -> None:
        """List every batch with its own progress; a batch no longer in the table leaves the list."""
        box = self.batch_box
        wanted = [b.batch_id for b in batches]
        for i in range(box.count() - 1, 0, -1):
            if box.itemData(i) not in wanted:
                box.removeItem(i)  # a cleared batch: the filter falls back to every batch
        known = [box.itemData(i) for i in range(1, box.count())]
        for b in batches:
            text = self.batch_text(b, clocks.elapsed(b.batch_id, now))
            if b.batch_id in known:
                i = box.findData(b.batch_id)
                if box.itemText(i) != text:
                    box.setItemText(i, text)
            else:
                box.addItem(text, b.batch_id)

    def batch_text(self, b: BatchRows, elapsed: float | None) -> str:
        """``"Batch 3 · Checksum · 4 / 122 · 12.3 s"``: a batch's own progress."""
        title = self.proxy.tasks().job_title(b.job)
        done = b.counts.total - b.counts.unfinished
        text = self.tr("Batch %1").replace("%1", str(b.batch_id)) + f" · {title} · {done:,} / {b.count:,}"
        return text + (f" · {duration_text(elapsed)}" if elapsed is not None else "")


class TasksPane(QWidget):
    """Filter bar above the tasks view: the central widget of the window."""

    def __init__(self, model: TasksModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = TasksProxy(self)
        self.proxy.setSourceModel(model)
        self.filter_bar = TaskFilterBar(self.proxy, self)
        self.view = TasksView(self.proxy, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.view, 1)


__all__ = [
    "COL_JOB",
    "COL_STATE",
    "COL_WORKER",
    "ProgressDelegate",
    "TaskFilterBar",
    "TasksPane",
    "TasksView",
]
