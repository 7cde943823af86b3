"""The engine's recorder: what the engine does, written to the history in short transactions.

All methods run on the engine thread, which owns the one writer connection
(``open`` may open it first in another thread, before the engine starts).
``record`` turns events into pending records; they are written in one
transaction every ``COMMIT_SECONDS`` (or ``COMMIT_ROWS`` records, or at once
when a batch ends), and by ``flush``. With ``synchronous=FULL`` a committed
transaction survives a crash of the app and a power cut, so a crash loses at
most what finished since the last commit.

What the recorder believes is written changes only after a commit succeeded.
When one fails (a full disk, a read-only file, a lock held past the busy
timeout), the pending records stay, bounded, and the next commit tries again;
each distinct problem is kept in ``problems`` for the caller to show, and
``complete`` says whether a batch is wholly in the history.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.events import BatchFinished, Event, TaskFinished, TaskLog, TaskRequeued, TaskStarted
from core.model import BatchId, BatchSpec, Failure, FailureKind, TaskId, TaskState
from core.store import inputs, owner, writes
from core.store.codec import dumps, failure_in, text_in
from core.store.errors import StoreError
from core.store.recovery import connect_recovered
from core.store.schema import describe, transaction

COMMIT_SECONDS = 0.15
COMMIT_ROWS = 5000  # pending records that make a commit due before its time
RETRY_SECONDS = 1.0  # after a failed commit, the next try waits this long
IDLE_ROWS = 5000  # queued task rows written ahead per idle moment of the engine
# Bounds of what waits for a commit while the disk refuses writes. Past them, log
# lines are counted as not kept, and task records are lost and said to be.
MAX_PENDING_LOGS = 200_000
MAX_PENDING_TASKS = 500_000
LINE_LIMIT = 64 * 1024  # characters of one log line kept; the rest is cut, and the cut says how much

_log = logging.getLogger("brigade.store")


@dataclass(slots=True)
class _Batch:
    """A batch this recorder opened."""

    batch_id: BatchId
    first: TaskId
    total: int
    log_limit: int
    fresh: bool  # inserted here: none of its tasks has history from before
    elapsed: float  # seconds it ran before this run
    listed: inputs.Inputs | None  # its input list while some rows are not written
    front: int  # rows of tasks 0 .. front-1 are committed
    ended: bool = False  # its end is committed


@dataclass(slots=True)
class _LogCount:
    """Log lines of a task in the history (committed and pending), and its attempt base."""

    kept: int
    base: int


def cut_line(text: str) -> str:
    """``text`` bounded to ``LINE_LIMIT`` characters, saying how many were cut."""
    if len(text) <= LINE_LIMIT:
        return text
    return f"{text[:LINE_LIMIT]}... {len(text) - LINE_LIMIT} characters cut"


class StoreRecorder:
    """Persists what an engine does into the history database at ``path``.

    Parameters
    ----------
    path
        The database file (already created by ``JobStore.open``, or created here).
    sync
        ``PRAGMA synchronous`` of the writer connection; ``FULL`` by default.
    """

    def __init__(self, path: str, *, sync: str = "FULL") -> None:
        self.path = path
        self.sync = sync
        self.error: str | None = None
        """Why history is off for this run, if the database could not be opened."""
        self.problems: list[str] = []
        """Each distinct write problem met, one line each, oldest first."""
        self.lost = 0
        """Task records that could not be kept for a commit (history is incomplete)."""
        self._listeners: list[Callable[[str], None]] = []
        self._conn: sqlite3.Connection | None = None
        self._batches: dict[BatchId, _Batch] = {}
        self._firsts: list[TaskId] = []  # sorted first task ids of _batches
        self._by_first: list[_Batch] = []
        self._updates: dict[TaskId, writes.TaskUpdate] = {}
        self._started: dict[TaskId, TaskStarted] = {}  # starts of tasks with no other pending record
        self._dropped: dict[TaskId, int] = {}
        self._logs: list[tuple[object, ...]] = []
        self._log_counts: dict[TaskId, _LogCount] = {}
        self._ends: dict[BatchId, BatchFinished] = {}
        self._reopened: set[BatchId] = set()
        self._stopping: set[BatchId] = set()  # closed without reporting their end
        self._since = 0.0  # when the oldest pending record came
        self._retry_at = 0.0  # after a failed commit: not before this
        self._next_task = 1  # ids of batches the history could not take

    # ------------------------------------------------------------ Recorder protocol
    @classmethod
    def open(cls, path: str, *, sync: str = "FULL") -> StoreRecorder:
        """A recorder whose connection opens now, in the caller's thread.

        For a caller that says why history is off before the engine starts
        (``brigade-cli run``).

        Raises
        ------
        StoreError
            With one line saying why the file cannot be used.
        """
        recorder = cls(path, sync=sync)
        recorder._conn = connect_recovered(path, sync=sync)
        return recorder

    def add_problem_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(line)`` on the engine thread for each new distinct write problem."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Open the writer connection (unless ``open`` did) and recover batches of dead processes."""
        if self._conn is not None or self.error is not None:
            return
        try:
            self._conn = connect_recovered(self.path, sync=self.sync)
        except StoreError as exc:
            self.error = str(exc)
            self._problem(f"history disabled: {exc}")

    def open_batch(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Insert a new batch (or reopen a resumed one) and commit it before any of its tasks runs.

        Raises
        ------
        StoreError
            A resumed batch that cannot be reopened (running elsewhere, done
            tasks, or the history refuses the write).
        """
        if self._conn is None:
            return self._unrecorded(spec)
        self.flush("a batch opens")
        ids: Sequence[TaskId]
        try:
            with transaction(self._conn) as conn:
                if spec.batch_id is None:
                    listed = writes.insert_batch(conn, spec, self._next_task)
                    batch_id, first, total = listed.batch_id, listed.first, len(spec.paths)
                    ids, elapsed = range(first, first + total), 0.0
                else:
                    listed, ids = None, spec.task_ids or ()
                    batch_id, first, total, elapsed = self._reopen(conn, spec)
        except sqlite3.Error as exc:
            self._problem(describe(exc, self.path))
            if spec.batch_id is not None:
                raise StoreError(
                    f"batch {spec.batch_id} cannot be reopened: {describe(exc, self.path)}"
                ) from exc
            return self._unrecorded(spec)
        fresh = listed is not None
        batch = _Batch(
            batch_id, first, total, spec.options.log_limit, fresh, elapsed, listed if total else None, 0
        )
        self._remember(batch)
        if spec.batch_id is not None:
            self._log_counts.clear()  # attempt bases just moved
        return batch_id, ids

    def record(self, events: list[Event]) -> None:
        """Turn events into pending records, each on its own; commit when due or when a batch ended."""
        if self._conn is None:
            return
        if not self._pending():
            self._since = time.monotonic()
        for ev in events:
            try:
                self._on_event(ev)
            except Exception as exc:  # noqa: BLE001 - one bad event never drops the others
                self._problem(f"an event could not be recorded ({type(ev).__name__}): {exc}")
        if self._due():
            self._commit()

    def flush(self, reason: str) -> None:
        """Commit what is pending now; ``reason`` says why (``"idle"`` also writes queued rows ahead).

        The one way the recorder commits besides ``record``'s own windows.
        """
        if self._conn is None:
            return
        if reason != "idle" or time.monotonic() >= self._retry_at:
            self._commit()
        if reason == "idle" and not self._pending():
            self._write_ahead()

    def close(self) -> None:
        """End batches that never reported their end as stopped, commit, and close the connection."""
        conn = self._conn
        if conn is None:
            return
        try:
            self._stopping = {b.batch_id for b in self._batches.values() if not b.ended} - self._ends.keys()
            for _ in range(3):  # a lock held by another process may go away
                if self._commit():
                    break
        finally:
            self._conn = None
            conn.close()
        unsaved = len(self._updates) + len(self._logs)
        if unsaved:
            self._problem(f"{unsaved} records of this run could not be written")

    # ------------------------------------------------------------ outcome
    def complete(self, batch_id: BatchId | None) -> bool:
        """Whether batch ``batch_id`` is wholly in the history (after ``close``)."""
        batch = self._batches.get(batch_id) if batch_id is not None else None
        return batch is not None and batch.ended and not self.lost and not self._updates and not self._logs

    # ------------------------------------------------------------ opening batches
    def _reopen(self, conn: sqlite3.Connection, spec: BatchSpec) -> tuple[BatchId, TaskId, int, float]:
        """Put a resumed batch's tasks back in the queue.

        Returns its id, first task id, number of tasks and seconds it ran before.
        """
        batch_id = spec.batch_id
        row = conn.execute(
            "SELECT status, owner_host, owner_pid, owner_started, elapsed, first_task, total "
            "FROM batches WHERE id = ?",
            (batch_id,),
        ).fetchone()
        if row is None or batch_id is None:
            raise StoreError(f"batch {batch_id} is not in the history")
        status, host, pid, started, elapsed, first, total = row
        if status == "running" and pid != owner.current()[1] and owner.alive(host, pid, started):
            raise StoreError(f"batch {batch_id} is running in another process (pid {pid})")
        ids = list(spec.task_ids or ())
        if len(ids) != len(spec.paths) or ids != sorted(ids):
            raise ValueError("a resumed batch needs sorted task ids, one per path")
        listed = inputs.read(conn, batch_id)
        if listed is not None:  # the tasks its earlier run left queued without a row
            front = writes.rows_written(conn, batch_id)
            writes.write_rows(conn, listed, front, len(listed.paths), {})
        if writes.reopen(conn, spec, ids) != len(ids):
            raise StoreError(
                f"batch {batch_id}: some tasks are done or not in it (a done task runs again only "
                "when its input changed)"
            )
        writes.mark_running(conn, batch_id, spec.extra)  # and where it runs now
        return batch_id, first, total, float(elapsed or 0.0)

    def _remember(self, batch: _Batch) -> None:
        old = self._batches.pop(batch.batch_id, None)
        if old is not None:
            i = self._by_first.index(old)
            del self._firsts[i], self._by_first[i]
        i = bisect_right(self._firsts, batch.first)
        self._firsts.insert(i, batch.first)
        self._by_first.insert(i, batch)
        self._batches[batch.batch_id] = batch
        self._next_task = max(self._next_task, batch.first + batch.total)

    def _unrecorded(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Ids for a batch the history could not take: the engine still runs it."""
        if spec.task_ids is not None and spec.batch_id is not None:
            return spec.batch_id, spec.task_ids
        ids = range(self._next_task, self._next_task + len(spec.paths))
        self._next_task = ids.stop
        return -ids.start, ids  # never the id of a batch in the history

    def _batch_of(self, task_id: TaskId) -> _Batch | None:
        i = bisect_right(self._firsts, task_id) - 1
        if i >= 0 and task_id < self._firsts[i] + self._by_first[i].total:
            return self._by_first[i]
        return None

    # ------------------------------------------------------------ events to records
    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, TaskStarted):
            if ev.task_id in self._updates:  # started again in this window (a retry)
                self._keep(ev.task_id, _running(ev))
            else:  # most tasks end before the next commit: their start then needs no record
                self._started[ev.task_id] = ev
        elif isinstance(ev, TaskFinished):
            self._on_finished(ev)
        elif isinstance(ev, TaskLog):
            self._on_log(ev)
        elif isinstance(ev, TaskRequeued):
            self._on_requeued(ev)
        elif isinstance(ev, BatchFinished):
            self._ends[ev.batch_id] = ev

    def _keep(self, task_id: TaskId, update: writes.TaskUpdate) -> None:
        if task_id not in self._updates and len(self._updates) >= MAX_PENDING_TASKS:
            self.lost += 1
            self._problem("too many task records wait for the database: the newest are not kept")
            return
        self._updates[task_id] = update

    def _on_finished(self, ev: TaskFinished) -> None:
        self._started.pop(ev.task_id, None)
        state, failure, result = ev.state, ev.failure, None
        try:
            result = dumps(ev.result)
        except (TypeError, ValueError) as exc:
            # The task's output is nowhere else: a result the history cannot keep fails the task.
            state = TaskState.FAILED
            failure = Failure(FailureKind.ERROR, f"its result cannot be stored in the history: {exc}")
        self._keep(
            ev.task_id,
            writes.TaskUpdate(
                int(state),
                ev.attempt,
                ev.started or None,
                ev.ended,
                ev.pid or None,
                failure_in(failure),
                failure.kind.value if failure is not None else None,
                result,
                dumps(list(ev.outputs)) if ev.outputs else None,
                ev.size if ev.size >= 0 else None,
                ev.mtime,
            ),
        )
        if ev.log_dropped:
            self._dropped[ev.task_id] = self._dropped.get(ev.task_id, 0) + ev.log_dropped

    def _on_requeued(self, ev: TaskRequeued) -> None:
        self._started.pop(ev.task_id, None)
        f = ev.failure
        update = writes.TaskUpdate(int(TaskState.QUEUED), ev.attempt - 1, failure=failure_in(f))
        update.failure_kind = f.kind.value if f is not None else None
        self._keep(ev.task_id, update)
        batch = self._batch_of(ev.task_id)
        if batch is not None and (batch.ended or batch.batch_id in self._ends):
            self._reopened.add(batch.batch_id)  # a retry after the batch had ended: it runs again
            self._ends.pop(batch.batch_id, None)

    def _on_log(self, ev: TaskLog) -> None:
        tid = ev.task_id
        count = self._log_counts.get(tid)
        if count is None:
            count = self._log_counts[tid] = self._log_count(tid)
        if len(self._logs) >= MAX_PENDING_LOGS:
            self._dropped[tid] = self._dropped.get(tid, 0) + 1
            return
        count.kept += 1
        text = text_in(cut_line(ev.text))
        self._logs.append((tid, count.base + ev.attempt, ev.seq, ev.level, ev.time, text))

    def _log_count(self, task_id: TaskId) -> _LogCount:
        batch = self._batch_of(task_id)
        if batch is not None and batch.fresh:
            return _LogCount(0, 0)  # a task of a batch inserted here has no history yet
        assert self._conn is not None
        kept, base = writes.log_state(self._conn, task_id)
        return _LogCount(kept, base)

    # ------------------------------------------------------------ writing
    def _pending(self) -> bool:
        return bool(
            self._updates
            or self._started
            or self._logs
            or self._dropped
            or self._ends
            or self._reopened
            or self._stopping
        )

    def _due(self) -> bool:
        if not self._pending():
            return False
        now = time.monotonic()
        if now < self._retry_at:
            return False
        return (
            bool(self._ends)
            or len(self._logs) + len(self._updates) >= COMMIT_ROWS
            or now - self._since >= COMMIT_SECONDS
        )

    def _commit(self) -> bool:
        """Write everything pending in one transaction; on success forget it, else keep it. Return success."""
        if self._conn is None or not self._pending():
            return True
        for tid, started in self._started.items():  # still running at this commit
            self._keep(tid, _running(started))
        self._started.clear()
        fronts: dict[BatchId, int] = {}
        cuts = self._log_cuts()
        try:
            with transaction(self._conn) as conn:
                self._write(conn, fronts, cuts)
        except sqlite3.Error as exc:
            self._problem(describe(exc, self.path))
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self._committed(fronts, cuts)
        return True

    def _log_cuts(self) -> dict[TaskId, tuple[int, int]]:
        """Per task over its bound: ``(head, lines to cut after it)``, keeping its first and last lines."""
        cuts = {}
        for tid, count in self._log_counts.items():
            batch = self._batch_of(tid)
            limit = batch.log_limit if batch is not None else 10_000
            if count.kept > limit:
                cuts[tid] = ((limit + 1) // 2, count.kept - limit)
        return cuts

    def _write(
        self, conn: sqlite3.Connection, fronts: dict[BatchId, int], cuts: dict[TaskId, tuple[int, int]]
    ) -> None:
        updates = self._updates
        written: set[TaskId] = set()
        for batch in self._by_first:
            if batch.listed is None:
                continue
            lo, hi = batch.first + batch.front, batch.first + batch.total
            named = [t for t in (*updates, *self._dropped, *cuts) if lo <= t < hi]
            if named:
                stop = max(named) - batch.first + 1
                writes.write_rows(conn, batch.listed, batch.front, stop, updates)
                fronts[batch.batch_id] = stop
                written.update(t for t in named if t in updates)
        writes.update_rows(conn, ((t, u) for t, u in updates.items() if t not in written))
        writes.insert_logs(conn, self._logs)
        writes.add_dropped(conn, self._dropped.items())
        for tid, (head, excess) in cuts.items():
            writes.cut_log_middle(conn, tid, head, excess)
        for batch_id in self._reopened:
            writes.mark_running(conn, batch_id)
        for ev in self._ends.values():
            ended = self._batches.get(ev.batch_id)
            if ended is not None:
                status = "stopped" if ev.stopped else "finished"
                writes.end_batch(conn, ev.batch_id, status, ended.elapsed + ev.elapsed)
        for batch_id in self._stopping:  # what ran is interrupted, the rest stays queued
            writes.interrupt_batch(conn, batch_id, status="stopped")

    def _committed(self, fronts: dict[BatchId, int], cuts: dict[TaskId, tuple[int, int]]) -> None:
        for batch_id, front in fronts.items():
            batch = self._batches[batch_id]
            batch.front = front
            if front >= batch.total:
                batch.listed = None
        for batch_id in (*self._ends, *self._stopping):
            if batch_id in self._batches:
                self._batches[batch_id].ended = True
        for batch_id in self._reopened:
            self._batches[batch_id].ended = False
        for tid, (_, excess) in cuts.items():
            self._log_counts[tid].kept -= excess
        for tid, update in self._updates.items():
            if update.state >= TaskState.DONE:
                self._log_counts.pop(tid, None)
        self._updates.clear()
        self._logs.clear()
        self._dropped.clear()
        self._ends.clear()
        self._reopened.clear()
        self._stopping.clear()
        self._since = time.monotonic()
        self._retry_at = 0.0

    def _write_ahead(self) -> None:
        """Write some queued rows of a batch that lacks them (the engine is idle)."""
        batch = next((b for b in self._by_first if b.listed is not None), None)
        if batch is None or batch.listed is None or self._conn is None:
            return
        stop = min(batch.total, batch.front + IDLE_ROWS)
        try:
            with transaction(self._conn) as conn:
                writes.write_rows(conn, batch.listed, batch.front, stop, {})
        except sqlite3.Error as exc:
            self._problem(describe(exc, self.path))
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        batch.front = stop
        if stop >= batch.total:
            batch.listed = None

    def _problem(self, line: str) -> None:
        """Keep ``line`` (once) and tell the listeners."""
        if line in self.problems:
            return
        self.problems.append(line)
        _log.info("%s", line)  # the caller shows it (a line on the terminal, the window's banner)
        for listener in self._listeners:
            listener(line)


def _running(ev: TaskStarted) -> writes.TaskUpdate:
    """The record of a task that started and has not ended."""
    return writes.TaskUpdate(int(TaskState.RUNNING), ev.attempt, ev.time, pid=ev.pid)
