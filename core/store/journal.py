"""The task journal: what happened to the tasks of a new batch before their rows exist.

A row per finished task costs ~7 us on the engine thread (building it, and
SQLite's INSERT with its index), which on a small machine comes straight out
of the workers' time: 20,000 small files took 40% longer with history on. So
while a new batch runs, the recorder appends what happened to its tasks that
have no row yet to ``task_journal``: one value per commit holding every
record of it, marshalled in one C call (~0.5 us a task). It is committed like
any row (``synchronous=FULL``), so nothing is lost in a crash.

Rows are written from it later, by :func:`fold`: when the engine is idle,
when a batch's journal grows past ``FOLD_RECORDS``, before a resume or retry,
and when the history recovers the batch of a dead process. Until then the
views read the journal over the batch's input list (:func:`overlay`), so
they always show every task as it is.

A record is ``[task_id, state, failure, failure_kind, attempt, started,
ended, pid, result, outputs, log_dropped, size, mtime]``: the recorder's
pending row of a task as it is, ``result`` and ``outputs`` still as plain data
(JSON is made when the row is written) and ``failure`` as JSON.
A later record of a task replaces an earlier one, but their ``log_dropped``
add up; a record whose state is ``None`` only adds dropped log lines.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from core.store.codec import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from core.store.inputs import Inputs

# Written with marshal's version 4 whatever Python writes it: every Python since
# 3.4 reads it back, so a database moves between Python versions.
MARSHAL_VERSION = 4
FOLD_RECORDS = 50_000  # records a batch's journal may hold before its rows are written

QUEUED_SQL = "INSERT INTO tasks (id, batch_id, idx, path, size, mtime) VALUES (?, ?, ?, ?, ?, ?)"
WHOLE_SQL = (
    "INSERT INTO tasks (id, batch_id, idx, path, size, mtime, state, failure, failure_kind, attempts, "
    "started, ended, pid, result, outputs, log_dropped) VALUES (" + ", ".join("?" * 16) + ")"
)
_UPDATE_SQL = (
    "UPDATE tasks SET state = ?, failure = ?, failure_kind = ?, "
    "attempts = attempt_base + ?, started = ?, ended = ?, pid = ?, result = ?, outputs = ?, "
    "log_dropped = log_dropped + ?, size = coalesce(size, ?), mtime = coalesce(mtime, ?) WHERE id = ?"
)
_DROPPED_SQL = "UPDATE tasks SET log_dropped = log_dropped + ? WHERE id = ?"


def pack(records: list[Any]) -> bytes:
    """One journal value for ``records``.

    A result holding something marshal cannot write (results are plain data,
    but a plugin may return more) is turned into its JSON text first.
    """
    try:
        return marshal.dumps(records, MARSHAL_VERSION)
    except ValueError:
        return marshal.dumps([_as_json(r) for r in records], MARSHAL_VERSION)


def _as_json(record: Sequence[Any]) -> list[Any]:
    result = record[8]
    return (
        list(record)
        if result is None or isinstance(result, str)
        else [*record[:8], dumps(result), *record[9:]]
    )


def append(conn: sqlite3.Connection, batch_id: int, records: list[Any]) -> None:
    """Journal ``records`` of batch ``batch_id`` (inside the caller's transaction)."""
    conn.execute("INSERT INTO task_journal (batch_id, records) VALUES (?, ?)", (batch_id, pack(records)))


def merge(values: Iterable[bytes]) -> dict[int, list[Any]]:
    """The latest record of each task in journal values (oldest first), by task id."""
    merged: dict[int, list[Any]] = {}
    for value in values:
        for record in marshal.loads(value):
            i = record[0]
            before = merged.get(i)
            if before is None:
                merged[i] = list(record)
            elif record[1] is None:
                before[10] += record[10]
            else:
                dropped = before[10] + record[10]
                merged[i] = list(record)
                merged[i][10] = dropped
    return merged


def states(conn: sqlite3.Connection, batch_id: int) -> dict[int, int]:
    """The latest state of each task the journal of a batch names, by task id (cheaper than ``read``)."""
    latest: dict[int, int] = {}
    for value in _values(conn, batch_id):
        latest.update({r[0]: r[1] for r in marshal.loads(value) if r[1] is not None})
    return latest


def read(conn: sqlite3.Connection, batch_id: int) -> dict[int, list[Any]]:
    """The journal of a batch, merged (empty when it has none)."""
    return merge(_values(conn, batch_id))


def _values(conn: sqlite3.Connection, batch_id: int) -> Iterator[bytes]:
    """The journal values of a batch, oldest first."""
    rows = conn.execute("SELECT records FROM task_journal WHERE batch_id = ? ORDER BY seq", (batch_id,))
    return (value for (value,) in rows)


def latest(conn: sqlite3.Connection, batch_id: int) -> int:
    """The last journal entry of a batch (0 when none): it changes whenever the journal does."""
    row = conn.execute("SELECT max(seq) FROM task_journal WHERE batch_id = ?", (batch_id,)).fetchone()
    return int(row[0] or 0)


def written_rows(conn: sqlite3.Connection, batch_id: int) -> int:
    """How many task rows a batch has: rows are written in order, so they are its first ones."""
    return int(conn.execute("SELECT count(*) FROM tasks WHERE batch_id = ?", (batch_id,)).fetchone()[0])


def row_tail(record: Sequence[Any]) -> tuple[Any, ...]:
    """The columns of ``WHOLE_SQL`` after the first six, from a merged record."""
    (_, state, failure, kind, attempt, started, ended, pid, result, outputs, dropped) = record[:11]
    if result is not None and not isinstance(result, str):
        result = dumps(result)
    return (
        0 if state is None else state,
        failure,
        kind,
        attempt or 0,
        started,
        ended,
        pid,
        result,
        None if outputs is None else dumps(list(outputs)),
        dropped,
    )


def whole_row(queued: tuple[Any, ...], record: Sequence[Any]) -> tuple[Any, ...]:
    """A task's row for ``WHOLE_SQL`` from its queued row and its merged record.

    The size and mtime at queue time stay; a walk that did not stat the
    inputs leaves them to what the worker saw.
    """
    size = queued[4] if queued[4] is not None else _seen(record[11])
    mtime = queued[5] if queued[5] is not None else record[12]
    return (*queued[:4], size, mtime, *row_tail(record))


def _seen(size: int | None) -> int | None:
    return size if size is not None and size >= 0 else None


def view_row(queued: tuple[Any, ...], record: Sequence[Any]) -> tuple[Any, ...]:
    """A task's row as the views read it (``TASK_COLUMNS``), from its queued row and record."""
    row = whole_row(queued, record)
    # WHOLE_SQL has failure_kind after failure; the views' columns end with ``changed``.
    return (*row[:8], *row[9:], 0)


def fold(conn: sqlite3.Connection, found: Inputs) -> int:
    """Write the rows the journal of a batch describes, and empty it; return the rows now written.

    ``found`` is the batch's input list. Rows are written up to the last task
    the journal names, the queued ones between too; rows that exist are
    updated (another process may have written some since a recorder last
    looked). Runs inside the caller's transaction.
    """
    batch_id = found.batch_id
    written = written_rows(conn, batch_id)
    merged = read(conn, batch_id)
    if not merged:
        return written
    first = found.first
    stop = max(merged) - first + 1
    queued: list[tuple[Any, ...]] = []
    whole: list[tuple[Any, ...]] = []
    for i in range(written, stop):
        record = merged.pop(first + i, None)
        if record is None:
            queued.append(found.row(i))
        else:
            whole.append(whole_row(found.row(i), record))
    conn.executemany(QUEUED_SQL, queued)
    conn.executemany(WHOLE_SQL, whole)
    # Tasks whose rows existed before their records were journaled.
    for tid, record in merged.items():
        if record[1] is None:
            conn.execute(_DROPPED_SQL, (record[10], tid))
        else:
            conn.execute(_UPDATE_SQL, (*row_tail(record), _seen(record[11]), record[12], tid))
    conn.execute("DELETE FROM task_journal WHERE batch_id = ?", (batch_id,))
    return max(written, stop)
