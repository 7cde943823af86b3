"""The engine's bookkeeping of one batch, compact enough for millions of tasks.

A queued task costs one byte of state, one of attempts and one of worker
deaths, plus the path the caller already holds: no object per task until it
is in flight.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence

from core.engine.chunking import Budget, ChunkSizer
from core.model import BatchId, BatchSpec, TaskId, TaskState, task_index

_QUEUED = int(TaskState.QUEUED)
_QUEUED_RUNS = re.compile(b"\\x00+")  # runs of queued tasks in a batch's state bytes
_CANCELLED = bytes((TaskState.CANCELLED,))


class BatchRun:
    """Tasks of one batch: their states and the order they are handed out in."""

    def __init__(self, batch_id: BatchId, spec: BatchSpec, ref: str, task_ids: Sequence[TaskId]) -> None:
        n = len(spec.paths)
        if len(task_ids) != n:
            raise ValueError("task_ids and paths differ in length")
        self.batch_id = batch_id
        self.spec = spec
        self.ref = ref
        self.params = dict(spec.params)
        self.ids = task_ids
        self.states = bytearray(n)
        self.attempts = bytearray(n)
        self.kills = bytearray(n)
        self.cursor = 0
        self.again: deque[int] = deque()
        self.counts = [0] * len(TaskState)
        self.counts[TaskState.QUEUED] = n
        self.sizer = ChunkSizer()
        self.started = time.monotonic()
        self.reported = False  # BatchFinished was sent for the current round

    def __len__(self) -> int:
        return len(self.states)

    def index_of(self, task_id: TaskId) -> int:
        """Return the index of ``task_id`` in this batch, or -1."""
        return task_index(self.ids, task_id)

    def set_state(self, i: int, state: TaskState) -> None:
        """Move task ``i`` to ``state``, keeping the counts right."""
        old = self.states[i]
        if old == state:
            return
        self.counts[old] -= 1
        self.counts[state] += 1
        self.states[i] = state

    @property
    def unfinished(self) -> int:
        """Tasks that are queued or running."""
        return self.counts[TaskState.QUEUED] + self.counts[TaskState.RUNNING]

    def has_queued(self) -> bool:
        """Whether a task waits to be handed out (skipping cancelled ones lazily)."""
        return bool(self.again) or self.cursor < len(self.states)

    def take(
        self, in_flight: set[TaskId], sizes: Sequence[int] | None, remaining_share: int
    ) -> Sequence[int]:
        """Return indexes of the next chunk, sized by the batch's chunk sizer (a ``range`` if consecutive)."""
        budget = self.sizer.budget(remaining_share)
        states, cursor = self.states, self.cursor
        if sizes is None and not self.again:
            # Tasks past the cursor were never handed out: if all of the next ones
            # are still queued, the chunk is a plain range.
            end = min(len(states), cursor + budget.tasks)
            if states.count(_QUEUED, cursor, end) == end - cursor:
                self.cursor = end
                return range(cursor, end)
        return self._take_each(in_flight, sizes, budget)

    def chunk(
        self, indexes: Sequence[int], to_worker: Callable[[str], str] | None = None
    ) -> tuple[dict[TaskId, int], list[tuple[TaskId, str, int, int]]]:
        """The pending tasks of a chunk (id -> index) and the ``(id, path, attempt, index)`` it sends.

        ``to_worker`` maps a path to where the worker sees it.
        """
        ids, paths, attempts = self.ids, self.spec.paths, self.attempts
        pending = {ids[i]: i for i in indexes}
        if to_worker is None:
            sent = [(ids[i], paths[i], attempts[i] + 1, i) for i in indexes]
        else:
            sent = [(ids[i], to_worker(paths[i]), attempts[i] + 1, i) for i in indexes]
        return pending, sent

    def _take_each(self, in_flight: set[TaskId], sizes: Sequence[int] | None, budget: Budget) -> list[int]:
        out: list[int] = []
        states, ids, again = self.states, self.ids, self.again
        while budget.open() and (again or self.cursor < len(states)):
            if again:
                i = again.popleft()
            else:
                i = self.cursor
                self.cursor += 1
            if states[i] != _QUEUED or ids[i] in in_flight:
                continue
            out.append(i)
            budget.add(sizes[i] if sizes is not None else 0)
        return out

    def requeue(self, indexes: Sequence[int]) -> None:
        """Put tasks back at the front of the queue (returned or to retry)."""
        self.again.extendleft(reversed(indexes))

    def cancel_queued(self, held: Collection[int], indexes: Iterable[int] | None = None) -> list[range]:
        """Cancel queued tasks at once; return their indexes as consecutive runs.

        ``indexes``: the tasks to cancel (those not queued are left alone), or
        ``None`` for every queued task. ``held`` are indexes handed out to a
        worker and not yet started: still queued here, they are cancelled
        through their worker instead. Runs are found and set in C, so
        cancelling a million queued tasks costs a few slice assignments.
        """
        states = self.states
        if indexes is None:
            runs = [range(m.start(), m.end()) for m in _QUEUED_RUNS.finditer(states)]
        else:
            runs = _runs(i for i in sorted(set(indexes)) if states[i] == _QUEUED)
        if held:
            runs = [part for run in runs for part in _without(run, held)]
        for run in runs:
            states[run.start : run.stop] = _CANCELLED * len(run)
        n = sum(len(run) for run in runs)
        self.counts[TaskState.QUEUED] -= n
        self.counts[TaskState.CANCELLED] += n
        if states.find(_QUEUED, self.cursor) < 0:
            self.cursor = len(states)  # nothing left past the cursor: no walk over cancelled tasks
        return runs

    def queued_indexes(self) -> list[int]:
        """Indexes of every task still waiting to be handed out."""
        states = self.states
        rest = [i for i in self.again if states[i] == TaskState.QUEUED]
        rest.extend(i for i in range(self.cursor, len(states)) if states[i] == TaskState.QUEUED)
        return rest


def _runs(indexes: Iterable[int]) -> list[range]:
    """Sorted ``indexes`` as runs of consecutive ones."""
    runs: list[range] = []
    start = prev = -2
    for i in indexes:
        if i != prev + 1:
            if prev >= 0:
                runs.append(range(start, prev + 1))
            start = i
        prev = i
    if prev >= 0:
        runs.append(range(start, prev + 1))
    return runs


def _without(run: range, held: Collection[int]) -> list[range]:
    """``run`` split around the indexes in ``held``."""
    cut = sorted(i for i in held if i in run)
    if not cut:
        return [run]
    out, start = [], run.start
    for i in cut:
        if i > start:
            out.append(range(start, i))
        start = i + 1
    if start < run.stop:
        out.append(range(start, run.stop))
    return out
