"""Opening the history for writing: batches left ``running`` by a dead process become interrupted."""

from __future__ import annotations

import sqlite3

from core.store import owner
from core.store.errors import StoreError
from core.store.schema import connect, transaction
from core.store.writes import interrupt_batch


def connect_recovered(path: str, *, sync: str = "FULL", create: bool = True) -> sqlite3.Connection:
    """Open (create, migrate) the history at ``path`` and recover the batches of dead processes.

    Raises
    ------
    StoreError
        With one line saying why the file cannot be used.
    """
    conn = connect(path, sync=sync, create=create)
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
    if dead:
        with transaction(conn):
            for bid in dead:
                interrupt_batch(conn, bid)
    return dead
