"""The engine on a QThread, and the queue bridge that brings its events to the GUI.

::

    engine thread (QThread)                         GUI thread
    -----------------------                         ----------
    EngineHost.run() ─► connect (a cluster) ──────────────────────► ready / stopped + error
                     ─► Engine.run() loop
        listeners(events) ─► EngineBridge._listen ─► deque ─► QTimer (50 ms) ─► _drain()
                             (append only)                     one time-boxed list ─► events(list)
    GUI ─► engine.pause()/cancel()/... (thread-safe: they post commands)

A cluster engine connects on the engine thread, before its loop, so an
unreachable scheduler (seconds of timeout) never freezes the window; if it
cannot connect, the loop never starts and ``stopped`` carries the reason.

The listener only appends to a deque, so the engine never waits for the GUI.
Each tick hands out as many events as fit in ``BUDGET`` seconds (by the
measured cost per event) in one signal, and reschedules itself with a
zero-delay timer while events remain, so a flood of 20,000 finished tasks is
spread over several short ticks instead of one long freeze.

The engine thread runs Python most of the time while a batch moves, and the
GUI thread takes the interpreter lock back for every call from Qt into Python
(each painted cell is one): when the engine thread holds it, the GUI waits up
to the interpreter's switch interval, 5 ms by default, per call. While the
engine thread runs, the bridge shortens that interval to ``SWITCH_INTERVAL``,
which bounds each wait at a fraction of a millisecond, so a repaint of the
table during a busy batch is not stretched by one switch interval per cell.
"""

from __future__ import annotations

import collections
import logging
import sys
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from core.backend import Backend
from core.cluster import ClusterError
from core.engine import Engine, EngineConfig, Recorder
from core.events import Event

log = logging.getLogger("brigade.gui")

DRAIN_MS = 50
BUDGET = 0.005  # seconds of GUI-thread time per drain tick
MIN_SLICE, MAX_SLICE = 100, 20_000  # events handed out per tick, whatever the measured cost
FINAL_SLICE = 50_000  # events per emit when everything left is handed out at once
MIN_COST = 1e-6  # seconds per event: the floor of the estimate
SWITCH_INTERVAL = 0.0005  # seconds: the interpreter's switch interval while the engine thread runs


class EngineHost(QObject):
    """Worker object moved to the engine QThread; its ``run`` slot hosts ``Engine.run``."""

    ready = Signal()  # connected (a cluster) and about to run the loop (engine thread)
    finished = Signal()  # the engine loop returned, or never started (engine thread)

    def __init__(self, engine: Backend) -> None:
        super().__init__()
        self.engine = engine
        self.error: str | None = None

    @Slot()
    def run(self) -> None:
        """Connect if the engine needs it, then run its loop until it is stopped. Engine thread."""
        try:
            connect = getattr(self.engine, "connect", None)
            if callable(connect):
                connect()  # a cluster: may block until its timeout, here rather than in the GUI
            self.ready.emit()
            self.engine.run()
            fault = getattr(self.engine, "fault", None)
            if fault is not None:  # the run ended on an unexpected error (logged with its traceback)
                self.error = f"unexpected error: {fault.message}"
        except ClusterError as exc:
            log.warning("%s", exc)
            self.error = str(exc)
        except Exception as exc:
            log.exception("the engine stopped with an error")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finished.emit()


class EngineBridge(QObject):
    """Owns the engine, its QThread and the event queue. Lives on the GUI thread.

    Parameters
    ----------
    config, recorder
        Settings and recorder of a local ``Engine``, made here when no ``engine`` is given.
    engine
        The engine to host instead (any ``core.backend.Backend``, e.g. a ``DaskEngine``).
    """

    events = Signal(list)  # the events of one drain tick, in order (GUI thread)
    ready = Signal()  # the engine is connected and its loop starts (GUI thread)
    stopped = Signal()  # the engine thread ended and every event was delivered

    def __init__(
        self,
        config: EngineConfig | None = None,
        recorder: Recorder | None = None,
        parent: Any = None,
        *,
        engine: Backend | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine: Backend = engine if engine is not None else Engine(config or EngineConfig(), recorder)
        self.is_ready = False  # ``ready`` was emitted: it connected (stays set after it stopped)
        self._queue: collections.deque[list[Event]] = collections.deque()
        self._pending: list[Event] = []
        self._at = 0  # events of _pending already handed out
        self._thread: QThread | None = None
        self._host: EngineHost | None = None
        self._timer = QTimer(self, interval=DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self._again = QTimer(self, singleShot=True, interval=0)
        self._again.timeout.connect(self._drain)
        self.max_drain = 0.0  # longest drain tick, seconds (for benchmarks)
        self._cost = 20e-6  # measured GUI seconds per event (smoothed); sizes each tick
        self.error: str | None = None  # why the engine loop ended, if it failed
        self._switch: float | None = None  # the switch interval to restore when the engine stops
        self.engine.add_listener(self._listen)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the engine thread and the drain timer."""
        thread = QThread(self)
        thread.setObjectName("brigade-engine")
        host = EngineHost(self.engine)
        host.moveToThread(thread)
        thread.started.connect(host.run)
        host.ready.connect(self._on_ready)
        # Direct: the GUI thread may be blocked in wait() and could not run a queued quit.
        host.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._host = thread, host
        if self._switch is None:
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))
        thread.start()
        self._timer.start()

    @property
    def running(self) -> bool:
        """Whether the engine thread is alive."""
        return self._thread is not None and self._thread.isRunning()

    def stop(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Ask the engine to stop without blocking; ``stopped`` is emitted when it has."""
        if self.running:
            self.engine.stop(interrupt=interrupt, timeout=timeout)

    def shutdown(self, *, interrupt: bool = True, timeout: float = 10.0) -> bool:
        """Stop the engine and wait for its thread (blocking); return whether it ended."""
        if self._thread is None:
            return True
        if self._thread.isRunning():
            self.engine.stop(interrupt=interrupt, timeout=0 if interrupt else None)
            if not self._thread.wait(int(timeout * 1000)):
                return False
        self._on_thread_finished()
        return True

    @Slot()
    def _on_ready(self) -> None:
        if self._thread is not None:
            self.is_ready = True
            self.ready.emit()

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        self._thread.wait()
        self._timer.stop()
        self._again.stop()
        self._drain(budget=None)
        if self._host is not None and self._host.error:
            self.error = self._host.error
        thread, self._thread, self._host = self._thread, None, None
        thread.deleteLater()
        if self._switch is not None:
            sys.setswitchinterval(self._switch)
            self._switch = None
        self.stopped.emit()

    # ------------------------------------------------------------ events
    def _listen(self, events: list[Event]) -> None:
        """Engine listener: queue the events. Runs on the engine thread; never blocks."""
        self._queue.append(events)

    @property
    def backlog(self) -> int:
        """Event lists waiting to be drained (approximate)."""
        return len(self._queue) + (1 if self._at < len(self._pending) else 0)

    @Slot()
    def _drain(self, budget: float | None = BUDGET) -> None:
        """Hand queued events to the slots: one ``events`` signal per tick, sized to ``budget``.

        Every call between Python and Qt may wait for the interpreter lock
        while the engine thread runs, so a tick makes one emit, not one per
        slice. Its size comes from the measured cost per event of earlier
        ticks; what is left waits for the next tick (a zero-delay timer), so
        the event loop runs in between. ``budget=None`` hands out everything.
        """
        t0 = time.perf_counter()
        if budget is None:
            while chunk := self._take(FINAL_SLICE):
                self.events.emit(chunk)
        else:
            limit = int(min(MAX_SLICE, max(MIN_SLICE, budget / self._cost)))
            chunk = self._take(limit)
            if chunk:
                self.events.emit(chunk)
                spent = time.perf_counter() - t0
                # Smoothed, so one slow tick (the machine was busy) does not halve the next.
                self._cost = max(MIN_COST, 0.7 * self._cost + 0.3 * spent / len(chunk))
                if self.backlog:
                    self._again.start()
        self.max_drain = max(self.max_drain, time.perf_counter() - t0)

    def _take(self, limit: int) -> list[Event]:
        """Up to ``limit`` queued events, in order, as one list."""
        out: list[Event] = []
        while len(out) < limit:
            if self._at >= len(self._pending):
                if not self._queue:
                    self._pending, self._at = [], 0
                    break
                self._pending, self._at = self._queue.popleft(), 0
            # An index, not re-slicing the rest: a list of a million events is read once.
            want = limit - len(out)
            if not out and self._at == 0 and len(self._pending) <= want:
                out, self._at = self._pending, len(self._pending)  # the whole list, no copy
            else:
                part = self._pending[self._at : self._at + want]
                self._at += len(part)
                out.extend(part)
        return out
