"""The History panel: past batches from the store, their tasks and logs; resume and export.

::

    [Refresh] [Open] [Resume] [Export CSV…] [Export JSON…]
    ┌ batches (newest first) ─────────────────────────────┐
    └─────────────────────────────────────────────────────┘
    ┌ tasks of the selected batch  [state ▾] ┐┌ log of the selected task ┐
    └────────────────────────────────────────┘└──────────────────────────┘

Every query runs on the panel's reader thread (``gui_app.history_reader``),
never on the GUI thread; answers come back by queued signals. The list loads
when the panel is made and whenever the window says a batch changed state.
The engine writes the same file through its own connection.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.model import TaskState
from core.store import BatchRow, JobStore, LogRow, StoreError, TaskRow
from gui_app.history_models import (
    ID_ROLE,
    RESUMABLE,
    SORT_ROLE,
    BatchesModel,
    BatchTasksModel,
    format_time,
    next_request,
    state_text,
)
from gui_app.history_reader import start_reader, stop_reader
from gui_app.i18n import arg
from gui_app.icons import state_color, state_icon

LOG_LIMIT = 20_000  # lines shown for one task
BATCHES_SHOWN = 200  # newest batches listed
EXPORT_FORMATS = ("csv", "json")
INDEX_PADDING = 8  # pixels each side of a task number, as a resized column leaves


class MiddleElideDelegate(QStyledItemDelegate):
    """Elides long paths in the middle, so the file name stays visible."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class HistoryPanel(QWidget):
    """Past batches and their tasks, read from the job store at ``store_path``.

    Parameters
    ----------
    store_path
        The history database; ``None`` for the default one (``$BRIGADE_DB`` or
        the user data folder).
    """

    resumeRequested = Signal(int)  # noqa: N815 - batch id the person wants to run again
    openRequested = Signal(int)  # noqa: N815 - batch id the person wants to open in the tasks table
    loaded = Signal()  # every question asked of the reader has its answer
    _wantBatches = Signal(int, int)  # noqa: N815 - request, how many (to the reader thread)
    _wantLog = Signal(int, int, int)  # noqa: N815 - request, task id, lines (to the reader thread)

    def __init__(self, store_path: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.store_path = store_path
        self.error: str | None = None
        self._thread = None
        self._batches_request = self._log_request = 0
        self._keep: tuple[int | None, int | None] = (None, None)  # selection to restore after a refresh
        self._find_task: int | None = None  # a task to select once its page arrives
        self._build()
        self.retranslate()
        self._update_buttons()
        self._start_reader()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close_store)
        self.refresh()  # the list is there from the start, not after a press of Refresh

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.refresh_button = QPushButton(objectName="refreshButton")
        self.open_button = QPushButton(objectName="openButton")
        self.resume_button = QPushButton(objectName="resumeButton")
        self.export_csv_button = QPushButton(objectName="exportCsvButton")
        self.export_json_button = QPushButton(objectName="exportJsonButton")
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self._open_current)
        self.resume_button.clicked.connect(self._resume_current)
        self.export_csv_button.clicked.connect(self._export_csv)
        self.export_json_button.clicked.connect(self._export_json)
        bar = QHBoxLayout()
        for b in (self.refresh_button, self.open_button, self.resume_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.export_csv_button)
        bar.addWidget(self.export_json_button)

        self.message = QLabel(objectName="historyMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.batches = BatchesModel(self)
        self.batches_proxy = QSortFilterProxyModel(self)
        self.batches_proxy.setSourceModel(self.batches)
        self.batches_proxy.setSortRole(SORT_ROLE)
        self.batch_view = self._table(self.batches_proxy, sortable=True)
        self.batch_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.batch_view.selectionModel().selectionChanged.connect(self._batch_selected)
        self.batch_view.doubleClicked.connect(self._open_current)

        self.tasks = BatchTasksModel(self)
        self.task_view = self._table(self.tasks, sortable=False)
        self._path_delegate = MiddleElideDelegate(self.task_view)
        self.task_view.setItemDelegateForColumn(1, self._path_delegate)
        self.task_view.selectionModel().selectionChanged.connect(self._task_selected)
        self.state_filter = QComboBox(objectName="stateFilter")
        self.state_filter.currentIndexChanged.connect(self._reload_tasks)
        self.tasks_title = QLabel()
        tasks_box = QWidget()
        tasks_layout = QVBoxLayout(tasks_box)
        tasks_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.tasks_title, 1)
        self.filter_label = QLabel()
        head.addWidget(self.filter_label)
        head.addWidget(self.state_filter)
        tasks_layout.addLayout(head)
        tasks_layout.addWidget(self.task_view)

        self.log_title = QLabel()
        self.log_view = QPlainTextEdit(objectName="historyLog")
        self.log_view.setReadOnly(True)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = self.log_view.font()
        mono.setFamilies(["monospace", "Consolas", "Menlo"])
        mono.setStyleHint(mono.StyleHint.Monospace)
        self.log_view.setFont(mono)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(self.log_title)
        log_layout.addWidget(self.log_view)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(tasks_box)
        lower.addWidget(log_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.batch_view)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def _table(self, model: object, *, sortable: bool) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSortingEnabled(sortable)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        return view

    @staticmethod
    def _fit_columns(view: QTableView, *, stretch: int | None, widest: int = 600) -> None:
        """Size columns to their contents (capped), letting ``stretch`` take the spare width."""
        header = view.horizontalHeader()
        view.resizeColumnsToContents()
        for col in range(header.count()):
            view.setColumnWidth(col, min(view.columnWidth(col), widest))
        if stretch is not None:
            header.setStretchLastSection(False)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def retranslate(self) -> None:
        """Set every visible text (again, after a language change)."""
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the history again"))
        self.open_button.setText(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Show this batch's tasks in the tasks table"))
        self.resume_button.setText(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Run the tasks this batch did not finish"))
        self.export_csv_button.setText(self.tr("Export CSV…"))
        self.export_json_button.setText(self.tr("Export JSON…"))
        self.filter_label.setText(self.tr("Show:"))
        current = self.state_filter.currentData()
        self.state_filter.blockSignals(True)
        self.state_filter.clear()
        self.state_filter.addItem(self.tr("All states"), None)
        for state in TaskState:
            self.state_filter.addItem(state_icon(state), state_text(state), int(state))
        self.state_filter.setCurrentIndex(max(0, self.state_filter.findData(current)))
        self.state_filter.blockSignals(False)
        self._set_titles()
        self._show_error_message()
        for model in (self.batches, self.tasks):
            model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, model.columnCount() - 1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the store --------------------------------------------------------------------------------

    def _start_reader(self) -> None:
        self.reader, self._thread = start_reader(self.store_path)
        # A panel deleted without being closed must not leave its thread running.
        self.destroyed.connect(functools.partial(stop_reader, self._thread))
        self._wantBatches.connect(self.reader.read_batches)
        self._wantLog.connect(self.reader.read_log)
        self.tasks.pageWanted.connect(self.reader.read_tasks)
        self.reader.batchesRead.connect(self._on_batches)
        self.reader.tasksRead.connect(self.tasks.add_page)
        self.reader.logRead.connect(self._on_log)
        self.reader.failed.connect(self._on_failed)
        self.tasks.pageAdded.connect(self._on_page)

    def set_store_path(self, path: str | None) -> None:
        """Read another history database (after a settings change)."""
        self.close_store()
        self.store_path = path
        self._start_reader()
        self.refresh()

    @Slot()
    def close_store(self) -> None:
        """Stop the reader thread and close its connection (a refresh starts them again)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self.tasks.load(None, None)
            stop_reader(thread)

    def closeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self.close_store()
        super().closeEvent(event)

    @property
    def busy(self) -> bool:
        """Whether a question to the reader has no answer yet."""
        return bool(self._batches_request or self._log_request or self.tasks.loading)

    def _maybe_loaded(self) -> None:
        if not self.busy:
            self.loaded.emit()

    def _show_error_message(self) -> None:
        if self.error:
            self.message.setText(arg(self.tr("History is not available: %1"), self.error))
        elif not self.batches.rows:
            self.message.setText(self.tr("No batches yet. Batches you run appear here."))
        self.message.setVisible(bool(self.error) or not self.batches.rows)

    # -- reading ----------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the batches again (on the reader thread), keeping the selected batch and task selected."""
        if self._thread is None:
            self._start_reader()
        if not self._batches_request:
            self._keep = (self.selected_batch_id(), self.selected_task_id())
        self._batches_request = next_request()
        self._wantBatches.emit(self._batches_request, BATCHES_SHOWN)

    @Slot(int, object)
    def _on_batches(self, request: int, rows: list[BatchRow]) -> None:
        if request != self._batches_request:
            return
        self._batches_request = 0
        self.error = None
        keep_batch, keep_task = self._keep
        self.batches.set_rows(rows)
        self._fit_columns(self.batch_view, stretch=1)
        self._show_error_message()
        if keep_batch is not None and self.select_batch(keep_batch) and keep_task is not None:
            self.select_task(keep_task)
        if self.selected_batch_id() is None:
            self.tasks.load(None, None)
            self._show_log(None)
        self._update_buttons()
        self._maybe_loaded()

    @Slot(int, str)
    def _on_failed(self, request: int, reason: str) -> None:
        if request == self._batches_request:
            self._batches_request = 0
            self.error = reason
            self.batches.set_rows([])
            self.tasks.load(None, None)
            self._show_error_message()
            self._update_buttons()
        elif request == self._log_request:
            self._log_request = 0
        else:
            self.tasks.forget_request(request)
        self._maybe_loaded()

    def select_batch(self, batch_id: int) -> bool:
        """Select a batch by id; return whether it is listed."""
        row = self.batches.row_of(batch_id)
        if row < 0:
            return False
        index = self.batches_proxy.mapFromSource(self.batches.index(row, 0))
        self.batch_view.selectRow(index.row())
        self.batch_view.scrollTo(index)
        return True

    def select_task(self, task_id: int) -> bool:
        """Select a task of the shown batch by id; return whether it is listed already.

        If not, pages are fetched until it appears, and it is selected then.
        """
        row = next((i for i, t in enumerate(self.tasks.rows) if t.id == task_id), -1)
        if row >= 0:
            self._find_task = None
            self.task_view.selectRow(row)
            return True
        self._find_task = task_id
        self.tasks.fetchMore(QModelIndex())
        return False

    @Slot()
    def _on_page(self) -> None:
        task_id = self._find_task
        if task_id is not None and not self.select_task(task_id) and not self.tasks.loading:
            self._find_task = None  # not in this batch (any more)
        self._maybe_loaded()

    def selected_batch_id(self) -> int | None:
        """The id of the selected batch, or ``None``."""
        rows = self.batch_view.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def selected_task_id(self) -> int | None:
        """The id of the selected task, or ``None``."""
        rows = self.task_view.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def state_filter_states(self) -> frozenset[TaskState] | None:
        """The states the tasks view shows (``None``: all)."""
        value = self.state_filter.currentData()
        return None if value is None else frozenset({TaskState(value)})

    def set_state_filter(self, state: TaskState | None) -> None:
        """Show only tasks in ``state`` (``None``: all)."""
        self.state_filter.setCurrentIndex(
            max(0, self.state_filter.findData(None if state is None else int(state)))
        )

    @Slot(QItemSelection, QItemSelection)
    def _batch_selected(self, *_: object) -> None:
        self._reload_tasks()
        self._update_buttons()

    @Slot()
    def _reload_tasks(self) -> None:
        bid = self.selected_batch_id()
        self.tasks.load(bid, self.state_filter_states())
        self._fit_columns(self.task_view, stretch=None, widest=360)
        self._fit_index_column(bid)
        self._set_titles()
        self._show_log(None)

    @Slot(QItemSelection, QItemSelection)
    def _task_selected(self, *_: object) -> None:
        rows = self.task_view.selectionModel().selectedRows()
        self._show_log(self.tasks.task_at(rows[0].row()) if rows else None)

    def _fit_index_column(self, bid: int | None) -> None:
        """Make the "#" column wide enough for the batch's last task, not only the first page's."""
        batch = self.batches.batch_at(self.batches.row_of(bid)) if bid is not None else None
        if batch is None:
            return
        view = self.task_view
        needed = view.fontMetrics().horizontalAdvance(str(batch.total)) + 2 * INDEX_PADDING
        if needed > view.columnWidth(0):
            view.setColumnWidth(0, needed)

    def _set_titles(self) -> None:
        bid = self.selected_batch_id()
        batch = self.batches.batch_at(self.batches.row_of(bid)) if bid is not None else None
        if batch is None:
            self.tasks_title.setText(self.tr("Select a batch to see its tasks."))
        else:
            text = arg(self.tr("Batch %1 · %2 · %3 tasks"), batch.id, batch.job, f"{batch.total:,}")
            self.tasks_title.setText(text)
        if not self.log_view.toPlainText():
            self.log_title.setText(self.tr("Select a task to see its log."))

    # -- the log of one task ----------------------------------------------------------------------

    def _show_log(self, task: TaskRow | None) -> None:
        """Show ``task``'s log: asked of the reader, drawn when it answers."""
        self.log_view.clear()
        if task is None or self._thread is None:
            self._log_request = 0
            self.log_title.setText(self.tr("Select a task to see its log."))
            return
        self.log_title.setText(arg(self.tr("Log of %1"), Path(task.path).name))
        self._log_request = next_request()
        self._wantLog.emit(self._log_request, task.id, LOG_LIMIT)

    @Slot(int, object)
    def _on_log(self, request: int, answer: tuple[TaskRow | None, list[LogRow]]) -> None:
        if request != self._log_request:
            return
        self._log_request = 0
        task, lines = answer
        if task is not None:
            self._draw_log(task, lines)
        self._maybe_loaded()

    def _draw_log(self, task: TaskRow, lines: list[LogRow]) -> None:
        self.log_view.clear()
        cursor = QTextCursor(self.log_view.document())
        muted = QTextCharFormat()
        muted.setForeground(self.palette().color(self.palette().ColorRole.PlaceholderText))
        cursor.insertText(f"{task.path}\n", muted)
        cursor.insertText(f"{state_text(task.state, task.label)} · {format_time(task.ended)}\n", muted)
        if task.failure is not None:
            failed = QTextCharFormat()
            failed.setForeground(state_color(TaskState.FAILED))
            cursor.insertText((task.reason or "") + "\n", failed)
        if not lines:
            cursor.insertText(self.tr("(no log lines)") + "\n", muted)
        attempt = None
        for line in lines:
            if line.attempt != attempt and (attempt is not None or line.attempt > 1):
                cursor.insertText(arg(self.tr("— attempt %1 —"), str(line.attempt)) + "\n", muted)
            attempt = line.attempt
            cursor.insertText(
                _log_line(line.time, line.level, line.text) + "\n", self._level_format(line.level)
            )
        if task.log_dropped:
            note = arg(self.tr("%1 more lines were not kept."), f"{task.log_dropped:,}")
            cursor.insertText(note + "\n", muted)
        if task.failure is not None and task.failure.traceback:
            cursor.insertText("\n" + task.failure.traceback, self._level_format(logging.ERROR))
        self.log_view.moveCursor(QTextCursor.MoveOperation.Start)

    def _level_format(self, level: int) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if level >= logging.ERROR:
            fmt.setForeground(state_color(TaskState.FAILED))
        elif level >= logging.WARNING:
            fmt.setForeground(QColor("#c77c02"))
        elif level < logging.INFO:
            fmt.setForeground(self.palette().color(self.palette().ColorRole.PlaceholderText))
        return fmt

    # -- actions ----------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        bid = self.selected_batch_id()
        batch = self.batches.batch_at(self.batches.row_of(bid)) if bid is not None else None
        self.open_button.setEnabled(batch is not None)
        self.resume_button.setEnabled(batch is not None and batch.status in RESUMABLE)
        for b in (self.export_csv_button, self.export_json_button):
            b.setEnabled(batch is not None)

    @Slot()
    def _open_current(self) -> None:
        bid = self.selected_batch_id()
        if bid is not None:
            self.openRequested.emit(bid)

    @Slot()
    def _resume_current(self) -> None:
        bid = self.selected_batch_id()
        batch = self.batches.batch_at(self.batches.row_of(bid)) if bid is not None else None
        if batch is not None and batch.status in RESUMABLE:
            self.resumeRequested.emit(batch.id)

    @Slot()
    def _export_csv(self) -> None:
        self._export_with_dialog("csv")

    @Slot()
    def _export_json(self) -> None:
        self._export_with_dialog("json")

    def _export_with_dialog(self, fmt: str) -> None:
        bid = self.selected_batch_id()
        if bid is None:
            return
        kinds = {"csv": self.tr("CSV files (*.csv)"), "json": self.tr("JSON files (*.json)")}
        path, _ = QFileDialog.getSaveFileName(
            self, arg(self.tr("Export batch %1"), str(bid)), f"brigade-batch-{bid}.{fmt}", kinds[fmt]
        )
        if not path:
            return
        try:
            rows = self.export(bid, fmt, path)
        except (OSError, StoreError) as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return
        self.message.setText(arg(self.tr("Exported %1 tasks to %2"), f"{rows:,}", path))
        self.message.show()

    def export(self, batch_id: int, fmt: str, path: str) -> int:
        """Write the tasks of a batch to ``path`` as ``fmt`` ("csv" or "json"); return the rows written."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        newline = "" if fmt == "csv" else None  # the csv module writes its own line ends
        with (
            JobStore.open(self.store_path, create=False) as store,
            open(path, "w", encoding="utf-8", newline=newline) as stream,
        ):
            return store.export(batch_id, fmt, stream)


def _log_line(stamp: float, level: int, text: str) -> str:
    clock = dt.datetime.fromtimestamp(stamp).strftime("%H:%M:%S.%f")[:-3]
    return f"{clock} {logging.getLevelName(level):<7} {text}"
