"""The input list of a batch whose task rows are not all written yet.

Writing one row per task when a batch is opened costs ~5 us a row on the
engine thread before the first task can start: a second and more for a
large drop. So a new batch stores its input paths once, as one compressed
value in ``batch_inputs``, and its task rows are written in order as the
batch goes: a task that ends before its row exists gets its row whole, in
one ``INSERT`` instead of an insert and an update. Whatever is left is
written when the engine is idle, when the run ends, or, after a crash, by the
next process that opens the history (``write_rest``), so no task is lost.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence

from core.store.codec import text_in

QUEUED_SQL = "INSERT INTO tasks (id, batch_id, idx, path, size, mtime) VALUES (?, ?, ?, ?, ?, ?)"


def pack_paths(paths: Sequence[str]) -> bytes:
    """The paths as one compressed value (file names never hold a NUL byte)."""
    return zlib.compress(b"\0".join(map(os.fsencode, paths)), 1)


def unpack_paths(blob: bytes) -> list[str]:
    """Inverse of :func:`pack_paths`."""
    raw = zlib.decompress(blob)
    return [os.fsdecode(p) for p in raw.split(b"\0")] if raw else []


def absolute(path: str, cwd: str) -> str:
    """``path`` made absolute against ``cwd`` (stored so, a resume elsewhere finds the inputs)."""
    if (_POSIX and path[:1] == "/") or os.path.isabs(path):  # the first test settles most
        return path
    return os.path.normpath(os.path.join(cwd, path))


class Absolutes:
    """:func:`absolute` for the many paths of a batch, normalising each folder once.

    A batch's inputs share a few folders: joining and normalising the folder
    per file cost more than writing the file's row.
    """

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self._folders: dict[str, str] = {}  # relative folder -> absolute, ending in "/"

    def __call__(self, path: str) -> str:
        if not _POSIX or path[:1] == "/":
            return absolute(path, self.cwd)
        folder, _, name = path.rpartition("/")
        if name in ("", ".", ".."):
            return absolute(path, self.cwd)  # not a plain file name: the general rule
        base = self._folders.get(folder)
        if base is None:
            base = os.path.join(os.path.normpath(os.path.join(self.cwd, folder)), "")
            self._folders[folder] = base
        return base + name


_POSIX = os.sep == "/"


def save(conn: sqlite3.Connection, batch_id: int, paths: Sequence[str], cwd: str) -> None:
    """Keep the input list of a new batch (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO batch_inputs (batch_id, cwd, paths) VALUES (?, ?, ?)", (batch_id, cwd, pack_paths(paths))
    )


def queued_rows(
    batch_id: int, first: int, paths: Sequence[str], cwd: str, start: int, stop: int
) -> Iterator[tuple[object, ...]]:
    """Rows of queued tasks ``start`` to ``stop`` (indexes in the batch), for ``QUEUED_SQL``."""
    made_absolute = Absolutes(cwd)
    for i in range(start, stop):
        yield first + i, batch_id, i, text_in(made_absolute(paths[i])), None, None


# What a queued task's row holds besides (id, batch_id, idx, path, size, mtime): the
# defaults of the remaining TASK_COLUMNS (state queued, no failure, no attempt, ...).
QUEUED_TAIL = (0, None, 0, None, None, None, None, None, 0, 0)


def _rest(conn: sqlite3.Connection, batch_id: int) -> tuple[int, list[str], str, int] | None:
    """``(first task id, paths, cwd, rows written)`` of a batch with rows to write, else ``None``.

    Rows are always written in order, so the ones that exist are the first ``count(*)``.
    """
    row = conn.execute(
        "SELECT i.cwd, i.paths, b.first_task FROM batch_inputs i JOIN batches b ON b.id = i.batch_id "
        "WHERE i.batch_id = ?",
        (batch_id,),
    ).fetchone()
    if row is None:
        return None
    cwd, blob, first = row
    written = conn.execute("SELECT count(*) FROM tasks WHERE batch_id = ?", (batch_id,)).fetchone()[0]
    return first, unpack_paths(blob), cwd, written


def unwritten_rows(conn: sqlite3.Connection, batch_id: int, from_id: int) -> Iterator[tuple[object, ...]]:
    """The queued rows a running batch has not written yet, from task ``from_id`` on.

    Readers use this so a view of a running batch lists all its tasks: the
    missing ones are queued, with the paths kept in ``batch_inputs``. Call it
    inside the read transaction of the rows it completes (one snapshot).
    """
    rest = _rest(conn, batch_id)
    if rest is None:
        return
    first, paths, cwd, written = rest
    start = max(written, from_id - first)
    for queued in queued_rows(batch_id, first, paths, cwd, start, len(paths)):
        yield queued + QUEUED_TAIL


def missing_count(conn: sqlite3.Connection, batch_id: int) -> int:
    """How many task rows of a batch are not written yet (0 for a finished batch)."""
    row = conn.execute(
        "SELECT b.total - (SELECT count(*) FROM tasks WHERE batch_id = b.id) FROM batch_inputs i "
        "JOIN batches b ON b.id = i.batch_id WHERE i.batch_id = ?",
        (batch_id,),
    ).fetchone()
    return max(0, row[0]) if row else 0


def write_rest(conn: sqlite3.Connection, batch_id: int) -> None:
    """Write the task rows a batch still lacks, as queued (inside the caller's transaction)."""
    rest = _rest(conn, batch_id)
    if rest is None:
        return
    first, paths, cwd, written = rest
    conn.executemany(QUEUED_SQL, queued_rows(batch_id, first, paths, cwd, written, len(paths)))
    conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (batch_id,))
