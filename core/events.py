"""Events the engine hands to its listeners.

Listeners are plain callables taking a list of events. The engine calls them on
its own thread (the engine thread), in batches, in the order things happened
for each task. A listener must return quickly: the next batch waits for it.

Events are read-only by contract, but none is frozen: a frozen record takes
several times as long to build (a batch of tiny files builds a few per
task). They are plain classes (``core.model.Record``), not dataclasses,
whose methods would cost every process that imports this module about a
millisecond per class before it runs anything.
"""

from __future__ import annotations

from collections.abc import Callable

from core.model import Record

TYPE_CHECKING = False  # no ``typing`` at run time: the CLI loads this module before its first task
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from core.model import BatchId, BatchSpec, Failure, TaskId, TaskState


class BatchAccepted(Record):
    """A batch was registered; its tasks are queued.

    ``task_ids[i]`` is the id of the task for ``spec.paths[i]``.
    """

    __slots__ = ("batch_id", "spec", "task_ids")

    batch_id: BatchId
    spec: BatchSpec
    task_ids: Sequence[TaskId]

    def __init__(self, batch_id: BatchId, spec: BatchSpec, task_ids: Sequence[TaskId]) -> None:
        self.batch_id = batch_id
        self.spec = spec
        self.task_ids = task_ids


class TaskStarted(Record):
    """A worker process began a task."""

    __slots__ = ("attempt", "pid", "seq", "task_id", "time")

    task_id: TaskId
    seq: int
    pid: int
    time: float
    attempt: int

    def __init__(self, task_id: TaskId, seq: int, pid: int, time: float, attempt: int) -> None:
        self.task_id = task_id
        self.seq = seq
        self.pid = pid
        self.time = time
        self.attempt = attempt


class TaskProgress(Record):
    """A running task reported how far it is (``fraction`` in 0..1)."""

    __slots__ = ("fraction", "message", "seq", "task_id")

    task_id: TaskId
    seq: int
    fraction: float
    message: str

    def __init__(self, task_id: TaskId, seq: int, fraction: float, message: str) -> None:
        self.task_id = task_id
        self.seq = seq
        self.fraction = fraction
        self.message = message


class TaskLog(Record):
    """One log line of a task (also ``print`` output); ``seq`` counts per attempt."""

    __slots__ = ("attempt", "level", "seq", "task_id", "text", "time")

    task_id: TaskId
    seq: int
    level: int
    time: float
    text: str
    attempt: int

    def __init__(
        self,
        task_id: TaskId,
        seq: int,
        level: int,
        time: float,
        text: str,
        attempt: int = 1,
    ) -> None:
        self.task_id = task_id
        self.seq = seq
        self.level = level
        self.time = time
        self.text = text
        self.attempt = attempt


class TaskFinished(Record):
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

    __slots__ = (
        "attempt",
        "ended",
        "failure",
        "line",
        "log_dropped",
        "mtime",
        "outputs",
        "pid",
        "result",
        "seq",
        "size",
        "started",
        "state",
        "task_id",
    )

    task_id: TaskId
    seq: int
    state: TaskState
    result: Mapping[str, Any] | None
    failure: Failure | None
    started: float
    ended: float
    attempt: int
    pid: int
    log_dropped: int
    outputs: tuple[str, ...]
    size: int
    mtime: float | None
    line: str | None

    def __init__(
        self,
        task_id: TaskId,
        seq: int,
        state: TaskState,
        result: Mapping[str, Any] | None,
        failure: Failure | None,
        started: float,
        ended: float,
        attempt: int,
        pid: int,
        log_dropped: int = 0,
        outputs: tuple[str, ...] = (),
        size: int = -1,
        mtime: float | None = None,
        line: str | None = None,
    ) -> None:
        self.task_id = task_id
        self.seq = seq
        self.state = state
        self.result = result
        self.failure = failure
        self.started = started
        self.ended = ended
        self.attempt = attempt
        self.pid = pid
        self.log_dropped = log_dropped
        self.outputs = outputs
        self.size = size
        self.mtime = mtime
        self.line = line

    @property
    def duration(self) -> float:
        """Seconds the task ran (0 if it never started)."""
        return max(0.0, self.ended - self.started) if self.started else 0.0


class TaskRequeued(Record):
    """A task goes back to the queue (retry after a failure, or resubmitted)."""

    __slots__ = ("attempt", "failure", "task_id")

    task_id: TaskId
    attempt: int
    failure: Failure | None

    def __init__(self, task_id: TaskId, attempt: int, failure: Failure | None) -> None:
        self.task_id = task_id
        self.attempt = attempt
        self.failure = failure


class BatchFinished(Record):
    """Every task of the batch is terminal, or the engine stopped it.

    ``stopped`` is true when the engine shut down with tasks still queued;
    those tasks stay queued for a later resume.
    """

    __slots__ = ("batch_id", "counts", "elapsed", "stopped")

    batch_id: BatchId
    counts: Mapping[TaskState, int]
    stopped: bool
    elapsed: float

    def __init__(
        self,
        batch_id: BatchId,
        counts: Mapping[TaskState, int],
        stopped: bool,
        elapsed: float,
    ) -> None:
        self.batch_id = batch_id
        self.counts = counts
        self.stopped = stopped
        self.elapsed = elapsed


class WorkerEvent(Record):
    """A worker process started (``exitcode is None``) or ended."""

    __slots__ = ("exitcode", "pid", "reason", "slot")

    slot: int
    pid: int
    exitcode: int | None
    reason: str

    def __init__(self, slot: int, pid: int, exitcode: int | None, reason: str) -> None:
        self.slot = slot
        self.pid = pid
        self.exitcode = exitcode
        self.reason = reason


Event = (
    BatchAccepted
    | TaskStarted
    | TaskProgress
    | TaskLog
    | TaskFinished
    | TaskRequeued
    | BatchFinished
    | WorkerEvent
)
Listener = Callable[[list[Event]], None]
