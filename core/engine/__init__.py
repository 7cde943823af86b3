"""The engine: a supervised pool of worker processes driven from one thread.

The names are loaded on first use, so that a worker process, which imports
only ``core.engine.worker``, does not pay for the engine thread's modules.
"""

from __future__ import annotations

# ``typing`` is not imported: this package is loaded before the fork server
# starts, and again first thing in it.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from core.engine.api import BatchHandle, EngineConfig, Recorder, default_workers
    from core.engine.engine import Engine

__all__ = ["BatchHandle", "Engine", "EngineConfig", "Recorder", "default_workers"]

_WHERE = {
    "BatchHandle": "core.engine.api",
    "EngineConfig": "core.engine.api",
    "Recorder": "core.engine.api",
    "default_workers": "core.engine.api",
    "Engine": "core.engine.engine",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'core.engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
