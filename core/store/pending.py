"""What waits for the next commit: bounded in memory, and forgotten only once a commit succeeded.

While the disk refuses writes (full, read-only, locked past the busy timeout)
the records stay here and each commit tries them again. Past the bounds, new
log lines are counted as not kept, and new task records are refused (the
caller counts them as lost and says so).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from core.events import BatchFinished
from core.model import BatchId, TaskId
from core.store import inputs, writes
from core.store.opened import OpenedBatches

MAX_PENDING_LOGS = 200_000
MAX_PENDING_TASKS = 500_000


@dataclass(slots=True)
class LogCut:
    """A task's stored log over its bound: keep its first ``head`` lines, delete the ``excess`` after."""

    head: int
    excess: int


@dataclass(slots=True, frozen=True)
class Cancel:
    """Queued tasks of a batch cancelled at once: ids ``first .. stop-1``, at ``time``.

    ``mark``: the span runs to the end of the batch's input list, whose tasks
    without a row it marks cancelled from that index on (``core.store.inputs``).
    """

    batch_id: BatchId
    first: TaskId
    stop: TaskId
    time: float
    mark: inputs.CancelMark | None


@dataclass(slots=True)
class Pending:
    """Records for one transaction; each task's latest record only."""

    updates: dict[TaskId, writes.TaskUpdate] = field(default_factory=dict)
    logs: list[writes.LogLine] = field(default_factory=list)
    dropped: dict[TaskId, int] = field(default_factory=dict)  # log lines not kept, per task
    cuts: dict[TaskId, LogCut] = field(default_factory=dict)
    ends: dict[BatchId, BatchFinished] = field(default_factory=dict)
    reopened: set[BatchId] = field(default_factory=set)  # ended, then a task ran again
    stopping: set[BatchId] = field(default_factory=set)  # closed without reporting their end
    cancels: list[Cancel] = field(default_factory=list)  # written before the updates, which came later

    def __bool__(self) -> bool:
        return bool(
            self.updates
            or self.logs
            or self.dropped
            or self.cuts
            or self.ends
            or self.reopened
            or self.stopping
            or self.cancels
        )

    @property
    def rows(self) -> int:
        """Task and log rows waiting."""
        return len(self.updates) + len(self.logs)

    def keep(self, task_id: TaskId, update: writes.TaskUpdate) -> bool:
        """Keep ``update`` as the task's latest record; ``False`` if the bound refuses a new task."""
        if task_id not in self.updates and len(self.updates) >= MAX_PENDING_TASKS:
            return False
        self.updates[task_id] = update
        return True

    def add_log(self, line: writes.LogLine) -> bool:
        """Keep a log line; past the bound it is counted as not kept, and ``False`` returned."""
        if len(self.logs) >= MAX_PENDING_LOGS:
            self.drop(line[0], 1)
            return False
        self.logs.append(line)
        return True

    def drop(self, task_id: TaskId, lines: int) -> None:
        """Count ``lines`` log lines of a task as not kept."""
        self.dropped[task_id] = self.dropped.get(task_id, 0) + lines

    def cancel(self, cancel: Cancel) -> None:
        """Queued tasks were cancelled at once: their earlier records here are superseded."""
        for tid in [t for t in self.updates if cancel.first <= t < cancel.stop]:
            del self.updates[tid]
        self.cancels.append(cancel)

    def end(self, ev: BatchFinished) -> None:
        """A batch reported its end."""
        self.ends[ev.batch_id] = ev

    def reopen(self, batch_id: BatchId) -> None:
        """A task of a batch that had ended runs again: the batch is running again."""
        self.reopened.add(batch_id)
        self.ends.pop(batch_id, None)

    def write(self, conn: sqlite3.Connection, batches: OpenedBatches) -> dict[BatchId, int]:
        """Run every statement of this window in the caller's transaction.

        Returns the new row front of each batch whose queued rows were written.
        A batch's rows are written in queue order, so a task past the front
        gets its row (whole) with those before it (queued, or as recorded here).
        """
        for cancel in self.cancels:  # rows written since the event (as queued) are cancelled too
            if cancel.mark is not None:
                inputs.cancel_rest(conn, cancel.batch_id, cancel.mark)
            writes.cancel_rows(conn, cancel.first, cancel.stop, cancel.time)
        updates = self.updates
        fronts: dict[BatchId, int] = {}
        written: set[TaskId] = set()
        for batch in batches:
            if batch.listed is None:
                continue
            lo, hi = batch.first + batch.front, batch.first + batch.total
            named = [t for t in (*updates, *self.dropped, *self.cuts) if lo <= t < hi]
            if named:
                stop = max(named) - batch.first + 1
                writes.write_rows(conn, batch.listed, batch.front, stop, updates)
                fronts[batch.batch_id] = stop
                written.update(t for t in named if t in updates)
        writes.update_rows(conn, ((t, u) for t, u in updates.items() if t not in written))
        writes.insert_logs(conn, self.logs)
        writes.add_dropped(conn, self.dropped.items())
        for tid, cut in self.cuts.items():
            writes.cut_log_middle(conn, tid, cut.head, cut.excess)
        for batch_id in self.reopened:
            writes.mark_running(conn, batch_id)
        for ev in self.ends.values():
            ended = batches.get(ev.batch_id)
            if ended is not None:
                status = "stopped" if ev.stopped else "finished"
                writes.end_batch(conn, ev.batch_id, status, ended.elapsed + ev.elapsed)
        for batch_id in self.stopping:  # what ran is interrupted, the rest stays queued
            writes.interrupt_batch(conn, batch_id, status="stopped")
        return fronts
