"""The engine: a supervised pool of worker processes driven from one thread.

The names are loaded on first use, so that a worker process, which imports
only ``core.engine.worker``, does not pay for the engine thread's modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.lazy import exports

if TYPE_CHECKING:
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


__getattr__ = exports(__name__, _WHERE)
