"""The input list of a batch whose task rows are not all written yet: a declared, versioned format.

A batch of a million files must start its first task within a second of being
submitted, and be in the history before it does; writing a million task rows
takes several seconds. So a new batch stores its input list once, in
``input_lists``, and its task rows are written in queue order as it runs
(``core.store.writes.write_rows``). The rows of tasks ``0 .. n-1`` exist when
the batch has ``n`` rows; the others are queued and nothing has happened to
them yet, so this list is their only fact. When the last row is written the
list is deleted.

The list is kept in pieces of ``PIECE`` paths (a row each, keyed by the batch
and the index of the piece's first path), so a page of queued tasks reads one
piece, not the whole list. Format 1 (``input_lists.format = 1``), the only
one; this module is its one reader and writer. Each piece holds:

- ``cwd``: TEXT, the folder relative paths are relative to;
- ``paths``: zlib of the paths as ``os.fsencode`` bytes, joined by NUL
  (file names never hold one);
- ``sizes``: zlib of little-endian int64, one per path, or NULL;
- ``mtimes``: zlib of little-endian float64 (``st_mtime``), one per path, or NULL.

Queued tasks cancelled at once (the rest of a batch of a million, say) get
no rows either: ``input_cancels`` holds, per batch, the index ``start`` from
which every task without a row is cancelled, and ``time``, when. So a task
with no row is queued below ``start`` and cancelled from it on; writing its
row (``core.store.writes.write_rows``) writes that state. The mark goes with
the list.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.store.codec import text_in

FORMAT = 1
PIECE = 10_000  # paths per stored piece


@dataclass(slots=True, frozen=True)
class CancelMark:
    """Every task of the list from index ``start`` on that has no row is cancelled, since ``time``."""

    start: int
    time: float


@dataclass(slots=True)
class Inputs:
    """The input list of one batch.

    ``sizes`` and ``mtimes`` are those at queue time (``None`` when the walk
    did not stat the files); relative paths are relative to ``cwd``.
    """

    batch_id: int
    first: int  # id of the batch's first task
    paths: Sequence[str]
    cwd: str
    sizes: Sequence[int] | None = None
    mtimes: Sequence[float] | None = None
    offset: int = 0  # index in the batch of ``paths[0]`` (a part of the list read back)
    cancelled: CancelMark | None = None  # tasks without a row from ``cancelled.start`` on are cancelled
    _folders: dict[str, str] = field(default_factory=dict, repr=False)

    def save(self, conn: sqlite3.Connection) -> None:
        """Keep the list (inside the caller's transaction)."""
        sizes, mtimes = self.sizes, self.mtimes
        conn.executemany(
            "INSERT INTO input_lists (batch_id, start, format, cwd, paths, sizes, mtimes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    self.batch_id,
                    start,
                    FORMAT,
                    self.cwd,
                    zlib.compress(
                        "\0".join(self.paths[start : start + PIECE]).encode(_FS_ENCODING, _FS_ERRORS), 1
                    ),
                    None if sizes is None else _pack(sizes[start : start + PIECE], "q"),
                    None if mtimes is None else _pack(mtimes[start : start + PIECE], "d"),
                )
                for start in range(0, len(self.paths), PIECE)
            ),
        )

    @property
    def stop(self) -> int:
        """Index in the batch after the last path held here."""
        return self.offset + len(self.paths)

    def row(self, i: int) -> tuple[object, ...]:
        """``(id, batch_id, idx, path, size, mtime)`` of queued task ``i`` (its index in the batch)."""
        k = i - self.offset
        return (
            self.first + i,
            self.batch_id,
            i,
            text_in(self.absolute(self.paths[k])),
            self.sizes[k] if self.sizes is not None else None,
            self.mtimes[k] if self.mtimes is not None else None,
        )

    def absolute(self, path: str) -> str:
        """``path`` made absolute against ``cwd`` (stored so, a resume elsewhere finds the inputs).

        A batch's inputs share a few folders: each folder is normalised once.
        """
        if path.startswith(os.sep) or os.path.isabs(path):  # the first test settles most paths
            return path
        folder, _, name = path.rpartition(os.sep)
        if name in ("", ".", "..") or (os.altsep and os.altsep in path):
            return os.path.normpath(os.path.join(self.cwd, path))
        base = self._folders.get(folder)
        if base is None:
            base = os.path.join(os.path.normpath(os.path.join(self.cwd, folder)), "")
            self._folders[folder] = base
        return base + name


def read(
    conn: sqlite3.Connection, batch_id: int, start: int = 0, stop: int | None = None, *, marks: bool = True
) -> Inputs | None:
    """The input list of a batch, or ``None`` when all its rows are written.

    Only the pieces holding paths ``start .. stop-1`` are read (all by
    default); the result's ``offset`` is the index of its first path.
    ``marks=False``: leave the cancel mark unread (a database older than it).
    """
    rows = conn.execute(
        "SELECT i.start, i.format, b.first_task, i.cwd, i.paths, i.sizes, i.mtimes "
        "FROM input_lists i JOIN batches b ON b.id = i.batch_id "
        "WHERE i.batch_id = ?1 AND i.start <= ?3 AND i.start > ?2 - ?4 ORDER BY i.start",
        (batch_id, start, _MAX_INDEX if stop is None else stop - 1, PIECE),
    ).fetchall()
    if not rows:
        return None
    names: list[str] = []
    sizes: list[int] | None = []
    mtimes: list[float] | None = []
    for _, fmt, _, _, paths, packed_sizes, packed_mtimes in rows:
        if fmt != FORMAT:
            raise ValueError(f"batch {batch_id}: input list format {fmt} is not known here")
        raw = zlib.decompress(paths)
        names += [os.fsdecode(p) for p in raw.split(b"\0")] if raw else []
        sizes = None if sizes is None or packed_sizes is None else sizes + list(_unpack(packed_sizes, "q"))
        mtimes = (
            None if mtimes is None or packed_mtimes is None else mtimes + list(_unpack(packed_mtimes, "d"))
        )
    offset, first, cwd = rows[0][0], rows[0][2], rows[0][3]
    mark = cancel_mark(conn, batch_id) if marks else None
    return Inputs(batch_id, first, names, cwd, sizes, mtimes, offset, cancelled=mark)


def cancel_mark(conn: sqlite3.Connection, batch_id: int) -> CancelMark | None:
    """From which index on the batch's tasks without a row are cancelled, if any are."""
    row = conn.execute("SELECT start, time FROM input_cancels WHERE batch_id = ?", (batch_id,)).fetchone()
    return CancelMark(int(row[0]), float(row[1])) if row else None


def cancel_rest(conn: sqlite3.Connection, batch_id: int, mark: CancelMark) -> None:
    """Every task of the batch from ``mark.start`` on that has no row is cancelled (a lower mark stays)."""
    conn.execute(
        "INSERT INTO input_cancels (batch_id, start, time) VALUES (?, ?, ?) ON CONFLICT (batch_id) "
        "DO UPDATE SET time = CASE WHEN excluded.start < start THEN excluded.time ELSE time END, "
        "start = min(start, excluded.start)",
        (batch_id, mark.start, mark.time),
    )


def listed(conn: sqlite3.Connection, batch_id: int) -> bool:
    """Whether some of a batch's task rows are not written yet (its input list is kept)."""
    return (
        conn.execute("SELECT 1 FROM input_lists WHERE batch_id = ? LIMIT 1", (batch_id,)).fetchone()
        is not None
    )


def delete(conn: sqlite3.Connection, batch_id: int) -> None:
    """Forget the list (and, by the schema's trigger, its cancel mark): every row of the batch exists."""
    conn.execute("DELETE FROM input_lists WHERE batch_id = ?", (batch_id,))


def _pack(values: Sequence[float] | None, code: str) -> bytes | None:
    if values is None:
        return None
    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return zlib.compress(packed.tobytes(), 1)


def _unpack(blob: bytes, code: str) -> array:
    values = array(code, zlib.decompress(blob))
    if sys.byteorder == "big":
        values.byteswap()
    return values


_MAX_INDEX = 2**62
_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
