"""What travels between the engine thread and its worker processes.

Messages are plain tuples rather than dataclasses: a tiny task costs two of
them, so their pickling is on every task's path. Only this module and its
ends (``worker.py``, the local and the cluster engine) know their layout; a
DONE, the longest, is read in one place: :func:`task_finished`.

Engine -> worker (one connection per worker)::

    (RUN, chunk_id, job, ref, params, output, log_limit, [(task_id, path, attempt, index), ...])
    RECALL                                # hand back the chunks not started yet
    None                                  # finish the current chunk, then exit

Worker -> engine (a list of these per send, coalesced)::

    (START, task_id, seq, time, attempt)
    (PROGRESS, task_id, seq, fraction, message)
    (LOG, task_id, seq, level, time, text, attempt)
    (DONE, task_id, seq, state, result, failure, started, ended, dropped, outputs, attempt, size, mtime, line)

A task that ends before its START left the worker's buffer is sent as DONE alone.
``size`` and ``mtime`` are the input's when the task started (-1 and None if it was not stat-ed);
``line`` is a done task's ``Processor.result_line``, made in the worker (else None).
    (CHUNK_END, chunk_id, returned_task_ids, rss_bytes)
    (RESOURCE, task_id, kind, value, held)   # temp file or child process group

Shared memory (one row of ``SLOT_FIELDS`` int64 per worker slot) carries what
must be read without waiting for a message: the task a worker is running, and
the requests to cancel it or to hand back the rest of its chunk.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from core.events import TaskFinished
from core.model import TaskState

RUN = 0
RECALL = "recall"

START = 1
PROGRESS = 2
LOG = 3
DONE = 4
CHUNK_END = 5
RESOURCE = 6

RES_TEMP = "temp"
RES_PGID = "pgid"

# Shared slot fields.
CURRENT = 0  # task id running now, or -1
STARTED = 1  # time.monotonic() in microseconds when the current task started
# (CLOCK_MONOTONIC and its macOS and Windows peers are system-wide, so both ends agree)
CANCEL = 2  # task id the engine asks to stop cooperatively, or -1
YIELD = 3  # 1: hand back the unstarted rest of every chunk
SLOT_FIELDS = 4

# Worker processes one engine runs at most (its shared slot rows are allocated once, at start).
MAX_WORKERS = 256
MAX_TASKS_PER_CHUNK = 512


def task_finished(ev: tuple[Any, ...], pid: int) -> TaskFinished:
    """The event a DONE message ``ev`` stands for, from the worker process ``pid``."""
    _, tid, seq, state, result, failure, started, ended, dropped, outputs, attempt, size, mtime, line = ev
    state = TaskState(state)
    return TaskFinished(
        tid, seq, state, result, failure, started, ended, attempt, pid, dropped, outputs, size, mtime, line
    )


class Slots:
    """The shared slot rows: int64 items that the engine and its workers read and write whole.

    ``view`` is the memory as a ``memoryview`` of int64. Pickled into a worker's
    arguments, a ``Slots`` travels as the shared memory itself (a
    ``multiprocessing.RawArray``), not as a copy of its values.
    """

    def __init__(self, count: int, shared: Any = None) -> None:
        # A new RawArray is zero-filled: an empty slot reads as no task.
        self._shared = multiprocessing.RawArray("q", count) if shared is None else shared
        self.view = memoryview(self._shared).cast("B").cast("q")

    def __reduce__(self) -> tuple[Any, ...]:
        return Slots, (len(self.view), self._shared)
