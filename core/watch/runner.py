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

The parts, each in its module: the folder's watch and its events
(``observe``), the walks (``scan``), settling (``settle``), the rule's tasks
in the engine (``tasks``) and the reports (``status``). This module runs them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from watchdog.observers.api import BaseObserver

from core.backend import Backend
from core.watch.events import RuleState, RuleStatus, WatchListener
from core.watch.ignore import PathFilter
from core.watch.ledger import QUEUED, Ledger, LedgerError, Stamp
from core.watch.observe import FileEvents, FolderWatch
from core.watch.outputs import Expected
from core.watch.rule import WatchRule
from core.watch.scan import Scanner
from core.watch.settle import Settler, digest_of, stamp_of
from core.watch.status import Reporter
from core.watch.tasks import RuleTasks

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
        self._db_path = db_path
        self._backlog = backlog
        self._inbox: deque[tuple[Any, ...]] = deque()
        self._wake = threading.Event()
        self._file_events = FileEvents(event_limit, self._wake)
        self._closing = False
        self._thread: threading.Thread | None = None
        # Rule-thread state below.
        self._wanted = PathFilter.of(rule)
        self._folder = FolderWatch(observer, self._file_events)
        self._scanner = Scanner(rule, self._wanted, BURST)
        self._settler = Settler(rule.settle, pending_limit)
        self._reporter = Reporter(listener)
        expected = Expected() if expected is None else expected
        self._expected = expected
        self._tasks = RuleTasks(rule, engine, expected, self._reporter.emit)
        self._enabled = enabled
        self._intake_closed = False
        self._state = RuleState.STARTING if enabled else RuleState.OFF
        self._reason = ""
        self._ledger: Ledger | None = None

    # ------------------------------------------------------------ any thread
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="brigade-watch", daemon=True)
        self._thread.start()

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
            self._folder.stop()
            self._ledger.close()
            if self._state is not RuleState.FAILED:
                self._set_state(RuleState.STOPPED)
            self._report(time.monotonic(), force=True)

    def _tick(self, now: float) -> None:
        assert self._ledger is not None
        while self._inbox:
            self._handle(self._inbox.popleft(), now)
        for event in self._file_events.take(EVENT_BUDGET):
            self._on_file_event(*event, now)
        if self._file_events:
            self._wake.set()  # the rest at the next tick: a burst must not hold up the rule
        if self._file_events.take_dropped():
            self._scanner.missed = True
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
        if due is not None and len(self._tasks) < self._backlog:
            wait = min(wait, due - now)
        if self.rule.rescan:
            wait = min(wait, self._scanner.rescan_at - now)
        return max(wait, 0.0)

    # ------------------------------------------------------------ messages
    def _handle(self, message: tuple[Any, ...], now: float) -> None:
        assert self._ledger is not None
        kind = message[0]
        if kind == "started":
            self._tasks.started(message[1])
        elif kind == "ended":
            _, tid, state, outputs, error = message
            self._tasks.ended(tid, state, outputs, error, self._ledger)
        elif kind == "enable":
            self._enable(message[1])
        elif kind == "stop_intake":
            self._close_intake()
            message[1].set()

    def _on_file_event(self, kind: str, src: str, dest: str, is_dir: bool, now: float) -> None:
        if self._state is not RuleState.WATCHING:
            return
        self._scanner.count_event()
        if kind in ("deleted", "moved"):
            self._settler.drop_under(src) if is_dir else self._settler.drop(src)
        path = dest if kind == "moved" else src
        if kind == "deleted" or not path:
            return
        if is_dir:
            # Files made or moved in with a folder may predate its watch: walk it.
            if kind in ("created", "moved") and self._wanted.wants_folder(path):
                self._scanner.add_root(path)
        elif self._wanted.wants_file(path):
            # Also an input whose task is queued or running: changed now, it runs again after.
            taken = self._settler.touch(path, now)
            if not taken and self._settler.full:
                self._scanner.missed = True

    def _enable(self, on: bool) -> None:
        self._enabled = on
        if on and self._state is RuleState.OFF:
            self._set_state(RuleState.STARTING)
        elif not on:
            self._stop_watching(RuleState.OFF, "switched off")

    def _close_intake(self) -> None:
        self._intake_closed = True
        self._stop_watching(RuleState.OFF, "stopping")
        self._tasks.withdraw_unstarted()

    # ------------------------------------------------------------ the folder
    def _check_folder(self, now: float) -> None:
        folder = self.rule.folder
        ident, problem = self._folder.look(folder)
        if ident is None:
            self._stop_watching(RuleState.PAUSED, problem)
            return
        if self._state is RuleState.WATCHING and ident == self._folder.ident:
            return
        # First start, back from a pause, or the folder was replaced (its old watch is dead).
        self._stop_watching(self._state, self._reason)
        problem = self._folder.start(folder, self.rule.recursive, ident)
        if problem:
            self._stop_watching(RuleState.PAUSED, problem)
            return
        # Events flow from here on; the walk catches up on what arrived before.
        self._scanner.begin(now)
        self._set_state(RuleState.WATCHING)

    def _stop_watching(self, state: RuleState, reason: str) -> None:
        self._folder.stop()
        self._settler.clear()
        self._scanner.reset()
        self._set_state(state, reason)

    # ------------------------------------------------------------ scanning
    def _feed_scan(self, now: float) -> None:
        scanner = self._scanner
        scanner.resume(now)
        walked = 0
        while scanner.walking and not self._settler.full:
            if walked >= SCAN_BUDGET:
                self._wake.set()  # go on at the next tick, after the inbox
                return
            path = scanner.next_path(now)
            if path is None:
                continue
            walked += 1
            if path in self._settler or path in self._tasks:
                continue
            stamp = stamp_of(path)
            if stamp is not None and not self._known(path, stamp):
                self._settler.touch(path, now, stamp)

    def _known(self, path: str, stamp: Stamp) -> bool:
        """Whether ``path`` with these size and mtime is an output, or an input whose task ended."""
        assert self._ledger is not None
        if self._ledger.is_output(path, stamp):
            return True
        seen = self._ledger.seen(self.rule.name, path)
        return seen is not None and seen.state != QUEUED and seen.stamp.same_content(stamp, False)

    # ------------------------------------------------------------ queuing
    def _submit(self, now: float) -> None:
        assert self._ledger is not None
        while (room := self._backlog - len(self._tasks)) > 0:
            settled = self._settler.due(now, min(room, BATCH_LIMIT))
            if not settled:
                return
            take = [item for item in settled if self._is_new(item, now)]
            if take:
                self._tasks.queue(take, self._ledger)

    def _is_new(self, item: tuple[str, Stamp], now: float) -> bool:
        path, stamp = item
        assert self._ledger is not None
        if path in self._expected or path in self._tasks:
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

    # ------------------------------------------------------------ reports
    def _set_state(self, state: RuleState, reason: str = "") -> None:
        self._state, self._reason = state, reason

    def _report(self, now: float, force: bool = False) -> None:
        status = RuleStatus(
            self.rule.name,
            self._state,
            self._reason,
            len(self._settler),
            len(self._tasks),
            dict(self._tasks.counts),
        )
        self._reporter.status(status, now, force)
