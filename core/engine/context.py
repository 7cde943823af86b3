"""The worker side of a task: its context, its event buffer and its logging.

Runs only inside worker processes.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from core import atomic, output
from core.engine import wire
from core.engine.lines import LINE_LIMIT, cut_line, with_cut
from core.processor import Cancelled

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO, Any


FLUSH_SECONDS = 0.02
FLUSH_EVENTS = 2000
PROGRESS_SECONDS = 0.1


class Emitter:
    """Buffers outgoing events and sends them in batches.

    One ``send`` per batch instead of one per event: a tiny task's start and
    end cost a list append each, and the pipe sees one write per 20 ms. A
    background thread flushes what a long task leaves in the buffer (its
    start, its last log lines), so the engine hears of it within 20 ms too.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.events: list[tuple[Any, ...]] = []
        self.last_flush = time.monotonic()
        # Held across swap and send, so two flushes never reorder events.
        self.lock = threading.Lock()

    def emit(self, event: tuple[Any, ...]) -> None:
        self.events.append(event)  # atomic under the GIL; the flusher swaps the list
        if len(self.events) >= FLUSH_EVENTS:
            self.flush()

    def maybe_flush(self) -> None:
        if self.events and time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            self.last_flush = time.monotonic()
            if not self.events:
                return
            events, self.events = self.events, []
            self.conn.send(events)

    def start_flusher(self) -> None:
        """Flush every ``FLUSH_SECONDS`` from a daemon thread while the process lives."""

        def loop() -> None:
            while True:
                time.sleep(FLUSH_SECONDS)
                try:
                    self.maybe_flush()
                except (OSError, ValueError):
                    return  # the engine is gone; the reader thread ends the process

        threading.Thread(target=loop, name="brigade-flusher", daemon=True).start()


class LogSink:
    """The queue of the worker's ``QueueHandler``: records become LOG events.

    A filter in front of it counts the lines past the per-task bound, so a task
    that logs a million lines costs a counter increment per extra line, not
    a formatted message and a pipe write.
    """

    def __init__(self, emitter: Emitter) -> None:
        self.emitter = emitter
        self.task: TaskRun | None = None
        self.fallback = logging.getLogger("brigade.worker")

    def put_nowait(self, record: logging.LogRecord) -> None:
        task = self.task
        if task is None:
            return
        self.emitter.emit(
            (
                wire.LOG,
                task.task_id,
                task.next_seq(),
                record.levelno,
                record.created,
                cut_line(record.getMessage()),
                task.attempt,
            )
        )

    def filter(self, record: logging.LogRecord) -> bool:
        task = self.task
        if task is None:
            return False
        if task.lines >= task.log_limit:
            # Past the bound the last lines are kept aside and sent when the task
            # ends: a command's final error is never the part that is dropped.
            if len(task.tail) == task.tail.maxlen:
                task.dropped += 1
            task.tail.append(record)
            return False
        task.lines += 1
        return True

    def send_tail(self, task: TaskRun) -> None:
        """Send the last lines ``task`` logged past its bound (as the task ends)."""
        current, self.task = self.task, task
        try:
            for record in task.tail:
                self.put_nowait(record)
        finally:
            self.task = current
            task.tail.clear()


def install_logging(sink: LogSink, level: int = logging.WARNING) -> None:
    """Route every logger of the worker to ``sink``.

    Other libraries log from ``level`` up: a library's debug lines (Pillow
    writes dozens per image) would bury the task's own. Brigade's loggers
    (``ctx.logger``, captured ``print``) keep everything.
    """
    handler = logging.handlers.QueueHandler(sink)  # type: ignore[arg-type]
    handler.addFilter(sink)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("brigade").setLevel(logging.DEBUG)
    logging.getLogger("brigade.worker").propagate = False


class LineWriter(io.TextIOBase):
    """A text stream that logs each complete line (stands in for stdout/stderr).

    A line not ended yet is kept up to ``LINE_LIMIT`` characters; the rest is
    only counted, so printing without a newline in a loop never grows memory.
    """

    def __init__(self, logger: logging.Logger, level: int) -> None:
        super().__init__()
        self.logger = logger
        self.level = level
        self.pending = ""
        self.cut = 0  # characters of the pending line past the limit

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *ended, rest = text.split("\n")
        for part in ended:
            self._add(part)
            self._log_line()
        self._add(rest)
        return len(text)

    def flush(self) -> None:
        if self.pending or self.cut:
            self._log_line()

    def _add(self, text: str) -> None:
        room = max(0, LINE_LIMIT - len(self.pending))
        self.pending += text[:room]
        self.cut += max(0, len(text) - room)

    def _log_line(self) -> None:
        line = with_cut(self.pending, self.cut) if self.cut else self.pending
        self.pending, self.cut = "", 0
        self.logger.log(self.level, line)


class TaskRun:
    """The running task as seen by its processor: implements ``TaskContext``."""

    # One per task; slots keep it small.
    __slots__ = (
        "__weakref__",
        "attempt",
        "base",
        "dropped",
        "emitter",
        "groups",
        "index",
        "job",
        "last_progress",
        "lines",
        "log_limit",
        "logger",
        "mtime",
        "output",
        "outputs",
        "path",
        "seq",
        "size",
        "slots",
        "tail",
        "task_id",
        "temps",
    )  # fmt: skip

    def __init__(
        self,
        task_id: int,
        attempt: int,
        log_limit: int,
        emitter: Emitter,
        slots: Any,
        base: int,
        logger: logging.Logger,
    ) -> None:
        self.task_id = task_id
        self.attempt = attempt
        self.log_limit = log_limit
        self.emitter = emitter
        self.slots = slots
        self.base = base
        self.logger = logger
        self.path = ""  # the input file
        self.size = -1  # its size when the task started (-1: not known)
        self.mtime: float | None = None  # and its modification time
        self.job = ""
        self.output: Any = None  # the batch's output policy (plain data) or None
        self.index = 0  # position of the task in its batch
        self.seq = 0
        self.lines = 0
        self.dropped = 0
        self.tail: deque[logging.LogRecord] = deque(maxlen=max(1, log_limit // 2))  # lines past the bound
        self.outputs: list[str] = []
        self.temps: set[str] = set()
        self.groups: set[int] = set()
        self.last_progress = 0.0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    @property
    def worker_slot(self) -> int:
        """The worker slot running this task, from 1 (GNU parallel's ``{%}``)."""
        return self.base // wire.SLOT_FIELDS + 1

    # TaskContext ---------------------------------------------------------
    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress, at most every 100 ms (and always at the end)."""
        now = time.monotonic()
        if now - self.last_progress < PROGRESS_SECONDS and fraction < 1.0:
            return
        self.last_progress = now
        frac = min(1.0, max(0.0, float(fraction)))
        self.emitter.emit((wire.PROGRESS, self.task_id, self.next_seq(), frac, str(message)))
        self.emitter.maybe_flush()

    def cancelled(self) -> bool:
        """Return whether the engine asked this task to stop."""
        return bool(self.slots[self.base + wire.CANCEL] == self.task_id)

    def check_cancelled(self) -> None:
        """Raise ``Cancelled`` if the engine asked this task to stop."""
        if self.cancelled():
            raise Cancelled("cancelled")

    @contextmanager
    def atomic_output(self, target: str, mode: str = "wb", *, replace: bool = True) -> Iterator[IO[Any]]:
        """Write ``target`` through a temporary file (see ``core.atomic``)."""
        with atomic.atomic_output(target, mode, replace=replace, on_temp=self._temp_changed) as handle:
            yield handle
        self.outputs.append(target)

    def track_child_group(self, pgid: int) -> None:
        """Tell the engine to kill process group ``pgid`` if this worker dies."""
        self._resource(wire.RES_PGID, pgid, True)
        self.groups.add(pgid)

    def untrack_child_group(self, pgid: int) -> None:
        """The child process group ended; nothing to clean any more."""
        self.groups.discard(pgid)
        self._resource(wire.RES_PGID, pgid, False)

    def add_output(self, path: str) -> None:
        """Record a file the task wrote without ``atomic_output``."""
        self.outputs.append(path)

    def output_target(self, name: str) -> output.Target:
        """Resolve the output called ``name`` under the batch's policy (see ``core.output``)."""
        return output.resolve(output.policy_of(self.output), self.path, self.job, self.index, name)

    def output_path(self, name: str) -> str:
        """Where the output ``name`` goes; raises ``Skip`` if the policy skips it."""
        target = self.output_target(name)
        output.check_target(target)
        return target.path

    @contextmanager
    def write_output(self, name: str, mode: str = "wb") -> Iterator[output.Staged]:
        """Stage the output ``name`` with ``file`` open; committed when the block succeeds."""
        with output.staged(self.output_target(name), mode, self._temp_changed) as out:
            yield out
        self.outputs.append(out.path or "")

    @contextmanager
    def stage_output(self, name: str) -> Iterator[output.Staged]:
        """Stage the output ``name`` for writing by path (``temp``); committed on success."""
        with output.staged(self.output_target(name), None, self._temp_changed) as out:
            yield out
        self.outputs.append(out.path or "")

    # ---------------------------------------------------------------------
    def _temp_changed(self, path: str, held: bool) -> None:
        if held:
            self.temps.add(path)
        else:
            self.temps.discard(path)
        self._resource(wire.RES_TEMP, path, held)

    def _resource(self, kind: str, value: Any, held: bool) -> None:
        self.emitter.emit((wire.RESOURCE, self.task_id, kind, value, held))
        if held:
            # The engine must know before the resource can outlive a crash.
            self.emitter.flush()


_SCALARS = frozenset({str, int, float, bool, bytes, type(None)})


def plain(value: Any, where: str = "result") -> Any:
    """Return ``value`` as plain data, or raise ``TypeError`` naming the culprit.

    Results cross a process boundary and go into the store; restricting them to
    plain data means the engine can always rebuild them.
    """
    kind = type(value)
    if kind is dict:
        # The common case, a flat dict of scalars, is checked without copying.
        for k, v in value.items():
            if type(k) is not str or type(v) not in _SCALARS:
                break
        else:
            return value
    if kind in _SCALARS:
        return value
    for base in (bool, int, float, str, bytes):  # subclasses: keep the value only
        if isinstance(value, base):
            return base(value)  # type: ignore[arg-type]
    if isinstance(value, dict):
        return {str(k): plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(
        f"{where} is a {kind.__module__}.{kind.__qualname__}, which cannot be sent back; "
        "return plain data (str, int, float, bool, bytes, None, lists and dicts)"
    )


Cleanup = Callable[[], None]
