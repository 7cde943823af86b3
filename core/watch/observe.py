"""What the OS says about a watched folder: its watch, and the file events on their way to the rule.

watchdog calls the handler on its observer thread; ``FileEvents`` holds the
events, bounded, until the rule thread takes them. ``FolderWatch`` is the
watch itself, renewed when the folder is replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections import deque

from watchdog import events as fs
from watchdog.observers.api import BaseObserver, ObservedWatch

# Opened and read-only closes (the rule's own workers reading) carry no news.
WATCHED_EVENTS = [
    fs.FileCreatedEvent,
    fs.FileModifiedEvent,
    fs.FileClosedEvent,
    fs.FileMovedEvent,
    fs.FileDeletedEvent,
    fs.DirCreatedEvent,
    fs.DirMovedEvent,
    fs.DirDeletedEvent,
]

FileEvent = tuple[str, str, str, bool]  # kind, source path, destination path ("" if none), is a folder


class FileEvents:
    """File events waiting for the rule thread; past ``limit``, new ones are dropped.

    A dropped event is as if the OS had dropped it: the rule rescans its
    folder. ``post`` runs on the observer thread, the rest on the rule thread.
    """

    def __init__(self, limit: int, wake: threading.Event) -> None:
        self._events: deque[FileEvent] = deque()
        self._limit = limit
        self._wake = wake
        self._dropped = False

    def post(self, kind: str, src: str, dest: str, is_dir: bool) -> None:
        """Queue one event and wake the rule thread (observer thread)."""
        if len(self._events) >= self._limit:
            self._dropped = True
        else:
            self._events.append((kind, src, dest, is_dir))
        self._wake.set()

    def __len__(self) -> int:
        return len(self._events)

    def take(self, budget: int) -> list[FileEvent]:
        """The oldest events, at most ``budget`` of them."""
        return [self._events.popleft() for _ in range(min(len(self._events), budget))]

    def take_dropped(self) -> bool:
        """Whether events were dropped since the last call."""
        dropped, self._dropped = self._dropped, False
        return dropped


class _Handler(fs.FileSystemEventHandler):
    """Hands watchdog's events to ``FileEvents`` (called on the observer's thread)."""

    def __init__(self, events: FileEvents) -> None:
        self._events = events

    def on_any_event(self, event: fs.FileSystemEvent) -> None:
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        self._events.post(event.event_type, os.fsdecode(event.src_path), dest, event.is_directory)


class FolderWatch:
    """The observer's watch on one folder, and which folder (device, inode) it watches."""

    def __init__(self, observer: BaseObserver, events: FileEvents) -> None:
        self._observer = observer
        self._events = events
        self._watch: ObservedWatch | None = None
        self.ident: tuple[int, int] | None = None

    @staticmethod
    def look(folder: str) -> tuple[tuple[int, int] | None, str]:
        """The folder's (device, inode), or None and why it cannot be watched."""
        try:
            st = os.stat(folder)
        except OSError as exc:
            return None, f"folder missing: {exc.strerror or exc}"
        if not stat.S_ISDIR(st.st_mode):
            return None, "not a folder"
        return (st.st_dev, st.st_ino), ""

    def start(self, folder: str, recursive: bool, ident: tuple[int, int]) -> str:
        """Watch ``folder`` (seen as ``ident``); return why it cannot be watched, or ""."""
        try:
            self._watch = self._observer.schedule(
                _Handler(self._events), folder, recursive=recursive, event_filter=WATCHED_EVENTS
            )
        except OSError as exc:
            return f"cannot watch: {exc.strerror or exc}"
        self.ident = ident
        return ""

    def stop(self) -> None:
        if self._watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(self._watch)
            self._watch = None
        self.ident = None
