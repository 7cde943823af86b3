"""The engine on a QThread, and the queue bridge that brings its events to the GUI.

::

    engine thread (QThread)                         GUI thread
    -----------------------                         ----------
    EngineHost.run() ─► connect (a cluster) ──────────────────────► ready / stopped + error
                     ─► Engine.run() loop
        listeners(events) ─► EngineBridge._listen ─► deque ─► QTimer (50 ms) ─► _drain()
                             (append only)                     time-boxed slices ─► events(list)
                                                               end of the tick   ─► drained()
    GUI ─► engine.pause()/cancel()/... (thread-safe: they post commands)

A cluster engine connects on the engine thread, before its loop, so an
unreachable scheduler (seconds of timeout) never freezes the window; if it
cannot connect, the loop never starts and ``stopped`` carries the reason.

The listener only appends to a deque, so the engine never waits for the GUI.
The drain runs at most ``BUDGET`` seconds per tick and reschedules itself
with a zero-delay timer while events remain, so a flood of 20,000 finished
tasks is spread over several short slices instead of one long freeze.
"""

from __future__ import annotations

import collections
import logging
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from core.backend import Backend
from core.cluster import ClusterError
from core.engine import Engine, EngineConfig, Recorder
from core.events import Event

log = logging.getLogger("brigade.gui")

DRAIN_MS = 50
BUDGET = 0.008  # seconds of GUI-thread time per drain tick
SLICE = 200  # events handed to the slots at once


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

    events = Signal(list)  # a slice of engine events, in order (GUI thread)
    drained = Signal()  # a drain tick that handed out events has ended (GUI thread)
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
        self.error: str | None = None  # why the engine loop ended, if it failed
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
        """Hand queued events to the slots in slices, for at most ``budget`` seconds."""
        t0 = time.perf_counter()
        handed = False
        while True:
            chunk = self._next_slice()
            if not chunk:
                break
            self.events.emit(chunk)
            handed = True
            if budget is not None and time.perf_counter() - t0 >= budget:
                if self._queue or self._at < len(self._pending):
                    self._again.start()
                break
        if handed:
            # Once per tick, however many slices: listeners repaint here, not per slice.
            self.drained.emit()
        self.max_drain = max(self.max_drain, time.perf_counter() - t0)

    def _next_slice(self) -> list[Event]:
        if self._at >= len(self._pending):
            if not self._queue:
                self._pending, self._at = [], 0
                return []
            self._pending, self._at = self._queue.popleft(), 0
            # Merge small lists, so a slot sees a few big slices rather than many tiny ones.
            while self._queue and len(self._pending) + len(self._queue[0]) <= SLICE:
                self._pending = self._pending + self._queue.popleft()
        # An index, not re-slicing the rest: a list of a million events is read once.
        chunk = self._pending[self._at : self._at + SLICE]
        self._at += len(chunk)
        return chunk
