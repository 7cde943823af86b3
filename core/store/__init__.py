"""The job store: batches, tasks and log lines in SQLite, resume and export.

See ``JobStore`` for reading and ``StoreRecorder`` for what the engine writes.
"""

from core.store.errors import StoreError
from core.store.recorder import StoreRecorder
from core.store.rows import BatchRow, LogRow, TaskRow
from core.store.store import ENV_VAR, JobStore, default_db_path

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
