"""The tasks table: one row per task, stored in compact arrays.

A million rows cost a few bytes each here (state, progress, attempt, worker,
times) plus the batch's own path list, which is kept by reference. Results and
failures live in dicts keyed by row, so only finished tasks pay for them.

``TasksModel.apply(events)`` is called on the GUI thread with a drained batch
of engine events and signals changes in contiguous row spans: a thousand tasks
finishing in one drain cost a few ``dataChanged`` ranges, not a thousand.
Sorting and filtering are done by ``gui_app.tasks_proxy.TasksProxy``.
"""

from __future__ import annotations

import os
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon

from core.discovery import display_path
from core.events import (
    BatchAccepted,
    Event,
    QueueOrdered,
    TaskFinished,
    TaskLog,
    TaskProgress,
    TaskRequeued,
    TasksCancelled,
    TaskStarted,
)
from core.model import BatchSpec, Failure, TaskId, TaskState, task_index
from core.processor import LINE
from gui_app.i18n import job_tr
from gui_app.task_order import Keys, natural_key, numeric_keys, result_of
from gui_app.task_text import batch_roots, duration_text, one_line, result_text, short_path, state_names

COL_FILE, COL_JOB, COL_STATE, COL_PROGRESS, COL_DURATION, COL_WORKER, COL_RESULT = range(7)
COLUMN_COUNT = 7
STATE_ROLE = Qt.ItemDataRole.UserRole + 1  # int: the TaskState
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2  # int 0..100, or -1 when not running
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 3  # int: the task id
PATH_ROLE = Qt.ItemDataRole.UserRole + 4  # str: the input path
SORT_ROLE = Qt.ItemDataRole.UserRole + 5  # a comparable key for the column
MAX_SPANS = 8  # past this many separate spans, one dataChanged covers them all
ALL_ROLES: list[int] = []  # an empty role list means "every role" to the views
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROLES = frozenset(
    {_DISPLAY, _DECORATION, _ALIGN, _FOREGROUND, int(Qt.ItemDataRole.ToolTipRole)}
    | {int(r) for r in (STATE_ROLE, PROGRESS_ROLE, TASK_ID_ROLE, PATH_ROLE, SORT_ROLE)}
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FAILED_COLOR = QColor(200, 60, 60)
# Asked for every painted cell: combined once here (enum arithmetic is slow in Python).
CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
NO_FLAGS = Qt.ItemFlag.NoItemFlags
ROOT_INDEX = QModelIndex()  # the invisible root: a module-level default, never modified

Row = int


@dataclass
class Counts:
    """Tasks per state, and bytes of finished inputs (for MB/s)."""

    by_state: list[int] = field(default_factory=lambda: [0] * len(TaskState))
    bytes_done: int = 0
    finished: int = 0

    def move(self, old: int, new: int) -> None:
        self.by_state[old] -= 1
        self.by_state[new] += 1

    @property
    def total(self) -> int:
        return sum(self.by_state)

    @property
    def unfinished(self) -> int:
        return self.by_state[TaskState.QUEUED] + self.by_state[TaskState.RUNNING]

    def add(self, other: Counts) -> None:
        """Add ``other``'s figures to these."""
        for i, n in enumerate(other.by_state):
            self.by_state[i] += n
        self.bytes_done += other.bytes_done
        self.finished += other.finished


@dataclass
class BatchRows:
    """Rows of one batch: contiguous, starting at ``first``, with the batch's own counts.

    ``roots`` are the folders the person dropped (longest first): the File
    column shows each path below the root that holds it.
    """

    batch_id: int
    first: int
    ids: Sequence[TaskId]
    paths: Sequence[str]
    sizes: Sequence[int] | None
    job: str
    roots: tuple[str, ...] = ()
    counts: Counts = field(default_factory=Counts)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def active(self) -> bool:
        """Whether tasks of this batch are queued or running."""
        return self.counts.unfinished > 0

    def shown_path(self, path: str) -> str:
        """``path`` below the dropped folder that holds it, else its folder and name."""
        for root in self.roots:
            if path.startswith(root):
                return display_path(path[len(root) :])
        return short_path(path)


@dataclass(slots=True)
class TaskDetail:
    """What is known of a finished task beyond its compact fields and result text.

    Kept only for tasks that have one of these: most finished tasks cost a
    result string and nothing else.
    """

    failure: Failure | None = None
    outputs: tuple[str, ...] = ()
    log_dropped: int = 0


class TasksModel(QAbstractTableModel):
    """Every task the window knows of, in submission order. GUI thread only."""

    def __init__(self, parent: Any = None, icon_for: Callable[[TaskState], QIcon] | None = None) -> None:
        super().__init__(parent)
        self._icon_for = icon_for
        self._icons: dict[int, QIcon] = {}
        self._headers = [
            self.tr("File"),
            self.tr("Job"),
            self.tr("State"),
            self.tr("Progress"),
            self.tr("Duration"),
            self.tr("Worker"),
            self.tr("Result"),
        ]
        self._state_names = state_names()
        self._result_columns: dict[str, tuple[str, ...]] = {}
        self._titles: dict[str, str] = {}
        self._handlers: dict[type, Callable[[Row, Any], None]] = {
            TaskProgress: self._on_progress,
            TaskStarted: self._on_started,
            TaskFinished: self._on_finished,
            TaskRequeued: self._on_requeued,
        }
        self._clear_arrays()

    def _clear_arrays(self) -> None:
        self.batches: list[BatchRows] = []
        self._firsts: list[int] = []
        self._state = bytearray()
        self._progress = bytearray()  # percent; 255 while a running task reported nothing
        self._attempt = bytearray()
        self._pid = array("i")
        self._started = array("d")  # wall clock; 0 when never started
        self._duration = array("f")  # seconds, for finished tasks; -1 while unknown
        self._texts: dict[Row, str] = {}  # result text of done and skipped tasks
        self._details: dict[Row, TaskDetail] = {}
        self._changed: list[Row] = []  # rows changed since the last flush_changes
        self._changed_spans: list[tuple[Row, Row]] = []  # and spans of rows changed at once
        self.counts = Counts()

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._state)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX) -> int:  # noqa: N802
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < COLUMN_COUNT else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return CELL_FLAGS if index.isValid() else NO_FLAGS

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: Row, col: int, role: int) -> Any:
        """``data()`` by row and column; the proxy calls it directly (no index objects)."""
        # Views ask for a dozen roles per cell per paint: unhandled ones leave first.
        if role not in _ROLES:
            return None
        if role == _DISPLAY:
            return self._display(row, col)
        if role == _DECORATION:
            return self._icon(self._state[row]) if col == COL_STATE else None
        if role == _ALIGN:
            return _RIGHT if col in (COL_DURATION, COL_WORKER) else None
        if role == _FOREGROUND:
            return _FAILED_COLOR if col == COL_RESULT and self._state[row] == TaskState.FAILED else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == STATE_ROLE:
            return self._state[row]
        if role == PROGRESS_ROLE:
            return self.progress(row)
        if role == TASK_ID_ROLE:
            return self.task_id(row)
        if role == PATH_ROLE:
            return self.path(row)
        return self.sort_key(col)(row)  # SORT_ROLE

    # ------------------------------------------------------------ cell contents
    def _display(self, row: Row, col: int) -> Any:
        if col == COL_FILE:
            b = self.batch_of(row)
            return b.shown_path(b.paths[row - b.first])
        if col == COL_JOB:
            return self.job_title(self.batch_of(row).job)
        if col == COL_STATE:
            return self._state_names[TaskState(self._state[row])]
        if col == COL_PROGRESS:
            p = self.progress(row)
            return f"{p}%" if p >= 0 and self._state[row] == TaskState.RUNNING else ""
        if col == COL_DURATION:
            d = self.duration(row)
            return duration_text(d) if d >= 0 else ""
        if col == COL_WORKER:
            return str(self._pid[row]) if self._pid[row] else ""
        if col == COL_RESULT:
            return self.result_text(row)
        return None

    def _tooltip(self, row: Row, col: int) -> str | None:
        if col == COL_FILE:
            return display_path(self.path(row))
        if col == COL_RESULT:
            return self.full_result(row) or None
        if col == COL_STATE:
            return self._state_names[TaskState(self._state[row])]
        return None

    def _icon(self, state: int) -> QIcon | None:
        if self._icon_for is None:
            return None
        icon = self._icons.get(state)
        if icon is None:
            icon = self._icons[state] = self._icon_for(TaskState(state))
        return icon

    # ------------------------------------------------------------ row accessors
    def batch_of(self, row: Row) -> BatchRows:
        return self.batches[bisect_right(self._firsts, row) - 1]

    def task_id(self, row: Row) -> TaskId:
        b = self.batch_of(row)
        return b.ids[row - b.first]

    def path(self, row: Row) -> str:
        b = self.batch_of(row)
        return b.paths[row - b.first]

    def size(self, row: Row) -> int:
        b = self.batch_of(row)
        return b.sizes[row - b.first] if b.sizes is not None else 0

    def state(self, row: Row) -> TaskState:
        return TaskState(self._state[row])

    def progress(self, row: Row) -> int:
        if self._state[row] != TaskState.RUNNING:
            return 100 if self._state[row] == TaskState.DONE else -1
        p = self._progress[row]
        return -1 if p == 255 else p

    def duration(self, row: Row) -> float:
        if self._state[row] == TaskState.RUNNING and self._started[row]:
            return max(0.0, time.time() - self._started[row])
        return float(self._duration[row])

    def worker(self, row: Row) -> int:
        return self._pid[row]

    def detail(self, row: Row) -> TaskDetail | None:
        return self._details.get(row)

    def result_text(self, row: Row) -> str:
        d = self._details.get(row)
        if d is not None and d.failure is not None:
            return d.failure.describe()
        return self._texts.get(row, "")

    def output_folder(self, batch: BatchRows) -> str | None:
        """The folder the batch's first output went to (``None`` before any output)."""
        lo, hi = batch.first, batch.first + batch.count
        for row, detail in self._details.items():
            if lo <= row < hi and detail.outputs:
                return os.path.dirname(detail.outputs[0])
        return None

    def first_output(self, rows: Iterable[Row]) -> str | None:
        """The first output of the first of ``rows`` (in their order) that wrote one.

        The rows that wrote outputs are found first: few or none of a select-all's
        million rows did, so no row is asked in turn when none did.
        """
        wrote = {row: d.outputs[0] for row, d in self._details.items() if d.outputs}
        return next((wrote[r] for r in rows if r in wrote), None) if wrote else None

    def has_result(self, rows: Iterable[Row]) -> bool:
        """Whether any of ``rows`` has a result or a failure to copy (``full_result``)."""
        texts, failed = self._texts, {row for row, d in self._details.items() if d.failure is not None}
        return bool(texts or failed) and any(r in texts or r in failed for r in rows)

    def full_result(self, row: Row) -> str:
        """The result or failure of a task, nothing cut: the reason and the traceback's last line."""
        d = self._details.get(row)
        if d is not None and d.failure is not None:
            tb = [line for line in (d.failure.traceback or "").splitlines() if line.strip()]
            reason = d.failure.describe()
            return f"{reason}\n{tb[-1].strip()}" if tb and tb[-1].strip() not in reason else reason
        return self._texts.get(row, "")

    def row_of(self, task_id: TaskId) -> Row:
        """The row of a task, or -1."""
        for b in reversed(self.batches):
            if b.count and b.ids[0] <= task_id:
                i = task_index(b.ids, task_id)
                if i >= 0:
                    return b.first + i
        return -1

    def rows_in_states(self, states: Iterable[TaskState]) -> list[Row]:
        wanted = bytes(int(s) for s in states)
        return [i for i, s in enumerate(self._state) if s in wanted]

    def task_ids(self, rows: Iterable[Row]) -> list[TaskId]:
        """Task ids of ``rows``; a ``range`` of rows is sliced from its batches' ids, not read row by row."""
        if not isinstance(rows, range) or rows.step != 1:
            return [self.task_id(r) for r in rows]
        ids: list[TaskId] = []
        for b in self.batches:
            lo, hi = max(rows.start, b.first), min(rows.stop, b.first + b.count)
            if lo < hi:
                ids.extend(b.ids[lo - b.first : hi - b.first])
        return ids

    def states_of(self, rows: Sequence[Row]) -> set[TaskState]:
        """The states the tasks of ``rows`` are in, read from the state array without a call per row."""
        return {TaskState(s) for s in set(map(self._state.__getitem__, rows))}

    def rows_among(self, rows: Sequence[Row], states: Iterable[TaskState]) -> list[Row]:
        """Those of ``rows`` whose task is in one of ``states``."""
        wanted, state = bytes(int(s) for s in states), self._state
        return [r for r in rows if state[r] in wanted]

    def sort_key(self, col: int) -> Callable[[Row], Any]:
        """A key function over rows for ``col``, reading the arrays directly."""
        if col == COL_STATE:
            return self._state.__getitem__
        if col == COL_PROGRESS:
            return self.progress
        if col == COL_DURATION:
            return self.duration
        if col == COL_WORKER:
            return self._pid.__getitem__
        if col == COL_RESULT:
            return self.result_text
        if col == COL_JOB:
            return lambda r: self.batch_of(r).job
        return lambda r: natural_key(os.path.basename(self.path(r)))

    def sort_keys(self, col: int) -> Callable[[], Keys]:
        """What sorts every row by ``col``: a function to call on a worker thread, returning a key per row.

        It holds a snapshot taken now (copies of the compact arrays, the
        batches' path lists, which never change), so the model may change
        while it runs. See ``gui_app.task_order``.
        """
        n = len(self._state)
        state = bytes(self._state)
        if col == COL_STATE:
            return lambda: state
        if col == COL_WORKER:
            pids = array("i", self._pid)
            return lambda: pids
        if col in (COL_PROGRESS, COL_DURATION):
            progress, started, durations = (
                bytes(self._progress),
                array("d", self._started),
                array("f", self._duration),
            )
            now = time.time()
            return lambda: numeric_keys(col == COL_PROGRESS, state, progress, started, durations, now)
        if col == COL_RESULT:
            texts, details = dict(self._texts), dict(self._details)
            return lambda: [result_of(r, texts, details) for r in range(n)]
        spans = [(b.paths, b.count, self.job_title(b.job)) for b in self.batches]
        if col == COL_JOB:
            return lambda: [title for _, count, title in spans for _ in range(count)]
        basename = os.path.basename
        return lambda: [natural_key(basename(p)) for paths, count, _ in spans for p in paths[:count]]

    def job_title(self, job: str) -> str:
        """The job's name as shown (its title, once known)."""
        return job_tr(self._titles.get(job, job))

    def set_result_columns(self, job: str, columns: Sequence[str], title: str = "") -> None:
        """Which result fields of ``job`` the Result column shows, and its name for the Job column."""
        self._result_columns[job] = tuple(columns)
        if title:
            self._titles[job] = title

    # ------------------------------------------------------------ updates
    def add_batch(self, batch_id: int, spec: BatchSpec, task_ids: Sequence[TaskId]) -> None:
        """Append the rows of an accepted batch: one ``beginInsertRows`` for all of them."""
        n = len(task_ids)
        if n == 0 or self._requeue_known(batch_id, task_ids):
            return
        first = len(self._state)
        self.beginInsertRows(QModelIndex(), first, first + n - 1)
        roots = batch_roots(spec.extra.get("roots", ()))
        batch = BatchRows(batch_id, first, task_ids, spec.paths, spec.sizes, spec.job, roots)
        batch.counts.by_state[TaskState.QUEUED] = n
        self.batches.append(batch)
        self._firsts.append(first)
        self._state.extend(bytes(n))  # QUEUED == 0
        self._progress.extend(b"\xff" * n)
        self._attempt.extend(bytes(n))
        self._pid.extend(array("i", bytes(4 * n)))
        self._started.extend(array("d", bytes(8 * n)))
        self._duration.extend(array("f", [-1.0]) * n)
        self.counts.by_state[TaskState.QUEUED] += n
        self.endInsertRows()

    def _requeue_known(self, batch_id: int, task_ids: Sequence[TaskId]) -> bool:
        """A resumed batch already shown (opened from history): queue its rows again in place."""
        known = next((b for b in self.batches if b.batch_id == batch_id), None)
        if known is None:
            return False
        rows = [known.first + i for i in (task_index(known.ids, t) for t in task_ids) if i >= 0]
        if len(rows) != len(task_ids):
            return False
        for row in rows:
            self._set_state(row, TaskState.QUEUED)
            self._progress[row] = 255
            self._duration[row] = -1.0
            self._started[row] = 0.0
            self._forget(row)
        self._flush(rows)
        return True

    def add_past_batch(
        self, batch_id: int, job: str, tasks: Sequence[Any], roots: Sequence[str] = ()
    ) -> None:
        """Show a batch read from the store (``TaskRow``s, sorted by id), as it was left."""
        if not tasks or any(b.batch_id == batch_id for b in self.batches):
            return
        ids = [t.id for t in tasks]
        paths = [t.path for t in tasks]
        spec = BatchSpec(job, {}, paths, sizes=[t.size for t in tasks], extra={"roots": list(roots)})
        self.add_batch(batch_id, spec, ids)
        first = self.batches[-1].first
        for i, t in enumerate(tasks):
            row = first + i
            self._set_state(row, TaskState(t.state))
            self._pid[row] = t.pid or 0
            self._attempt[row] = min(255, t.attempts or 0)
            if t.started and t.ended:
                self._duration[row] = max(0.0, t.ended - t.started)
            if TaskState(t.state).terminal:
                self._keep(row, job, t.result, t.failure, tuple(t.outputs), t.log_dropped)
        self._flush(list(range(first, first + len(tasks))))

    def apply(self, events: Sequence[Event], *, flush: bool = True) -> None:
        """Fold a drained slice of engine events into the arrays; signal the changed spans.

        With ``flush=False`` the changed rows are only noted, and ``flush_changes``
        signals them later: the window flushes once per drain tick, however many
        slices it had, so the views hear of a tick's changes once.
        """
        changed = self._changed
        last = self.batches[-1] if self.batches else None
        ids, first, n = (last.ids, last.first, last.count) if last is not None else ((), 0, 0)
        base = ids[0] if n else 0
        handlers = self._handlers
        for ev in events:
            kind = type(ev)
            if kind is TaskLog:
                continue  # the bulk of a talkative batch: nothing to fold in
            if kind is BatchAccepted or kind is QueueOrdered:
                if kind is BatchAccepted:
                    self.add_batch(ev.batch_id, ev.spec, ev.task_ids)  # type: ignore[union-attr]
                else:
                    self.flush_changes()  # rows changed so far are signalled where they are now
                    self.order_batches(ev.order)  # type: ignore[union-attr]
                last = self.batches[-1] if self.batches else None
                ids, first, n = (last.ids, last.first, last.count) if last is not None else ((), 0, 0)
                base = ids[0] if n else 0
                continue
            if kind is TasksCancelled:
                self._on_cancelled(ev)  # type: ignore[arg-type]
                continue
            handler = handlers.get(kind)
            if handler is None:
                continue
            tid = ev.task_id  # type: ignore[union-attr]
            # Most events belong to the newest batch, whose ids are usually consecutive.
            i = tid - base
            if 0 <= i < n and ids[i] == tid:
                row = first + i
            else:
                row = self.row_of(tid)
                if row < 0:
                    continue
            handler(row, ev)
            changed.append(row)
        if flush:
            self.flush_changes()

    def flush_changes(self) -> None:
        """Signal the rows changed since the last flush: one ``dataChanged`` per span."""
        rows, self._changed = self._changed, []
        bulk, self._changed_spans = self._changed_spans, []
        n = len(self._state)
        found = spans(rows) + bulk
        if len(found) > MAX_SPANS:
            found = [(min(f for f, _ in found), max(last for _, last in found))]
        for first, last in found:
            if first < n:
                self.dataChanged.emit(
                    self.index(first, 0), self.index(min(last, n - 1), COLUMN_COUNT - 1), ALL_ROLES
                )

    def _on_cancelled(self, ev: TasksCancelled) -> None:
        """Queued tasks of a batch were cancelled at once: each span of rows changes in one step."""
        b = next((b for b in reversed(self.batches) if b.batch_id == ev.batch_id), None)
        if b is None:
            return
        for span in ev.spans:
            lo, hi = task_index(b.ids, span[0]), task_index(b.ids, span[-1])
            if lo >= 0 and hi - lo + 1 == len(span):  # consecutive rows: one slice
                self._cancel_rows(b, b.first + lo, b.first + hi + 1)
                continue
            for tid in span:  # the batch shows more tasks than this run has (a resumed one)
                i = task_index(b.ids, tid)
                if i >= 0:
                    self._cancel_rows(b, b.first + i, b.first + i + 1)

    def _cancel_rows(self, b: BatchRows, lo: Row, hi: Row) -> None:
        """Rows ``lo .. hi-1`` of batch ``b`` are cancelled, never started: set as slices, counted in C."""
        n = hi - lo
        states = self._state[lo:hi]
        for state in TaskState:
            moved = states.count(state)
            self.counts.by_state[state] -= moved
            b.counts.by_state[state] -= moved
        self.counts.by_state[TaskState.CANCELLED] += n
        b.counts.by_state[TaskState.CANCELLED] += n
        self._state[lo:hi] = bytes((TaskState.CANCELLED,)) * n
        self._progress[lo:hi] = b"\xff" * n
        self._started[lo:hi] = array("d", bytes(8 * n))
        self._duration[lo:hi] = array("f", [-1.0]) * n
        self._changed_spans.append((lo, hi - 1))

    def _on_progress(self, row: Row, ev: TaskProgress) -> None:
        self._progress[row] = max(0, min(100, int(ev.fraction * 100)))

    def _set_state(self, row: Row, state: TaskState) -> None:
        old = self._state[row]
        if old != state:
            self.counts.move(old, state)
            self.batch_of(row).counts.move(old, state)
            self._state[row] = state

    def _on_started(self, row: Row, ev: TaskStarted) -> None:
        self._set_state(row, TaskState.RUNNING)
        self._pid[row] = ev.pid
        self._started[row] = ev.time
        self._attempt[row] = min(255, ev.attempt)
        self._progress[row] = 255
        self._duration[row] = -1.0

    def _on_finished(self, row: Row, ev: TaskFinished) -> None:
        self._set_state(row, ev.state)
        if ev.pid:
            self._pid[row] = ev.pid
        self._duration[row] = ev.duration if ev.started else -1.0
        self._started[row] = ev.started
        b = self.batch_of(row)
        if ev.result:
            self._texts[row] = self._result_text(b.job, ev.result)
        if ev.failure is not None or ev.outputs or ev.log_dropped:
            self._details[row] = TaskDetail(ev.failure, tuple(ev.outputs), ev.log_dropped)
        size = b.sizes[row - b.first] if b.sizes is not None else 0
        for counts in (self.counts, b.counts):
            counts.finished += 1
            counts.bytes_done += size

    def _result_text(self, job: str, result: Any) -> str:
        """``result_text`` with the job's columns; a job showing one field costs one ``str``.

        A result line (a command's last output line) is what the task says: it is shown alone.
        """
        columns = self._result_columns.get(job, ())
        if len(columns) == 1 and columns[0] in result:
            return f"{result[columns[0]]}"
        if result.get(LINE):
            return one_line(result[LINE])
        return result_text(result, columns)

    def _keep(
        self,
        row: Row,
        job: str,
        result: Any,
        failure: Failure | None,
        outputs: tuple[str, ...],
        dropped: int,
    ) -> None:
        if result:
            self._texts[row] = self._result_text(job, result)
        if failure is not None or outputs or dropped:
            self._details[row] = TaskDetail(failure, tuple(outputs), dropped)

    def _forget(self, row: Row) -> None:
        self._texts.pop(row, None)
        self._details.pop(row, None)

    def _on_requeued(self, row: Row, ev: TaskRequeued) -> None:
        self._set_state(row, TaskState.QUEUED)
        self._progress[row] = 255
        self._duration[row] = -1.0
        self._started[row] = 0.0
        self._forget(row)

    def _flush(self, rows: Iterable[Row]) -> None:
        self._changed.extend(rows)
        self.flush_changes()

    def refresh_running(self) -> None:
        """Repaint the duration of running tasks (called once a second)."""
        if self.counts.by_state[TaskState.RUNNING] == 0:
            return
        # Running rows lie between the first and the last running byte: found in C, not in a loop.
        running = bytes((TaskState.RUNNING,))
        first, last = self._state.find(running), self._state.rfind(running)
        if first >= 0:
            self.dataChanged.emit(self.index(first, COL_DURATION), self.index(last, COL_DURATION), ALL_ROLES)

    def clear_finished(self) -> int:
        """Drop every batch whose tasks have all ended; return the rows removed.

        Batches are removed whole (their rows are contiguous), so the arrays are
        sliced, never rebuilt row by row.
        """
        keep = [
            b for b in self.batches if any(self._state[b.first + i] < TaskState.DONE for i in range(b.count))
        ]
        if len(keep) == len(self.batches):
            return 0
        removed = len(self._state) - sum(b.count for b in keep)
        self.beginResetModel()
        old = self._snapshot()
        self._clear_arrays()
        for b in keep:
            self._copy_batch(b, old)
        self.endResetModel()
        return removed

    def order_batches(self, order: Sequence[int]) -> None:
        """Show the batches of ``order`` in that order (the queue's), each in the place of one of them.

        Their rows move as blocks (arrays are sliced, not rebuilt row by row);
        the views keep their selection and current row through ``layoutChanged``.
        """
        wanted = set(order)
        by_id = {b.batch_id: b for b in self.batches if b.batch_id in wanted}
        moving = iter([by_id[i] for i in order if i in by_id])
        new = [next(moving) if b.batch_id in wanted else b for b in self.batches]
        if new == self.batches:
            return
        self.layoutAboutToBeChanged.emit()
        counts, old, persistent = self.counts, self._snapshot(), self.persistentIndexList()
        old_firsts = {b.batch_id: b.first for b in self.batches}
        self._clear_arrays()
        for b in new:
            self._copy_batch(b, old)
        self.counts = counts  # the same tasks: finished and bytes figures stay
        firsts = {b.batch_id: b.first for b in self.batches}
        moved = []
        for index in persistent:
            b = self.batch_of_old(old_firsts, index.row())
            moved.append(self.index(index.row() - old_firsts[b] + firsts[b], index.column()))
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    @staticmethod
    def batch_of_old(firsts: dict[int, Row], row: Row) -> int:
        """The batch that held ``row`` in a layout whose batches began at ``firsts``."""
        return max((first, bid) for bid, first in firsts.items() if first <= row)[1]

    def _snapshot(self) -> dict[str, Any]:
        return {
            "state": self._state,
            "progress": self._progress,
            "attempt": self._attempt,
            "pid": self._pid,
            "started": self._started,
            "duration": self._duration,
            "details": self._details,
            "texts": self._texts,
        }

    def _copy_batch(self, b: BatchRows, old: dict[str, Any]) -> None:
        lo, hi, first = b.first, b.first + b.count, len(self._state)
        self.batches.append(BatchRows(b.batch_id, first, b.ids, b.paths, b.sizes, b.job, b.roots, b.counts))
        self._firsts.append(first)
        self._state.extend(old["state"][lo:hi])
        self._progress.extend(old["progress"][lo:hi])
        self._attempt.extend(old["attempt"][lo:hi])
        self._pid.extend(old["pid"][lo:hi])
        self._started.extend(old["started"][lo:hi])
        self._duration.extend(old["duration"][lo:hi])
        for new, old_map in ((self._details, old["details"]), (self._texts, old["texts"])):
            for row, value in old_map.items():
                if lo <= row < hi:
                    new[row - lo + first] = value
        kept = self._state[first:]
        for state in TaskState:
            self.counts.by_state[state] += kept.count(state)


def spans(rows: Sequence[Row]) -> list[tuple[Row, Row]]:
    """Contiguous ``(first, last)`` spans of ``rows``; too many become one covering span."""
    if not rows:
        return []
    ordered = sorted(set(rows))
    out: list[tuple[Row, Row]] = []
    start = prev = ordered[0]
    for r in ordered[1:]:
        if r != prev + 1:
            out.append((start, prev))
            start = r
        prev = r
    out.append((start, prev))
    if len(out) > MAX_SPANS:
        return [(ordered[0], ordered[-1])]
    return out
