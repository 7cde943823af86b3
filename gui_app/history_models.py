"""Table models of the History panel: past batches, and the tasks of one batch read page by page.

Neither reads the store: the panel's reader thread (``gui_app.history_reader``)
does, and hands them rows. The tasks model asks for its next page with a
signal when the view scrolls near its end.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor

from core.model import TaskState
from core.registry import UnknownJobError, processor_class
from core.store import BatchRow, TaskRow
from gui_app.i18n import job_tr
from gui_app.icons import state_color, state_icon
from gui_app.tasks_model import duration_text

_REQUESTS = itertools.count(1)


def next_request() -> int:
    """A new number for a question to the history reader (unique across the panel and its models)."""
    return next(_REQUESTS)


SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the raw value a column sorts by
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the batch or task id of the row
PAGE = 500  # tasks read per fetch

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def format_time(stamp: float | None) -> str:
    """A local date and time to the second (``2026-11-22 09:41:07``); empty for ``None``."""
    if not stamp:
        return ""
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


# Statuses of a batch, as the store names them, for people (translated where shown).
STATUS_TEXT = {
    "running": QT_TRANSLATE_NOOP("HistoryPanel", "Running"),
    "finished": QT_TRANSLATE_NOOP("HistoryPanel", "Finished"),
    "stopped": QT_TRANSLATE_NOOP("HistoryPanel", "Stopped"),
    "interrupted": QT_TRANSLATE_NOOP("HistoryPanel", "Interrupted"),
}
STATE_TEXT = {
    "queued": QT_TRANSLATE_NOOP("HistoryPanel", "Queued"),
    "running": QT_TRANSLATE_NOOP("HistoryPanel", "Running"),
    "done": QT_TRANSLATE_NOOP("HistoryPanel", "Done"),
    "failed": QT_TRANSLATE_NOOP("HistoryPanel", "Failed"),
    "cancelled": QT_TRANSLATE_NOOP("HistoryPanel", "Cancelled"),
    "skipped": QT_TRANSLATE_NOOP("HistoryPanel", "Skipped"),
    "interrupted": QT_TRANSLATE_NOOP("HistoryPanel", "Interrupted"),
}
RESUMABLE = frozenset({"stopped", "interrupted"})


def status_text(status: str) -> str:
    """The translated name of a batch status."""
    return _tr("HistoryPanel", STATUS_TEXT.get(status, status))


def state_text(state: TaskState, label: str | None = None) -> str:
    """The translated name of a task state (``label`` may say ``interrupted``)."""
    key = label or state.label
    return _tr("HistoryPanel", STATE_TEXT.get(key, key))


def _status_state(batch: BatchRow) -> TaskState:
    """The task state whose icon stands for a batch's status."""
    if batch.status == "running":
        return TaskState.RUNNING
    if batch.status in RESUMABLE:
        return TaskState.CANCELLED
    return TaskState.FAILED if batch.counts.get(TaskState.FAILED) else TaskState.DONE


class _RowsModel(QAbstractTableModel):
    """A flat table of ``rows`` with the translated ``COLUMNS`` as headers."""

    COLUMNS: tuple[str, ...] = ()
    rows: list[Any]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.COLUMNS):
            return _tr("HistoryPanel", self.COLUMNS[section])
        return None


class BatchesModel(_RowsModel):
    """Past batches, newest first (one row per ``BatchRow``)."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("HistoryPanel", "ID"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Job"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Created"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Status"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Tasks"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Done"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Failed"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Cancelled"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Duration"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[BatchRow] = []

    def set_rows(self, rows: list[BatchRow]) -> None:
        """Replace every row (a refresh reads at most a few hundred batches)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def batch_at(self, row: int) -> BatchRow | None:
        """The batch of ``row``, or ``None``."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, batch_id: int) -> int:
        """The row of a batch id, or -1."""
        return next((i for i, b in enumerate(self.rows) if b.id == batch_id), -1)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        batch = self.batch_at(index.row()) if index.isValid() else None
        if batch is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            return self._text(batch, col)
        if role == SORT_ROLE:
            return self._sort_value(batch, col)
        if role == ID_ROLE:
            return batch.id
        if role == Qt.ItemDataRole.DecorationRole and col == 3:
            return state_icon(_status_state(batch))
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and batch.counts.get(TaskState.FAILED):
            return state_color(TaskState.FAILED)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 4, 5, 6, 7, 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1 and batch.params:
            return ", ".join(f"{k} = {v}" for k, v in batch.params.items())
        return None

    @staticmethod
    def _text(b: BatchRow, col: int) -> str:
        counts = b.counts
        values = (
            str(b.id),
            job_title(b.job),
            format_time(b.created),
            status_text(b.status),
            f"{b.total:,}",
            f"{counts.get(TaskState.DONE, 0):,}",
            f"{counts.get(TaskState.FAILED, 0):,}",
            f"{counts.get(TaskState.CANCELLED, 0):,}",
            duration_text(b.duration),
        )
        return values[col]

    @staticmethod
    def _sort_value(b: BatchRow, col: int) -> Any:
        counts = b.counts
        values = (
            b.id,
            job_title(b.job),
            b.created,
            b.status,
            b.total,
            counts.get(TaskState.DONE, 0),
            counts.get(TaskState.FAILED, 0),
            counts.get(TaskState.CANCELLED, 0),
            b.duration or 0.0,
        )
        return values[col]


def result_text(task: TaskRow) -> str:
    """The task's result (its first result field) or its failure, in one line."""
    if task.failure is not None:
        return task.reason or ""
    result = task.result
    if isinstance(result, dict) and result:
        for key in ("digest", "output", "size", "bytes"):
            if key in result:
                return str(result[key])
        key, value = next(iter(result.items()))
        return f"{key}: {value}"
    return "" if result is None or result == {} else str(result)


class BatchTasksModel(_RowsModel):
    """The tasks of one batch, optionally of some states, fetched a page at a time as the view scrolls."""

    COLUMNS = (
        "#",
        QT_TRANSLATE_NOOP("HistoryPanel", "File"),
        QT_TRANSLATE_NOOP("HistoryPanel", "State"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Attempts"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Duration"),
        QT_TRANSLATE_NOOP("HistoryPanel", "Result or reason"),
    )

    pageWanted = Signal(int, int, object, int, int)  # noqa: N815 - request, batch, states, after id, rows
    pageAdded = Signal()  # noqa: N815 - a page arrived (the view may look for a task in it)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.batch_id: int | None = None
        self.states: frozenset[TaskState] | None = None
        self.rows: list[TaskRow] = []
        self._more = False
        self._request = 0  # the page asked for last; 0: none on its way

    def load(self, batch_id: int | None, states: frozenset[TaskState] | None) -> None:
        """Show the tasks of ``batch_id`` in ``states`` (``None``: all), starting with the first page."""
        self.beginResetModel()
        self.batch_id, self.states = batch_id, states
        self.rows = []
        self._more = batch_id is not None
        self._request = 0
        self.endResetModel()
        if self._more:
            self.fetchMore(QModelIndex())

    @property
    def loading(self) -> bool:
        """Whether a page is on its way."""
        return self._request != 0

    def task_at(self, row: int) -> TaskRow | None:
        """The task of ``row``, or ``None``."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt override
        return not parent.isValid() and self._more and not self._request

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt override
        if parent.isValid() or not self._more or self._request or self.batch_id is None:
            return
        self._request = next_request()
        after = self.rows[-1].id if self.rows else 0
        self.pageWanted.emit(self._request, self.batch_id, self.states, after, PAGE)

    @Slot(int, object)
    def add_page(self, request: int, page: list[TaskRow]) -> None:
        """A page the reader read; dropped when it answers an older question."""
        if request != self._request:
            return
        self._request = 0
        self._more = len(page) == PAGE
        if page:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
        self.pageAdded.emit()

    def forget_request(self, request: int) -> None:
        """The page asked for with ``request`` will not come (the read failed)."""
        if request == self._request:
            self._request = 0
            self._more = False

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        task = self.task_at(index.row()) if index.isValid() else None
        if task is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            return self._text(task, col)
        if role == ID_ROLE:
            return task.id
        if role == Qt.ItemDataRole.DecorationRole and col == 2:
            return state_icon(task.state)
        if role == Qt.ItemDataRole.ToolTipRole and col in (1, 5):
            return (
                task.path if col == 1 else (task.failure.traceback or task.reason) if task.failure else None
            )
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and task.failure is not None:
            return QColor(state_color(TaskState.FAILED))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(t: TaskRow, col: int) -> str:
        if col == 0:
            return str(t.index + 1)
        if col == 1:
            return t.path
        if col == 2:
            return state_text(t.state, t.label) + (
                " " + _tr("HistoryPanel", "(input changed)") if t.changed else ""
            )
        if col == 3:
            return str(t.attempts)
        if col == 4:
            return duration_text(t.duration)
        return result_text(t)


@functools.cache
def _stored_title(job: str) -> str:
    """The title of the job a batch ran (its stored name when the job is gone); looked up once."""
    try:
        return processor_class(job).title or job
    except UnknownJobError:
        return job
    except Exception:  # noqa: BLE001 - a plugin that no longer loads: its batches keep their stored name
        return job


def job_title(job: str) -> str:
    """A batch's job as the tasks table names it: its title, in the installed language."""
    return job_tr(_stored_title(job))
