"""Every statement that changes the history, each written once; all run inside the caller's transaction.

The recorder (a running engine), the recovery of dead processes' batches and
``JobStore`` (prune) share these, so a task row is always written the same way.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.model import BatchSpec, Failure, FailureKind, TaskState
from core.store import inputs, owner
from core.store.codec import dumps, failure_in, options_in

INTERRUPTED = Failure(FailureKind.INTERRUPTED, "the app stopped while the task ran", retryable=True)
INTERRUPTED_LABEL = "interrupted"  # a failed task whose run was cut short: counted apart

LogLine = tuple[int, int, int, int, float, str | bytes]
"""A stored log line: ``(task_id, attempt, seq, level, time, text)``."""


@dataclass(slots=True)
class TaskUpdate:
    """What happened to a task last, as its row will hold it (JSON already made)."""

    state: int
    attempt: int
    started: float | None = None
    ended: float | None = None
    pid: int | None = None
    failure: str | None = None
    failure_kind: str | None = None
    result: str | None = None
    outputs: str | None = None
    size: int | None = None  # the input as the worker saw it, if it did
    mtime: float | None = None

    def values(self) -> tuple[object, ...]:
        """The values of ``_UPDATE_SQL`` and of ``_WHOLE_SQL`` after the queued columns."""
        return (
            self.state,
            self.failure,
            self.failure_kind,
            self.attempt,
            self.started,
            self.ended,
            self.pid,
            self.result,
            self.outputs,
        )


_QUEUED_SQL = "INSERT INTO tasks (id, batch_id, idx, path, size, mtime) VALUES (?, ?, ?, ?, ?, ?)"
_WHOLE_SQL = (
    "INSERT INTO tasks (id, batch_id, idx, path, size, mtime, state, failure, failure_kind, attempts, "
    "started, ended, pid, result, outputs) VALUES (" + ", ".join("?" * 15) + ")"
)
_UPDATE_SQL = (
    "UPDATE tasks SET state = ?, failure = ?, failure_kind = ?, attempts = attempt_base + ?, started = ?, "
    "ended = ?, pid = ?, result = ?, outputs = ?, size = coalesce(?, size), mtime = coalesce(?, mtime) "
    "WHERE id = ?"
)
_DROPPED_SQL = "UPDATE tasks SET log_dropped = log_dropped + ? WHERE id = ?"
_LOG_SQL = (
    "INSERT OR IGNORE INTO log_lines (task_id, attempt, seq, level, time, text) VALUES (?, ?, ?, ?, ?, ?)"
)
# A task run again starts clean; its earlier attempts' log lines stay (numbered below attempt_base).
# ``changed``: the input's size or mtime now differs from the last the history saw.
_REOPEN_SQL = (
    "UPDATE tasks SET state = 0, failure = NULL, failure_kind = NULL, attempt_base = attempts, "
    "started = NULL, ended = NULL, pid = NULL, result = NULL, outputs = NULL, "
    "changed = changed OR (?1 AND size IS NOT NULL AND (size IS NOT ?2 OR mtime IS NOT ?3)), "
    "size = CASE WHEN ?1 THEN ?2 ELSE size END, mtime = CASE WHEN ?1 THEN ?3 ELSE mtime END "
    "WHERE id = ?4 AND batch_id = ?5 "
    "AND (state != 2 OR (?1 AND size IS NOT NULL AND (size IS NOT ?2 OR mtime IS NOT ?3)))"
)


# ------------------------------------------------------------ batches
def insert_batch(conn: sqlite3.Connection, spec: BatchSpec, floor: int = 1) -> inputs.Inputs:
    """Insert a new batch running here and its input list; return the list.

    Its task ids start at ``floor`` or later (a caller that ran batches the
    history could not take keeps their ids apart).
    """
    n = len(spec.paths)
    first = max(floor, int(conn.execute("SELECT value FROM meta WHERE key = 'next_task'").fetchone()[0]))
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
    found = inputs.Inputs(int(cur.lastrowid or 0), first, spec.paths, os.getcwd(), spec.sizes, spec.mtimes)
    if n:
        found.save(conn)
    return found


def mark_running(conn: sqlite3.Connection, batch_id: int, extra: Mapping[str, object] | None = None) -> None:
    """The batch runs (again) in this process; ``extra``, if given, replaces its extra (where it runs)."""
    host, pid, started = owner.current()
    conn.execute(
        "UPDATE batches SET status = 'running', finished = NULL, run_started = ?, owner_host = ?, "
        "owner_pid = ?, owner_started = ? WHERE id = ?",
        (time.time(), host, pid, started, batch_id),
    )
    if extra is not None:
        conn.execute("UPDATE batches SET extra = ? WHERE id = ?", (dumps(dict(extra)), batch_id))


def end_batch(conn: sqlite3.Connection, batch_id: int, status: str, elapsed: float) -> None:
    """The batch's run ended (``status``: finished, stopped or interrupted); it ran ``elapsed`` s in all."""
    conn.execute(
        "UPDATE batches SET status = ?, finished = ?, elapsed = ?, run_started = NULL, "
        "owner_pid = NULL WHERE id = ?",
        (status, None if status == "interrupted" else time.time(), max(0.0, elapsed), batch_id),
    )
    conn.execute(
        "UPDATE batches SET counts = ? WHERE id = ?", (dumps(count_states(conn, batch_id)), batch_id)
    )


def count_states(conn: sqlite3.Connection, batch_id: int, *, marks: bool = True) -> dict[str, int]:
    """Tasks of a batch per state label, ``interrupted`` apart from ``failed`` (from the index).

    Tasks without a row yet are queued, or cancelled past the list's cancel mark (``core.store.inputs``;
    ``marks=False``: a database older than the marks).
    """
    counts: dict[str, int] = {}
    rows = conn.execute(
        "SELECT state, failure_kind = ? AND state = ?, count(*) FROM tasks WHERE batch_id = ? GROUP BY 1, 2",
        (INTERRUPTED.kind.value, int(TaskState.FAILED), batch_id),
    )
    for state, interrupted, n in rows:
        label = INTERRUPTED_LABEL if interrupted else TaskState(state).label
        counts[label] = counts.get(label, 0) + n
    total = conn.execute("SELECT total FROM batches WHERE id = ?", (batch_id,)).fetchone()
    written = sum(counts.values())
    missing = (total[0] if total else 0) - written
    if missing > 0:
        mark = inputs.cancel_mark(conn, batch_id) if marks else None
        cancelled = 0 if mark is None else min(missing, total[0] - max(mark.start, written))
        for state, n in ((TaskState.QUEUED, missing - cancelled), (TaskState.CANCELLED, cancelled)):
            if n:
                counts[state.label] = counts.get(state.label, 0) + n
    return counts


def rows_written(conn: sqlite3.Connection, batch_id: int) -> int:
    """How many task rows a batch has: rows are written in queue order, so they are its first ones."""
    return int(conn.execute("SELECT count(*) FROM tasks WHERE batch_id = ?", (batch_id,)).fetchone()[0])


# ------------------------------------------------------------ tasks
def write_rows(
    conn: sqlite3.Connection, found: inputs.Inputs, front: int, stop: int, updates: Mapping[int, TaskUpdate]
) -> None:
    """Write the rows of tasks ``front .. stop-1`` (indexes in the batch): as ``updates`` says, else queued.

    A task past the list's cancel mark without an update is written cancelled.
    The list is deleted once every row exists.
    """
    queued, whole = [], []
    mark = found.cancelled
    cut = stop if mark is None else max(front, min(stop, mark.start))
    for i in range(front, stop):
        row = found.row(i)
        update = updates.get(found.first + i)
        if update is None and i >= cut:
            assert mark is not None
            update = TaskUpdate(int(TaskState.CANCELLED), 0, ended=mark.time)
        if update is None:
            queued.append(row)
        else:
            size = update.size if update.size is not None else row[4]
            mtime = update.mtime if update.mtime is not None else row[5]
            whole.append((*row[:4], size, mtime, *update.values()))
    conn.executemany(_QUEUED_SQL, queued)
    conn.executemany(_WHOLE_SQL, whole)
    if stop >= len(found.paths):
        inputs.delete(conn, found.batch_id)


def cancel_rows(conn: sqlite3.Connection, first: int, stop: int, when: float) -> None:
    """The rows of tasks ``first .. stop-1`` (ids), queued, are cancelled at ``when`` (never having run)."""
    conn.execute(
        "UPDATE tasks SET state = ?, failure = NULL, failure_kind = NULL, started = NULL, ended = ?, "
        "pid = NULL, result = NULL, outputs = NULL WHERE id >= ? AND id < ?",
        (int(TaskState.CANCELLED), when, first, stop),
    )


def update_rows(conn: sqlite3.Connection, updates: Iterable[tuple[int, TaskUpdate]]) -> None:
    """Update existing task rows."""
    conn.executemany(_UPDATE_SQL, ((*u.values(), u.size, u.mtime, tid) for tid, u in updates))


def add_dropped(conn: sqlite3.Connection, dropped: Iterable[tuple[int, int]]) -> None:
    """Count log lines that were not kept, per ``(task id, lines)``."""
    conn.executemany(_DROPPED_SQL, ((n, tid) for tid, n in dropped))


def reopen(conn: sqlite3.Connection, spec: BatchSpec, ids: list[int]) -> int:
    """Put tasks of a resumed batch back in the queue; return how many rows were reopened.

    A done task is reopened only when its input changed (``spec``'s sizes and
    mtimes, taken now, differ from those its run saw).
    """
    sizes, mtimes = spec.sizes, spec.mtimes
    check = sizes is not None and mtimes is not None
    rows = (
        (
            check,
            sizes[i] if sizes is not None else None,
            mtimes[i] if mtimes is not None else None,
            tid,
            spec.batch_id,
        )
        for i, tid in enumerate(ids)
    )
    return conn.executemany(_REOPEN_SQL, rows).rowcount


# ------------------------------------------------------------ log lines
def insert_logs(conn: sqlite3.Connection, lines: list[LogLine]) -> None:
    """Insert log lines."""
    conn.executemany(_LOG_SQL, lines)


def cut_log_middle(conn: sqlite3.Connection, task_id: int, head: int, excess: int) -> None:
    """Delete ``excess`` lines after a task's first ``head`` ones, and count them as not kept."""
    conn.execute(
        "DELETE FROM log_lines WHERE task_id = ?1 AND (attempt, seq) IN "
        "(SELECT attempt, seq FROM log_lines WHERE task_id = ?1 ORDER BY attempt, seq LIMIT ?3 OFFSET ?2)",
        (task_id, head, excess),
    )
    conn.execute(_DROPPED_SQL, (excess, task_id))


def log_state(conn: sqlite3.Connection, task_id: int) -> tuple[int, int]:
    """Lines stored for a task, and its attempt base (a resumed task's attempts start past it)."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM log_lines WHERE task_id = ?1), attempt_base FROM tasks WHERE id = ?1",
        (task_id,),
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


# ------------------------------------------------------------ recovery
def interrupt_batch(conn: sqlite3.Connection, batch_id: int, status: str = "interrupted") -> None:
    """End a batch whose run stopped without saying so: its running tasks become interrupted."""
    # Checked again under the write lock: another process may have recovered it.
    row = conn.execute(
        "SELECT status, run_started, elapsed FROM batches WHERE id = ?", (batch_id,)
    ).fetchone()
    if row is None or row[0] != "running":
        return
    conn.execute(
        "UPDATE tasks SET state = ?, failure = ?, failure_kind = ? WHERE batch_id = ? AND state = ?",
        (
            int(TaskState.FAILED),
            failure_in(INTERRUPTED),
            INTERRUPTED.kind.value,
            batch_id,
            int(TaskState.RUNNING),
        ),
    )
    # The run lasted until the last thing it recorded.
    (last,) = conn.execute(
        "SELECT max(max(coalesce(ended, 0)), max(coalesce(started, 0))) FROM tasks WHERE batch_id = ?",
        (batch_id,),
    ).fetchone()
    ran = max(0.0, (last or 0.0) - row[1]) if row[1] else 0.0
    end_batch(conn, batch_id, status, (row[2] or 0.0) + ran)


def delete_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """Delete a batch with its tasks, log lines and input list."""
    conn.execute(
        "DELETE FROM log_lines WHERE task_id IN (SELECT id FROM tasks WHERE batch_id = ?)", (batch_id,)
    )
    conn.execute("DELETE FROM tasks WHERE batch_id = ?", (batch_id,))
    inputs.delete(conn, batch_id)
    conn.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
