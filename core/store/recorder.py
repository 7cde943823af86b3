"""The engine's recorder: every state change, result and log line, in short transactions.

All methods run on the engine thread, which owns the one writer connection
(``open`` may open it first in another thread, before the engine starts).
``record`` only turns events into rows; rows are written in one transaction
every ``COMMIT_SECONDS`` (or ``COMMIT_ROWS`` rows, or at once when a batch
ends), and in ``flush``/``settle``/``close``. With ``synchronous=FULL`` a committed
transaction survives a crash of the app and a power cut.

Pending task updates are kept as the latest row per task, so a task that
started and finished inside one window costs one write. A new batch keeps its
input list as one value (see ``core.store.inputs``) and what happens to its
tasks in its journal (see ``core.store.journal``): one value per commit, the
rows following when the engine is idle or the journal grows long. Tasks that
have a row (a resumed batch, or rows written while idle) are updated in place.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from bisect import bisect_right
from operator import itemgetter

from core.events import BatchFinished, Event, TaskFinished, TaskLog, TaskRequeued, TaskStarted
from core.model import BatchId, BatchSpec, TaskId, TaskState
from core.store import inputs, journal, owner
from core.store.codec import dumps, failure_in, options_in, text_in
from core.store.errors import StoreError
from core.store.recovery import connect_recovered, interrupt_batch, store_counts

# Neither ``typing`` nor ``logging`` at run time: ``brigade-cli run`` loads this
# module before its first task, and ~10 ms of imports there delay every task.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import Any

COMMIT_SECONDS = 0.15
COMMIT_ROWS = 2000  # ~15 ms of writing: the workers hold ~50 ms of queued work
# Updates of tasks without a row cost ~1 us each to journal, and a commit ~2 ms
# (its fsync): more of them go in one commit.
COMMIT_TASKS = 8000
MAX_PENDING_LOGS = 200_000  # if the disk refuses writes for long, keep counting instead of growing

_TASK_SQL = (
    "UPDATE tasks SET state = ?, failure = ?, failure_kind = ?, attempts = attempt_base + ?, started = ?, "
    "ended = ?, pid = ?, result = ?, outputs = ?, log_dropped = log_dropped + ?, "
    # Inputs queued without a stat (the CLI's walk) get the size and mtime the worker saw.
    "size = coalesce(size, ?), mtime = coalesce(mtime, ?) WHERE id = ?"
)
_LOG_SQL = (
    "INSERT OR IGNORE INTO log_lines (task_id, attempt, seq, level, time, text) VALUES (?, ?, ?, ?, ?, ?)"
)
_REOPEN_SQL = (
    "UPDATE tasks SET state = 0, failure = NULL, failure_kind = NULL, attempt_base = attempts, "
    "started = NULL, ended = NULL, pid = NULL, result = NULL, outputs = NULL, "
    "changed = changed OR (?1 AND size IS NOT NULL AND (size IS NOT ?2 OR mtime IS NOT ?3)), "
    "size = CASE WHEN ?1 THEN ?2 ELSE size END, mtime = CASE WHEN ?1 THEN ?3 ELSE mtime END "
    "WHERE id = ?4 AND batch_id = ?5 AND state != 2"
)
_REQUEUED = int(TaskState.QUEUED)
IDLE_ROWS = 5000  # queued rows written per idle moment of the engine (~25 ms)
_NO_RECORD = (None,) * 9  # a journal record's fields between its index and its dropped lines
_STATE = itemgetter(1)  # of a pending task row


class _Unwritten:
    """A batch opened here whose task rows are written later (from its journal, or queued)."""

    __slots__ = ("front", "journaled", "listed", "states")

    def __init__(self, listed: inputs.Inputs) -> None:
        self.listed = listed  # its input list
        self.front = 0  # rows of tasks 0 .. front-1 exist
        self.journaled = 0  # records in its journal
        self.states: dict[TaskId, int] = {}  # the latest state its journal gives each task

    @property
    def batch_id(self) -> BatchId:
        return self.listed.batch_id

    @property
    def first(self) -> TaskId:
        return self.listed.first

    @property
    def total(self) -> int:
        return len(self.listed.paths)


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
        """Why history is off for this run, if the database failed at start."""
        self._conn: sqlite3.Connection | None = None
        self._tasks: dict[TaskId, list[Any]] = {}
        # Starts of tasks with no pending row: most finish before the next commit,
        # so their start costs no row (a row is made at the commit if not).
        self._started: dict[TaskId, TaskStarted] = {}
        self._logs: list[tuple[Any, ...]] = []
        self._dropped: dict[TaskId, int] = {}
        self._finished: list[BatchFinished] = []
        self._reopened: set[BatchId] = set()
        self._since = 0.0
        # Batches run here: sorted first ids, and (last id, batch id, log limit, fresh) for each.
        self._firsts: list[int] = []
        self._batches: list[tuple[int, BatchId, int, bool]] = []
        self._base_elapsed: dict[BatchId, float] = {}
        self._ended: set[BatchId] = set()
        # Per task that logs: [lines kept, limit, attempt base]; the base offsets a resumed
        # task's attempts past its earlier runs, so their lines never collide.
        self._lines: dict[TaskId, list[int]] = {}
        self._next_task = self._next_batch = 1  # only used when the database failed
        self._unwritten: dict[BatchId, _Unwritten] = {}
        self._fronts: dict[BatchId, int] = {}  # written by the transaction under way
        self._opening: inputs.Inputs | None = None  # a new batch whose transaction is still open

    # ------------------------------------------------------------ Recorder protocol
    @classmethod
    def open(cls, path: str, *, sync: str = "FULL") -> StoreRecorder:
        """A recorder whose connection opens now, in the caller's thread.

        For a caller that says why history is off before the engine starts
        (``brigade-cli run``); the engine thread takes the connection over and
        ``start`` then has nothing left to do.

        Raises
        ------
        StoreError
            With one line saying why the file cannot be used.
        """
        recorder = cls(path, sync=sync)
        recorder._conn = connect_recovered(path, sync=sync)
        return recorder

    def start(self) -> None:
        """Open the writer connection (unless ``open`` did) and recover batches of dead processes."""
        if self._conn is not None:
            return
        try:
            self._conn = connect_recovered(self.path, sync=self.sync)
        except StoreError as exc:
            self._stop_recording(str(exc))

    def _stop_recording(self, reason: str) -> None:
        """History is off for the rest of this run, because of ``reason`` (logged)."""
        import logging

        self.error = reason
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._unwritten.clear()
        # Batches opened from now on get ids past those of the batches still running.
        for last, batch_id, _, _ in self._batches:
            self._next_task = max(self._next_task, last + 1)
            self._next_batch = max(self._next_batch, batch_id + 1)
        logging.getLogger("brigade.store").error("history disabled: %s", reason)

    def open_batch(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Insert a new batch and its tasks, or reopen a resumed one; one transaction.

        A new batch's transaction stays open until the recorder's next commit,
        which stores its input list with its first results (one commit, not
        two): storing 20,000 paths took ~6 ms, which no longer delays its first
        tasks. Until then nothing of it is committed, as of any result since
        the last commit (at most ``COMMIT_SECONDS`` of a busy engine, half a
        second of an idle one): a crash forgets the batch, as one before its
        start would.
        """
        conn = self._conn
        if conn is None:
            return self._open_unrecorded(spec)
        self._commit()
        cwd = os.getcwd()  # relative inputs are relative to it
        conn.execute("BEGIN IMMEDIATE")
        try:
            fresh = spec.batch_id is None
            found = self._insert(conn, spec, cwd) if fresh else None
            batch_id = found.batch_id if found is not None else spec.batch_id
            ids = None if fresh else self._reopen(conn, spec)
            first, total, elapsed = conn.execute(
                "SELECT first_task, total, elapsed FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
            if found is not None and total:
                self._opening = found  # its input list is saved by the next transaction
            else:
                if found is not None:
                    found.save(conn)
                conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        assert batch_id is not None
        self._remember(batch_id, first, total, spec.options.log_limit, fresh, elapsed)
        if found is not None and total:
            self._unwritten[batch_id] = _Unwritten(found)
        if not fresh:
            self._lines.clear()  # attempt bases just moved
        return batch_id, range(first, first + total) if ids is None else ids

    def record(self, events: list[Event]) -> None:
        """Turn events into pending rows; commit when the window is due or a batch ended."""
        if self._conn is None:
            return
        if not self._pending():
            self._since = time.monotonic()
        urgent = False
        tasks, started = self._tasks, self._started
        for ev in events:
            if type(ev) is TaskStarted:  # half of a run's events: handled here, without a call
                if ev.task_id in tasks:
                    self._on_started(ev)
                else:
                    started[ev.task_id] = ev
                continue
            kind = type(ev)
            if kind is TaskFinished:
                self._on_finished(ev)  # type: ignore[arg-type]
            elif kind is TaskLog:
                self._log(ev)  # type: ignore[arg-type]
            elif kind is TaskRequeued:
                self._on_requeued(ev)  # type: ignore[arg-type]
            elif kind is BatchFinished:
                self._finished.append(ev)  # type: ignore[arg-type]
                urgent = True
        if (
            urgent
            or len(self._logs) >= COMMIT_ROWS
            or len(self._tasks) >= (COMMIT_TASKS if self._unwritten else COMMIT_ROWS)
            or (self._pending() and time.monotonic() - self._since >= COMMIT_SECONDS)
        ):
            self._commit()

    def commit(self) -> None:
        """Commit what is pending now, whether or not its window is due."""
        self._commit()

    def flush(self) -> None:
        """Commit what is pending, and write some queued rows (the engine is idle)."""
        self._commit()
        if self._unwritten and self._conn is not None:
            u = next(iter(self._unwritten.values()))
            self._transaction(lambda conn: self._write_rows(conn, u, min(u.total, u.front + IDLE_ROWS)))

    def settle(self) -> None:
        """Commit what is pending and copy the write-ahead log into the database file.

        Called while a batch's last tasks run: its end then commits only what
        they do, and closing the connection finds little left to copy (copying
        a run's whole log of 20,000 small files took ~7 ms after its end). A
        passive checkpoint never waits for the app's readers.
        """
        self._commit()
        if self._conn is not None:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Commit, end batches that never reported their end, and close the connection."""
        conn = self._conn
        if conn is None:
            return
        try:
            # Rows of tasks still queued stay in the batch's input list (views list
            # them; a resume writes them): a stopped run of a million files ends at once.
            self._commit()
            if self._conn is not None:  # else the commit turned history off, and closed it
                self._end_unfinished(conn)
        finally:
            self._conn = None
            conn.close()

    # ------------------------------------------------------------ opening batches
    def _insert(self, conn: sqlite3.Connection, spec: BatchSpec, cwd: str) -> inputs.Inputs:
        n = len(spec.paths)
        first = int(conn.execute("SELECT value FROM meta WHERE key = 'next_task'").fetchone()[0])
        conn.execute("UPDATE meta SET value = ? WHERE key = 'next_task'", (first + n,))
        host, pid, started = owner.current()
        now = time.time()
        cur = conn.execute(
            "INSERT INTO batches (job, params, options, output, extra, created, status, total, first_task, "
            "counts, run_started, owner_host, owner_pid, owner_started) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (
                spec.job,
                dumps(dict(spec.params)),
                options_in(spec.options),
                dumps(dict(spec.output)) if spec.output is not None else None,
                dumps(dict(spec.extra)),
                now,
                n,
                first,
                dumps({TaskState.QUEUED.label: n}),
                now,
                host,
                pid,
                started,
            ),
        )
        # One value for the whole input list (saved by the caller); the task rows follow as the batch runs.
        return inputs.Inputs(int(cur.lastrowid or 0), first, spec.paths, cwd, spec.sizes, spec.mtimes)

    def _reopen(self, conn: sqlite3.Connection, spec: BatchSpec) -> list[TaskId]:
        batch_id = spec.batch_id
        row = conn.execute(
            "SELECT status, owner_host, owner_pid, owner_started FROM batches WHERE id = ?", (batch_id,)
        ).fetchone()
        if row is None or batch_id is None:
            raise StoreError(f"batch {batch_id} is not in the history")
        status, host, pid, started = row
        if status == "running" and pid != os.getpid() and owner.alive(host, pid, started):
            raise StoreError(f"batch {batch_id} is running in another process (pid {pid})")
        ids = list(spec.task_ids or ())
        if len(ids) != len(spec.paths) or ids != sorted(ids):
            raise ValueError("a resumed batch needs sorted task ids, one per path")
        inputs.write_rest(conn, batch_id)  # tasks its earlier run left queued without a row
        cur = conn.executemany(_REOPEN_SQL, _reopen_rows(spec, ids))
        if cur.rowcount != len(ids):
            raise StoreError(
                f"batch {batch_id}: some tasks are done or not in it (done tasks never run again)"
            )
        host, pid, started = owner.current()
        conn.execute(
            "UPDATE batches SET status = 'running', finished = NULL, run_started = ?, owner_host = ?, "
            "owner_pid = ?, owner_started = ?, extra = ? WHERE id = ?",
            (time.time(), host, pid, started, dumps(dict(spec.extra)), batch_id),  # where it runs now
        )
        return ids

    def _remember(
        self, batch_id: BatchId, first: int, total: int, limit: int, fresh: bool, elapsed: float
    ) -> None:
        i = bisect_right(self._firsts, first)
        self._firsts.insert(i, first)
        self._batches.insert(i, (first + total - 1, batch_id, limit, fresh))
        self._base_elapsed[batch_id] = elapsed
        self._ended.discard(batch_id)

    def _open_unrecorded(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Ids for a run whose database failed: the engine still runs, without history."""
        if spec.task_ids is not None and spec.batch_id is not None:
            return spec.batch_id, spec.task_ids
        ids = range(self._next_task, self._next_task + len(spec.paths))
        self._next_task = ids.stop
        self._next_batch += 1
        return self._next_batch - 1, ids

    # ------------------------------------------------------------ events to rows
    def _batch_of(self, task_id: TaskId) -> tuple[int, BatchId, int, bool] | None:
        i = bisect_right(self._firsts, task_id) - 1
        if i >= 0 and task_id <= self._batches[i][0]:
            return self._batches[i]
        return None

    def _log(self, ev: TaskLog) -> None:
        tid = ev.task_id
        seen = self._lines.get(tid)
        if seen is None:
            seen = self._lines[tid] = self._log_state(tid)
        if seen[0] >= seen[1] or len(self._logs) >= MAX_PENDING_LOGS:
            self._dropped[tid] = self._dropped.get(tid, 0) + 1
            return
        seen[0] += 1
        self._logs.append((tid, seen[2] + ev.attempt, ev.seq, ev.level, ev.time, text_in(ev.text)))

    def _log_state(self, task_id: TaskId) -> list[int]:
        """Lines kept so far, the bound and the attempt base of a task (queried only if resumed)."""
        batch = self._batch_of(task_id)
        limit = batch[2] if batch is not None else 10_000
        if batch is not None and batch[3]:
            return [0, limit, 0]  # a task of a batch inserted here has no history yet
        assert self._conn is not None
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM log_lines WHERE task_id = ?1), attempt_base "
            "FROM tasks WHERE id = ?1",
            (task_id,),
        ).fetchone()
        return [row[0], limit, row[1]] if row else [0, limit, 0]

    def _dropped_before(self, task_id: TaskId) -> int:
        """Lines dropped by a pending row of the same task that the next row replaces."""
        before = self._tasks.get(task_id)
        return before[10] if before is not None else 0

    def _on_started(self, ev: TaskStarted) -> None:
        """A task with a pending row started again: its new row keeps the lines the old one dropped."""
        self._tasks[ev.task_id] = _started_row(ev, self._tasks[ev.task_id][10])

    def _on_finished(self, ev: TaskFinished) -> None:
        # Once per task (50,000 a second for tiny files): the common case takes no call.
        tid, f, result = ev.task_id, ev.failure, ev.result
        before = self._tasks.get(tid)  # a pending row replaced here: keep its dropped lines
        self._tasks[tid] = [
            tid,
            int(ev.state),
            None if f is None else failure_in(f),
            None if f is None else f.kind.value,
            ev.attempt,
            ev.started or None,
            ev.ended,
            ev.pid or None,
            # Kept as plain data: the journal marshals it, JSON is made when a row is written.
            result if result is None or type(result) is dict else dict(result),
            list(ev.outputs) if ev.outputs else None,
            ev.log_dropped + (0 if before is None else before[10]),
            ev.size if ev.size >= 0 else None,
            ev.mtime,
        ]

    def _on_requeued(self, ev: TaskRequeued) -> None:
        f, tid = ev.failure, ev.task_id
        dropped = self._dropped_before(tid)
        row = [tid, _REQUEUED, failure_in(f), f.kind.value if f else None, ev.attempt - 1, None, None, None]
        self._tasks[tid] = [*row, None, None, dropped, None, None]
        batch = self._batch_of(ev.task_id)
        if batch is not None and batch[1] in self._ended:
            self._reopened.add(batch[1])  # a retry after the batch had ended: it runs again

    # ------------------------------------------------------------ writing
    def _pending(self) -> bool:
        return bool(
            self._tasks or self._started or self._logs or self._finished or self._dropped or self._reopened
        )

    def _transaction(self, write: Any) -> None:
        """Run ``write(conn)`` in one transaction; rows written move their batch's front on success.

        The transaction ``open_batch`` left open goes on here, and stores the
        new batch's input list first. If it fails, the batch is gone with it
        while its tasks run: history is off for the rest of the run.
        """
        conn = self._conn
        assert conn is not None
        self._fronts.clear()
        opening, self._opening = self._opening, None
        if opening is None:
            conn.execute("BEGIN IMMEDIATE")
        try:
            if opening is not None:
                opening.save(conn)
            write(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            self._fronts.clear()
            if opening is not None:
                self._stop_recording(f"the history database {self.path} cannot be used: {exc}")
                if isinstance(exc, sqlite3.Error):
                    return
            raise  # rows stay pending: the next commit tries again
        for batch_id, front in self._fronts.items():
            u = self._unwritten[batch_id]
            u.front = front
            if front >= u.total:
                del self._unwritten[batch_id]
        self._fronts.clear()

    def _commit(self) -> None:
        if self._conn is None or not (self._pending() or self._opening is not None):
            return
        if self._started:
            tasks = self._tasks
            for tid in self._started.keys() - tasks.keys():  # still running: a later row replaces none
                tasks[tid] = _started_row(self._started[tid], 0)
            self._started.clear()
        self._transaction(self._write)
        if self._lines:
            for tid, row in self._tasks.items():
                if row[1] >= TaskState.DONE:
                    self._lines.pop(tid, None)
        self._tasks.clear()
        self._logs.clear()
        self._dropped.clear()
        self._finished.clear()
        self._reopened.clear()
        self._since = time.monotonic()

    def _write(self, conn: sqlite3.Connection) -> None:
        if self._logs:
            conn.executemany(_LOG_SQL, self._logs)
        journaled = self._journal(conn)
        if self._tasks and not journaled.issuperset(self._tasks):
            rows = self._tasks.items()
            conn.executemany(_TASK_SQL, (_update(row) for tid, row in rows if tid not in journaled))
        if self._dropped:
            conn.executemany(
                "UPDATE tasks SET log_dropped = log_dropped + ? WHERE id = ?",
                ((n, tid) for tid, n in self._dropped.items() if tid not in journaled),
            )
        host, pid, started = owner.current()
        for batch_id in self._reopened:
            conn.execute(
                "UPDATE batches SET status = 'running', finished = NULL, run_started = ?, owner_host = ?, "
                "owner_pid = ?, owner_started = ? WHERE id = ?",
                (time.time(), host, pid, started, batch_id),
            )
            self._ended.discard(batch_id)
        for ev in self._finished:
            self._end_batch(conn, ev)

    def _journal(self, conn: sqlite3.Connection) -> set[TaskId]:
        """Journal the pending updates of tasks without a row; return their ids."""
        journaled: set[TaskId] = set()
        tasks, dropped = self._tasks, self._dropped
        for u in self._unwritten.values():
            lo, hi = u.first + u.front, u.first + u.total
            # A pending row is a journal record (core.store.journal): most commits take them all.
            if tasks and lo <= min(tasks) and max(tasks) < hi:
                ids: Iterable[TaskId] = tasks.keys()
                records = list(tasks.values())
            else:
                ids = [tid for tid in tasks if lo <= tid < hi]
                records = [tasks[tid] for tid in ids]
            # Every pending task row has a state; records that only add dropped lines have none.
            u.states.update(zip(ids, map(_STATE, records), strict=True))
            journaled.update(ids)
            extra = [tid for tid in dropped if lo <= tid < hi]
            journaled.update(extra)
            records += [[tid, *_NO_RECORD, dropped[tid], None, None] for tid in extra]
            if not records:
                continue
            journal.append(conn, u.batch_id, records)
            u.journaled += len(records)
            if u.journaled >= journal.FOLD_RECORDS:
                self._write_rows(conn, u, 0)  # a long journal slows the views that read it
        return journaled

    def _write_rows(self, conn: sqlite3.Connection, u: _Unwritten, stop: int) -> None:
        """Write the rows ``u``'s journal describes, then queued ones up to task ``stop``."""
        # Counted again, not taken from u.front: a history command of another
        # process may have written rows of this batch since (JobStore.compact).
        front = journal.fold(conn, u.listed)
        u.journaled = 0  # if the transaction fails, its journal is folded next time
        u.states.clear()
        if stop > front:
            conn.executemany(inputs.QUEUED_SQL, u.listed.queued_rows(front, stop))
            front = stop
        if front >= u.total:
            conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (u.batch_id,))
        self._fronts[u.batch_id] = front

    def _end_batch(self, conn: sqlite3.Connection, ev: BatchFinished) -> None:
        elapsed = self._base_elapsed.get(ev.batch_id, 0.0) + ev.elapsed
        conn.execute(
            "UPDATE batches SET status = ?, finished = ?, elapsed = ?, run_started = NULL, owner_pid = NULL "
            "WHERE id = ?",
            ("stopped" if ev.stopped else "finished", time.time(), elapsed, ev.batch_id),
        )
        u = self._unwritten.get(ev.batch_id)
        # The states it journaled are known here: no need to read its journal back.
        store_counts(conn, ev.batch_id, None if u is None else u.states)
        self._ended.add(ev.batch_id)

    def _end_unfinished(self, conn: sqlite3.Connection) -> None:
        """Batches of this run still marked running (no end was reported) end as stopped."""
        mine = [b[1] for b in self._batches if b[1] not in self._ended]
        if not mine:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for batch_id in mine:
                interrupt_batch(conn, batch_id, status="stopped")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _started_row(ev: TaskStarted, dropped: int) -> list[Any]:
    """The pending row of a task that started (``dropped``: lines a row it replaces dropped)."""
    return [ev.task_id, 1, None, None, ev.attempt, ev.time, None, ev.pid, None, None, dropped, None, None]


def _update(row: list[Any]) -> tuple[Any, ...]:
    """The parameters of ``_TASK_SQL`` for a pending row (results and outputs become JSON here)."""
    result, outputs = row[8], row[9]
    return (
        *row[1:8],
        result if result is None else dumps(result),
        None if outputs is None else dumps(list(outputs)),
        *row[10:],
        row[0],
    )


def _reopen_rows(spec: BatchSpec, ids: list[TaskId]) -> Iterator[tuple[Any, ...]]:
    sizes, mtimes = spec.sizes, spec.mtimes
    check = sizes is not None and mtimes is not None
    for i, tid in enumerate(ids):
        size = sizes[i] if sizes is not None else None
        mtime = mtimes[i] if mtimes is not None else None
        yield check, size, mtime, tid, spec.batch_id
