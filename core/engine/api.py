"""Small public records of the engine: its configuration, batch handles, the recorder hook."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from core.engine.wire import MAX_WORKERS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core.events import BatchFinished, Event
    from core.model import BatchId, BatchSpec, TaskId


def default_workers() -> int:
    """One worker per core the process may use (at most ``MAX_WORKERS``)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


@dataclass(slots=True, frozen=True)
class EngineConfig:
    """How the pool is built and supervised.

    Attributes
    ----------
    workers
        Worker processes, 1 to ``MAX_WORKERS`` (default 0: one per core).
    start_method
        ``"spawn"`` or ``"forkserver"`` (``None``: forkserver on Linux, spawn
        elsewhere, and on Linux the first workers forked from the engine's
        process when it runs no other thread: see ``Engine.start``); ``"fork"``
        is refused.
    recycle_after
        Replace a worker after it ran this many tasks (``None``: never).
    memory_cap
        Replace a worker whose resident memory passes this many bytes.
    kill_grace
        Seconds between asking (cancel flag, or TERM) and killing.
    log_level
        The least level of other libraries' log lines kept in task logs
        (``logging.WARNING`` by default: a library's debug chatter is left out).
        Brigade's own lines and the job's are always kept.
    lines
        The line each worker makes of a task it ended (``TaskFinished.line``):
        ``None`` (no line), ``"result"`` (a done task's ``Processor.result_line``)
        or ``"json"`` (a JSON record of any task), see ``core.engine.lines``.
    """

    workers: int = 0
    start_method: str | None = None
    recycle_after: int | None = None
    memory_cap: int | None = None
    kill_grace: float = 2.0
    log_level: int = logging.WARNING
    lines: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be 0 (one per core) to {MAX_WORKERS}, not {self.workers}")

    def worker_count(self) -> int:
        """The number of workers to run."""
        return self.workers if self.workers > 0 else default_workers()


class Recorder(Protocol):
    """Persists what the engine does (the job store implements it).

    Every method is called on the engine thread, which owns the recorder's
    resources (one database connection, for instance).
    """

    def start(self) -> None:
        """Open resources; called once when the engine thread starts."""

    def open_batch(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        """Register a batch (or a resumed one) and return its id and task ids."""
        ...

    def record(self, events: list[Event]) -> None:
        """Persist events, before any listener sees them."""

    def flush(self, reason: str) -> None:
        """Commit what is pending now: the one way to commit besides ``record``'s own windows.

        ``reason`` says why: ``"idle"`` (the engine has nothing to do) or
        ``"handed out"`` (a batch's last queued task was handed out, so its end
        has only its last tasks left to write).
        """

    def close(self) -> None:
        """Flush and release resources; called once as the engine thread ends."""


class BatchHandle:
    """What ``Engine.submit`` returns: wait for the batch to be accepted or to end."""

    def __init__(self) -> None:
        self._accepted = threading.Event()
        self._done = threading.Event()
        self.batch_id: BatchId | None = None
        self.task_ids: Sequence[TaskId] = ()
        self.result: BatchFinished | None = None
        self.error: BaseException | None = None

    def _accept(self, batch_id: BatchId, task_ids: Sequence[TaskId]) -> None:
        self.batch_id, self.task_ids = batch_id, task_ids
        self._accepted.set()

    def _fail(self, error: BaseException) -> None:
        self.error = error
        self._accepted.set()
        self._done.set()

    def _finish(self, result: BatchFinished) -> None:
        self.result = result
        self._done.set()

    def wait_accepted(self, timeout: float | None = None) -> BatchId:
        """Block until the engine registered the batch; return its id."""
        if not self._accepted.wait(timeout):
            raise TimeoutError("the batch was not accepted in time")
        if self.error is not None:
            raise self.error
        assert self.batch_id is not None
        return self.batch_id

    def wait(self, timeout: float | None = None) -> BatchFinished | None:
        """Block until the batch ends (or the engine stops); ``None`` on timeout."""
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.result

    @property
    def done(self) -> bool:
        """Whether the batch has ended."""
        return self._done.is_set()
