"""Worker processes as the engine thread sees them.

Each worker has its own duplex connection. A shared queue would be one lock
for all workers, and a worker killed while holding it (SIGKILL, OOM) would
stall every other; with one connection each, a dying worker breaks only its
own, and the engine knows exactly which chunks it held.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import deque

from core.engine import wire
from core.engine.start import run_worker

TYPE_CHECKING = False  # no ``typing`` at run time: the CLI loads this module before its first task
if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from typing import Any

    from core.engine.api import EngineConfig
    from core.engine.batches import BatchRun
    from core.model import Failure, TaskId


# Plain classes, not dataclasses (about a millisecond per class at every start of
# the CLI); the engine finds its chunks and workers by identity.
class Chunk:
    """Tasks handed to one worker in one message."""

    __slots__ = ("batch", "chunk_id", "pending", "size", "started")

    def __init__(
        self,
        chunk_id: int,
        batch: BatchRun,
        pending: dict[TaskId, int],
        size: int,
        started: dict[TaskId, float] | None = None,
    ) -> None:
        self.chunk_id = chunk_id
        self.batch = batch
        self.pending = pending  # task id -> index in batch, until DONE arrives
        self.size = size  # tasks sent
        self.started: dict[TaskId, float] = {} if started is None else started  # from START events


class Kill:
    """Why the engine is stopping a worker, and when TERM becomes KILL."""

    __slots__ = ("deadline", "failure", "killed", "task_id")

    def __init__(self, task_id: int, failure: Failure | None, deadline: float, killed: bool = False) -> None:
        self.task_id = task_id
        self.failure = failure  # None: the task ends cancelled
        self.deadline = deadline
        self.killed = killed


class WorkerHandle:
    """One worker process and what the engine has handed it."""

    __slots__ = (
        "assigned",
        "cancel_deadline",
        "chunks",
        "conn",
        "groups",
        "kill",
        "pid",
        "process",
        "ran_any",
        "recalling",
        "retiring",
        "rss",
        "slot",
        "stop_sent",
        "tasks_done",
        "temps",
    )

    def __init__(self, slot: int, process: Any, conn: Connection, pid: int) -> None:
        self.slot = slot
        self.process = process
        self.conn = conn
        self.pid = pid
        self.chunks: deque[Chunk] = deque()
        self.tasks_done = 0
        self.assigned = 0  # tasks handed to this worker and not given back
        self.retiring = False
        self.stop_sent = False
        self.kill: Kill | None = None
        self.cancel_deadline: tuple[int, float] | None = None
        self.rss = 0
        self.ran_any = False
        self.recalling = False  # RECALL sent, its chunk ends not yet seen
        self.temps: set[str] = set()
        self.groups: set[int] = set()

    @property
    def busy(self) -> bool:
        return bool(self.chunks)

    def send(self, msg: Any) -> bool:
        """Send ``msg``; False if the worker is already gone."""
        try:
            self.conn.send(msg)
            return True
        except (OSError, ValueError):
            return False

    def cleanup_resources(self) -> None:
        """Kill the child process groups and remove temp files of a dead worker."""
        for pgid in self.groups:
            with contextlib.suppress(OSError, AttributeError):
                os.killpg(pgid, signal.SIGKILL)  # type: ignore[attr-defined,unused-ignore]
        for temp in self.temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        self.groups.clear()
        self.temps.clear()


def start_worker(ctx: BaseContext, slots: wire.Slots, slot: int, config: EngineConfig) -> WorkerHandle:
    """Start a worker process in ``slot`` with the worker settings of ``config``; return its handle."""
    parent_end, child_end = ctx.Pipe(duplex=True)
    view = slots.view
    view[slot * wire.SLOT_FIELDS + wire.CURRENT] = -1
    view[slot * wire.SLOT_FIELDS + wire.CANCEL] = -1
    view[slot * wire.SLOT_FIELDS + wire.YIELD] = 0
    proc = ctx.Process(  # type: ignore[attr-defined]
        target=run_worker,
        # A forked worker would see the fork server's environment, from when it
        # started; it gets the engine's current one, as a spawned worker does.
        args=(child_end, slots, slot, dict(os.environ), config.log_level, config.lines),
        name=f"brigade-worker-{slot}",
        daemon=True,
    )
    proc.start()
    child_end.close()
    return WorkerHandle(slot, proc, parent_end, int(proc.pid or 0))


def exit_description(code: int | None) -> str:
    """Describe a worker's exit status for people."""
    if code is None:
        return "vanished without an exit status"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        # A mapped file cut short under a reader (checksum maps large inputs) ends it so.
        hint = " (its input may have shrunk while it was read)" if name == "SIGBUS" else ""
        return f"killed by {name}{hint}"
    if sys.platform == "win32" and code > 0xFFFF:
        return f"ended with status 0x{code:08X}"
    return f"exited with code {code}"
