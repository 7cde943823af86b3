"""The input list of a batch whose task rows are not all written yet.

Writing one row per task when a batch is opened costs ~5 us a row on the
engine thread before the first task can start: a second and more for a
large drop. So a new batch stores its input paths (and their queue-time
sizes and mtimes, when known) once, as compressed values in ``batch_inputs``;
what happens to its tasks goes to its journal (``core.store.journal``), and
their rows are written in order later: while the engine is idle, when the
journal grows long, before a resume. Tasks still queued when a run stops or
dies keep no row: the views read the missing rows from here and the journal
(``unwritten_rows``) and a resume writes them first (``write_rest``), so no
task is lost and stopping a run of a million files takes no time.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import zlib
from array import array

from core.store import journal
from core.store.codec import text_in
from core.store.journal import QUEUED_SQL

TYPE_CHECKING = False  # no ``typing`` at run time: a run loads this module before its first task
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

__all__ = ["QUEUED_SQL", "Inputs", "unwritten_rows", "unwritten_total", "write_rest"]


def pack_paths(paths: Sequence[str]) -> bytes:
    """The paths as one compressed value (file names never hold a NUL byte).

    Joined first, then encoded as ``os.fsencode`` would encode each: one call
    instead of one per path (~4 ms for 20,000 paths).
    """
    return zlib.compress("\0".join(paths).encode(_FS_ENCODING, _FS_ERRORS), 1)


def unpack_paths(blob: bytes) -> list[str]:
    """Inverse of :func:`pack_paths`."""
    raw = zlib.decompress(blob)
    return [os.fsdecode(p) for p in raw.split(b"\0")] if raw else []


def pack_numbers(values: Sequence[float] | None, code: str) -> bytes | None:
    """``values`` as one compressed little-endian array of ``code`` ("q" or "d"); ``None`` stays NULL."""
    if values is None:
        return None
    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return zlib.compress(packed.tobytes(), 1)


def unpack_numbers(blob: bytes | None, code: str) -> array | None:
    """Inverse of :func:`pack_numbers`."""
    if blob is None:
        return None
    values = array(code, zlib.decompress(blob))
    if sys.byteorder == "big":
        values.byteswap()
    return values


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
_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()


class Inputs:
    """The input list of one batch, as ``batch_inputs`` keeps it, and the queued rows it makes.

    ``sizes`` and ``mtimes`` are those at queue time (``None`` when the walk did
    not stat the files); relative paths are relative to ``cwd``.
    """

    def __init__(
        self,
        batch_id: int,
        first: int,
        paths: Sequence[str],
        cwd: str,
        sizes: Sequence[int] | None = None,
        mtimes: Sequence[float] | None = None,
    ) -> None:
        self.batch_id = batch_id
        self.first = first  # id of the batch's first task
        self.paths = paths
        self.cwd = cwd
        self.sizes = sizes
        self.mtimes = mtimes
        self.absolute = Absolutes(cwd)
        self.journal: tuple[int, dict[int, list[Any]]] = (0, {})  # (its latest entry, merged) as last read

    def save(self, conn: sqlite3.Connection) -> None:
        """Keep the input list of a new batch (inside the caller's transaction)."""
        conn.execute(
            "INSERT INTO batch_inputs (batch_id, cwd, paths, sizes, mtimes) VALUES (?, ?, ?, ?, ?)",
            (
                self.batch_id,
                self.cwd,
                pack_paths(self.paths),
                pack_numbers(self.sizes, "q"),
                pack_numbers(self.mtimes, "d"),
            ),
        )

    def row(self, i: int) -> tuple[Any, ...]:
        """The row of queued task ``i`` (its index in the batch), for ``QUEUED_SQL``."""
        sizes, mtimes = self.sizes, self.mtimes
        return (
            self.first + i,
            self.batch_id,
            i,
            text_in(self.absolute(self.paths[i])),
            sizes[i] if sizes is not None else None,
            mtimes[i] if mtimes is not None else None,
        )

    def queued_rows(self, start: int, stop: int) -> Iterator[tuple[Any, ...]]:
        """Rows of queued tasks ``start`` to ``stop`` (indexes in the batch), for ``QUEUED_SQL``."""
        return map(self.row, range(start, stop))


# What a queued task's row holds besides (id, batch_id, idx, path, size, mtime): the
# defaults of the remaining TASK_COLUMNS (state queued, no failure, no attempt, ...).
QUEUED_TAIL = (0, None, 0, None, None, None, None, None, 0, 0)


def _rest(
    conn: sqlite3.Connection, batch_id: int, cache: dict[int, Inputs] | None = None
) -> tuple[Inputs, int] | None:
    """The inputs of a batch with rows to write and how many rows it has, else ``None``.

    Rows are always written in order, so the ones that exist are the first
    ``count(*)``. ``cache`` keeps the inputs of the last batch read: they never
    change, and unpacking a million paths for every page of a view takes ~0.5 s.
    """
    head = conn.execute(
        "SELECT b.first_task FROM batch_inputs i JOIN batches b ON b.id = i.batch_id WHERE i.batch_id = ?",
        (batch_id,),
    ).fetchone()
    if head is None:
        return None
    written = journal.written_rows(conn, batch_id)
    found = cache.get(batch_id) if cache is not None else None
    if found is None:
        cwd, paths, sizes, mtimes = conn.execute(
            "SELECT cwd, paths, sizes, mtimes FROM batch_inputs WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        found = Inputs(
            batch_id,
            head[0],
            unpack_paths(paths),
            cwd,
            unpack_numbers(sizes, "q"),
            unpack_numbers(mtimes, "d"),
        )
        if cache is not None:
            cache.clear()
            cache[batch_id] = found
    return found, written


def unwritten_rows(
    conn: sqlite3.Connection,
    batch_id: int,
    from_id: int = 0,
    skip: int = 0,
    cache: dict[int, Inputs] | None = None,
    states: frozenset[int] | None = None,
) -> Iterator[tuple[object, ...]]:
    """The rows a batch has not written yet, from task ``from_id`` on, as the views read them.

    Readers use this so a view of a running (or stopped) batch lists all its
    tasks: the missing ones are as the batch's journal says, else queued, with
    the paths kept in ``batch_inputs``. Only tasks in ``states`` are listed,
    if given, and ``skip`` leaves out that many of those first. Call it
    inside the read transaction of the rows it completes (one snapshot).
    """
    rest = _rest(conn, batch_id, cache)
    if rest is None:
        return
    found, written = rest
    merged = _journal_of(conn, found)
    start = max(written, from_id - found.first)
    if not merged and (states is None or QUEUED in states):
        start = max(written + skip, from_id - found.first)  # every one is queued: skip by counting
        skip = 0
    for i in range(start, len(found.paths)):
        record = merged.get(found.first + i)
        row = found.row(i) + QUEUED_TAIL if record is None else journal.view_row(found.row(i), record)
        if states is not None and row[6] not in states:
            continue
        if skip:
            skip -= 1
            continue
        yield row


QUEUED = 0  # core.model.TaskState.QUEUED, without importing the model here


def _journal_of(conn: sqlite3.Connection, found: Inputs) -> dict[int, list[Any]]:
    """The merged journal of a batch, read again only when it changed since last time."""
    seq = journal.latest(conn, found.batch_id)
    if seq != found.journal[0]:
        found.journal = (seq, journal.read(conn, found.batch_id))
    return found.journal[1]


def unwritten_total(conn: sqlite3.Connection, batch_id: int) -> int | None:
    """The batch's number of tasks if some of their rows are not written yet, else ``None``.

    The input list is deleted with the last row written, so its presence says it.
    """
    row = conn.execute(
        "SELECT b.total FROM batch_inputs i JOIN batches b ON b.id = i.batch_id WHERE i.batch_id = ?",
        (batch_id,),
    ).fetchone()
    return None if row is None else int(row[0])


def write_rest(conn: sqlite3.Connection, batch_id: int) -> None:
    """Write the task rows a batch lacks, from its journal or as queued (inside the caller's transaction)."""
    rest = _rest(conn, batch_id)
    if rest is None:
        return
    found = rest[0]
    written = journal.fold(conn, found)
    conn.executemany(QUEUED_SQL, found.queued_rows(written, len(found.paths)))
    conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (batch_id,))


def fold_journal(conn: sqlite3.Connection, batch_id: int) -> None:
    """Write the rows a batch's journal describes, leaving its queued tasks in its input list."""
    rest = _rest(conn, batch_id)
    if rest is not None and journal.fold(conn, rest[0]) >= len(rest[0].paths):
        conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (batch_id,))
