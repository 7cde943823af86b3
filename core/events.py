"""Events the engine hands to its listeners.

Listeners are plain callables taking a list of events. The engine calls them on
its own thread (the engine thread), in batches, in the order things happened
for each task. A listener must return quickly: the next batch waits for it.

Events are read-only by contract, but none is frozen: the engine builds a few
per task, and a frozen dataclass sets each field through ``object.__setattr__``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

    from core.model import BatchId, BatchSpec, Failure, TaskId, TaskState


@dataclass(slots=True)
class BatchAccepted:
    """A batch was registered; its tasks are queued.

    ``task_ids[i]`` is the id of the task for ``spec.paths[i]``.
    """

    batch_id: BatchId
    spec: BatchSpec
    task_ids: Sequence[TaskId]


@dataclass(slots=True)
class TaskStarted:
    """A worker process began a task."""

    task_id: TaskId
    seq: int
    pid: int
    time: float
    attempt: int


@dataclass(slots=True)
class TaskProgress:
    """A running task reported how far it is (``fraction`` in 0..1)."""

    task_id: TaskId
    seq: int
    fraction: float
    message: str


@dataclass(slots=True)
class TaskLog:
    """One log line of a task (also ``print`` output); ``seq`` counts per attempt."""

    task_id: TaskId
    seq: int
    level: int
    time: float
    text: str
    attempt: int = 1


@dataclass(slots=True)
class TaskFinished:
    """A task reached a terminal state.

    Attributes
    ----------
    state
        ``DONE``, ``FAILED``, ``CANCELLED`` or ``SKIPPED``.
    result
        The processor's result fields (plain data), for ``DONE`` and ``SKIPPED``.
    failure
        The reason, for ``FAILED`` (and for ``CANCELLED``, what stopped it).
    started, ended
        Wall-clock times (``time.time()``); ``started`` is 0 if it never ran.
    log_dropped
        Log lines past the per-task bound: counted, not kept.
    outputs
        Files the task wrote.
    size, mtime
        The input's size and modification time when the task started (-1 and
        ``None`` if it never started, or was not stat-ed).
    line
        The result as one line of text in the job's own form (``Processor.result_line``),
        made by the worker that ran it; ``None`` if the engine did not make one.
    """

    task_id: TaskId
    seq: int
    state: TaskState
    result: Mapping[str, Any] | None
    failure: Failure | None
    started: float
    ended: float
    attempt: int
    pid: int
    log_dropped: int = 0
    outputs: tuple[str, ...] = ()
    size: int = -1
    mtime: float | None = None
    line: str | None = None

    @property
    def duration(self) -> float:
        """Seconds the task ran (0 if it never started)."""
        return max(0.0, self.ended - self.started) if self.started else 0.0


@dataclass(slots=True)
class TaskRequeued:
    """A task goes back to the queue (retry after a failure, or resubmitted)."""

    task_id: TaskId
    attempt: int
    failure: Failure | None


@dataclass(slots=True)
class TasksCancelled:
    """Queued tasks of one batch were cancelled before any worker had them: one event for many tasks.

    Such tasks end with this event instead of a ``TaskFinished`` each, so
    cancelling the rest of a batch of a million tasks is one event, not a
    million. (A task already handed to a worker, started or not, ends with
    its own ``TaskFinished``.)

    Attributes
    ----------
    batch_id
        The batch the tasks belong to.
    spans
        The cancelled tasks' ids, in runs; each run is a ``range`` where the
        ids are consecutive (as a new batch's are), else a sorted sequence.
    time
        When they were cancelled (``time.time()``).
    """

    batch_id: BatchId
    spans: tuple[Sequence[TaskId], ...]
    time: float

    @property
    def count(self) -> int:
        """How many tasks were cancelled."""
        return sum(len(span) for span in self.spans)

    def task_ids(self) -> Iterator[TaskId]:
        """Every cancelled task's id, in order."""
        for span in self.spans:
            yield from span

    def each(self) -> Iterator[TaskFinished]:
        """Each task's end as its own ``TaskFinished``, for a listener that follows a few tasks one by one."""
        from core.model import TaskState

        for tid in self.task_ids():
            yield TaskFinished(tid, 0, TaskState.CANCELLED, None, None, 0.0, self.time, 0, 0)


@dataclass(slots=True)
class QueueOrdered:
    """The order in which batches with queued tasks are handed out changed.

    ``order`` lists those batches, the next to be served first.
    """

    order: tuple[BatchId, ...]


@dataclass(slots=True)
class BatchFinished:
    """Every task of the batch is terminal, or the engine stopped it.

    ``stopped`` is true when the engine shut down with tasks still queued;
    those tasks stay queued for a later resume.
    """

    batch_id: BatchId
    counts: Mapping[TaskState, int]
    stopped: bool
    elapsed: float


@dataclass(slots=True)
class WorkerEvent:
    """A worker process started (``exitcode is None``) or ended."""

    slot: int
    pid: int
    exitcode: int | None
    reason: str


Event = (
    BatchAccepted
    | TaskStarted
    | TaskProgress
    | TaskLog
    | TaskFinished
    | TaskRequeued
    | TasksCancelled
    | QueueOrdered
    | BatchFinished
    | WorkerEvent
)
Listener = Callable[[list[Event]], None]
