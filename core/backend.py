"""What the CLI and the desktop app need of an engine, whichever runs the batch.

Two implementations exist: ``core.engine.Engine`` (worker processes on this
computer, the default) and ``core.cluster.DaskEngine`` (a Dask cluster). Both
emit the same ``core.events`` events to their listeners, call the same
``Recorder`` hook, and accept the same commands, so nothing above them knows
which one runs a batch. A batch records where it ran in ``BatchSpec.extra``
(``{"backend": "dask", "scheduler": ...}``; no ``"backend"`` key: this computer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.engine.api import BatchHandle
from core.events import Listener
from core.model import BatchId, BatchSpec, TaskId

if TYPE_CHECKING:
    from core.engine import Engine
    from core.engine.fault import EngineFault


@runtime_checkable
class Backend(Protocol):
    """An engine: runs batches of file tasks and reports events.

    Every method is thread-safe unless it says otherwise; listeners and the
    recorder are called on the backend's own thread (the engine thread).
    """

    worker_pids: tuple[int, ...]
    """Pids of worker processes on this computer (for CPU graphs); any thread."""

    fault: EngineFault | None
    """The unexpected error that ended the run, if one did (``EngineBase.run``); read once it stopped."""

    def start(self) -> Backend:
        """Run the engine loop on a new thread; return self."""
        ...

    def run(self) -> None:
        """The engine loop, on the calling thread; returns after ``shutdown``."""

    def stop(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Ask the engine to stop without waiting."""

    def shutdown(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Stop and wait for the engine thread (when started with ``start``)."""

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Block until the engine loop has ended."""
        ...

    def submit(self, spec: BatchSpec) -> BatchHandle:
        """Queue a batch; bad parameters raise here, in the caller's thread."""
        ...

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(events)`` on the engine thread for every batch of events."""

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""

    def pause(self) -> None:
        """Start no new task; running tasks finish."""

    def resume(self) -> None:
        """Start tasks again after ``pause``."""

    def cancel(self, task_ids: Iterable[TaskId]) -> None:
        """Cancel tasks, queued or running."""

    def cancel_batch(self, batch_id: BatchId | None = None) -> None:
        """Cancel every unfinished task of a batch (``None``: of every batch)."""

    def remove(self, task_ids: Iterable[TaskId]) -> None:
        """Take queued tasks out of the queue (they end cancelled); started tasks are left running."""

    def move_batch(self, batch_id: BatchId, offset: int) -> None:
        """Serve a batch's queued tasks ``offset`` places sooner (negative) or later."""

    def retry(self, task_ids: Iterable[TaskId]) -> None:
        """Queue failed or cancelled tasks again."""

    def retry_failed(self, batch_id: BatchId | None = None) -> None:
        """Queue again every failed task of a batch (``None``: of every batch)."""

    def set_workers(self, count: int) -> None:
        """Change the number of workers, where the backend controls them."""

    def forget(self, batch_id: BatchId) -> None:
        """Drop the bookkeeping of a finished batch."""

    def call(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the engine thread."""


def where_ran(extra: Mapping[str, Any]) -> str:
    """Describe where a batch ran, from its ``BatchSpec.extra`` (or ``BatchRow.extra``)."""
    if extra.get("backend") == "dask":
        return f"Dask cluster at {extra.get('scheduler', '?')}"
    return "this computer"


if TYPE_CHECKING:

    def _engine_is_a_backend(engine: Engine) -> Backend:
        # mypy checks here that the local engine satisfies the protocol.
        return engine
