"""The worker side: one Dask task runs a chunk of files with Brigade's own task runner.

On a Dask worker, ``run_chunk`` builds the same ``core.engine.worker.Worker``
the local pool uses, so processors, their ``TaskRun`` context, results,
failures and log lines behave exactly as on the desktop. Only the two ends
differ::

    engine (client) ──submit(run_chunk, header, tasks)──► Dask worker thread
                                                          Worker.run_chunk(...)
        ◄── live: START / PROGRESS / LOG, every 0.1 s ── Channel ──► worker.log_event(TOPIC)
            (RESOURCE held: at once, before the resource can outlive a crash)
        ◄── result: every event of the run + CHUNK_END ──┘  (the authoritative record)
        ──► control Variable {yield, cancel ids} ──► RemoteSlots (polled, at most every 0.2 s)

``RemoteSlots`` stands in for the pool's shared-memory row: it answers
``TaskRun.cancelled()`` and the chunk loop's "hand back the rest" check from
the engine's control variable.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import Any

from core.engine import wire
from core.engine.worker import Worker

LIVE_SECONDS = 0.1
CONTROL_SECONDS = 0.2
GONE_SECONDS = 2.0  # a control variable not there this long was deleted (it exists before any chunk)
LIVE_CODES = (wire.START, wire.PROGRESS, wire.LOG, wire.RESOURCE)
# One event topic for every engine using the scheduler (messages carry the engine's session):
# Dask keeps a topic on the scheduler for good once it exists, so one per run would pile up.
TOPIC = "brigade-live"


class Control:
    """A cached read of the engine's control variable for one chunk.

    The engine sets the variable before it submits anything and deletes it
    when it closes; a chunk that finds it gone (its engine ended, or lost the
    scheduler) stops: it hands back the rest and cancels its current task, so
    nothing runs on for nobody. So does a chunk the engine gave up (``drop``).
    """

    def __init__(self, name: str, chunk_id: int) -> None:
        self.name = name
        self.key = str(chunk_id)
        self.read_at = 0.0
        self.stop = False
        self.drop = False
        self.cancel: frozenset[int] = frozenset()

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.read_at < CONTROL_SECONDS:
            return
        self.read_at = now
        from distributed import Variable, get_client

        try:
            value = Variable(self.name, client=get_client()).get(timeout=GONE_SECONDS)
        except TimeoutError:  # deleted: the engine is gone
            self.stop = self.drop = True
            return
        except Exception:  # noqa: BLE001 - the scheduler did not answer this time: keep running
            return
        mine = value.get("chunks", {}).get(self.key, {})
        self.stop = bool(value.get("yield")) or bool(mine.get("yield"))
        self.drop = bool(mine.get("drop"))
        self.cancel = frozenset(mine.get("cancel", ()))


class RemoteSlots:
    """The shared-memory slot row of ``core.engine.wire``, answered from ``Control``."""

    def __init__(self, control: Control) -> None:
        self.control = control
        self.values = [-1, 0, -1, 0]
        self.first = True

    def __getitem__(self, field: int) -> int:
        if field == wire.CANCEL:
            self.control.refresh()
            current = self.values[wire.CURRENT]
            return current if self.control.drop or current in self.control.cancel else -1
        if field == wire.YIELD:
            self.control.refresh(force=self.first)
            self.first = False
            return 1 if self.control.stop else 0
        return self.values[field]

    def __setitem__(self, field: int, value: int) -> None:
        self.values[field] = value


class Channel:
    """The ``conn`` of the task runner's ``Emitter``: keeps the record, publishes the live part."""

    def __init__(self, session: str, chunk_id: int, slots: RemoteSlots, worker: Any) -> None:
        self.session = session
        self.worker = worker
        self.chunk_id = chunk_id
        self.slots = slots
        self.token = uuid.uuid4().hex
        self.record: list[tuple[Any, ...]] = []
        self.live: list[tuple[Any, ...]] = []
        self.done: set[int] = set()
        self.lock = threading.Lock()
        self.sent_current = -2
        self.emitter: Any = None

    def send(self, events: list[tuple[Any, ...]]) -> None:
        urgent = False
        with self.lock:
            for ev in events:
                code = ev[0]
                if code not in (wire.PROGRESS, wire.RESOURCE):
                    self.record.append(ev)
                if code in LIVE_CODES:
                    self.live.append(ev)
                    urgent = urgent or (code == wire.RESOURCE and ev[4])
                elif code == wire.DONE:
                    self.done.add(ev[1])
        if urgent:  # the engine must know of it before the worker can die holding it
            self._publish()

    def publish(self) -> None:
        """Send the live events gathered since the last call (ticker thread)."""
        if self.emitter is not None:
            self.emitter.flush()
        self._publish()

    def _publish(self) -> None:
        current = self.slots.values[wire.CURRENT]
        with self.lock:
            done = self.done
            # A finished task's start and progress are old news: its DONE comes with the result.
            live = [ev for ev in self.live if ev[0] == wire.LOG or ev[1] not in done]
            self.live = []
            if not live and current == self.sent_current:
                return
            self.sent_current = current
            done_count = len(done)
        msg = [self.session, self.chunk_id, self.token, self.worker.address, os.getpid(), current]
        self.worker.log_event(TOPIC, [*msg, done_count, live])


class _Live:
    """One ticker thread per worker process publishes every running chunk's live events."""

    lock = threading.Lock()
    channels: set[Channel] = set()
    thread: threading.Thread | None = None

    @classmethod
    def add(cls, channel: Channel) -> None:
        with cls.lock:
            cls.channels.add(channel)
            if cls.thread is None or not cls.thread.is_alive():
                cls.thread = threading.Thread(target=cls._loop, name="brigade-live", daemon=True)
                cls.thread.start()

    @classmethod
    def remove(cls, channel: Channel) -> None:
        with cls.lock:
            cls.channels.discard(channel)

    @classmethod
    def _loop(cls) -> None:
        stop = threading.Event()
        while not stop.wait(LIVE_SECONDS):
            with cls.lock:
                channels = list(cls.channels)
            for channel in channels:
                try:
                    channel.publish()
                except Exception:
                    logging.getLogger("brigade.cluster").debug("live publish failed", exc_info=True)


class _ChunkLog(logging.Handler):
    """Sends a task logger's records to the chunk that runs on one Dask worker thread now."""

    def __init__(self) -> None:
        super().__init__()
        self.sink: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        sink = self.sink
        if sink is not None and sink.filter(record):
            sink.put_nowait(record)


_loggers_lock = threading.Lock()


def _task_logger(sink: Any) -> logging.Logger:
    """The task logger of this Dask worker thread, its records going to ``sink``.

    A worker process runs a chunk on each of its threads at once, so each
    thread has a logger of its own (``ctx.logger``). Records go by logger,
    not by the thread that logs: a command job's output is logged from its
    reader threads. One logger per worker thread, reused by its chunks: the
    logging module keeps every logger for good.
    """
    with _loggers_lock:
        logger = logging.getLogger(f"brigade.task.{threading.get_ident()}")
        handler = next((h for h in logger.handlers if isinstance(h, _ChunkLog)), None)
        if handler is None:
            handler = _ChunkLog()
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            logger.propagate = False  # task lines belong to the task, not the worker's own log
    handler.sink = sink
    return logger


def run_chunk(header: dict[str, Any], tasks: list[tuple[int, str, int, int]]) -> dict[str, Any]:
    """Run a chunk of tasks on this Dask worker and return every event of the run.

    ``header`` holds ``session``, ``control``, ``chunk_id``, ``job``, ``ref``,
    ``params``, ``output`` and ``log_limit``; ``tasks`` are the wire tuples
    ``(task_id, path, attempt, index)`` with paths already in the worker's terms.
    """
    from distributed import get_worker

    worker = get_worker()
    chunk_id = header["chunk_id"]
    slots = RemoteSlots(Control(header["control"], chunk_id))
    channel = Channel(header["session"], chunk_id, slots, worker)
    runner = Worker(channel, slots, 0)  # type: ignore[arg-type]
    channel.emitter = runner.emitter
    runner.logger = _task_logger(runner.sink)
    _Live.add(channel)
    try:
        runner.run_chunk(
            chunk_id,
            header["job"],
            header["ref"],
            header["params"],
            header["output"],
            header["log_limit"],
            tasks,
        )
    finally:
        _Live.remove(channel)
        runner.logger.handlers[0].sink = None  # type: ignore[attr-defined]
        runner.emitter.flush()
    with channel.lock:
        events = list(channel.record)
    return {"token": channel.token, "worker": worker.address, "pid": os.getpid(), "events": events}


def brigade_version() -> str:
    """Brigade's version on this worker (the connection test asks every worker)."""
    from core import __version__

    return __version__
