"""The watch rules' progress, kept in the history database beside the batches it started.

Two tables of their own, created here and read only here, so they follow no
version of the history's schema::

    watch_files    one row per input a rule has seen through to a task:
                   rule, path, the size/mtime/digest it had when queued,
                   its state (queued, done, failed, skipped, cancelled),
                   and the batch and task that ran it
    watch_outputs  the files the rules' tasks wrote: never inputs

A row in state ``queued`` whose task never ended (a crash) is run again by
the next start; a row in an ending state is not, while the file keeps the
size and mtime (or digest) it was queued with.

Paths are stored as ``os.fsencode`` bytes, so any file name, decodable or
not, is one exact key.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BUSY_TIMEOUT = 10.0  # seconds to wait while the engine's recorder holds the write lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_files (
    rule TEXT NOT NULL,
    path BLOB NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT,
    state TEXT NOT NULL,
    batch_id INTEGER,
    task_id INTEGER,
    updated REAL NOT NULL,
    PRIMARY KEY (rule, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS watch_outputs (
    path BLOB PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
) WITHOUT ROWID;
"""

QUEUED = "queued"
ENDED = ("done", "failed", "skipped", "cancelled")


class LedgerError(RuntimeError):
    """The history database cannot keep the rules' progress."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """What tells one content of a file from another."""

    size: int
    mtime_ns: int
    digest: str | None = None

    def same_content(self, other: Stamp, by_digest: bool) -> bool:
        """Whether ``other`` is this content (by digest when asked and both have one)."""
        if by_digest and self.digest and other.digest:
            return self.digest == other.digest
        return self.size == other.size and self.mtime_ns == other.mtime_ns


@dataclass(frozen=True, slots=True)
class Seen:
    """A rule's row for one path."""

    stamp: Stamp
    state: str


class Ledger:
    """One connection to the rules' tables; used by the thread that opened it.

    Writes are kept until ``commit``, which writes them in one short
    transaction: the engine's recorder writes to the same file and must never
    wait long for its lock.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._writes: list[tuple[str, list[tuple[Any, ...]]]] = []

    @classmethod
    def open(cls, path: str) -> Ledger:
        """Open the history database at ``path`` and add the watch tables if missing.

        The history is opened through its own store first, which creates or
        migrates it: a file made here first would not be recognised as history.
        """
        from core.store import JobStore, StoreError

        try:
            JobStore.open(path).close()
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
            conn.executescript(_SCHEMA)
        except (StoreError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot keep watch progress in {path}: {exc}") from exc
        return cls(conn)

    def close(self) -> None:
        self.commit()
        self._conn.close()

    def commit(self) -> None:
        """Write what was noted since the last commit, in one transaction."""
        if not self._writes:
            return
        writes, self._writes = self._writes, []
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, rows in writes:
                self._conn.executemany(sql, rows)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _note(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self._writes and self._writes[-1][0] == sql:
            self._writes[-1][1].extend(rows)
        else:
            self._writes.append((sql, rows))

    def seen(self, rule: str, path: str) -> Seen | None:
        """The rule's committed row for ``path``, if any."""
        row = self._conn.execute(
            "SELECT size, mtime_ns, digest, state FROM watch_files WHERE rule = ? AND path = ?",
            (rule, os.fsencode(path)),
        ).fetchone()
        return None if row is None else Seen(Stamp(row[0], row[1], row[2]), row[3])

    def is_output(self, path: str, stamp: Stamp) -> bool:
        """Whether a rule's task wrote ``path`` with exactly this size and mtime (as committed)."""
        row = self._conn.execute(
            "SELECT size, mtime_ns FROM watch_outputs WHERE path = ?", (os.fsencode(path),)
        ).fetchone()
        return row is not None and (row[0], row[1]) == (stamp.size, stamp.mtime_ns)

    def queued(self, rule: str, items: Iterable[tuple[str, Stamp, int, int]]) -> None:
        """Note ``(path, stamp, batch_id, task_id)`` as handed to the engine."""
        now = time.time()
        rows = [
            (rule, os.fsencode(p), s.size, s.mtime_ns, s.digest, QUEUED, b, t, now) for p, s, b, t in items
        ]
        self._note("INSERT OR REPLACE INTO watch_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def ended(self, rule: str, path: str, state: str) -> None:
        """Note how the task of ``path`` ended."""
        self._note(
            "UPDATE watch_files SET state = ?, updated = ? WHERE rule = ? AND path = ?",
            [(state, time.time(), rule, os.fsencode(path))],
        )

    def forget(self, rule: str, path: str) -> None:
        """Drop the row of ``path``: its task never ran, so the file counts as unseen."""
        self._note("DELETE FROM watch_files WHERE rule = ? AND path = ?", [(rule, os.fsencode(path))])

    def same_as_done(self, rule: str, path: str, stamp: Stamp) -> None:
        """Note that ``path`` has new stamps but the content of its ended task (by digest)."""
        self._note(
            "UPDATE watch_files SET size = ?, mtime_ns = ?, updated = ? WHERE rule = ? AND path = ?",
            [(stamp.size, stamp.mtime_ns, time.time(), rule, os.fsencode(path))],
        )

    def outputs(self, files: Iterable[tuple[str, Stamp]]) -> None:
        """Note files the rules' tasks wrote."""
        rows = [(os.fsencode(p), s.size, s.mtime_ns) for p, s in files]
        if rows:
            self._note("INSERT OR REPLACE INTO watch_outputs VALUES (?, ?, ?)", rows)

    def counts(self, rule: str) -> dict[str, int]:
        """How many of the rule's inputs are in each state (as committed)."""
        rows = self._conn.execute(
            "SELECT state, COUNT(*) FROM watch_files WHERE rule = ? GROUP BY state", (rule,)
        )
        return dict(rows.fetchall())
