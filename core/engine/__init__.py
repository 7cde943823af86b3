"""The engine: a supervised pool of worker processes driven from one thread."""

from core.engine.api import BatchHandle, EngineConfig, Recorder, default_workers
from core.engine.engine import Engine

__all__ = ["BatchHandle", "Engine", "EngineConfig", "Recorder", "default_workers"]
