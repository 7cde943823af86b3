"""Sorting and filtering of the tasks table over index arrays.

``QSortFilterProxyModel`` would call back into Python for every comparison
and every row it filters (millions of calls for a big batch); this proxy
filters the model's compact arrays with numpy, and is the identity (no
arrays at all) while neither is asked for. Sort orders are computed on a
worker thread (``gui_app.task_order``), so sorting a million rows never
freezes the window: the table keeps its arrangement until the new one is ready.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Slot,
)
from superqt.utils import create_worker

from core.discovery import display_path
from core.model import TaskState
from gui_app.task_order import OrderJob
from gui_app.tasks_model import (
    CELL_FLAGS,
    COL_FILE,
    COL_JOB,
    COLUMN_COUNT,
    NO_FLAGS,
    ROOT_INDEX,
    Row,
    TasksModel,
)

log = logging.getLogger("brigade.gui")


class TasksProxy(QAbstractProxyModel):
    """Sorting and filtering of ``TasksModel`` over index arrays.

    With no filter and no sort the proxy is the identity and holds no array.
    Otherwise ``_rows`` maps view rows to source rows and ``_inv`` the reverse.
    Changes that could move rows (a state change under a state filter, a new
    duration under a duration sort) are folded in by a short debounced
    re-evaluation, which keeps the selection through ``layoutChanged``.
    """

    REFRESH_MS = 400
    SCAN_LIMIT = 4096  # changed spans longer than this are signalled as the whole table

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._states: bytes | None = None  # allowed states, None: all
        self._text = ""
        self._batch: int | None = None  # the one batch shown, None: every batch
        self._sort_col = -1
        self._order = Qt.SortOrder.AscendingOrder
        self._rows: array[int] | None = None
        self._inv: array[int] | None = None
        self._model: QAbstractItemModel | None = None
        self._held: tuple[list[QPersistentModelIndex], list[QPersistentModelIndex]] | None = None
        self._sorted: np.ndarray | None = None  # source rows in the sort order last computed
        self._job_rows = 0  # rows of the model when that order's snapshot was taken
        self._generation = 0  # of the newest sort asked for; older results are dropped
        self._worker: Any = None  # the sort running on a worker thread
        self._again = False  # another sort was asked for while one ran
        self._stale = False  # rows were added, or keys of the sorted column changed
        self._dirty = QTimer(self, singleShot=True, interval=self.REFRESH_MS)
        self._dirty.timeout.connect(self._refresh)

    # ------------------------------------------------------------ configuration
    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802
        self.beginResetModel()
        super().setSourceModel(model)
        self._model = model
        model.modelReset.connect(self._on_reset)
        model.rowsInserted.connect(self._on_inserted)
        model.dataChanged.connect(self._on_changed)
        model.layoutAboutToBeChanged.connect(self._on_layout_changing)
        model.layoutChanged.connect(self._on_layout_changed)
        self._rebuild()
        self.endResetModel()

    def tasks(self) -> TasksModel:
        # Kept in Python: asked per painted cell, and sourceModel() is a call into Qt.
        return self._model  # type: ignore[return-value]

    def set_state_filter(self, states: Iterable[TaskState] | None) -> None:
        """Show only tasks in ``states`` (``None``: every state)."""
        self._states = None if states is None else bytes(int(s) for s in states)
        self._relayout()

    def set_text_filter(self, text: str) -> None:
        """Show only tasks whose path or result contains ``text`` (case-insensitive)."""
        self._text = text.strip().lower()
        self._relayout()

    def set_batch_filter(self, batch_id: int | None) -> None:
        """Show only the tasks of ``batch_id`` (``None``: of every batch)."""
        self._batch = batch_id
        self._relayout()

    def _batch_rows(self) -> range | None:
        """Source rows of the batch shown, or ``None`` when every batch is."""
        if self._batch is None:
            return None
        b = next((b for b in self.tasks().batches if b.batch_id == self._batch), None)
        return range(b.first, b.first + b.count) if b is not None else range(0)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the model's order); the rows move once the order is computed.

        The order is computed on a worker thread (``gui_app.task_order``): the
        table stays as it is, and usable, until the sorted rows replace it.
        """
        self._sort_col, self._order = column, order
        if column < 0:
            self._sorted = None
            self._relayout()
        else:
            self._request_sort()

    @property
    def sorting(self) -> bool:
        """Whether a sort order is being computed."""
        return self._worker is not None

    def _request_sort(self) -> None:
        """Compute the sort order on a worker thread (one at a time; a request while one runs follows it)."""
        if self._worker is not None:
            self._again = True
            return
        self._again = False
        self._generation += 1
        m = self.tasks()
        job = OrderJob(
            m.sort_keys(self._sort_col),
            self._order == Qt.SortOrder.DescendingOrder,
            m.rowCount(),
            self._generation,
        )
        self._job_rows = job.rows
        worker = create_worker(job.run, _start_thread=False)
        worker.returned.connect(self._on_sorted)
        worker.errored.connect(self._on_sort_failed)
        worker.finished.connect(self._on_sort_ended)
        self._worker = worker
        worker.start()

    @Slot(object)
    def _on_sorted(self, result: tuple[int, np.ndarray]) -> None:
        generation, order = result
        if generation == self._generation and self._sort_col >= 0:
            self._sorted = order
            self._relayout()

    @Slot(object)
    def _on_sort_failed(self, exc: BaseException) -> None:
        log.error("sorting the tasks failed", exc_info=exc)

    @Slot()
    def _on_sort_ended(self) -> None:
        self._worker = None
        if self._again and self._sort_col >= 0:
            self._request_sort()

    @property
    def identity(self) -> bool:
        return self._rows is None

    # ------------------------------------------------------------ mapping
    def _accepts(self, row: Row) -> bool:
        m = self.tasks()
        if self._batch is not None and m.batch_of(row).batch_id != self._batch:
            return False
        if self._states is not None and m._state[row] not in self._states:
            return False
        if self._text:
            return self._text in display_path(m.path(row)).lower() or self._text in m.result_text(row).lower()
        return True

    def _rebuild(self) -> None:
        m = self.tasks()
        n = m.rowCount()
        batch = self._batch_rows()
        if self._states is None and not self._text and self._sort_col < 0 and batch is None:
            self._rows = self._inv = None
            return
        rows = self._arranged(n)
        if batch is not None:
            rows = rows[(rows >= batch.start) & (rows < batch.stop)]
        if self._states is not None:
            states = np.frombuffer(bytes(m._state), np.uint8)
            rows = rows[np.isin(states[rows], np.frombuffer(self._states, np.uint8))]
        if self._text:
            rows = np.array([i for i in rows.tolist() if self._accepts(i)], np.int64)
        inv = np.full(n, -1, np.int64)
        inv[rows] = np.arange(len(rows))
        self._rows, self._inv = _indexes(rows), _indexes(inv)

    def _arranged(self, n: int) -> np.ndarray:
        """Every source row, in the sort order last computed (rows added since come after, unsorted)."""
        order = self._sorted
        if self._sort_col < 0 or order is None:
            return np.arange(n, dtype=np.int64)
        order = order[order < n]  # rows cleared since
        if len(order) < n and self._job_rows < n:
            order = np.concatenate([order, np.arange(self._job_rows, n, dtype=np.int64)])
        return order

    @Slot()
    def _refresh(self) -> None:
        """Fold in changes that may move rows: filter now, sort again on the worker thread."""
        if self._stale and self._sort_col >= 0:
            self._request_sort()
        self._stale = False
        self._relayout()

    def _relayout(self) -> None:
        self._dirty.stop()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self.mapToSource(i) for i in persistent]
        self._rebuild()
        self.changePersistentIndexList(persistent, [self.mapFromSource(s) for s in sources])
        self.layoutChanged.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX) -> int:  # noqa: N802
        if parent.isValid():
            return 0
        return self.tasks().rowCount() if self._rows is None else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX) -> int:  # noqa: N802
        return 0 if parent.isValid() else COLUMN_COUNT

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX
    ) -> QModelIndex:
        n = len(self.tasks()._state) if self._rows is None else len(self._rows)
        if parent.isValid() or not (0 <= row < n and 0 <= column < COLUMN_COUNT):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: Any = None) -> Any:  # type: ignore[override]
        if index is None:
            return super().parent()
        return QModelIndex()

    def sibling(self, row: int, column: int, idx: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        return self.index(row, column)

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX) -> bool:  # noqa: N802
        return not parent.isValid() and self.rowCount() > 0

    def mapToSource(self, proxy: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        if not proxy.isValid():
            return QModelIndex()
        row = proxy.row() if self._rows is None else self._rows[proxy.row()]
        return self.tasks().index(row, proxy.column())

    def mapFromSource(self, source: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        if not source.isValid():
            return QModelIndex()
        row = source.row() if self._inv is None else self._inv[source.row()]
        return self.index(row, source.column()) if row >= 0 else QModelIndex()

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return self.tasks().headerData(section, orientation, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = index.row() if self._rows is None else self._rows[index.row()]
        return self.tasks().cell(row, index.column(), role)

    def multiData(  # noqa: N802 - Qt override
        self,
        index: QModelIndex | QPersistentModelIndex,
        roleDataSpan: Any,  # noqa: N803
    ) -> None:
        """Every role a delegate asks for, in one call from Qt (seven ``data()`` calls otherwise).

        A painted cell then costs one crossing into Python, each of which may
        wait for the interpreter lock while the engine thread is busy. Roles
        without data are cleared rather than set to ``None`` (a conversion per
        role). Qt reuses the span from cell to cell, so every role is written.
        """
        if not index.isValid():
            return
        row = index.row() if self._rows is None else self._rows[index.row()]
        col, cell = index.column(), self.tasks().cell
        for item in roleDataSpan:
            value = cell(row, col, item.role())
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Asked for every painted cell: answered here, without another call into Qt or the model.
        return CELL_FLAGS if index.isValid() else NO_FLAGS

    def source_row(self, view_row: int) -> Row:
        return view_row if self._rows is None else self._rows[view_row]

    # ------------------------------------------------------------ source signals
    def _on_reset(self) -> None:
        self.beginResetModel()
        self._sorted = None  # rows are numbered anew
        if self._sort_col >= 0:
            self._request_sort()
        self._rebuild()
        self.endResetModel()

    def _on_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if self._rows is None:
            self.beginInsertRows(QModelIndex(), first, last)
            self.endInsertRows()
            return
        assert self._inv is not None
        accepted = [r for r in range(first, last + 1) if self._accepts(r)]
        self._inv.extend(array("q", [-1]) * (last - first + 1))
        if accepted:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(accepted) - 1)
            for v, r in enumerate(accepted, start):
                self._inv[r] = v
            self._rows.extend(accepted)
            self.endInsertRows()
        if self._sort_col >= 0:
            self._dirty.start()

    def _on_layout_changing(self) -> None:
        """The source moves rows (batches reordered): hold the views' indexes by their source rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        self._held = (persistent, [QPersistentModelIndex(self.mapToSource(i)) for i in persistent])

    def _on_layout_changed(self) -> None:
        persistent, sources = self._held or ([], [])
        self._held = None
        self._sorted = None  # rows moved
        if self._sort_col >= 0:
            self._request_sort()
        self._rebuild()
        self.changePersistentIndexList(persistent, [self.mapFromSource(s) for s in sources])
        self.layoutChanged.emit()

    def _on_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        left, right = top.column(), bottom.column()
        if self._rows is None:
            self.dataChanged.emit(self.index(top.row(), left), self.index(bottom.row(), right), roles)
            return
        assert self._inv is not None
        if bottom.row() - top.row() >= self.SCAN_LIMIT:
            # Mapping a huge span row by row would cost more than the views' own clipping.
            n = len(self._rows) if self._rows is not None else 0
            if n:
                self.dataChanged.emit(self.index(0, left), self.index(n - 1, right), roles)
        else:
            mapped = [v for v in self._inv[top.row() : bottom.row() + 1] if v >= 0]
            if mapped:
                self.dataChanged.emit(self.index(min(mapped), left), self.index(max(mapped), right), roles)
        if self._sort_col >= 0 and self._sort_col not in (COL_FILE, COL_JOB):
            self._stale = True  # the keys of file names and jobs never change
        if (self._states is not None or self._text or self._stale) and not self._dirty.isActive():
            self._dirty.start()


def _indexes(values: np.ndarray) -> array[int]:
    """A numpy index array as a Python ``array``: read per painted cell, it gives plain ints."""
    out = array("q")
    out.frombytes(values.astype(np.int64).tobytes())
    return out
