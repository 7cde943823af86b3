"""The engine's view of chunks running on a Dask cluster, and how big to make them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.engine.batches import BatchRun
from core.engine.chunking import Budget, ChunkSizer
from core.model import TaskId

# Each Dask task pays a fixed scheduler and network round trip, far above a small
# file's work, so a chunk aims at 0.25 s of work to keep that round trip a small
# share, while cancel and pause still act on chunk boundaries within a fraction of a second.
TARGET_SECONDS = 0.25
MAX_TASKS = 4096
MAX_BYTES = 256 * 1024 * 1024
CHUNKS_PER_THREAD = 2


class ClusterSizer(ChunkSizer):
    """``ChunkSizer`` with the cluster's larger per-chunk target."""

    def budget(self, fair_share: int) -> Budget:
        n = 1 if self.task_seconds is None else int(TARGET_SECONDS / max(self.task_seconds, 1e-06))
        return Budget(max(1, min(n, MAX_TASKS, fair_share)), MAX_BYTES)


@dataclass(eq=False, slots=True)
class RemoteChunk:
    """One Dask task: a chunk of one batch, and what its current run reported so far.

    Attributes
    ----------
    pending
        Task id -> index in the batch, until its DONE arrives or it is handed back.
    token
        Identifies the run reporting events; a second token means the first
        run's worker was lost and Dask started the chunk again elsewhere.
    order
        The chunk's task ids in the order the worker runs them.
    current, done_count
        The task the run was executing when it last reported, and how many it
        had finished: they name the culprit if the worker dies.
    started
        Tasks whose START this run reported (and that have not ended).
    seen
        Last event sequence number taken per task, so live events and the result never double up.
    resources
        What each unfinished task holds on its worker, ``(kind, value)`` of ``wire.RESOURCE``:
        removed by the engine if the worker dies.
    """

    chunk_id: int
    key: str
    batch: BatchRun
    pending: dict[TaskId, int]
    future: Any = None
    token: str | None = None
    worker: str = ""
    pid: int = 0
    order: list[TaskId] = field(default_factory=list)
    current: TaskId = -1
    done_count: int = 0
    started: dict[TaskId, float] = field(default_factory=dict)
    seen: dict[TaskId, int] = field(default_factory=dict)
    resources: dict[TaskId, set[tuple[str, Any]]] = field(default_factory=dict)
    cancel_deadline: float | None = None
