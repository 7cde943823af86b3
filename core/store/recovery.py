"""Shared write steps: counting a batch's states, and recovering batches of dead processes."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from core.model import Failure, FailureKind, TaskState
from core.store import inputs, journal, owner
from core.store.codec import dumps, failure_in
from core.store.errors import StoreError
from core.store.schema import connect

INTERRUPTED = Failure(FailureKind.INTERRUPTED, "the app stopped while the task ran", retryable=True)


def count_states(
    conn: sqlite3.Connection, batch_id: int, journaled: dict[int, int] | None = None
) -> dict[str, int]:
    """Tasks of a batch per state label (from the ``(batch_id, state)`` index).

    The tasks of a batch whose rows are not written yet count as its journal
    says (``journaled``: its states by task id, if the caller knows them), else
    as queued.
    """
    rows = conn.execute("SELECT state, count(*) FROM tasks WHERE batch_id = ? GROUP BY state", (batch_id,))
    counts = {TaskState(state).label: n for state, n in rows}
    total = inputs.unwritten_total(conn, batch_id)
    if total is not None:
        written = sum(counts.values())  # always the batch's first rows
        latest = journal.states(conn, batch_id) if journaled is None else journaled
        if written:
            (first,) = conn.execute("SELECT first_task FROM batches WHERE id = ?", (batch_id,)).fetchone()
            unwritten: Iterable[int] = (s for tid, s in latest.items() if tid >= first + written)
        else:
            unwritten = latest.values()
        for state, n in Counter(unwritten).items():
            label = TaskState(state).label
            counts[label] = counts.get(label, 0) + n
        queued = TaskState.QUEUED.label
        counts[queued] = counts.get(queued, 0) + total - sum(counts.values())
    return counts


def store_counts(conn: sqlite3.Connection, batch_id: int, journaled: dict[int, int] | None = None) -> None:
    """Save a batch's counts on its row (in the caller's transaction); ``journaled``: see ``count_states``."""
    counts = count_states(conn, batch_id, journaled)
    conn.execute("UPDATE batches SET counts = ? WHERE id = ?", (dumps(counts), batch_id))


def connect_recovered(path: str, *, sync: str = "FULL") -> sqlite3.Connection:
    """Open (create, migrate) the history at ``path`` and recover the batches of dead processes.

    Raises
    ------
    StoreError
        With one line saying why the file cannot be used.
    """
    conn = connect(path, sync=sync)
    try:
        recover_dead(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"the history database {path} cannot be used: {exc}") from exc
    return conn


def recover_dead(conn: sqlite3.Connection) -> list[int]:
    """Mark batches left ``running`` by a dead process as interrupted; return their ids.

    Their running tasks become ``FAILED`` with an ``interrupted`` failure (a
    resume runs them again); queued tasks stay queued.
    """
    rows = conn.execute(
        "SELECT id, owner_host, owner_pid, owner_started FROM batches WHERE status = 'running'"
    ).fetchall()
    dead = [bid for bid, host, pid, started in rows if not owner.alive(host, pid, started)]
    if not dead:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for bid in dead:
            interrupt_batch(conn, bid)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return dead


def interrupt_batch(conn: sqlite3.Connection, batch_id: int, status: str = "interrupted") -> None:
    """End a batch whose run stopped without saying so (inside the caller's transaction)."""
    # Checked again under the write lock: another process may have recovered it.
    row = conn.execute(
        "SELECT status, run_started, first_task, total FROM batches WHERE id = ?", (batch_id,)
    ).fetchone()
    if row is None or row[0] != "running":
        return
    _, run_started, first, total = row
    inputs.fold_journal(conn, batch_id)  # what it journaled becomes rows, its running tasks too
    # Tasks its run had not written a row for are queued: they stay in its input list.
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
    last = conn.execute(
        "SELECT max(max(coalesce(ended, 0)), max(coalesce(started, 0))) FROM tasks WHERE id BETWEEN ? AND ?",
        (first, first + total - 1),
    ).fetchone()[0]
    ran = max(0.0, (last or 0.0) - run_started) if run_started else 0.0
    conn.execute(
        "UPDATE batches SET status = ?, elapsed = elapsed + ?, run_started = NULL, "
        "finished = NULL, owner_pid = NULL WHERE id = ?",
        (status, ran, batch_id),
    )
    store_counts(conn, batch_id)
