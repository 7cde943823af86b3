"""The engine's recorder: what the engine does, written to the history in short transactions.

```
engine thread:  open_batch ─► batch row + input list, committed before its first task runs
                record(events) ─► updates (event ─► row values) ─► Pending (bounded)
                   a window is handed out when COMMIT_SECONDS passed, COMMIT_ROWS wait, or a batch ended
                flush(reason) ───► hand out now, and wait for it        OpenedBatches: what is committed
                close ───────────► unended batches stopped, last commit
                   │ one window out at a time; its outcome is collected on the engine thread
                   ▼
writer thread:  one transaction per window (SQLite lets the engine thread run while it steps and syncs)
```

Every method runs on the engine thread. The writer thread only runs a
window's transaction (and makes a new database); the engine thread uses the
connection only while no window is out. With ``synchronous=FULL`` a committed
transaction survives a crash of the app and a power cut, so a crash loses at
most what finished since the last commit (the window out, and the records
gathered since).

What the recorder believes is written changes only after a commit succeeded.
When one fails (a full disk, a read-only file, a lock held past the busy
timeout), the window stays, bounded, and is tried again before any later one;
each distinct problem is kept in ``problems`` for the caller to show, and
``complete`` says whether a batch is wholly in the history.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from core.events import BatchFinished, Event, TaskFinished, TaskLog, TaskRequeued, TasksCancelled, TaskStarted
from core.model import BatchId, BatchSpec, TaskId, TaskState
from core.store import inputs, owner, updates, writes
from core.store.errors import StoreError
from core.store.opened import OpenedBatch, OpenedBatches
from core.store.pending import Cancel, LogCut, Pending
from core.store.recovery import connect_recovered
from core.store.schema import describe, transaction

# Pages of write-ahead log after which a commit also copies the log into the database file. Kept
# small, so the copying is done on the writer thread as the run goes, not all at ``close``.
CHECKPOINT_PAGES = 64
COMMIT_SECONDS = 0.15
COMMIT_ROWS = 5000  # pending records that make a commit due before its time
RETRY_SECONDS = 1.0  # after a failed commit, the next try waits this long
IDLE_ROWS = 5000  # queued task rows written ahead per idle moment of the engine
DEFAULT_LOG_LIMIT = 10_000  # lines kept per task of a batch this recorder did not open

_log = logging.getLogger("brigade.store")


def _writer_connection(path: str, sync: str) -> sqlite3.Connection:
    conn = connect_recovered(path, sync=sync)
    conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    return conn


@dataclass(slots=True)
class _LogCount:
    """Log lines of a task in the history (committed and pending), and its attempt base."""

    kept: int
    base: int


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
        self._batches = OpenedBatches()
        self._pending = Pending()  # records since the window was handed out
        self._window: Pending | None = None  # handed to the writer thread, or refused and to be tried again
        self._writing: Future[dict[BatchId, int]] | None = None  # the writer's commit of the window
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="brigade-history")
        self._opening: Future[sqlite3.Connection] | None = None  # a new database being made
        self._log_counts: dict[TaskId, _LogCount] = {}
        self._since = 0.0  # when the oldest pending record came
        self._retry_at = 0.0  # after a failed commit: not before this

    # ------------------------------------------------------------ Recorder protocol
    @classmethod
    def open(cls, path: str, *, sync: str = "FULL") -> StoreRecorder:
        """A recorder whose database is checked now, in the caller's thread.

        For a caller that says why history is off before the engine starts
        (``brigade-cli run``). A database that does not exist yet is only
        checked for a writable folder here, and made by ``start`` on the
        writer thread (making one waits for the disk several times). No
        thread starts here: the engine may still fork its first workers.

        Raises
        ------
        StoreError
            With one line saying why the file cannot be used.
        """
        recorder = cls(path, sync=sync)
        if os.path.exists(path):
            recorder._conn = _writer_connection(path, sync)
        else:
            folder = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the history database {path}: {exc}") from exc
            if not os.access(folder, os.W_OK):
                raise StoreError(f"cannot create the history database {path}: its folder is read-only")
        return recorder

    def add_problem_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(line)`` on the engine thread for each new distinct write problem."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Open the writer connection (unless ``open`` did) and recover batches of dead processes.

        It opens on the writer thread, so the engine starts its workers
        meanwhile; the first batch waits for it.
        """
        if self._conn is None and self.error is None and self._opening is None:
            self._opening = self._writer.submit(_writer_connection, self.path, self.sync)

    def _connection(self) -> sqlite3.Connection | None:
        """The writer connection, once ``start`` opened it (``None``: history is off)."""
        self.start()  # for a caller that records without an engine: a no-op once opened
        opening, self._opening = self._opening, None
        if opening is not None:
            try:
                self._conn = opening.result()
            except StoreError as exc:
                self.error = str(exc)
                self._problem(f"history disabled: {exc}")
        return self._conn

    def open_batch(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Insert a new batch (or reopen a resumed one) and commit it before any of its tasks runs.

        Raises
        ------
        StoreError
            A resumed batch that cannot be reopened (running elsewhere, done
            tasks, or the history refuses the write).
        """
        writer = self._connection()
        if writer is None:
            return self._unrecorded(spec)
        self.flush("a batch opens")
        ids: Sequence[TaskId]
        try:
            with transaction(writer) as conn:
                if spec.batch_id is None:
                    listed = writes.insert_batch(conn, spec, self._batches.next_task)
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
        listed = listed if total else None
        self._batches.add(OpenedBatch(batch_id, first, total, spec.options.log_limit, fresh, elapsed, listed))
        if spec.batch_id is not None:
            self._log_counts.clear()  # attempt bases just moved
        return batch_id, ids

    def record(self, events: list[Event]) -> None:
        """Turn events into pending records, each on its own; commit when due or when a batch ended."""
        if self._conn is None:
            return
        self._collect(wait=False)
        if not self._pending:
            self._since = time.monotonic()
        for ev in events:
            try:
                self._on_event(ev)
            except Exception as exc:  # noqa: BLE001 - one bad event never drops the others
                self._problem(f"an event could not be recorded ({type(ev).__name__}): {exc}")
        if self._due():
            self._commit(wait=bool(self._pending.ends))  # a batch's end is written before it is told

    def flush(self, reason: str) -> None:
        """Commit what is pending now, and return once it is written (or refused).

        ``reason`` says why; ``"idle"`` (the engine has nothing to do) waits
        out the pause after a refused commit, and writes queued rows ahead.
        The one way the recorder commits besides ``record``'s own windows.
        """
        if self._conn is None:
            return
        if reason != "idle" or time.monotonic() >= self._retry_at:
            self._commit(wait=True)
        if reason == "idle" and self._window is None and not self._pending:
            self._write_ahead()

    def close(self) -> None:
        """End batches that never reported their end as stopped, commit, and close the connection."""
        conn = self._connection()
        if conn is None:
            self._writer.shutdown()
            return
        try:
            self._collect(wait=True)
            reported = {bid for window in self._unwritten() for bid in window.ends}
            self._pending.stopping = self._batches.unended() - reported
            for _ in range(3):  # a lock held by another process may go away
                if self._commit(wait=True):
                    break
        finally:
            self._writer.shutdown()
            self._conn = None
            conn.close()
        unsaved = sum(window.rows for window in self._unwritten())
        if unsaved:
            self._problem(f"{unsaved} records of this run could not be written")

    # ------------------------------------------------------------ outcome
    def complete(self, batch_id: BatchId | None) -> bool:
        """Whether batch ``batch_id`` is wholly in the history (after ``close``)."""
        batch = self._batches.get(batch_id) if batch_id is not None else None
        return batch is not None and batch.ended and not self.lost and not any(self._unwritten())

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

    def _unrecorded(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Ids for a batch the history could not take: the engine still runs it."""
        if spec.task_ids is not None and spec.batch_id is not None:
            return spec.batch_id, spec.task_ids
        ids = range(self._batches.next_task, self._batches.next_task + len(spec.paths))
        self._batches.next_task = ids.stop
        return -ids.start, ids  # never the id of a batch in the history

    # ------------------------------------------------------------ events to records
    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, TaskStarted):
            self._keep(ev.task_id, updates.running(ev))
        elif isinstance(ev, TaskFinished):
            self._keep(ev.task_id, updates.finished(ev))
            if ev.log_dropped:
                self._pending.drop(ev.task_id, ev.log_dropped)
        elif isinstance(ev, TaskLog):
            self._on_log(ev)
        elif isinstance(ev, TaskRequeued):
            self._keep(ev.task_id, updates.requeued(ev))
            batch = self._batches.of_task(ev.task_id)
            if batch is not None and (batch.ended or batch.batch_id in self._pending.ends):
                self._pending.reopen(batch.batch_id)  # a retry after the batch had ended: it runs again
        elif isinstance(ev, TasksCancelled):
            self._on_cancelled(ev)
        elif isinstance(ev, BatchFinished):
            self._pending.end(ev)

    def _on_cancelled(self, ev: TasksCancelled) -> None:
        """Queued tasks cancelled at once: one statement per span, a mark for the rest of the list."""
        batch = self._batches.get(ev.batch_id)
        if batch is None:
            return
        for span in ev.spans:
            start, stop = span[0] - batch.first, span[-1] - batch.first + 1
            if stop - start != len(span):  # not consecutive (a resumed batch's tasks, all with rows)
                for tid in span:
                    self._keep(tid, updates.cancelled(ev.time))
                continue
            listed = batch.listed
            mark = inputs.CancelMark(start, ev.time) if listed is not None and stop == batch.total else None
            self._pending.cancel(Cancel(ev.batch_id, span[0], span[-1] + 1, ev.time, mark))
            if mark is not None and listed is not None:
                if listed.cancelled is None or mark.start < listed.cancelled.start:
                    listed.cancelled = mark  # rows written from now on are written cancelled
            elif listed is not None:  # tasks with no row before the end of the list: a row each
                for i in range(max(start, batch.front), stop):
                    self._keep(batch.first + i, updates.cancelled(ev.time))

    def _keep(self, task_id: TaskId, update: writes.TaskUpdate) -> None:
        if not self._pending.keep(task_id, update):
            self.lost += 1
            self._problem("too many task records wait for the database: the newest are not kept")

    def _on_log(self, ev: TaskLog) -> None:
        count = self._log_counts.get(ev.task_id)
        if count is None:
            count = self._log_counts[ev.task_id] = self._log_count(ev.task_id)
        if self._pending.add_log(updates.log_line(ev, count.base)):
            count.kept += 1

    def _log_count(self, task_id: TaskId) -> _LogCount:
        batch = self._batches.of_task(task_id)
        if batch is not None and batch.fresh:
            return _LogCount(0, 0)  # a task of a batch inserted here has no history yet
        assert self._conn is not None
        self._collect(wait=True)  # the connection is the writer thread's while it commits
        kept, base = writes.log_state(self._conn, task_id)
        return _LogCount(kept, base)

    # ------------------------------------------------------------ writing
    def _due(self) -> bool:
        if not self._pending:
            return False
        now = time.monotonic()
        if now < self._retry_at:
            return False
        return (
            bool(self._pending.ends)
            or self._pending.rows >= COMMIT_ROWS
            or now - self._since >= COMMIT_SECONDS
        )

    def _commit(self, *, wait: bool) -> bool:
        """Hand what is pending to the writer thread; return whether nothing is left unwritten.

        One window is out at a time, so windows are committed in order; the
        next one gathers meanwhile. A refused window is tried again (after
        ``RETRY_SECONDS``, or now with ``wait``) before any later one. With
        ``wait``, return once every record is written or a commit was refused.
        """
        self._collect(wait)
        if (
            self._window is not None
            and self._writing is None
            and (wait or time.monotonic() >= self._retry_at)
        ):
            self._writing = self._writer.submit(self._write, self._window)
            self._collect(wait)
        if self._window is None and self._pending:
            self._window, self._pending = self._pending, Pending()
            self._window.cuts = self._log_cuts()  # every line not committed is in this window
            self._since = time.monotonic()
            self._writing = self._writer.submit(self._write, self._window)
            self._collect(wait)
        return self._window is None and not self._pending

    def _write(self, window: Pending) -> dict[BatchId, int]:
        """On the writer thread: one transaction of ``window``; return the batches' new row fronts.

        SQLite lets other threads run while it steps and syncs, so the engine
        thread goes on meanwhile. It reads the opened batches, which change
        only once this commit's outcome is collected.
        """
        assert self._conn is not None
        with transaction(self._conn) as conn:
            return window.write(conn, self._batches)

    def _collect(self, wait: bool) -> None:
        """Take the outcome of the window's commit, if it is done (with ``wait``: once it is)."""
        writing = self._writing
        if writing is None or not (wait or writing.done()):
            return
        self._writing = None
        try:
            fronts = writing.result()
        except sqlite3.Error as exc:
            self._problem(describe(exc, self.path))
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        assert self._window is not None
        self._committed(self._window, fronts)
        self._window = None
        self._retry_at = 0.0

    def _unwritten(self) -> list[Pending]:
        """The records not committed: the window out (or refused), then those gathered since."""
        return [w for w in (self._window, self._pending) if w]

    def _log_cuts(self) -> dict[TaskId, LogCut]:
        """Per task over its bound: keep its first and last lines, cut the middle."""
        cuts = {}
        for tid, count in self._log_counts.items():
            batch = self._batches.of_task(tid)
            limit = batch.log_limit if batch is not None else DEFAULT_LOG_LIMIT
            if count.kept > limit:
                cuts[tid] = LogCut((limit + 1) // 2, count.kept - limit)
        return cuts

    def _committed(self, pending: Pending, fronts: dict[BatchId, int]) -> None:
        for batch_id, front in fronts.items():
            self._batches[batch_id].rows_written(front)
        for batch_id in (*pending.ends, *pending.stopping):
            if batch_id in self._batches:
                self._batches[batch_id].ended = True
        for batch_id in pending.reopened:
            self._batches[batch_id].ended = False
        for tid, cut in pending.cuts.items():
            self._log_counts[tid].kept -= cut.excess
        for tid, update in pending.updates.items():
            if update.state >= TaskState.DONE:
                self._log_counts.pop(tid, None)

    def _write_ahead(self) -> None:
        """Write some queued rows of a batch that lacks them (the engine is idle)."""
        # Tasks past a cancel mark need no row: the mark says what became of them.
        batch = next((b for b in self._batches if b.front < b.queued_end()), None)
        if batch is None or batch.listed is None or self._conn is None:
            return
        stop = min(batch.queued_end(), batch.front + IDLE_ROWS)
        try:
            with transaction(self._conn) as conn:
                writes.write_rows(conn, batch.listed, batch.front, stop, {})
        except sqlite3.Error as exc:
            self._problem(describe(exc, self.path))
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        batch.rows_written(stop)

    def _problem(self, line: str) -> None:
        """Keep ``line`` (once) and tell the listeners."""
        if line in self.problems:
            return
        self.problems.append(line)
        _log.info("%s", line)  # the caller shows it (a line on the terminal, the window's banner)
        for listener in self._listeners:
            listener(line)
