"""Records shared by the engine, the store, the CLI and the desktop app.

Everything here is plain data: small records and enums that pickle cheaply
and cross thread and process boundaries unchanged. They are read-only by
contract, not frozen: a frozen record costs a call per field to build, and
the engine builds some per task.

The records are plain classes (see ``Record``), not dataclasses: generating a
dataclass's methods costs about a millisecond per class, and importing
``dataclasses`` several more, in every start of the CLI before its first task.
"""

from __future__ import annotations

import enum
from bisect import bisect_left

# No ``typing`` at run time: the CLI loads this module before its first task.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

TaskId = int
BatchId = int


def _values(record: Record) -> tuple[Any, ...]:
    return tuple([getattr(record, name) for name in record.__slots__])


def _rebuild(cls: type[Record], values: tuple[Any, ...]) -> Record:
    """Unpickle a record: set its fields without running ``__init__``, as unpickling does."""
    record = cls.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):
        object.__setattr__(record, name, value)
    return record


class Record:
    """Base of plain records: equality, ``repr`` and pickling by field.

    A subclass names its fields in ``__slots__`` and sets them in its own
    ``__init__``. Records are equal when they are of the same class with
    equal fields, and are not hashable (see ``FrozenRecord``), as
    dataclasses would be.
    """

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        fields = ", ".join([f"{name}={getattr(self, name)!r}" for name in self.__slots__])
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (self.__class__, _values(self))


class FrozenRecord(Record):
    """A record whose fields cannot change once built; it hashes by its fields.

    ``__init__`` sets the fields with ``_init``.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(_values(self))

    def _init(self, **fields: Any) -> None:
        """Set fields by name (for ``__init__``)."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)


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


class Failure(Record):
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

    __slots__ = ("exc_type", "exit_code", "kind", "message", "poison", "retryable", "traceback")

    kind: FailureKind
    message: str
    exc_type: str | None
    traceback: str | None
    exit_code: int | None
    retryable: bool
    poison: bool

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        exc_type: str | None = None,
        traceback: str | None = None,
        exit_code: int | None = None,
        retryable: bool = False,
        poison: bool = False,
    ) -> None:
        self.kind = kind
        self.message = message
        self.exc_type = exc_type
        self.traceback = traceback
        self.exit_code = exit_code
        self.retryable = retryable
        self.poison = poison

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


class BatchOptions(Record):
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

    __slots__ = ("log_limit", "poison_after", "retries", "timeout")

    timeout: float | None
    retries: int
    poison_after: int
    log_limit: int

    def __init__(
        self, timeout: float | None = None, retries: int = 0, poison_after: int = 3, log_limit: int = 10_000
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.poison_after = poison_after
        self.log_limit = log_limit


class BatchSpec(Record):
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
    """

    __slots__ = (
        "batch_id",
        "extra",
        "job",
        "mtimes",
        "options",
        "output",
        "params",
        "paths",
        "sizes",
        "task_ids",
    )

    job: str
    params: Mapping[str, Any]
    paths: Sequence[str]
    options: BatchOptions
    batch_id: BatchId | None
    task_ids: Sequence[TaskId] | None
    sizes: Sequence[int] | None
    output: Mapping[str, Any] | None
    extra: Mapping[str, Any]
    mtimes: Sequence[float] | None

    def __init__(
        self,
        job: str,
        params: Mapping[str, Any],
        paths: Sequence[str],
        options: BatchOptions | None = None,
        batch_id: BatchId | None = None,
        task_ids: Sequence[TaskId] | None = None,
        sizes: Sequence[int] | None = None,
        output: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        mtimes: Sequence[float] | None = None,
    ) -> None:
        self.job = job
        self.params = params
        self.paths = paths
        self.options = BatchOptions() if options is None else options
        self.batch_id = batch_id
        self.task_ids = task_ids
        self.sizes = sizes
        self.output = output
        self.extra = {} if extra is None else extra
        self.mtimes = mtimes

    def replace(self, **changes: Any) -> BatchSpec:
        """Return a copy with the given fields changed (the paths are shared, not copied)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        unknown = sorted(set(changes) - set(values))
        if unknown:
            raise TypeError(f"BatchSpec has no field {unknown[0]!r}")
        values.update(changes)
        return BatchSpec(**values)
