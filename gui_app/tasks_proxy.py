"""Sorting and filtering of the tasks table over index arrays.

``QSortFilterProxyModel`` would call back into Python for every comparison
and every row it filters (millions of calls for a big batch); this proxy
sorts and filters the model's compact arrays directly, and is the identity
(no arrays at all) while neither is asked for. A big table is arranged on a
worker thread (``gui_app.task_order``), so sorting or filtering a million
rows never freezes the window: the table keeps its arrangement until the
new one is ready.
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

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
from gui_app.task_order import ArrangeJob, Arrangement, result_of
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
    SYNC_ROWS = 20_000  # tables up to this many rows are arranged at once, bigger ones on a worker thread

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
        self._sorted: list[int] | None = None  # every source row in the sort's order, once computed
        self._generation = 0  # of the newest arrangement asked for; older results are dropped
        self._worker: Any = None  # the arrangement made on a worker thread
        self._again = False  # another arrangement was asked for while one was made
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
        self._rows = self._inv = self._sorted = None
        self.endResetModel()
        self._relayout()

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
        """Sort by ``column`` (-1: the model's order).

        A big table is arranged on a worker thread (``gui_app.task_order``):
        it stays as it is, and usable, until the sorted rows replace it.
        """
        self._sort_col, self._order = column, order
        self._sorted = None
        self._relayout()

    @property
    def arranging(self) -> bool:
        """Whether rows are being sorted or filtered on the worker thread."""
        return self._worker is not None

    @property
    def identity(self) -> bool:
        return self._rows is None

    # ------------------------------------------------------------ arranging
    def _accepts(self, row: Row) -> bool:
        m = self.tasks()
        if self._batch is not None and m.batch_of(row).batch_id != self._batch:
            return False
        if self._states is not None and m._state[row] not in self._states:
            return False
        if self._text:
            return self._text in display_path(m.path(row)).lower() or self._text in m.result_text(row).lower()
        return True

    @Slot()
    def _refresh(self) -> None:
        """Fold in changes that may move rows (debounced): filter again, and sort again if keys changed."""
        if self._stale:
            self._sorted = None
        self._stale = False
        self._relayout()

    def _relayout(self) -> None:
        """Arrange the rows again: at once for a small table, else on the worker thread."""
        self._dirty.stop()
        self._generation += 1  # an arrangement asked for earlier is not shown any more
        m = self.tasks()
        if self._states is None and not self._text and self._sort_col < 0 and self._batch is None:
            self._apply(None)
            return
        job = self._job(m)
        if job.rows <= self.SYNC_ROWS:
            self._apply(job.run())
        elif self._worker is not None:
            self._again = True  # arranged again once the running job ends
        else:
            worker = create_worker(job.run, _start_thread=False)
            worker.returned.connect(self._on_arranged)
            worker.errored.connect(self._on_failed)
            worker.finished.connect(self._on_ended)
            self._worker = worker
            worker.start()

    def _job(self, m: TasksModel) -> ArrangeJob:
        """A snapshot of what the arrangement depends on, taken on the GUI thread."""
        sorting = self._sort_col >= 0
        order = self._sorted if sorting and self._sorted is not None else None
        text = self._text
        accepts = None
        if text:
            spans = [(b.first, b.paths, b.count) for b in m.batches]
            firsts = [first for first, _, _ in spans]
            texts, details = dict(m._texts), dict(m._details)

            def accepts(row: Row) -> bool:
                first, paths, _ = spans[bisect_right(firsts, row) - 1]
                path = display_path(paths[row - first]).lower()
                return text in path or text in result_of(row, texts, details).lower()

        return ArrangeJob(
            self._generation,
            m.rowCount(),
            m.sort_keys(self._sort_col) if sorting and order is None else None,
            order,
            self._order == Qt.SortOrder.DescendingOrder,
            bytes(m._state) if self._states is not None else b"",
            self._states,
            self._batch_rows(),
            accepts,
        )

    @Slot(object)
    def _on_arranged(self, done: Arrangement) -> None:
        if done.generation == self._generation:
            self._apply(done)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        log.error("arranging the tasks failed", exc_info=exc)

    @Slot()
    def _on_ended(self) -> None:
        self._worker = None
        if self._again:
            self._again = False
            self._relayout()

    def _apply(self, done: Arrangement | None) -> None:
        """Show an arrangement (``None``: the model's rows as they are), keeping the views' selection."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self.mapToSource(i) for i in persistent]
        if done is None:
            self._rows = self._inv = None
            self._sorted = None
        else:
            inv, n = done.inv, self.tasks().rowCount()
            if len(inv) < n:  # rows added meanwhile: shown by the next arrangement
                inv = inv + array("q", [-1]) * (n - len(inv))
                self._dirty.start()
            self._rows, self._inv, self._sorted = done.rows, inv, done.order
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
        # Rows are numbered anew: shown as they are until arranged again (on the worker thread if many).
        self.beginResetModel()
        self._rows = self._inv = self._sorted = None
        self.endResetModel()
        self._relayout()

    def _on_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if self._rows is None:
            self.beginInsertRows(QModelIndex(), first, last)
            self.endInsertRows()
            return
        assert self._inv is not None
        self._inv.extend(array("q", [-1]) * (last - first + 1))
        if last - first >= self.SYNC_ROWS:  # too many to filter here: arranged with the rest
            self._sorted = None
            self._relayout()
            return
        accepted = [r for r in range(first, last + 1) if self._accepts(r)]
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
        # Rows moved: shown in the model's new order until arranged again.
        persistent, sources = self._held or ([], [])
        self._held = None
        self._rows = self._inv = self._sorted = None
        self.changePersistentIndexList(persistent, [self.mapFromSource(s) for s in sources])
        self.layoutChanged.emit()
        self._relayout()

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
