"""A task's end as one line of text, made by the worker that ran it (``EngineConfig.lines``).

Workers make the lines in parallel; whoever prints them (``brigade-cli run``)
only writes them out. Imported by workers and by the CLI.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from core.model import Failure, TaskState

RESULT = "result"  # a done task's ``Processor.result_line``
JSON = "json"  # a JSON record of any task that ended

# ASCII, so any file name prints anywhere; repr for what JSON cannot hold (bytes in a result).
# No check for circular references: a result is plain data (``context.plain``), which holds none,
# and the check would cost a lookup per container of every record.
_ENCODER = json.JSONEncoder(ensure_ascii=True, check_circular=False, default=repr)


def json_record(
    task_id: int,
    path: str,
    state: TaskState,
    result: Any,
    failure: Failure | None,
    attempt: int,
    duration: float,
    outputs: Sequence[str],
    log_dropped: int,
) -> str:
    """One task as a line of JSON (ASCII: any file name prints anywhere)."""
    record = {
        "task": task_id,
        "path": path,
        "state": state.label,
        "result": result,
        "reason": failure.describe() if failure else None,
        "attempts": attempt,
        "duration": round(duration, 6),
        "outputs": list(outputs),
        "log_dropped": log_dropped,
    }
    return _ENCODER.encode(record)
