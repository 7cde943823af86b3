"""One checksum manifest per folder (``SHA256SUMS``), shared by the tasks of that folder's files.

Tasks run in several worker processes at once, so each adds its line under
an exclusive lock on the folder. A file listed already with the same digest
is left as it is (a rerun changes nothing); one listed with another digest
has its line replaced, and the manifest is rewritten through a temporary
file, so a reader never sees half of it. A new name is appended in one write.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def _folder_lock(folder: str) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``folder`` (POSIX; elsewhere nothing to hold)."""
    try:
        import fcntl
    except ImportError:  # Windows: one writer per manifest is the caller's to ensure
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _name_key(line: bytes) -> bytes:
    """What identifies the listed file in ``line``: its name with the separator around it.

    A line of neither form (a comment) is its own key, so it is kept.
    """
    if line.lstrip(b"\\").startswith(b"XXH") and b" (" in line and b") = " in line:
        return line[line.index(b" (") : line.rindex(b") = ") + 4]
    return line[line.index(b"  ") :] if b"  " in line else line


def add_to_folder_manifest(manifest: str, line: bytes) -> None:
    """Add ``line`` (from ``manifest_line``) to ``manifest``, replacing the file's older line."""
    from core.atomic import atomic_output

    folder = os.path.dirname(manifest)
    key = _name_key(line)
    with _folder_lock(folder):
        try:
            with open(manifest, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        if data.startswith(line) or b"\n" + line in data:
            return
        if key not in data:
            with open(manifest, "ab") as f:
                f.write(line)  # one write: the line lands whole
            return
        kept = [old + b"\n" for old in data.splitlines() if old and _name_key(old + b"\n") != key]
        with atomic_output(manifest, "wb") as f:
            f.writelines([*kept, line])
