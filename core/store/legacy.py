"""Reading the task journal of schema 5, once, to turn it into task rows (the migration to 6).

Schema 5 kept what happened to a new batch's tasks that had no row yet in
``task_journal``: one ``marshal`` value (version 4) per commit, a list of
records ``[task_id, state, failure, failure_kind, attempt, started, ended,
pid, result, outputs, log_dropped, size, mtime]`` where ``result`` and
``outputs`` are plain data (or a result's JSON text) and ``failure`` is JSON. A
later record of a task replaces an earlier one but their ``log_dropped`` add
up; a record whose state is ``None`` only adds dropped lines. Nothing writes
this form any more.
"""

from __future__ import annotations

import marshal
import sqlite3
from typing import Any

from core.store import inputs, writes
from core.store.codec import dumps


def fold_journals(conn: sqlite3.Connection) -> None:
    """Write the rows every batch's journal describes (inside the migration's transaction)."""
    batches = [b for (b,) in conn.execute("SELECT DISTINCT batch_id FROM task_journal ORDER BY batch_id")]
    for batch_id in batches:
        values = conn.execute(
            "SELECT records FROM task_journal WHERE batch_id = ? ORDER BY seq", (batch_id,)
        ).fetchall()
        _fold(conn, batch_id, _merge(v for (v,) in values))


def _merge(values: Any) -> dict[int, list[Any]]:
    merged: dict[int, list[Any]] = {}
    for value in values:
        for record in marshal.loads(value):
            before = merged.get(record[0])
            if before is not None:
                dropped = before[10] + record[10]
                if record[1] is None:
                    before[10] = dropped
                    continue
                record = list(record)
                record[10] = dropped
            merged[record[0]] = list(record)
    return merged


def _update(record: list[Any]) -> writes.TaskUpdate:
    result = record[8]
    if result is not None and not isinstance(result, str):
        result = dumps(result)
    size = record[11] if record[11] is not None and record[11] >= 0 else None
    return writes.TaskUpdate(
        state=0 if record[1] is None else record[1],
        attempt=record[4] or 0,
        started=record[5],
        ended=record[6],
        pid=record[7],
        failure=record[2],
        failure_kind=record[3],
        result=result,
        outputs=None if record[9] is None else dumps(list(record[9])),
        size=size,
        mtime=record[12],
    )


def _fold(conn: sqlite3.Connection, batch_id: int, merged: dict[int, list[Any]]) -> None:
    found = inputs.read(conn, batch_id, marks=False)  # a schema 5 database: no cancel marks yet
    updates = {tid: _update(r) for tid, r in merged.items() if r[1] is not None}
    dropped = [(tid, r[10]) for tid, r in merged.items() if r[10]]
    if found is not None and merged:
        front = writes.rows_written(conn, batch_id)
        stop = max(merged) - found.first + 1
        if stop > front:
            writes.write_rows(conn, found, front, stop, updates)
        updates = {tid: u for tid, u in updates.items() if tid < found.first + front}
    writes.update_rows(conn, updates.items())
    writes.add_dropped(conn, dropped)
