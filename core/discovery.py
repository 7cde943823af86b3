"""Expand dropped paths into the list of files a batch will process.

Folders are walked depth first in name order, so the same drop always gives
the same order. Special files (FIFOs, sockets, devices) are reported as
skipped and never opened; symlink loops are detected by the identity of the
folders already entered; names that are not valid UTF-8 travel as ``str`` with
surrogate escapes (``os.fsdecode``), which every ``os`` call accepts back.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from array import array
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from core.output import DEFAULT_SUBFOLDER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

_HIDDEN_ATTR = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0)
_NAME = attrgetter("name")
_DIGITS = re.compile(r"(\d+)")
# The folders Brigade writes its outputs to beside the inputs ("brigade-resize"): walking them
# again would make a batch of the previous batch's outputs.
OUTPUT_FOLDER_GLOB = DEFAULT_SUBFOLDER.replace("{job}", "*")
# On Windows a folder listing carries each file's stat: it costs no extra call.
_FREE_STAT = os.name == "nt"


@dataclass(slots=True, frozen=True)
class SkippedPath:
    """A dropped or found path that will not become a task, and why."""

    path: str
    reason: str


@dataclass(slots=True, frozen=True)
class Filters:
    """Which files a walk keeps.

    Attributes
    ----------
    include
        Glob patterns; when given, a file must match one (by name or by path
        relative to the dropped folder).
    exclude
        Glob patterns; a matching file or folder is left out.
    hidden
        Whether names starting with a dot (or marked hidden) are walked.
    recursive
        Whether sub-folders are walked.
    outputs
        Whether Brigade's own output folders (``brigade-<job>`` below a dropped
        folder) are walked; when not, they are counted in ``Discovery.outputs``.
        A dropped output folder itself is always walked: the person chose it.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    hidden: bool = False
    recursive: bool = True
    outputs: bool = False


@dataclass(slots=True)
class Discovery:
    """The result of a walk: files in order with their sizes, and what was skipped.

    ``sizes`` and ``mtimes`` are ``None`` for a walk that did not stat files.
    ``hidden`` counts hidden files and folders left out; ``outputs`` lists
    Brigade's own output folders left out (``Filters.outputs``).
    """

    paths: list[str] = field(default_factory=list)
    sizes: array | None = field(default_factory=partial(array, "q"))
    mtimes: array | None = field(default_factory=partial(array, "d"))
    skipped: list[SkippedPath] = field(default_factory=list)
    hidden: int = 0
    outputs: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of files found."""
        return len(self.paths)

    @property
    def total_bytes(self) -> int | None:
        """Sum of the sizes of the files found (``None`` if they were not stat-ed)."""
        return sum(self.sizes) if self.sizes is not None else None


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key putting ``note_2`` before ``note_10``: digit runs compare as numbers."""
    parts = _DIGITS.split(name.casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _natural_entry_key(entry: os.DirEntry[str]) -> tuple[Any, ...]:
    return natural_key(entry.name)


def _special_kind(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file"
    return None


def _is_hidden(name: str, st: os.stat_result) -> bool:
    if name.startswith("."):
        return True
    return bool(_HIDDEN_ATTR and getattr(st, "st_file_attributes", 0) & _HIDDEN_ATTR)


class _Walker:
    """One walk over many roots, with the bookkeeping that spans them."""

    def __init__(
        self,
        filters: Filters,
        on_progress: Callable[[int], None] | None,
        stat_files: bool = True,
        dedupe: bool = True,
        natural: bool = False,
    ) -> None:
        self.filters = filters
        self.order = _natural_entry_key if natural else _NAME
        # One dropped folder cannot list a path twice (each folder is entered once):
        # only several dropped paths need every file's path remembered.
        self.dedupe = dedupe
        self.result = Discovery() if stat_files else Discovery(sizes=None, mtimes=None)
        self.stat_files = stat_files or _FREE_STAT
        self.seen_files: set[str] = set()
        self.seen_dirs: set[tuple[int, int]] = set()
        self.on_progress = on_progress

    def skip(self, path: str, reason: str) -> None:
        self.result.skipped.append(SkippedPath(path, reason))

    def stat_or_skip(self, path: str, entry: os.DirEntry[str] | None = None) -> os.stat_result | None:
        """Stat following links; report why a path cannot be used."""
        try:
            # On Windows the listing's entry already holds the stat of a plain file.
            return entry.stat() if _FREE_STAT and entry is not None else os.stat(path)
        except OSError as exc:
            self.skip(path, _stat_error_reason(path, exc))
            return None

    def add_root(self, root: str) -> None:
        st = self.stat_or_skip(root)
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode):
            self.walk_dir(root, "", st, ())
        else:
            self.add_file(root, os.path.abspath(root), st)

    def add_file(self, path: str, key: str, st: os.stat_result | None) -> None:
        """Add a file; ``st`` is ``None`` for a regular file listed without a stat."""
        if st is not None and (kind := _special_kind(st.st_mode)):
            self.skip(path, f"{kind}: never opened")
            return
        if self.dedupe:
            if key in self.seen_files:
                return
            self.seen_files.add(key)
        r = self.result
        r.paths.append(path)
        if r.sizes is not None and r.mtimes is not None and st is not None:
            r.sizes.append(st.st_size)
            r.mtimes.append(st.st_mtime)
        if self.on_progress and len(r.paths) % 1000 == 0:
            self.on_progress(len(r.paths))

    def walk_dir(
        self, folder: str, rel: str, st: os.stat_result, ancestors: tuple[tuple[int, int], ...]
    ) -> None:
        """Walk ``folder``; ``rel`` is its path below the dropped folder ("" or ending in "/")."""
        ident = (st.st_dev, st.st_ino)
        if ident in ancestors:
            self.skip(folder, "a symlink loop: this folder contains itself")
            return
        if ident in self.seen_dirs:
            self.skip(folder, "already listed through another path")
            return
        self.seen_dirs.add(ident)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=self.order)
        except OSError as exc:
            self.skip(folder, f"unreadable folder: {exc.strerror or exc}")
            return
        # Built once per folder: per-file keys and relative paths are then plain joins.
        abs_folder = os.path.join(os.path.abspath(folder), "")
        inner = (*ancestors, ident)
        before = len(self.result.paths)
        if self.stat_files:
            for entry in entries:
                self.visit(entry, abs_folder, rel, inner)
            return
        # Without stat, a regular file is known by the listing's own type field: a walk
        # that needs no sizes costs no system call per file (most of a large walk's cost).
        self.list_files(entries, abs_folder, rel, inner)
        if self.on_progress and len(self.result.paths) // 1000 > before // 1000:
            self.on_progress(len(self.result.paths))

    def list_files(
        self,
        entries: list[os.DirEntry[str]],
        abs_folder: str,
        rel: str,
        ancestors: tuple[tuple[int, int], ...],
    ) -> None:
        """A folder's entries, its regular files known by the listing alone (no stat).

        Without globs a shown regular file is added as it is (once, where
        dropped folders may overlap); the rest go through the filters.
        """
        r, f, seen = self.result, self.filters, self.seen_files
        plain = not (f.include or f.exclude)
        for entry in entries:
            if not entry.is_file(follow_symlinks=False):
                self.visit(entry, abs_folder, rel, ancestors)
            elif not plain or (not f.hidden and entry.name[0] == "."):
                self.visit_listed_file(entry.path, entry.name, abs_folder, rel)
            elif not self.dedupe:
                r.paths.append(entry.path)
            elif (key := abs_folder + entry.name) not in seen:
                seen.add(key)
                r.paths.append(entry.path)

    def visit(
        self, entry: os.DirEntry[str], abs_folder: str, rel: str, ancestors: tuple[tuple[int, int], ...]
    ) -> None:
        st = self.stat_or_skip(entry.path, entry)
        if st is None:
            return
        name, rel_path = entry.name, rel + entry.name
        if self.left_out(name, rel_path, _is_hidden(name, st)):
            return
        if stat.S_ISDIR(st.st_mode):
            if not self.filters.recursive:
                return
            if not self.filters.outputs and fnmatch.fnmatchcase(name, OUTPUT_FOLDER_GLOB):
                self.result.outputs.append(entry.path)
            else:
                self.walk_dir(entry.path, rel_path + "/", st, ancestors)
            return
        if self.included(name, rel_path):
            self.add_file(entry.path, abs_folder + name, st)

    def visit_listed_file(self, path: str, name: str, abs_folder: str, rel: str) -> None:
        """A regular file known by the listing alone: the filters, then add it without a stat."""
        rel_path = rel + name
        if not self.left_out(name, rel_path, name.startswith(".")) and self.included(name, rel_path):
            self.add_file(path, abs_folder + name, None)

    def left_out(self, name: str, rel_path: str, hidden: bool) -> bool:
        """Whether a file or folder is hidden (and counted so) or excluded."""
        f = self.filters
        if hidden and not f.hidden:
            self.result.hidden += 1
            return True
        return bool(f.exclude) and _matches(name, rel_path, f.exclude)

    def included(self, name: str, rel_path: str) -> bool:
        """Whether a file passes the include globs (all do when there are none)."""
        include = self.filters.include
        return not include or _matches(name, rel_path, include)


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def _stat_error_reason(path: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    if exc.errno == errno.ENOENT:
        return "a broken symlink" if os.path.islink(path) else "vanished: no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "unreadable: permission denied"
    return f"unreadable: {exc.strerror or exc}"


def discover(
    roots: Iterable[str | bytes | os.PathLike[str] | os.PathLike[bytes]],
    filters: Filters | None = None,
    on_progress: Callable[[int], None] | None = None,
    *,
    stat_files: bool = True,
    natural: bool = False,
) -> Discovery:
    """Expand files and folders into the files a batch will process.

    Parameters
    ----------
    roots
        Dropped paths, files or folders, in the order given.
    filters
        Include/exclude globs, hidden files, recursion.
    on_progress
        Called with the running count every thousand files (long walks).
    stat_files
        Whether to stat every file for its size and mtime. Without, regular
        files are known by the folder listing alone and ``sizes`` and
        ``mtimes`` are ``None``: the walk is several times faster, and the
        engine's workers report each input's size when they run it.
    natural
        Whether names sort as people read them (``note_2`` before ``note_10``,
        case ignored) rather than by code point, which is faster.

    Returns
    -------
    Discovery
        Files in a stable order with sizes and mtimes; skipped paths with reasons.
    """
    roots = list(roots)
    walker = _Walker(filters or Filters(), on_progress, stat_files, dedupe=len(roots) > 1, natural=natural)
    for root in roots:
        walker.add_root(os.fsdecode(root))
    return walker.result


def display_path(path: str) -> str:
    r"""Return ``path`` printable anywhere: undecodable bytes shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
