"""``JobStore``: the history database as the CLI and the desktop app read it.

Reads go through one connection guarded by a lock, so any thread may query.
The engine writes through its own connection (``recorder()``), opened on the
engine thread; WAL mode lets these reads run while it writes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator
from typing import Any, TextIO

from core.model import BatchSpec, TaskState
from core.store import inputs, owner
from core.store.codec import loads, options_out, text_out
from core.store.errors import StoreError
from core.store.location import ENV_VAR, default_db_path
from core.store.recorder import StoreRecorder
from core.store.recovery import connect_recovered, count_states, recover_dead
from core.store.rows import BATCH_COLUMNS, TASK_COLUMNS, BatchRow, LogRow, TaskRow, batch_row, task_row

__all__ = ["ENV_VAR", "PAGE", "JobStore", "default_db_path"]

PAGE = 5000  # rows per query when walking a whole batch


class JobStore:
    """The job history: batches, tasks and log lines in one SQLite file."""

    def __init__(self, path: str, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()
        self._inputs: dict[int, inputs.Inputs] = {}  # the last batch whose rows views filled in

    @classmethod
    def open(cls, path: str | None = None) -> JobStore:
        """Open (create, migrate) the history at ``path`` (default: ``default_db_path()``).

        Batches left running by a process that died are marked interrupted.

        Raises
        ------
        StoreError
            With one line saying why the file cannot be used.
        """
        path = path or default_db_path()
        return cls(path, connect_recovered(path))

    def compact(self) -> int:
        """Write the rows that the journals of batches no process runs describe; return how many batches.

        Views read journals as they are, so this only makes later reads
        cheaper; the history commands do it when they open the history.
        """
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT j.batch_id, b.status, b.owner_host, b.owner_pid, b.owner_started "
                "FROM task_journal j JOIN batches b ON b.id = j.batch_id"
            ).fetchall()
            idle = [r[0] for r in rows if not (r[1] == "running" and owner.alive(*r[2:]))]
            for batch_id in idle:
                _write(self._conn, inputs.fold_journal, batch_id)
        return len(idle)

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
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The read connection inside one read transaction: its queries see one moment.

        A running batch's rows and its list of rows still to write must be
        read together, or a row written in between would be seen twice or
        not at all.
        """
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def batches(self, limit: int = 200) -> list[BatchRow]:
        """The newest batches first."""
        rows = self._query(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY id DESC LIMIT ?", (limit,))
        return [self._batch(row) for row in rows]

    def batch(self, batch_id: int) -> BatchRow | None:
        """One batch, or ``None``."""
        rows = self._query(f"SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,))
        return self._batch(rows[0]) if rows else None

    def _batch(self, row: Any) -> BatchRow:
        live = None
        if row[7] == "running":  # counts of a running batch are counted now, from the index
            with self._lock:
                counts = count_states(self._conn, row[0])
            live = {s: counts.get(s.label, 0) for s in TaskState}
        return batch_row(row, live)

    def tasks(
        self,
        batch_id: int,
        states: Collection[TaskState] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TaskRow]:
        """Tasks of a batch in queue order, optionally only those in ``states``.

        The tasks of a batch that is running here or elsewhere are all listed,
        also those whose rows are not written yet (they are queued).
        """
        lim = -1 if limit is None else limit
        params: tuple[int, ...]
        with self._reading() as conn:
            if states is None:
                span = self._span(conn, batch_id)
                if span is None:
                    return []
                where, params = "id BETWEEN ? AND ?", span
            else:
                wanted = sorted({int(s) for s in states})
                where = f"batch_id = ? AND state IN ({', '.join('?' * len(wanted))})"
                params = (batch_id, *wanted)
            sql = f"SELECT {TASK_COLUMNS} FROM tasks WHERE {where} ORDER BY id LIMIT ? OFFSET ?"
            rows = conn.execute(sql, (*params, lim, offset)).fetchall()
            if lim < 0 or len(rows) < lim:
                wanted_states = None if states is None else frozenset(int(s) for s in states)
                rows += self._unwritten_page(
                    conn, batch_id, (where, params), wanted_states, lim - len(rows), offset, len(rows)
                )
        return [task_row(r) for r in rows]

    def _unwritten_page(
        self,
        conn: sqlite3.Connection,
        batch_id: int,
        written: tuple[str, tuple[Any, ...]],
        states: frozenset[int] | None,
        want: int,
        offset: int,
        got: int,
    ) -> list[Any]:
        """The unwritten rows in ``states`` that follow a page of written ones; ``want`` < 0: all.

        ``written`` is the condition (and its parameters) that chose the written rows.
        """
        if inputs.unwritten_total(conn, batch_id) is None:
            return []
        # They come after every written row: skip what the offset left of them.
        skip = 0
        if offset and not got:
            where, params = written
            matched = conn.execute(f"SELECT count(*) FROM tasks WHERE {where}", params).fetchone()[0]
            skip = max(0, offset - matched)
        rest = inputs.unwritten_rows(conn, batch_id, skip=skip, cache=self._inputs, states=states)
        return list(rest if want < 0 else itertools.islice(rest, want))

    def _span(self, conn: sqlite3.Connection, batch_id: int) -> tuple[int, int] | None:
        row = conn.execute("SELECT first_task, total FROM batches WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            return None
        first, total = row
        return first, first + total - 1

    def iter_tasks(self, batch_id: int) -> Iterator[TaskRow]:
        """Every task of a batch, read a page at a time (memory stays small).

        The rows a running batch has not written yet come last, as queued.
        """
        sql = f"SELECT {TASK_COLUMNS} FROM tasks WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?"
        with self._reading() as conn:
            span = self._span(conn, batch_id)
        if span is None:
            return
        start, last = span
        while start <= last:
            with self._reading() as conn:
                rows = conn.execute(sql, (start, last, PAGE)).fetchall()
                if not rows:
                    # In the same moment: the rows not written yet, if any (else none are left).
                    rows = list(
                        itertools.islice(
                            inputs.unwritten_rows(conn, batch_id, start, cache=self._inputs), PAGE
                        )
                    )
            if not rows:
                return
            yield from (task_row(r) for r in rows)
            start = rows[-1][0] + 1

    def task(self, task_id: int) -> TaskRow | None:
        """One task, or ``None``."""
        with self._reading() as conn:
            rows = conn.execute(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchall()
            if not rows:
                rows = _unwritten_task(conn, task_id)
        return task_row(rows[0]) if rows else None

    def log_lines(self, task_id: int, limit: int | None = None) -> list[LogRow]:
        """A task's log lines in order, over all its attempts."""
        rows = self._query(
            "SELECT task_id, attempt, seq, level, time, text FROM log_lines WHERE task_id = ? "
            "ORDER BY attempt, seq LIMIT ?",
            (task_id, -1 if limit is None else limit),
        )
        return [LogRow(t, a, s, lv, tm, text_out(tx)) for t, a, s, lv, tm, tx in rows]

    # ------------------------------------------------------------ running again
    def resume_spec(self, batch_id: int) -> BatchSpec | None:
        """A spec that runs the queued and interrupted tasks of a batch again, with their ids.

        Done tasks are never included. Each input is stat-ed now: the recorder
        compares size and mtime with queue time and flags a changed input (it
        is run again, never trusted). ``None`` if there is nothing to run.

        Raises
        ------
        StoreError
            If another live process is running the batch.
        """
        kind = "interrupted"
        where = f"(state = {int(TaskState.QUEUED)} OR (state = {int(TaskState.FAILED)} AND failure_kind = ?))"
        return self._spec(batch_id, where, (kind,), queued=True)

    def retry_spec(self, batch_id: int, *, failed: bool = True, cancelled: bool = False) -> BatchSpec | None:
        """A spec that runs the failed (and/or cancelled) tasks of a batch again; ``None`` if none."""
        states = [int(s) for s, on in ((TaskState.FAILED, failed), (TaskState.CANCELLED, cancelled)) if on]
        if not states:
            return None
        return self._spec(batch_id, f"state IN ({', '.join(map(str, states))})", ())

    def _spec(
        self, batch_id: int, where: str, params: tuple[Any, ...], *, queued: bool = False
    ) -> BatchSpec | None:
        with self._lock:
            recover_dead(self._conn)  # a process that died since we opened leaves running tasks
        rows = self._query(
            "SELECT job, params, options, output, extra, status, owner_host, owner_pid, owner_started "
            "FROM batches WHERE id = ?",
            (batch_id,),
        )
        if not rows:
            return None
        job, params_json, options, output, extra, status, host, pid, started = rows[0]
        if status == "running" and owner.alive(host, pid, started):
            raise StoreError(f"batch {batch_id} is still running (pid {pid})")
        with self._lock:
            _write(self._conn, inputs.fold_journal, batch_id)  # its journal becomes rows
        sql = f"SELECT id, path FROM tasks WHERE batch_id = ? AND {where} ORDER BY id"
        with self._reading() as conn:
            tasks = conn.execute(sql, (batch_id, *params)).fetchall()
            if queued:  # with the queued tasks its run left without a row (they come last)
                tasks += [(row[0], row[3]) for row in inputs.unwritten_rows(conn, batch_id, 0)]
        if not tasks:
            return None
        ids = [tid for tid, _ in tasks]
        paths = [text_out(p) for _, p in tasks]
        sizes, mtimes = _stat_all(paths)
        return BatchSpec(
            job=job,
            params=loads(params_json) or {},
            paths=paths,
            options=options_out(options),
            batch_id=batch_id,
            task_ids=ids,
            sizes=sizes,
            output=loads(output),
            extra=loads(extra) or {},
            mtimes=mtimes,
        )

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
        rows = self._query(
            "SELECT id, created, status, owner_host, owner_pid, owner_started, first_task, total "
            "FROM batches ORDER BY id DESC"
        )
        doomed = [
            (bid, first, total)
            for n, (bid, created, status, host, pid, started, first, total) in enumerate(rows)
            if ((keep is not None and n >= keep) or (cutoff is not None and created < cutoff))
            and not (status == "running" and owner.alive(host, pid, started))
        ]
        if doomed:
            with self._lock:
                _delete_batches(self._conn, doomed)
        return len(doomed)


def _unwritten_task(conn: sqlite3.Connection, task_id: int) -> list[Any]:
    """The row of a queued task whose row is not written yet, as a one-row list (or empty)."""
    row = conn.execute(
        "SELECT b.id FROM batches b JOIN batch_inputs i ON i.batch_id = b.id "
        "WHERE ? BETWEEN b.first_task AND b.first_task + b.total - 1",
        (task_id,),
    ).fetchone()
    if row is None:
        return []
    return [r for r in itertools.islice(inputs.unwritten_rows(conn, row[0], task_id), 1) if r[0] == task_id]


def _write(conn: sqlite3.Connection, write: Callable[..., None], *args: Any) -> None:
    """Run ``write(conn, *args)`` in one write transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        write(conn, *args)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _delete_batches(conn: sqlite3.Connection, doomed: list[tuple[int, int, int]]) -> None:
    def delete(conn: sqlite3.Connection) -> None:
        for bid, first, total in doomed:
            last = first + total - 1
            conn.execute("DELETE FROM log_lines WHERE task_id BETWEEN ? AND ?", (first, last))
            conn.execute("DELETE FROM tasks WHERE id BETWEEN ? AND ?", (first, last))
            conn.execute("DELETE FROM task_journal WHERE batch_id = ?", (bid,))
            conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (bid,))
            conn.execute("DELETE FROM batches WHERE id = ?", (bid,))

    _write(conn, delete)


def _stat_all(paths: list[str]) -> tuple[list[int], list[float]]:
    """Sizes and mtimes now; a vanished input gets size 0 and mtime -1 (so it counts as changed)."""
    sizes, mtimes = [], []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            sizes.append(0)
            mtimes.append(-1.0)
            continue
        sizes.append(st.st_size)
        mtimes.append(st.st_mtime)
    return sizes, mtimes
