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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.engine import wire
from core.engine.start import run_worker

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from typing import Any

    from core.engine.api import EngineConfig
    from core.engine.batches import BatchRun
    from core.model import Failure, TaskId


# Not values: the engine finds its chunks and workers by identity (``eq=False``).
@dataclass(slots=True, eq=False)
class Chunk:
    """Tasks handed to one worker in one message."""

    chunk_id: int
    batch: BatchRun
    pending: dict[TaskId, int]  # task id -> index in batch, until DONE arrives
    size: int  # tasks sent
    started: dict[TaskId, float] = field(default_factory=dict)  # from START events


@dataclass(slots=True, eq=False)
class Kill:
    """Why the engine is stopping a worker, and when TERM becomes KILL."""

    task_id: int
    failure: Failure | None  # None: the task ends cancelled
    deadline: float
    killed: bool = False


@dataclass(slots=True, eq=False)
class WorkerHandle:
    """One worker process and what the engine has handed it."""

    slot: int
    process: Any
    conn: Connection
    pid: int
    chunks: deque[Chunk] = field(default_factory=deque)
    tasks_done: int = 0
    assigned: int = 0  # tasks handed to this worker and not given back
    retiring: bool = False
    stop_sent: bool = False
    kill: Kill | None = None
    cancel_deadline: tuple[int, float] | None = None
    rss: int = 0
    ran_any: bool = False
    recalling: bool = False  # RECALL sent, its chunk ends not yet seen
    temps: set[str] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)

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


def start_worker(
    ctx: BaseContext, slots: wire.Slots, slot: int, config: EngineConfig, others: tuple[Connection, ...] = ()
) -> WorkerHandle:
    """Start a worker process in ``slot`` with the worker settings of ``config``; return its handle.

    ``others``: the engine's connections to its other workers, which a worker
    forked from the engine's process must not keep open (see ``run_worker``).
    """
    parent_end, child_end = ctx.Pipe(duplex=True)
    view = slots.view
    view[slot * wire.SLOT_FIELDS + wire.CURRENT] = -1
    view[slot * wire.SLOT_FIELDS + wire.CANCEL] = -1
    view[slot * wire.SLOT_FIELDS + wire.YIELD] = 0
    forked = ctx.get_start_method() == "fork"
    inherited = tuple(c.fileno() for c in (parent_end, *others)) if forked else ()
    proc = ctx.Process(  # type: ignore[attr-defined]
        target=run_worker,
        # A forked worker would see the fork server's environment, from when it
        # started; it gets the engine's current one, as a spawned worker does.
        args=(child_end, slots, slot, dict(os.environ), config.log_level, config.lines, inherited),
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
