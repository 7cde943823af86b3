"""The records the store's queries return (plain, frozen, safe to hand to any thread)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.model import Failure, FailureKind, TaskState
from core.store import owner
from core.store.codec import failure_out, loads, text_out
from core.store.writes import INTERRUPTED_LABEL


@dataclass(slots=True, frozen=True)
class BatchRow:
    """One batch of the history.

    ``status`` is ``running``, ``finished``, ``stopped`` (shut down with tasks
    left queued) or ``interrupted`` (its process died). ``duration`` is the
    time spent running, over every run of the batch. ``counts`` has every
    state; its ``FAILED`` includes the ``interrupted`` tasks, counted apart too.
    """

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
    interrupted: int = 0

    def label_counts(self) -> dict[str, int]:
        """Tasks per label, as a task's ``label`` names it (``interrupted`` apart from ``failed``)."""
        out = {s.label: n for s, n in self.counts.items()}
        out[TaskState.FAILED.label] -= self.interrupted
        out[INTERRUPTED_LABEL] = self.interrupted
        return {label: n for label, n in out.items() if n}


@dataclass(slots=True, frozen=True)
class TaskRow:
    """One task of a batch, as last recorded.

    ``path`` is surrogate-escaped like ``os.fsdecode``; ``changed`` says the
    input's size or mtime differed from what the history last saw when the
    batch was resumed. An interrupted task is ``FAILED`` with a failure of kind
    ``interrupted``. ``result`` is any JSON value the job returned.
    """

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
    result: Any
    outputs: tuple[str, ...]
    log_dropped: int
    changed: bool

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
            return INTERRUPTED_LABEL
        return self.state.label

    @property
    def reason(self) -> str | None:
        """The failure as one line, if any."""
        return self.failure.describe() if self.failure else None


@dataclass(slots=True, frozen=True)
class LogRow:
    """One log line of a task; ``attempt`` counts over every run of the task."""

    task_id: int
    attempt: int
    seq: int
    level: int
    time: float
    text: str


BATCH_COLUMNS = (
    "id, job, params, output, extra, created, finished, status, counts, total, elapsed, run_started, "
    "owner_host, owner_pid, owner_started"
)
TASK_COLUMNS = (
    "id, batch_id, idx, path, size, mtime, state, failure, attempts, started, ended, pid, result, "
    "outputs, log_dropped, changed"
)


def counts_out(data: Mapping[str, int] | None) -> tuple[dict[TaskState, int], int]:
    """Counts keyed by label, as stored, into a full ``{TaskState: n}`` and the interrupted count."""
    data = data or {}
    counts = {s: int(data.get(s.label, 0)) for s in TaskState}
    interrupted = int(data.get(INTERRUPTED_LABEL, 0))
    counts[TaskState.FAILED] += interrupted
    return counts, interrupted


def batch_row(row: sqlite3.Row | tuple[Any, ...], live_counts: Mapping[str, int] | None) -> BatchRow:
    """Build a :class:`BatchRow` from a ``BATCH_COLUMNS`` row."""
    (bid, job, params, output, extra, created, finished, status, counts, total, elapsed, run_started,
     host, pid, pstarted) = row  # fmt: skip
    running = status == "running"
    if running and not owner.alive(host, pid, pstarted):
        status, running = "interrupted", False
    duration = float(elapsed or 0.0)
    if running and run_started:
        duration += max(0.0, time.time() - run_started)
    counts, interrupted = counts_out(live_counts if live_counts is not None else loads(counts))
    return BatchRow(
        id=bid,
        job=job,
        params=loads(params) or {},
        output=loads(output),
        extra=loads(extra) or {},
        created=created,
        finished=finished,
        status=status,
        counts=counts,
        total=total,
        duration=duration,
        interrupted=interrupted,
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
