"""Write an output file so that it appears whole or not at all.

Every output goes through a temporary file in its target's folder, moved
into place with ``os.replace`` (or a hard link, when an existing file must
not be clobbered). A temporary file's name says who owns it::

    .<pid>-<start>-<host>-<random>.brigade-tmp<ext>

``pid`` and ``start`` (the owning process's start time) tell a temporary
file of a live process from one a killed run left behind (the same pid may
have been given to another process since); ``host`` (a short hash of the
machine's name) keeps a machine from judging another's processes on a
shared folder. The first time a process writes
into a folder it removes the temporary files of dead owners there, so a
SIGKILL of a whole run leaves nothing behind once the next run, resume or
retry writes into that folder. The name is short and independent of the
final name, so a 250-character name still has room for its temporary file.

Files are created with mode 0666 minus the umask, as ``open()`` does.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Any

TEMP_SUFFIX = ".brigade-tmp"
BACKUP_SUFFIX = ".brigade-bak"
# Longer extensions are left off the temporary name: it must stay short.
_MAX_EXT = 16
_OWNED = re.compile(r"^\.(\d+)-([0-9a-f]+)-([0-9a-f]{4})-[0-9a-f]+\.brigade-(?:tmp|bak)")
_OPEN = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)

OnTemp = Callable[[str, bool], None]
"""Told ``(temp_path, True)`` when a temporary file is made, ``(temp_path, False)`` when it is gone."""

_swept: set[str] = set()  # folders this process has cleaned already
_tag: str | None = None


def _start_mark(pid: int) -> int | None:
    """The start time of process ``pid`` in hundredths of a second, or ``None`` if none runs."""
    import psutil  # only once per process and per stale file

    try:
        proc = psutil.Process(pid)
        # A killed process nobody reaped (a container without an init) is gone all the same.
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return round(proc.create_time() * 100)
    except psutil.NoSuchProcess:
        return None


def host_tag() -> str:
    """Four hex digits naming this machine (a hash of its name)."""
    import socket
    import zlib

    return f"{zlib.crc32(socket.gethostname().encode()) & 0xFFFF:04x}"


def owner_tag() -> str:
    """``<pid>-<start>-<host>`` of this process, as written in its temporary names."""
    global _tag
    if _tag is None or not _tag.startswith(f"{os.getpid()}-"):
        _tag = f"{os.getpid()}-{_start_mark(os.getpid()) or 0:x}-{host_tag()}"
    return _tag


def is_stale(name: str) -> bool:
    """Whether ``name`` is a temporary file of this machine whose owning process is gone."""
    m = _OWNED.match(name)
    if m is None or m[3] != host_tag():
        return False
    pid, mark = int(m[1]), int(m[2], 16)
    if pid == os.getpid():
        return f"{pid}-{mark:x}-{m[3]}" != owner_tag()
    try:
        return _start_mark(pid) != mark
    except Exception:  # noqa: BLE001 - access denied and the like: the owner may live, keep the file
        return False


def sweep(folder: str) -> list[str]:
    """Remove the temporary files of dead processes in ``folder``; return their paths.

    Backups (``.brigade-bak``) of a dead run are the only copy of an original
    that was being replaced: they are kept.
    """
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if TEMP_SUFFIX in entry.name and entry.is_file(follow_symlinks=False) and is_stale(entry.name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(entry.path)
    return removed


def make_temp(folder: str, ext: str = "", suffix: str = TEMP_SUFFIX) -> tuple[int, str]:
    """Create an empty temporary file in ``folder``; return its descriptor (open for writing) and path.

    ``ext`` ends the name (``.png``): programs and libraries pick formats by
    it. The first call for a folder removes dead processes' temporary files.
    """
    if folder not in _swept:
        sweep(folder)
        _swept.add(folder)
    tail = suffix + (ext if len(ext) <= _MAX_EXT else "")
    for _ in range(100):
        path = os.path.join(folder, f".{owner_tag()}-{os.urandom(4).hex()}{tail}")
        try:
            return os.open(path, _OPEN, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def temp_path(folder: str, suffix: str) -> str:
    """A free name like :func:`make_temp`'s, not created (for a hard link or a rename)."""
    fd, path = make_temp(folder, suffix=suffix)
    os.close(fd)
    os.unlink(path)
    return path


@contextlib.contextmanager
def atomic_output(
    target: str,
    mode: str = "wb",
    *,
    replace: bool = True,
    on_temp: OnTemp | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file in ``target``'s folder; move it into place on success.

    The temporary file lives in the same folder so that ``os.replace`` is a
    rename on one file system, which is atomic: readers see the old file or the
    new one, never half of one.

    Parameters
    ----------
    target
        The final path.
    mode
        ``"wb"`` or ``"w"`` (text, UTF-8).
    replace
        When false, an existing ``target`` raises ``FileExistsError`` and is
        left untouched.
    on_temp
        Called with ``(temp_path, True)`` once the temporary file exists and
        ``(temp_path, False)`` once it is gone or renamed; the worker uses it
        to remove the file if the process is stopped mid-write.
    """
    if "w" not in mode:
        raise ValueError("atomic_output writes new files: use a 'w' mode")
    with temp_file(os.path.dirname(os.path.abspath(target)), on_temp=on_temp) as (fd, temp):
        with open_temp(fd, mode) as handle:
            yield handle
        if replace:
            os.replace(temp, target)
        else:
            link_or_rename(temp, target)


@contextlib.contextmanager
def temp_file(folder: str, ext: str = "", on_temp: OnTemp | None = None) -> Iterator[tuple[int, str]]:
    """Create a temporary file in ``folder`` (see :func:`make_temp`); remove it if the block fails.

    Yields its descriptor, open for writing and the block's to close, and its
    path; the block moves the file into place. ``on_temp`` is told
    ``(path, True)`` once the file exists and ``(path, False)`` once the block
    has ended, so a worker stopped mid-write can remove the file.
    """
    fd, temp = make_temp(folder, ext)
    if on_temp:
        on_temp(temp, True)
    try:
        yield fd, temp
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        if on_temp:
            on_temp(temp, False)


def open_temp(fd: int, mode: str) -> IO[Any]:
    """Open a temporary file's descriptor in ``mode``: bytes as they are, text as UTF-8 with newlines kept."""
    text: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    return os.fdopen(fd, mode, **text)


def link_or_rename(temp: str, target: str) -> None:
    """Move ``temp`` to ``target`` only if ``target`` does not exist (else ``FileExistsError``).

    A hard link fails when the target exists, so no file that appeared since
    a check is clobbered; where links are not supported, check then rename.
    """
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except (OSError, NotImplementedError):
        if os.path.lexists(target):
            raise FileExistsError(target) from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def keep_stat(source: str, target: str, times: bool = True, owner: bool = False) -> None:
    """Give ``target`` the permission bits (and mtime, and owner where allowed) of ``source``.

    As gzip does for the files it writes; a file system that refuses is not
    an error (the output is right, only its metadata differs).
    """
    st = os.stat(source)
    if owner and hasattr(os, "chown"):
        # Before the mode: a change of owner clears set-user-id bits.
        with contextlib.suppress(OSError):
            os.chown(target, st.st_uid, st.st_gid)
    with contextlib.suppress(OSError):
        os.chmod(target, st.st_mode & 0o7777)
    if times:
        with contextlib.suppress(OSError):
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
