"""``JobStore``: the history database as the CLI and the desktop app read it.

Reads go through one connection guarded by a lock, so any thread may query
(the window queries from a worker thread, never the GUI thread). The engine
writes through its own connection (``recorder()``); WAL mode lets these reads
run while it writes. Every fact is read with SQL from its one form: a task is
its row, and a task that has no row yet is queued and listed from its batch's
input list (``core.store.inputs``), after every row.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from typing import Any, TextIO

from core.model import BatchSpec, TaskState
from core.store import inputs, owner, writes
from core.store.codec import loads, options_out, text_out
from core.store.errors import StoreError
from core.store.location import ENV_VAR, default_db_path
from core.store.recorder import StoreRecorder
from core.store.recovery import connect_recovered, recover_dead
from core.store.rows import BATCH_COLUMNS, TASK_COLUMNS, BatchRow, LogRow, TaskRow, batch_row, task_row
from core.store.schema import transaction

__all__ = ["ENV_VAR", "PAGE", "JobStore", "default_db_path"]

PAGE = 5000  # rows per query when walking a whole batch
# What a queued task's row holds besides (id, batch_id, idx, path, size, mtime): the
# defaults of the remaining TASK_COLUMNS (state queued, no failure, no attempt, ...).
_QUEUED_TAIL = (0, None, 0, None, None, None, None, None, 0, 0)
_TAIL_STATES = frozenset({int(TaskState.QUEUED), int(TaskState.CANCELLED)})  # of tasks with no row


def _cancelled_tail(when: float) -> tuple[Any, ...]:
    """``_QUEUED_TAIL`` of a task cancelled, with no row, at ``when`` (``core.store.inputs``)."""
    return (int(TaskState.CANCELLED), None, 0, None, when, None, None, None, 0, 0)


class JobStore:
    """The job history: batches, tasks and log lines in one SQLite file."""

    def __init__(self, path: str, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | None = None, *, create: bool = True) -> JobStore:
        """Open (create, migrate) the history at ``path`` (default: ``default_db_path()``).

        Batches left running by a process that died are marked interrupted.
        ``create=False``: a missing file is an error and nothing is created.

        Raises
        ------
        StoreError
            With one line saying why the file cannot be used.
        """
        path = path or default_db_path()
        return cls(path, connect_recovered(path, create=create))

    def recorder(self, *, sync: str = "FULL") -> StoreRecorder:
        """A recorder for an engine; it opens its own connection on the engine thread."""
        return StoreRecorder(self.path, sync=sync)

    def close(self) -> None:
        """Close the read connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ queries
    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The read connection inside one read transaction: its queries see one moment.

        A running batch's rows and its input list must be read together, or a
        row written in between would be seen twice or not at all.
        """
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def batches(self, limit: int = 200) -> list[BatchRow]:
        """The newest batches first."""
        with self._reading() as conn:
            rows = conn.execute(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY id DESC LIMIT ?", (limit,))
            return [self._batch(conn, row) for row in rows.fetchall()]

    def batch(self, batch_id: int) -> BatchRow | None:
        """One batch, or ``None``."""
        with self._reading() as conn:
            rows = conn.execute(f"SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)).fetchall()
            return self._batch(conn, rows[0]) if rows else None

    @staticmethod
    def _batch(conn: sqlite3.Connection, row: Any) -> BatchRow:
        # A running batch's counts are counted now, from the index.
        return batch_row(row, writes.count_states(conn, row[0]) if row[7] == "running" else None)

    def tasks(
        self,
        batch_id: int,
        states: Collection[TaskState] | None = None,
        limit: int | None = None,
        offset: int = 0,
        *,
        after: int | None = None,
        interrupted: bool | None = None,
    ) -> list[TaskRow]:
        """Tasks of a batch in queue order, optionally only those in ``states``.

        ``after``: only tasks whose id is greater (paging by key, which costs
        the same on any page). ``interrupted``: of failed tasks, only those
        (``True``) or only the others (``False``).
        """
        want = -1 if limit is None else limit
        wanted = None if states is None else sorted({int(s) for s in states})
        with self._reading() as conn:
            span = conn.execute("SELECT first_task, total FROM batches WHERE id = ?", (batch_id,)).fetchone()
            if span is None:
                return []
            first, total = span
            lo = first if after is None else max(first, after + 1)
            if wanted is None:
                # Ids of a batch are one range, its rows written in order: the offset is a key too.
                lo += offset
                where, params = ["id BETWEEN ? AND ?"], [lo, first + total - 1]
                offset = 0
            else:
                marks = ", ".join("?" * len(wanted))
                where = [f"batch_id = ? AND state IN ({marks}) AND id >= ?"]
                params = [batch_id, *wanted, lo]
            if interrupted is not None:
                where.append(f"(state != 3 OR (failure_kind IS ?) {'=' if interrupted else '!='} 1)")
                params.append(writes.INTERRUPTED.kind.value)
            sql = f"SELECT {TASK_COLUMNS} FROM tasks WHERE {' AND '.join(where)} ORDER BY id LIMIT ? OFFSET ?"
            rows = conn.execute(sql, (*params, want, offset)).fetchall()
            tail = _TAIL_STATES if wanted is None else _TAIL_STATES & set(wanted)
            if (want < 0 or len(rows) < want) and tail:
                skip = 0
                if offset and not rows:
                    count_sql = f"SELECT count(*) FROM tasks WHERE {' AND '.join(where)}"
                    skip = max(0, offset - conn.execute(count_sql, params).fetchone()[0])
                rest = want - len(rows) if want >= 0 else -1
                rows += self._queued_tail(conn, batch_id, skip, rest, lo - 1, tail)
        return [task_row(r) for r in rows]

    @staticmethod
    def _queued_tail(
        conn: sqlite3.Connection,
        batch_id: int,
        skip: int,
        limit: int,
        after: int | None = None,
        states: Collection[int] = (TaskState.QUEUED,),
    ) -> list[tuple[Any, ...]]:
        """Rows of the batch's tasks that have no row yet, in ``states``, from the ``skip``-th on.

        Such tasks are queued, then cancelled from the list's cancel mark on
        (``core.store.inputs``): each state is one span of indexes.
        """
        if not inputs.listed(conn, batch_id):
            return []
        sql = "SELECT first_task, total FROM batches WHERE id = ?"
        first, total = conn.execute(sql, (batch_id,)).fetchone()
        written = writes.rows_written(conn, batch_id)
        mark = inputs.cancel_mark(conn, batch_id)
        cut = total if mark is None else max(written, mark.start)
        lo = written if TaskState.QUEUED in states else cut
        hi = total if TaskState.CANCELLED in states else cut
        start = lo + skip
        if after is not None:
            start = max(start, after - first + 1)
        stop = hi if limit < 0 else min(hi, start + limit)
        found = inputs.read(conn, batch_id, start, stop) if start < stop else None
        if found is None:
            return []
        cancelled = _QUEUED_TAIL if mark is None else _cancelled_tail(mark.time)
        return [
            found.row(i) + (_QUEUED_TAIL if i < cut else cancelled)
            for i in range(max(start, found.offset), min(stop, found.stop))
        ]

    def iter_tasks(self, batch_id: int) -> Iterator[TaskRow]:
        """Every task of a batch, read a page at a time (memory stays small)."""
        after = 0
        while True:
            page = self.tasks(batch_id, limit=PAGE, after=after)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].id

    def task(self, task_id: int) -> TaskRow | None:
        """One task, or ``None``."""
        with self._reading() as conn:
            rows = conn.execute(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchall()
            if not rows:
                found = conn.execute(
                    "SELECT b.id FROM batches b WHERE ? BETWEEN b.first_task AND b.first_task + b.total - 1",
                    (task_id,),
                ).fetchone()
                rows = self._queued_tail(conn, found[0], 0, 1, task_id - 1, _TAIL_STATES) if found else []
        return task_row(rows[0]) if rows else None

    def log_lines(self, task_id: int, limit: int | None = None) -> list[LogRow]:
        """A task's log lines in order, over all its attempts."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT task_id, attempt, seq, level, time, text FROM log_lines WHERE task_id = ? "
                "ORDER BY attempt, seq LIMIT ?",
                (task_id, -1 if limit is None else limit),
            ).fetchall()
        return [LogRow(t, a, s, lv, tm, text_out(tx)) for t, a, s, lv, tm, tx in rows]

    # ------------------------------------------------------------ running again
    def changed_inputs(self, batch_id: int) -> list[int]:
        """Done tasks whose input's size or mtime now differs from what their run saw (one stat each)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT id, path, size, mtime FROM tasks "
                "WHERE batch_id = ? AND state = ? AND size IS NOT NULL",
                (batch_id, int(TaskState.DONE)),
            ).fetchall()
        changed = []
        for tid, path, size, mtime in rows:
            now = _stat(text_out(path))
            # A vanished input is not run again: that would only turn its result into a failure.
            if now[0] is not None and now != (size, mtime) and not (mtime is None and now[0] == size):
                changed.append(tid)
        return changed

    def resume_spec(self, batch_id: int, *, changed: Collection[int] | None = None) -> BatchSpec | None:
        """A spec that runs the queued and interrupted tasks of a batch again, with their ids.

        Done tasks run again only when their input changed: ``changed`` names
        them (default: ``changed_inputs``, every done task's input stat-ed;
        pass ``()`` to skip that). Each input is stat-ed now: the recorder flags
        a changed input. ``None`` if there is nothing to run.

        Raises
        ------
        StoreError
            If another live process is running the batch.
        """
        where = f"(state = {int(TaskState.QUEUED)} OR (state = {int(TaskState.FAILED)} AND failure_kind = ?))"
        params = (writes.INTERRUPTED.kind.value,)
        return self._spec(batch_id, where, params, changed, tail=(TaskState.QUEUED,))

    def retry_spec(
        self,
        batch_id: int,
        *,
        failed: bool = True,
        cancelled: bool = False,
        changed: Collection[int] | None = None,
    ) -> BatchSpec | None:
        """A spec that runs the failed (and/or cancelled) tasks of a batch again; ``None`` if none.

        Done tasks whose input changed run too (``changed``: see ``resume_spec``).
        """
        states = [int(s) for s, on in ((TaskState.FAILED, failed), (TaskState.CANCELLED, cancelled)) if on]
        if not states:
            return None
        tail = (TaskState.CANCELLED,) if cancelled else ()
        return self._spec(batch_id, f"state IN ({', '.join(map(str, states))})", (), changed, tail=tail)

    def _spec(
        self,
        batch_id: int,
        where: str,
        params: tuple[Any, ...],
        changed: Collection[int] | None,
        *,
        tail: Collection[int] = (),
    ) -> BatchSpec | None:
        """A spec of the tasks whose rows match ``where``, and of those without a row in ``tail``'s states."""
        with self._lock:
            recover_dead(self._conn)  # a process that died since we opened leaves running tasks
        row = self._batch_owner(batch_id)
        if row is None:
            return None
        job, params_json, options, output, extra = row
        extra_ids = set(self.changed_inputs(batch_id) if changed is None else changed)
        with self._reading() as conn:
            tasks = conn.execute(
                f"SELECT id, path FROM tasks WHERE batch_id = ? AND {where} ORDER BY id", (batch_id, *params)
            ).fetchall()
            if extra_ids:
                marks = ", ".join("?" * len(extra_ids))
                tasks += conn.execute(
                    f"SELECT id, path FROM tasks WHERE batch_id = ? AND id IN ({marks})",
                    (batch_id, *extra_ids),
                ).fetchall()
                tasks.sort()
            if tail:  # with the tasks that have no row yet (they come last)
                tasks += [(r[0], r[3]) for r in self._queued_tail(conn, batch_id, 0, -1, None, tail)]
        if not tasks:
            return None
        paths = [text_out(p) for _, p in tasks]
        sizes, mtimes = zip(*map(_stat, paths), strict=True)
        return BatchSpec(
            job=job,
            params=loads(params_json) or {},
            paths=paths,
            options=options_out(options),
            batch_id=batch_id,
            task_ids=[tid for tid, _ in tasks],
            sizes=[-1 if s is None else s for s in sizes],
            output=loads(output),
            extra=loads(extra) or {},
            mtimes=[-1.0 if m is None else m for m in mtimes],
        )

    def _batch_owner(self, batch_id: int) -> tuple[Any, ...] | None:
        """The spec columns of a batch that no live process runs; ``None`` if it is not in the history."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT job, params, options, output, extra, status, owner_host, owner_pid, owner_started "
                "FROM batches WHERE id = ?",
                (batch_id,),
            ).fetchone()
        if row is None:
            return None
        status, host, pid, started = row[5:]
        if status == "running" and owner.alive(host, pid, started):
            raise StoreError(f"batch {batch_id} is still running (pid {pid})")
        return row[:5]

    # ------------------------------------------------------------ export, prune
    def export(self, batch_id: int, fmt: str, stream: TextIO) -> int:
        """Write one row per task as ``"csv"`` or ``"json"``; return the rows written."""
        from core.store.export import export_batch

        batch = self.batch(batch_id)
        if batch is None:
            raise StoreError(f"batch {batch_id} is not in the history")
        return export_batch(batch, self.iter_tasks(batch_id), fmt, stream)

    def prune(self, *, older_than_days: float | None = None, keep: int | None = None) -> int:
        """Delete batches created more than ``older_than_days`` ago, or past the newest ``keep``.

        A batch that a live process is running is never deleted. Returns the
        number of batches deleted.
        """
        cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT id, created, status, owner_host, owner_pid, owner_started "
                "FROM batches ORDER BY id DESC"
            ).fetchall()
        doomed = [
            bid
            for n, (bid, created, status, host, pid, started) in enumerate(rows)
            if ((keep is not None and n >= keep) or (cutoff is not None and created < cutoff))
            and not (status == "running" and owner.alive(host, pid, started))
        ]
        if doomed:
            with self._lock, transaction(self._conn) as conn:
                for bid in doomed:
                    writes.delete_batch(conn, bid)
        return len(doomed)


def _stat(path: str) -> tuple[int | None, float | None]:
    """Size and mtime now; ``(None, None)`` for an input that vanished (it counts as changed)."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return st.st_size, st.st_mtime
