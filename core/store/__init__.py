"""The job store: batches, tasks and log lines in SQLite; resume, retry and export.

```
Engine thread                                   any thread (CLI, the window's history worker)
  Engine.submit ─► StoreRecorder.open_batch         JobStore.batches / batch / tasks / log_lines
                     batch row + input list ──┐        SQL over the rows below (indexed pages)
                     committed before the     │     JobStore.resume_spec / retry_spec
                     first task is handed out │        a BatchSpec of the tasks to run again
  events ─► StoreRecorder.record              │                  ▲
              pending records (bounded)       │                  │ read
              TasksCancelled: one UPDATE of   │                  │
              an id range, a mark for the rest│                  │
              a window every COMMIT_SECONDS,  │                  │
              on a batch's end, on flush()    │                  │
                  │ one window at a time      │                  │
                  ▼                           │                  │
writer thread: one transaction per window ────┤                  │
                                              ▼                  │
                               SQLite (WAL):  batches ─ one row per batch, its counts at its end
                                              tasks ───── one row per task: state, result, failure,
                                                          timing, the input's size and mtime
                                              log_lines ─ head and tail of each task's log
                                              input_lists ── input list of tasks with no row yet
                                                             (core.store.inputs, format 1)
                                              input_cancels ─ per listed batch: its tasks with no
                                                             row are cancelled from this index on
```

A task with no row is queued, or cancelled from its batch's cancel mark on:
cancelling the rest of a batch of a million queued tasks writes one mark,
not a million rows; counts, task pages, resume, retry and export read it.

Modules: ``schema`` (opening, migrations), ``writes`` (every statement that
changes the history), ``recorder`` (the engine's writer) with ``updates``
(an event as row values), ``pending`` (what waits for a commit, bounded) and
``opened`` (the batches it opened), ``store`` (the readers), ``rows`` (the
records they return), ``inputs`` (the input list format), ``recovery``
(batches of dead processes), ``export`` (CSV, JSON).
"""

from __future__ import annotations

from core.store.errors import StoreError
from core.store.location import ENV_VAR, default_db_path
from core.store.recorder import StoreRecorder
from core.store.rows import BatchRow, LogRow, TaskRow
from core.store.store import JobStore

__all__ = [
    "ENV_VAR",
    "BatchRow",
    "JobStore",
    "LogRow",
    "StoreError",
    "StoreRecorder",
    "TaskRow",
    "default_db_path",
]
