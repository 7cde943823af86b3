"""What the CLI and the desktop app need of an engine, whichever runs the batch.

Two implementations exist: ``core.engine.Engine`` (worker processes on this
computer, the default) and ``core.cluster.DaskEngine`` (a Dask cluster). Both
emit the same ``core.events`` events to their listeners, call the same
``Recorder`` hook, and accept the same commands, so nothing above them knows
which one runs a batch. A batch records where it ran in ``BatchSpec.extra``
(``{"backend": "dask", "scheduler": ...}``; no ``"backend"`` key: this computer).

The interface is ``core.engine.base.EngineBase``, which both subclass: its
public methods are the commands (each thread-safe), ``worker_pids`` and
``fault``. ``Backend`` names it where code takes either engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from core.engine.base import EngineBase

Backend: TypeAlias = EngineBase
"""An engine, local or on a cluster: runs batches of file tasks and reports events."""


def where_ran(extra: Mapping[str, Any]) -> str:
    """Describe where a batch ran, from its ``BatchSpec.extra`` (or ``BatchRow.extra``)."""
    if extra.get("backend") == "dask":
        return f"Dask cluster at {extra.get('scheduler', '?')}"
    return "this computer"
