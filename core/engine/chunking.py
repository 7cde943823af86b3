"""Adaptive chunk sizes: many tiny tasks per message, one big task per message.

Each message to a worker has a fixed cost on both ends, about what checksumming
a small file costs. So tasks travel in chunks sized to take about
``TARGET_SECONDS`` each, judged from the tasks that finished so far. The first
chunks hold one task (nothing is known yet); sizes grow as durations arrive.
Near the end of a batch chunks shrink, so no worker is left with a long tail
while the others idle.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET_SECONDS = 0.025
MAX_TASKS = 512  # also wire.MAX_TASKS_PER_CHUNK
MAX_BYTES = 32 * 1024 * 1024
_ALPHA = 0.2


@dataclass(slots=True)
class Budget:
    """How much one chunk may still take."""

    tasks: int
    bytes: int
    taken: int = 0
    taken_bytes: int = 0

    def open(self) -> bool:
        return self.taken < self.tasks and self.taken_bytes < self.bytes

    def add(self, size: int) -> None:
        self.taken += 1
        self.taken_bytes += size


class ChunkSizer:
    """Learns a batch's per-task time and turns it into chunk sizes."""

    def __init__(self) -> None:
        self.task_seconds: float | None = None

    def observe(self, seconds: float) -> None:
        """Fold one finished task's duration into the running average."""
        if self.task_seconds is None:
            self.task_seconds = seconds
        else:
            self.task_seconds += _ALPHA * (seconds - self.task_seconds)

    def budget(self, fair_share: int) -> Budget:
        """Return the budget of the next chunk.

        Parameters
        ----------
        fair_share
            Queued tasks divided by the number of chunks that fit in flight;
            caps the chunk so the tail of a batch is spread over all workers.
        """
        n = 1 if self.task_seconds is None else int(TARGET_SECONDS / max(self.task_seconds, 1e-06))
        n = max(1, min(n, MAX_TASKS, fair_share))
        return Budget(n, MAX_BYTES)
