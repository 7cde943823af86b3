"""Settling: a file is an input once it has stopped changing and can be opened.

A file is "pending" from the first time it is seen (an event, a scan) until
its size and mtime have stayed the same for the settle time; then it is
"settled" and leaves. Pending files are kept in the order their last change
was seen, so the ones due are always at the front and a tick looks at no
other. At most ``limit`` files are pending: past it, callers stop adding
(and rescan later), which bounds memory whatever lands in the folder.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import OrderedDict
from dataclasses import dataclass

from core.watch.ledger import Stamp

DIGEST = "blake2b"


@dataclass(slots=True)
class _Pending:
    size: int
    mtime_ns: int
    since: float  # monotonic time of the last change seen


def stamp_of(path: str) -> Stamp | None:
    """The size and mtime of a regular file, or ``None`` (gone, a folder, a FIFO, unreadable)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return Stamp(st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def can_open(path: str) -> bool:
    """Whether the file opens for reading (a writer holding it exclusively, on Windows, says no)."""
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def digest_of(path: str) -> str | None:
    """The file's content digest, or ``None`` if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, DIGEST).hexdigest()
    except OSError:
        return None


class Settler:
    """Pending files of one rule, oldest change first. Used by one thread."""

    def __init__(self, settle: float, limit: int) -> None:
        self.settle = settle
        self.limit = limit
        self._pending: OrderedDict[str, _Pending] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, path: str) -> bool:
        return path in self._pending

    @property
    def full(self) -> bool:
        return len(self._pending) >= self.limit

    def touch(self, path: str, now: float, stamp: Stamp | None = None) -> bool:
        """Note that ``path`` may have changed; return whether it is pending now.

        A new path is taken only while there is room (see ``full``).
        """
        stamp = stamp or stamp_of(path)
        if stamp is None:
            self._pending.pop(path, None)
            return False
        known = self._pending.get(path)
        if known is None:
            if self.full:
                return False
            self._pending[path] = _Pending(stamp.size, stamp.mtime_ns, now)
        elif (known.size, known.mtime_ns) != (stamp.size, stamp.mtime_ns):
            known.size, known.mtime_ns, known.since = stamp.size, stamp.mtime_ns, now
            self._pending.move_to_end(path)
        return True

    def drop(self, path: str) -> None:
        self._pending.pop(path, None)

    def drop_under(self, folder: str) -> None:
        """Forget the pending files below ``folder`` (it was removed or moved away)."""
        prefix = folder.rstrip(os.sep) + os.sep
        for path in [p for p in self._pending if p.startswith(prefix)]:
            del self._pending[path]

    def clear(self) -> None:
        self._pending.clear()

    def defer(self, path: str, now: float) -> None:
        """Look at ``path`` again one settle time from now."""
        known = self._pending.get(path)
        if known is not None:
            known.since = now
            self._pending.move_to_end(path)

    def due(self, now: float, limit: int) -> list[tuple[str, Stamp]]:
        """Take up to ``limit`` files that have settled; the rest wait."""
        candidates: list[str] = []
        for path, known in self._pending.items():
            if known.since + self.settle > now or len(candidates) >= limit:
                break
            candidates.append(path)
        settled = []
        for path in candidates:
            known = self._pending[path]
            stamp = stamp_of(path)
            if stamp is None:
                del self._pending[path]
            elif (known.size, known.mtime_ns) != (stamp.size, stamp.mtime_ns):
                self.touch(path, now, stamp)
            elif can_open(path):
                del self._pending[path]
                settled.append((path, stamp))
            else:
                self.defer(path, now)
        return settled

    def next_due(self) -> float | None:
        """The monotonic time the oldest pending file may settle, or ``None``."""
        for known in self._pending.values():
            return known.since + self.settle
        return None
