"""The records the store's queries return (plain, frozen, safe to hand to any thread)."""

from __future__ import annotations

import sqlite3
import time

from core.model import FailureKind, FrozenRecord, TaskState
from core.store import owner
from core.store.codec import failure_out, loads, text_out

TYPE_CHECKING = False  # no ``typing`` at run time (``run`` opens the history before its first task)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from core.model import Failure


class BatchRow(FrozenRecord):
    """One batch of the history.

    ``status`` is ``running``, ``finished``, ``stopped`` (shut down with tasks
    left queued) or ``interrupted`` (its process died). ``duration`` is the
    time spent running, over every run of the batch.
    """

    __slots__ = (
        "counts",
        "created",
        "duration",
        "extra",
        "finished",
        "id",
        "job",
        "output",
        "params",
        "status",
        "total",
    )

    id: int
    job: str
    params: dict[str, Any]
    output: dict[str, Any] | None
    extra: dict[str, Any]
    created: float
    finished: float | None
    status: str
    counts: dict[TaskState, int]
    total: int
    duration: float | None

    def __init__(
        self,
        id: int,
        job: str,
        params: dict[str, Any],
        output: dict[str, Any] | None,
        extra: dict[str, Any],
        created: float,
        finished: float | None,
        status: str,
        counts: dict[TaskState, int],
        total: int,
        duration: float | None,
    ) -> None:
        self._init(
            id=id,
            job=job,
            params=params,
            output=output,
            extra=extra,
            created=created,
            finished=finished,
            status=status,
            counts=counts,
            total=total,
            duration=duration,
        )


class TaskRow(FrozenRecord):
    """One task of a batch, as last recorded.

    ``path`` is surrogate-escaped like ``os.fsdecode``; ``changed`` says the
    input's size or mtime differed from queue time when the batch was resumed.
    An interrupted task is ``FAILED`` with a failure of kind ``interrupted``.
    """

    __slots__ = (
        "attempts",
        "batch_id",
        "changed",
        "ended",
        "failure",
        "id",
        "index",
        "log_dropped",
        "mtime",
        "outputs",
        "path",
        "pid",
        "result",
        "size",
        "started",
        "state",
    )

    id: int
    batch_id: int
    index: int
    path: str
    size: int | None
    mtime: float | None
    state: TaskState
    failure: Failure | None
    attempts: int
    started: float | None
    ended: float | None
    pid: int | None
    result: dict[str, Any] | None
    outputs: tuple[str, ...]
    log_dropped: int
    changed: bool

    def __init__(
        self,
        id: int,
        batch_id: int,
        index: int,
        path: str,
        size: int | None,
        mtime: float | None,
        state: TaskState,
        failure: Failure | None,
        attempts: int,
        started: float | None,
        ended: float | None,
        pid: int | None,
        result: dict[str, Any] | None,
        outputs: tuple[str, ...],
        log_dropped: int,
        changed: bool,
    ) -> None:
        self._init(
            id=id,
            batch_id=batch_id,
            index=index,
            path=path,
            size=size,
            mtime=mtime,
            state=state,
            failure=failure,
            attempts=attempts,
            started=started,
            ended=ended,
            pid=pid,
            result=result,
            outputs=outputs,
            log_dropped=log_dropped,
            changed=changed,
        )

    @property
    def duration(self) -> float | None:
        """Seconds the last attempt ran, if it ran."""
        if self.started and self.ended:
            return max(0.0, self.ended - self.started)
        return None

    @property
    def label(self) -> str:
        """The state for people: ``interrupted`` for a task its process left running."""
        if self.state == TaskState.FAILED and self.failure and self.failure.kind == FailureKind.INTERRUPTED:
            return "interrupted"
        return self.state.label

    @property
    def reason(self) -> str | None:
        """The failure as one line, if any."""
        return self.failure.describe() if self.failure else None


class LogRow(FrozenRecord):
    """One log line of a task; ``attempt`` counts over every run of the task."""

    __slots__ = ("attempt", "level", "seq", "task_id", "text", "time")

    task_id: int
    attempt: int
    seq: int
    level: int
    time: float
    text: str

    def __init__(
        self,
        task_id: int,
        attempt: int,
        seq: int,
        level: int,
        time: float,
        text: str,
    ) -> None:
        self._init(
            task_id=task_id,
            attempt=attempt,
            seq=seq,
            level=level,
            time=time,
            text=text,
        )


BATCH_COLUMNS = (
    "id, job, params, output, extra, created, finished, status, counts, total, elapsed, run_started, "
    "owner_host, owner_pid, owner_started"
)
TASK_COLUMNS = (
    "id, batch_id, idx, path, size, mtime, state, failure, attempts, started, ended, pid, result, "
    "outputs, log_dropped, changed"
)


def counts_out(data: Mapping[str, int] | None) -> dict[TaskState, int]:
    """Counts keyed by state label, as stored, into a full ``{TaskState: n}``."""
    data = data or {}
    return {s: int(data.get(s.label, 0)) for s in TaskState}


def batch_row(row: sqlite3.Row | tuple[Any, ...], live_counts: dict[TaskState, int] | None) -> BatchRow:
    """Build a :class:`BatchRow` from a ``BATCH_COLUMNS`` row."""
    (bid, job, params, output, extra, created, finished, status, counts, total, elapsed, run_started,
     host, pid, pstarted) = row  # fmt: skip
    running = status == "running"
    if running and not owner.alive(host, pid, pstarted):
        status, running = "interrupted", False
    duration = float(elapsed or 0.0)
    if running and run_started:
        duration += max(0.0, time.time() - run_started)
    return BatchRow(
        id=bid,
        job=job,
        params=loads(params) or {},
        output=loads(output),
        extra=loads(extra) or {},
        created=created,
        finished=finished,
        status=status,
        counts=live_counts if live_counts is not None else counts_out(loads(counts)),
        total=total,
        duration=duration,
    )


def task_row(row: sqlite3.Row | tuple[Any, ...]) -> TaskRow:
    """Build a :class:`TaskRow` from a ``TASK_COLUMNS`` row."""
    (tid, bid, idx, path, size, mtime, state, failure, attempts, started, ended, pid, result, outputs,
     dropped, changed) = row  # fmt: skip
    return TaskRow(
        id=tid,
        batch_id=bid,
        index=idx,
        path=text_out(path),
        size=size,
        mtime=mtime,
        state=TaskState(state),
        failure=failure_out(failure),
        attempts=attempts,
        started=started or None,
        ended=ended,
        pid=pid or None,
        result=loads(result),
        outputs=tuple(loads(outputs) or ()),
        log_dropped=dropped,
        changed=bool(changed),
    )
