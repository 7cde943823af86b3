"""The batches a recorder opened, found by id or by the id of any of their tasks.

A batch's task ids are one range (``first .. first + total - 1``) and ranges
never overlap, so one list sorted by ``first`` answers both lookups: a dict
for the id, ``bisect`` over the list for a task.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass

from core.model import BatchId, TaskId
from core.store import inputs


@dataclass(slots=True)
class OpenedBatch:
    """A batch this recorder opened, and how much of it is committed."""

    batch_id: BatchId
    first: TaskId
    total: int
    log_limit: int
    fresh: bool  # inserted here: none of its tasks has history from before
    elapsed: float  # seconds it ran before this run
    listed: inputs.Inputs | None  # its input list while some rows are not written
    front: int = 0  # rows of tasks 0 .. front-1 are committed
    ended: bool = False  # its end is committed

    def holds(self, task_id: TaskId) -> bool:
        """Whether ``task_id`` is one of this batch's tasks."""
        return self.first <= task_id < self.first + self.total

    def queued_end(self) -> int:
        """Index after the last task that may be queued without a row (before the list's cancel mark)."""
        if self.listed is None:
            return self.front
        mark = self.listed.cancelled
        return self.total if mark is None else max(self.front, mark.start)

    def rows_written(self, front: int) -> None:
        """Rows up to ``front`` are committed; the input list goes once every row is."""
        self.front = front
        if front >= self.total:
            self.listed = None


class OpenedBatches:
    """The batches a recorder opened, in task id order."""

    def __init__(self) -> None:
        self._by_id: dict[BatchId, OpenedBatch] = {}
        self._ordered: list[OpenedBatch] = []  # sorted by ``first``
        self.next_task: TaskId = 1
        """The first task id no opened batch uses."""

    def add(self, batch: OpenedBatch) -> None:
        """Remember ``batch`` (a batch reopened in this run replaces its earlier record)."""
        old = self._by_id.pop(batch.batch_id, None)
        if old is not None:
            self._ordered.remove(old)
        insort(self._ordered, batch, key=lambda b: b.first)
        self._by_id[batch.batch_id] = batch
        self.next_task = max(self.next_task, batch.first + batch.total)

    def get(self, batch_id: BatchId) -> OpenedBatch | None:
        """The batch with id ``batch_id``, if this recorder opened it."""
        return self._by_id.get(batch_id)

    def __getitem__(self, batch_id: BatchId) -> OpenedBatch:
        return self._by_id[batch_id]

    def __contains__(self, batch_id: BatchId) -> bool:
        return batch_id in self._by_id

    def of_task(self, task_id: TaskId) -> OpenedBatch | None:
        """The batch that holds task ``task_id``, if this recorder opened it."""
        i = bisect_right(self._ordered, task_id, key=lambda b: b.first) - 1
        if i >= 0 and self._ordered[i].holds(task_id):
            return self._ordered[i]
        return None

    def __iter__(self) -> Iterator[OpenedBatch]:
        return iter(self._ordered)

    def unended(self) -> set[BatchId]:
        """Ids of the batches whose end is not committed."""
        return {b.batch_id for b in self._ordered if not b.ended}
