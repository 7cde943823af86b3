"""One watch rule at work: its own thread, from file events to tasks and back.

Data flow::

    watchdog observer thread ── file events ──┐
    engine thread (listener) ── task ends ────┼─► inbox + wake ─► rule thread, each tick:
    any thread ── on/off, stop ───────────────┘     folder there?   no: pause, with the reason
                                                    events ──────► Settler (pending, bounded)
                                                    scan (a walk, resumable) ─► Settler
                                                    settled ─► Ledger: new content? ─► Engine.submit
                                                    task ends ─► Ledger; input kept, moved or deleted
                                                    ─► listeners: RuleStatus, FilesQueued, FileEnded

Memory is bounded whatever lands in the folder: at most ``pending_limit``
files wait to settle (past it, the scan pauses and events only mark a
rescan as needed), and at most ``backlog`` tasks of the rule are in the
engine at once; the rest is on disk, in the folder and in the ledger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from typing import Any

from watchdog import events as fs
from watchdog.observers.api import BaseObserver, ObservedWatch

from core.backend import Backend
from core.model import BatchSpec
from core.watch.dispose import move_below
from core.watch.events import FileEnded, FilesQueued, RuleState, RuleStatus, WatchEvent, WatchListener
from core.watch.ignore import PathFilter
from core.watch.ledger import QUEUED, Ledger, LedgerError, Stamp
from core.watch.outputs import Expected, planned_outputs
from core.watch.rule import OnDone, WatchRule
from core.watch.scan import walk
from core.watch.settle import Settler, digest_of, stamp_of

log = logging.getLogger("brigade.watch")

PENDING_LIMIT = 10_000
BACKLOG = 1_000  # tasks of one rule in the engine at once: enough to keep every worker busy
BATCH_LIMIT = 500  # files per batch (one history batch each)
FOLDER_POLL = 0.5  # seconds between looks at a folder that sends no event (missing, or idle)
SCAN_BUDGET = 2_000  # files walked per tick, so task ends and events never wait for a long walk
# The OS drops events past its queue's length (inotify: 16,384 by default) and watchdog says
# nothing of it: a burst of this many events is followed by a rescan, which finds what was lost.
BURST = 4_096
EVENT_BUDGET = 20_000  # file events handled per tick
EVENT_LIMIT = 20_000  # file events waiting for the rule thread; past it they are dropped (a rescan follows)
ACCEPT_TIMEOUT = 60.0
STATUS_EVERY = 0.25  # seconds between two status reports that only update counts
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


class _Handler(fs.FileSystemEventHandler):
    """Hands watchdog's events to the rule thread (called on the observer's thread)."""

    def __init__(self, runner: RuleRunner) -> None:
        self._runner = runner

    def on_any_event(self, event: fs.FileSystemEvent) -> None:
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        self._runner.post_file_event(event.event_type, os.fsdecode(event.src_path), dest, event.is_directory)


class RuleRunner:
    """Runs one rule on its own thread (``brigade-watch``); the public methods are thread-safe."""

    def __init__(
        self,
        rule: WatchRule,
        engine: Backend,
        db_path: str,
        observer: BaseObserver,
        listener: WatchListener | None = None,
        *,
        enabled: bool = True,
        expected: Expected | None = None,
        pending_limit: int = PENDING_LIMIT,
        backlog: int = BACKLOG,
        event_limit: int = EVENT_LIMIT,
    ) -> None:
        self.rule = rule
        self._engine = engine
        self._db_path = db_path
        self._observer = observer
        self._listener = listener
        self._backlog = backlog
        self._event_limit = event_limit
        self._inbox: deque[tuple[Any, ...]] = deque()
        self._file_events: deque[tuple[str, str, str, bool]] = deque()
        self._events_dropped = False
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        # Rule-thread state below.
        self._wanted = PathFilter.of(rule)
        self._settler = Settler(rule.settle, pending_limit)
        self._enabled = enabled
        self._intake_closed = False
        self._state = RuleState.STARTING if enabled else RuleState.OFF
        self._reason = ""
        self._watch: ObservedWatch | None = None
        self._folder_id: tuple[int, int] | None = None
        self._scan: Iterator[str] | None = None
        self._scan_roots: deque[str] = deque()
        self._missed = False
        self._burst = 0
        self._rescan_at = 0.0
        self._in_engine: dict[int, str] = {}
        self._queued: dict[str, int] = {}
        self._started: set[int] = set()
        self._withdrawn: set[int] = set()
        self._expected = Expected() if expected is None else expected
        self._counts: Counter[str] = Counter()
        self._ledger: Ledger | None = None
        self._sent: RuleStatus | None = None
        self._sent_at = 0.0

    # ------------------------------------------------------------ any thread
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="brigade-watch", daemon=True)
        self._thread.start()

    def post_file_event(self, kind: str, src: str, dest: str, is_dir: bool) -> None:
        """Hand a file event to the rule thread (observer thread); past ``event_limit``, drop it.

        A dropped event is as if the OS had dropped it: the rule rescans its folder.
        """
        if len(self._file_events) >= self._event_limit:
            self._events_dropped = True
        else:
            self._file_events.append((kind, src, dest, is_dir))
        self._wake.set()

    def post(self, *message: Any) -> None:
        """Hand a message to the rule thread and wake it."""
        self._inbox.append(message)
        self._wake.set()

    def set_enabled(self, on: bool) -> None:
        """Switch the rule on or off; tasks already in the engine run on."""
        self.post("enable", on)

    def stop_intake(self, timeout: float | None = None) -> bool:
        """Queue nothing more, and withdraw the tasks not started yet (they run at the next start).

        Returns once the withdrawal was asked of the engine (so an engine
        stopped next keeps no queued task of the rule), or after ``timeout``.
        """
        asked = threading.Event()
        self.post("stop_intake", asked)
        if self._thread is None or not self._thread.is_alive():
            return False
        return asked.wait(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Write what is pending and end the thread; return whether it ended in time."""
        self._closing = True
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # ------------------------------------------------------------ the loop
    def _run(self) -> None:
        try:
            self._ledger = Ledger.open(self._db_path)
        except LedgerError as exc:
            self._set_state(RuleState.FAILED, str(exc))
            self._report(time.monotonic())
            return
        try:
            while True:
                closing = self._closing
                # Cleared before the tick reads the inbox: a message posted meanwhile wakes the next wait.
                self._wake.clear()
                self._tick(time.monotonic())
                if closing and not self._inbox:
                    break
                self._wake.wait(self._timeout(time.monotonic()))
        except Exception as exc:
            log.exception("watch rule %r failed", self.rule.name)
            self._set_state(RuleState.FAILED, f"{type(exc).__name__}: {exc}")
        finally:
            self._unwatch()
            self._ledger.close()
            if self._state is not RuleState.FAILED:
                self._set_state(RuleState.STOPPED)
            self._report(time.monotonic(), force=True)

    def _tick(self, now: float) -> None:
        assert self._ledger is not None
        while self._inbox:
            self._handle(self._inbox.popleft(), now)
        for _ in range(min(len(self._file_events), EVENT_BUDGET)):
            self._on_file_event(*self._file_events.popleft(), now)
        if self._file_events:
            self._wake.set()  # the rest at the next tick: a burst must not hold up the rule
        if self._events_dropped:
            self._events_dropped = False
            self._missed = True
        self._ledger.commit()
        if self._enabled and not self._intake_closed:
            self._check_folder(now)
            if self._state is RuleState.WATCHING:
                self._feed_scan(now)
                self._submit(now)
        self._ledger.commit()
        self._report(now)

    def _timeout(self, now: float) -> float:
        if self._state is not RuleState.WATCHING:
            return FOLDER_POLL
        wait = FOLDER_POLL
        due = self._settler.next_due()
        if due is not None and len(self._in_engine) < self._backlog:
            wait = min(wait, due - now)
        if self.rule.rescan:
            wait = min(wait, self._rescan_at - now)
        return max(wait, 0.0)

    # ------------------------------------------------------------ messages
    def _handle(self, message: tuple[Any, ...], now: float) -> None:
        kind = message[0]
        if kind == "started":
            self._started.add(message[1])
        elif kind == "ended":
            self._on_ended(*message[1:])
        elif kind == "enable":
            self._enable(message[1])
        elif kind == "stop_intake":
            self._close_intake()
            message[1].set()

    def _on_file_event(self, kind: str, src: str, dest: str, is_dir: bool, now: float) -> None:
        if self._state is not RuleState.WATCHING:
            return
        self._burst += 1
        if self._burst >= BURST:
            self._burst = 0
            self._missed = True
        if kind in ("deleted", "moved"):
            self._settler.drop_under(src) if is_dir else self._settler.drop(src)
        path = dest if kind == "moved" else src
        if kind == "deleted" or not path:
            return
        if is_dir:
            # Files made or moved in with a folder may predate its watch: walk it.
            if kind in ("created", "moved") and self._wanted.wants_folder(path):
                self._scan_roots.append(path)
        elif self._wanted.wants_file(path):
            # Also an input whose task is queued or running: changed now, it runs again after.
            taken = self._settler.touch(path, now)
            self._missed = self._missed or (not taken and self._settler.full)

    def _enable(self, on: bool) -> None:
        self._enabled = on
        if on and self._state is RuleState.OFF:
            self._set_state(RuleState.STARTING)
        elif not on:
            self._stop_watching(RuleState.OFF, "switched off")

    def _close_intake(self) -> None:
        self._intake_closed = True
        self._stop_watching(RuleState.OFF, "stopping")
        unstarted = [tid for tid in self._in_engine if tid not in self._started]
        self._withdrawn.update(unstarted)
        if unstarted:
            self._engine.cancel(unstarted)

    # ------------------------------------------------------------ the folder
    def _check_folder(self, now: float) -> None:
        folder = self.rule.folder
        try:
            st = os.stat(folder)
        except OSError as exc:
            self._stop_watching(RuleState.PAUSED, f"folder missing: {exc.strerror or exc}")
            return
        if not stat.S_ISDIR(st.st_mode):
            self._stop_watching(RuleState.PAUSED, "not a folder")
            return
        ident = (st.st_dev, st.st_ino)
        if self._state is RuleState.WATCHING and ident == self._folder_id:
            return
        # First start, back from a pause, or the folder was replaced (its old watch is dead).
        self._stop_watching(self._state, self._reason)
        try:
            self._watch = self._observer.schedule(
                _Handler(self), folder, recursive=self.rule.recursive, event_filter=WATCHED_EVENTS
            )
        except OSError as exc:
            self._stop_watching(RuleState.PAUSED, f"cannot watch: {exc.strerror or exc}")
            return
        self._folder_id = ident
        # Events flow from here on; the walk catches up on what arrived before.
        self._scan_roots.append(folder)
        self._rescan_at = now + self.rule.rescan
        self._set_state(RuleState.WATCHING)

    def _stop_watching(self, state: RuleState, reason: str) -> None:
        self._unwatch()
        self._settler.clear()
        self._scan = None
        self._scan_roots.clear()
        self._missed = False
        self._folder_id = None
        self._set_state(state, reason)

    def _unwatch(self) -> None:
        if self._watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(self._watch)
            self._watch = None

    # ------------------------------------------------------------ scanning
    def _feed_scan(self, now: float) -> None:
        if self._scan is None:
            self._scan = self._next_scan(now)
        walked = 0
        while self._scan is not None and not self._settler.full:
            if walked >= SCAN_BUDGET:
                self._wake.set()  # go on at the next tick, after the inbox
                return
            path = next(self._scan, None)
            if path is None:
                self._scan = self._next_scan(now)
                continue
            walked += 1
            if path in self._settler or path in self._queued:
                continue
            stamp = stamp_of(path)
            if stamp is not None and not self._known(path, stamp):
                self._settler.touch(path, now, stamp)

    def _next_scan(self, now: float) -> Iterator[str] | None:
        if not self._scan_roots and (self._missed or (self.rule.rescan and now >= self._rescan_at)):
            self._missed, self._burst = False, 0
            self._rescan_at = now + self.rule.rescan
            self._scan_roots.append(self.rule.folder)
        return walk(self._scan_roots.popleft(), self._wanted) if self._scan_roots else None

    def _known(self, path: str, stamp: Stamp) -> bool:
        """Whether ``path`` with these size and mtime is an output, or an input whose task ended."""
        assert self._ledger is not None
        if self._ledger.is_output(path, stamp):
            return True
        seen = self._ledger.seen(self.rule.name, path)
        return seen is not None and seen.state != QUEUED and seen.stamp.same_content(stamp, False)

    # ------------------------------------------------------------ queuing
    def _submit(self, now: float) -> None:
        while (room := self._backlog - len(self._in_engine)) > 0:
            settled = self._settler.due(now, min(room, BATCH_LIMIT))
            if not settled:
                return
            take = [item for item in settled if self._is_new(item, now)]
            if take:
                self._queue(take)

    def _is_new(self, item: tuple[str, Stamp], now: float) -> bool:
        path, stamp = item
        assert self._ledger is not None
        if path in self._expected or path in self._queued:
            # A planned output not yet reported, or an input whose task still runs: look again later.
            self._settler.touch(path, now, stamp)
            self._settler.defer(path, now)
            return False
        if self._ledger.is_output(path, stamp):
            return False
        seen = self._ledger.seen(self.rule.name, path)
        if seen is None or seen.state == QUEUED:
            return True
        if self.rule.digest and not seen.stamp.same_content(stamp, False):
            stamp = Stamp(stamp.size, stamp.mtime_ns, digest_of(path))
            if seen.stamp.same_content(stamp, True):
                self._ledger.same_as_done(self.rule.name, path, stamp)
                return False
        return not seen.stamp.same_content(stamp, False)

    def _queue(self, take: list[tuple[str, Stamp]]) -> None:
        assert self._ledger is not None
        rule = self.rule
        paths = [path for path, _ in take]
        if rule.digest:
            take = [(p, s if s.digest else Stamp(s.size, s.mtime_ns, digest_of(p))) for p, s in take]
        spec = BatchSpec(
            rule.job,
            rule.params,
            paths,
            sizes=[s.size for _, s in take],
            output=rule.output,
            extra={"watch": rule.name},
            mtimes=[s.mtime_ns / 1e9 for _, s in take],
        )
        # Planned before the submit: a task may write its output before the batch is accepted here.
        self._expected.add(rule.name, planned_outputs(rule, paths))
        try:
            handle = self._engine.submit(spec)
            batch_id = handle.wait_accepted(ACCEPT_TIMEOUT)
        except BaseException:
            for path in paths:
                self._expected.ended(rule.name, path)
            raise
        ids = tuple(handle.task_ids)
        for path, tid in zip(paths, ids, strict=True):
            self._in_engine[tid] = path
            self._queued[path] = tid
        self._ledger.queued(rule.name, [(p, s, batch_id, t) for (p, s), t in zip(take, ids, strict=True)])
        self._ledger.commit()
        self._emit(FilesQueued(rule.name, batch_id, tuple(paths), ids))

    # ------------------------------------------------------------ task ends
    def _on_ended(self, tid: int, state: str, outputs: tuple[str, ...], error: str | None) -> None:
        assert self._ledger is not None
        path = self._in_engine.pop(tid, None)
        if path is None:
            return
        del self._queued[path]
        self._started.discard(tid)
        self._expected.ended(self.rule.name, path)
        written = [(out, s) for out in outputs if (s := stamp_of(out)) is not None]
        self._ledger.outputs(written)
        withdrawn = tid in self._withdrawn
        self._withdrawn.discard(tid)
        if withdrawn and state == "cancelled":
            # Withdrawn by a stop before it ran: it counts as never seen. (One that ended
            # before the withdrawal reached it keeps its ending.)
            self._ledger.forget(self.rule.name, path)
            return
        self._ledger.ended(self.rule.name, path, state)
        self._counts[state] += 1
        moved, problem = self._dispose(path, state)
        self._emit(FileEnded(self.rule.name, path, tid, state, moved, problem or error))

    def _dispose(self, path: str, state: str) -> tuple[str | None, str | None]:
        rule = self.rule
        try:
            if state == "done" and rule.on_done is OnDone.MOVE and rule.done_folder:
                return move_below(path, rule.folder, rule.done_folder), None
            if state == "done" and rule.on_done is OnDone.DELETE and rule.confirm_delete:
                os.remove(path)
            elif state == "failed" and rule.failed_folder:
                return move_below(path, rule.folder, rule.failed_folder), None
        except OSError as exc:
            log.warning("watch rule %r: %s: %s", rule.name, path, exc)
            return None, f"could not move or delete the input: {exc}"
        return None, None

    # ------------------------------------------------------------ reports
    def _set_state(self, state: RuleState, reason: str = "") -> None:
        self._state, self._reason = state, reason

    def _report(self, now: float, force: bool = False) -> None:
        status = RuleStatus(
            self.rule.name,
            self._state,
            self._reason,
            len(self._settler),
            len(self._in_engine),
            dict(self._counts),
        )
        if status == self._sent:
            return
        same_state = self._sent is not None and self._sent.state is status.state
        if same_state and not force and now - self._sent_at < STATUS_EVERY:
            return
        self._sent, self._sent_at = status, now
        self._emit(status)

    def _emit(self, event: WatchEvent) -> None:
        if self._listener is None:
            return
        try:
            self._listener(event)
        except Exception:
            log.exception("watch listener failed")
