"""The input list of a batch whose task rows are not all written yet: a declared, versioned format.

A batch of a million files must start its first task within a second of being
submitted, and be in the history before it does; writing a million task rows
takes several seconds. So a new batch stores its input list once, in
``batch_inputs``, and its task rows are written in queue order as it runs
(``core.store.writes.write_rows``). The rows of tasks ``0 .. n-1`` exist when
the batch has ``n`` rows; the others are queued and nothing has happened to
them yet, so this list is their only fact. When the last row is written the
list is deleted.

Format 1 (``batch_inputs.format = 1``), the only one; this module is its one
reader and writer:

- ``cwd``: TEXT, the folder relative paths are relative to;
- ``paths``: zlib of the paths as ``os.fsencode`` bytes, joined by NUL
  (file names never hold one);
- ``sizes``: zlib of little-endian int64, one per path, or NULL;
- ``mtimes``: zlib of little-endian float64 (``st_mtime``), one per path, or NULL.
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
    _folders: dict[str, str] = field(default_factory=dict, repr=False)

    def save(self, conn: sqlite3.Connection) -> None:
        """Keep the list (inside the caller's transaction)."""
        conn.execute(
            "INSERT INTO batch_inputs (batch_id, format, cwd, paths, sizes, mtimes) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                self.batch_id,
                FORMAT,
                self.cwd,
                zlib.compress("\0".join(self.paths).encode(_FS_ENCODING, _FS_ERRORS), 1),
                _pack(self.sizes, "q"),
                _pack(self.mtimes, "d"),
            ),
        )

    def row(self, i: int) -> tuple[object, ...]:
        """``(id, batch_id, idx, path, size, mtime)`` of queued task ``i`` (its index in the batch)."""
        return (
            self.first + i,
            self.batch_id,
            i,
            text_in(self.absolute(self.paths[i])),
            self.sizes[i] if self.sizes is not None else None,
            self.mtimes[i] if self.mtimes is not None else None,
        )

    def absolute(self, path: str) -> str:
        """``path`` made absolute against ``cwd`` (stored so, a resume elsewhere finds the inputs).

        A batch's inputs share a few folders: each folder is normalised once.
        """
        if os.path.isabs(path):
            return path
        folder, _, name = path.rpartition(os.sep)
        if name in ("", ".", "..") or (os.altsep and os.altsep in path):
            return os.path.normpath(os.path.join(self.cwd, path))
        base = self._folders.get(folder)
        if base is None:
            base = os.path.join(os.path.normpath(os.path.join(self.cwd, folder)), "")
            self._folders[folder] = base
        return base + name


def read(conn: sqlite3.Connection, batch_id: int) -> Inputs | None:
    """The input list of a batch, or ``None`` when all its rows are written."""
    row = conn.execute(
        "SELECT i.format, b.first_task, i.cwd, i.paths, i.sizes, i.mtimes "
        "FROM batch_inputs i JOIN batches b ON b.id = i.batch_id WHERE i.batch_id = ?",
        (batch_id,),
    ).fetchone()
    if row is None:
        return None
    fmt, first, cwd, paths, sizes, mtimes = row
    if fmt != FORMAT:
        raise ValueError(f"batch {batch_id}: input list format {fmt} is not known here")
    raw = zlib.decompress(paths)
    names = [os.fsdecode(p) for p in raw.split(b"\0")] if raw else []
    return Inputs(batch_id, first, names, cwd, _unpack(sizes, "q"), _unpack(mtimes, "d"))


def delete(conn: sqlite3.Connection, batch_id: int) -> None:
    """Forget the list: every row of the batch exists."""
    conn.execute("DELETE FROM batch_inputs WHERE batch_id = ?", (batch_id,))


def _pack(values: Sequence[float] | None, code: str) -> bytes | None:
    if values is None:
        return None
    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return zlib.compress(packed.tobytes(), 1)


def _unpack(blob: bytes | None, code: str) -> array | None:
    if blob is None:
        return None
    values = array(code, zlib.decompress(blob))
    if sys.byteorder == "big":
        values.byteswap()
    return values


_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
