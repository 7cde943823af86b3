"""The walks of a watched folder, one file at a time, so a scan can pause when the rule is busy."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator

from core.watch.ignore import PathFilter
from core.watch.rule import WatchRule


def walk(root: str, wanted: PathFilter) -> Iterator[str]:
    """Yield the files below ``root`` that ``wanted`` takes, folder by folder.

    Symlinked folders are not followed (a link to an ancestor would loop);
    an unreadable folder is passed over: the next scan tries it again.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        # Entries are read as they are used: a folder of 100,000 files is never one list.
        with entries:
            for entry in entries:
                path = entry.path
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if wanted.wants_folder(path):
                            stack.append(path)
                    elif entry.is_file() and wanted.wants_file(path):
                        yield path
                except OSError:
                    continue


class Scanner:
    """The walks of a rule's folder, resumable one file at a time (rule thread).

    A walk starts when the folder is first watched, for a folder made or moved
    in with its files, after events were lost (``missed``: a burst past what
    the OS queues, or events dropped), and every ``rule.rescan`` seconds.
    """

    def __init__(self, rule: WatchRule, wanted: PathFilter, burst: int) -> None:
        self._folder = rule.folder
        self._rescan = rule.rescan
        self._wanted = wanted
        self._burst_limit = burst
        self._walk: Iterator[str] | None = None
        self._roots: deque[str] = deque()
        self.missed = False  # events may have been lost: walk the whole folder again
        self._burst = 0
        self.rescan_at = 0.0

    def begin(self, now: float) -> None:
        """The folder is watched from now on: walk it, for what arrived before."""
        self._roots.append(self._folder)
        self.rescan_at = now + self._rescan

    def add_root(self, path: str) -> None:
        self._roots.append(path)

    def count_event(self) -> None:
        """One more file event: a burst as long as the OS's queue may have lost some."""
        self._burst += 1
        if self._burst >= self._burst_limit:
            self._burst = 0
            self.missed = True

    def reset(self) -> None:
        """Forget every walk: the folder is no longer watched."""
        self._walk = None
        self._roots.clear()
        self.missed = False

    def resume(self, now: float) -> None:
        """Start the next walk if none is under way."""
        if self._walk is None:
            self._walk = self._next_walk(now)

    @property
    def walking(self) -> bool:
        return self._walk is not None

    def next_path(self, now: float) -> str | None:
        """The next file of the walk under way; at its end, None and the next walk starts."""
        assert self._walk is not None
        path = next(self._walk, None)
        if path is None:
            self._walk = self._next_walk(now)
        return path

    def _next_walk(self, now: float) -> Iterator[str] | None:
        if not self._roots and (self.missed or (self._rescan and now >= self.rescan_at)):
            self.missed, self._burst = False, 0
            self.rescan_at = now + self._rescan
            self._roots.append(self._folder)
        return walk(self._roots.popleft(), self._wanted) if self._roots else None
