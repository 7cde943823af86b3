"""Records shared by the engine, the store, the CLI and the desktop app.

Everything here is plain data: small records and enums that pickle cheaply
and cross thread and process boundaries unchanged. The records are
dataclasses with slots; they are read-only by contract, not frozen, because
the engine builds some per task and a frozen dataclass sets each field
through ``object.__setattr__``.
"""

from __future__ import annotations

import dataclasses
import enum
from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TaskId = int
BatchId = int


def task_index(ids: Sequence[TaskId], task_id: TaskId) -> int:
    """Return the position of ``task_id`` in a batch's sorted ids, or -1."""
    if isinstance(ids, range):
        i = task_id - ids.start if ids.step == 1 else -1
        return i if 0 <= i < len(ids) else -1
    i = bisect_left(ids, task_id)
    return i if i < len(ids) and ids[i] == task_id else -1


class TaskState(enum.IntEnum):
    """Where a task is in its life.

    ``QUEUED -> RUNNING -> DONE | FAILED | CANCELLED | SKIPPED``; a failed or
    cancelled task goes back to ``QUEUED`` when it is retried.
    """

    QUEUED = 0
    RUNNING = 1
    DONE = 2
    FAILED = 3
    CANCELLED = 4
    SKIPPED = 5

    @property
    def terminal(self) -> bool:
        """Whether the task has ended (until someone retries it)."""
        return self >= TaskState.DONE

    @property
    def label(self) -> str:
        """Lower-case name for people and files."""
        return self.name.lower()


_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    TaskState.QUEUED: frozenset(
        {TaskState.RUNNING, TaskState.CANCELLED, TaskState.SKIPPED, TaskState.FAILED}
    ),
    TaskState.RUNNING: frozenset(
        {
            TaskState.DONE,
            TaskState.FAILED,
            TaskState.CANCELLED,
            TaskState.SKIPPED,
            # A running task whose worker handed it back unstarted (pause,
            # worker recycled) is queued again.
            TaskState.QUEUED,
        }
    ),
    TaskState.DONE: frozenset(),
    TaskState.FAILED: frozenset({TaskState.QUEUED}),
    TaskState.CANCELLED: frozenset({TaskState.QUEUED}),
    TaskState.SKIPPED: frozenset(),
}


def can_transition(old: TaskState, new: TaskState) -> bool:
    """Return whether a task may move from ``old`` to ``new``."""
    return new in _TRANSITIONS[old]


class FailureKind(enum.StrEnum):
    """Why a task failed."""

    ERROR = "error"  # the processor raised; type, message and traceback kept
    EXIT = "exit"  # the worker process exited or was killed by a signal
    TIMEOUT = "timeout"  # the per-task time limit ran out
    WORKER_LOST = "worker-lost"  # the worker vanished without an exit status
    INTERRUPTED = "interrupted"  # the app stopped while the task ran


@dataclass(slots=True)
class Failure:
    """The typed reason of a failed task.

    Attributes
    ----------
    kind
        The family of the failure.
    message
        One line for people: the exception text, "killed by SIGKILL", ...
    exc_type
        Qualified name of the exception class, for ``ERROR``.
    traceback
        Formatted traceback text, for ``ERROR``.
    exit_code
        The worker's exit code, for ``EXIT`` (negative: killed by that signal).
    retryable
        Whether the engine may run the task again (within the retry limit).
    poison
        The task killed its worker too often and will not be retried.
    """

    kind: FailureKind
    message: str
    exc_type: str | None = None
    traceback: str | None = None
    exit_code: int | None = None
    retryable: bool = False
    poison: bool = False

    @property
    def signal(self) -> int | None:
        """The signal number that ended the worker, if any."""
        if self.exit_code is not None and self.exit_code < 0:
            return -self.exit_code
        return None

    def describe(self) -> str:
        """A one-line reason for tables and terminals."""
        head = f"{self.kind.value}: {self.message}" if self.message else self.kind.value
        return head + (" (poison: not retried)" if self.poison else "")


@dataclass(slots=True)
class BatchOptions:
    """Run options of one batch.

    Attributes
    ----------
    timeout
        Seconds a single task may run before its worker is stopped; ``None``
        for no limit.
    retries
        How many times a retryable failure is run again.
    poison_after
        A task that kills its worker this many times is not run again.
    log_limit
        Log lines kept per task; further lines are counted, not sent.
    """

    timeout: float | None = None
    retries: int = 0
    poison_after: int = 3
    log_limit: int = 10_000


@dataclass(slots=True)
class BatchSpec:
    """What a person asked for: one job over many files.

    Attributes
    ----------
    job
        The processor's name (``"checksum"``).
    params
        Validated parameter values for the processor.
    paths
        Input files, in order. Kept by reference, never copied: a list of a
        million paths costs the engine no second list.
    options
        Run options (timeout, retries, log bound).
    batch_id, task_ids
        Set when an existing batch is resumed: the ids its tasks already have.
    sizes
        Optional sizes in bytes, parallel to ``paths``, used to form chunks.
    output
        The output policy (plain data, see ``core.output``) for jobs that
        write files; sent to the workers with each chunk.
    extra
        Free-form data stored with the batch (where it ran, for instance).
    mtimes
        Optional modification times (``st_mtime``), parallel to ``paths``: the
        store keeps them to tell, on resume, an input that changed since it
        was queued.
    skipped
        Inputs that end skipped as soon as the batch is accepted, without
        running: ``{index in paths: why}`` (a walk could not use them: a FIFO,
        a folder that contains itself). They are tasks of the batch like any
        other, so its counts and its history name them; see ``with_skipped``.
    """

    job: str
    params: Mapping[str, Any]
    paths: Sequence[str]
    options: BatchOptions = field(default_factory=BatchOptions)
    batch_id: BatchId | None = None
    task_ids: Sequence[TaskId] | None = None
    sizes: Sequence[int] | None = None
    output: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    mtimes: Sequence[float] | None = None
    skipped: Mapping[int, str] = field(default_factory=dict)

    def replace(self, **changes: Any) -> BatchSpec:
        """Return a copy with the given fields changed (the paths are shared, not copied)."""
        return dataclasses.replace(self, **changes)

    def only(self, task_ids: Collection[TaskId]) -> BatchSpec:
        """The same batch narrowed to its tasks whose ids are in ``task_ids``, in their order.

        Each kept task keeps its id, size and mtime. Only a batch that has
        task ids (one from the store) can be narrowed: else ``ValueError``.
        """
        if self.task_ids is None:
            raise ValueError("a batch without task ids cannot be narrowed to some of them")
        keep = [i for i, tid in enumerate(self.task_ids) if tid in task_ids]

        def pick(values: Sequence[Any] | None) -> list[Any] | None:
            return None if values is None else [values[i] for i in keep]

        return self.replace(
            paths=pick(self.paths),
            task_ids=pick(self.task_ids),
            sizes=pick(self.sizes),
            mtimes=pick(self.mtimes),
            skipped={},  # a batch from the store: its skipped tasks ended there already
        )

    def with_skipped(self, inputs: Sequence[tuple[str, str]]) -> BatchSpec:
        """The same batch with ``inputs`` (``(path, why)``) first among its tasks, each to end skipped.

        First, so that the history writes their rows at once without writing
        every queued task's row before them.
        """
        if not inputs:
            return self
        k = len(inputs)

        def ahead(values: Sequence[Any] | None, blank: Any) -> list[Any] | None:
            return None if values is None else [blank] * k + list(values)

        return self.replace(
            paths=[path for path, _ in inputs] + list(self.paths),
            sizes=ahead(self.sizes, 0),
            mtimes=ahead(self.mtimes, 0.0),
            skipped={i: why for i, (_, why) in enumerate(inputs)},
        )
