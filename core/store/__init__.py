"""The job store: batches, tasks and log lines in SQLite, resume and export.

See ``JobStore`` for reading and ``StoreRecorder`` for what the engine writes.
The names are loaded on first use: ``brigade-cli run`` needs the recorder's
modules only, and loads them before its first task.
"""

from __future__ import annotations

from core.lazy import exports

TYPE_CHECKING = False  # no ``typing`` at run time (see above)
if TYPE_CHECKING:
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

_WHERE = {
    "ENV_VAR": "core.store.location",
    "BatchRow": "core.store.rows",
    "JobStore": "core.store.store",
    "LogRow": "core.store.rows",
    "StoreError": "core.store.errors",
    "StoreRecorder": "core.store.recorder",
    "TaskRow": "core.store.rows",
    "default_db_path": "core.store.location",
}


__getattr__ = exports(__name__, _WHERE)
