"""What each engine event changes in a task's row or log, as the writes will store it.

Pure functions of one event: JSON is made here, once, so a commit only
binds values. A result the history cannot keep fails its task here, with the
reason (the task's output is nowhere else).
"""

from __future__ import annotations

from core.engine.lines import cut_line
from core.events import TaskFinished, TaskLog, TaskRequeued, TaskStarted
from core.model import Failure, FailureKind, TaskState
from core.store.codec import dumps, failure_in, text_in
from core.store.writes import LogLine, TaskUpdate


def running(ev: TaskStarted) -> TaskUpdate:
    """The row of a task that started and has not ended."""
    return TaskUpdate(int(TaskState.RUNNING), ev.attempt, ev.time, pid=ev.pid)


def finished(ev: TaskFinished) -> TaskUpdate:
    """The row of a task that ended; a result that is not plain data fails the task."""
    state, failure, result = ev.state, ev.failure, None
    try:
        result = dumps(ev.result)
    except (TypeError, ValueError) as exc:
        state = TaskState.FAILED
        failure = Failure(FailureKind.ERROR, f"its result cannot be stored in the history: {exc}")
    return TaskUpdate(
        int(state),
        ev.attempt,
        ev.started or None,
        ev.ended,
        ev.pid or None,
        failure_in(failure),
        failure.kind.value if failure is not None else None,
        result,
        dumps(list(ev.outputs)) if ev.outputs else None,
        ev.size if ev.size >= 0 else None,
        ev.mtime,
    )


def requeued(ev: TaskRequeued) -> TaskUpdate:
    """The row of a task that goes back to the queue (its attempt not counted yet)."""
    failure = ev.failure
    return TaskUpdate(
        int(TaskState.QUEUED),
        ev.attempt - 1,
        failure=failure_in(failure),
        failure_kind=failure.kind.value if failure is not None else None,
    )


def cancelled(when: float) -> TaskUpdate:
    """The record of a queued task cancelled before it ran (one of a ``TasksCancelled``)."""
    return TaskUpdate(int(TaskState.CANCELLED), 0, ended=when)


def log_line(ev: TaskLog, base: int) -> LogLine:
    """The stored line of ``ev``, cut to ``LINE_LIMIT``; ``base`` is the task's attempt base."""
    return (ev.task_id, base + ev.attempt, ev.seq, ev.level, ev.time, text_in(cut_line(ev.text)))
