"""The worker process: receives chunks of tasks, runs them, reports events.

Tasks run on the main thread, one at a time; a reader thread takes the engine's
messages as they arrive and ends the worker (and the processes its task
started) as soon as the engine's process is gone, so no worker outlives its
engine, even after a SIGKILL of the engine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import stat
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection

from core.engine import wire
from core.engine.context import Emitter, LineWriter, LogSink, TaskRun, install_logging, plain
from core.model import Failure, FailureKind, TaskState
from core.processor import Cancelled, Processor, RetryableError, Skip
from core.registry import load_ref

TYPE_CHECKING = False  # no ``typing`` here: a spawned worker starts sooner without it
if TYPE_CHECKING:
    from typing import Any

_current: TaskRun | None = None


def _cleanup_current() -> None:
    """Kill the current task's child process groups and remove its temp files."""
    task = _current
    if task is None:
        return
    for pgid in list(task.groups):
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)  # type: ignore[attr-defined,unused-ignore]
    for temp in list(task.temps):
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _on_term(signum: int, frame: Any) -> None:
    # The engine stops a worker with TERM (timeout, cancel past its grace):
    # leave nothing behind, then die of the same signal so it reads as one.
    _cleanup_current()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _recall(inbox: queue.SimpleQueue[Any], emitter: Emitter) -> None:
    """Hand back every chunk still waiting in the inbox: an idle worker will take them."""
    while True:
        try:
            msg = inbox.get_nowait()
        except queue.Empty:
            break
        emitter.emit((wire.CHUNK_END, msg[1], [t[0] for t in msg[-1]], 0))
    emitter.flush()


def _read_commands(conn: Connection, inbox: queue.SimpleQueue[Any], emitter: Emitter) -> None:
    """Read the engine's messages as they come, on a thread of their own.

    The engine's sends then never wait for a worker busy with a task (small
    socket buffers on macOS would otherwise let both ends block on each other),
    and the end of the connection without a goodbye means the engine's process
    is gone: the worker cleans up and exits at once, mid-task or not.
    """
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            _cleanup_current()
            os._exit(70)
        if msg == wire.RECALL:
            _recall(inbox, emitter)
            continue
        inbox.put(msg)
        if msg is None:
            return


def _setup_process() -> None:
    # Ctrl-C in a terminal reaches the whole process group; the engine decides
    # what it means, so workers ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the engine thread
    if hasattr(signal, "SIGTERM") and os.name != "nt":
        signal.signal(signal.SIGTERM, _on_term)


def _rss() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        pass
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except Exception:  # noqa: BLE001 - memory is advisory
        return 0


class Worker:
    """State of one worker process across the chunks it runs."""

    def __init__(self, conn: Connection, slots: Any, slot: int) -> None:
        self.conn = conn
        self.slots = slots
        self.base = slot * wire.SLOT_FIELDS
        self.emitter = Emitter(conn)
        self.sink = LogSink(self.emitter)
        self.processors: dict[str, Processor] = {}
        self.logger = logging.getLogger("brigade.task")
        self.pid = os.getpid()
        self.prints: tuple[LineWriter, ...] = ()

    def serve(self) -> None:
        install_logging(self.sink)
        self.prints = (
            LineWriter(logging.getLogger("brigade.stdout"), logging.INFO),
            LineWriter(logging.getLogger("brigade.stderr"), logging.WARNING),
        )
        sys.stdout, sys.stderr = self.prints
        inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        reader = threading.Thread(
            target=_read_commands, args=(self.conn, inbox, self.emitter), name="brigade-reader", daemon=True
        )
        reader.start()
        self.emitter.start_flusher()
        while (msg := inbox.get()) is not None:
            self.run_chunk(*msg[1:])

    def run_chunk(
        self,
        chunk_id: int,
        job: str,
        ref: str,
        params: Any,
        output: Any,
        log_limit: int,
        tasks: list[Any],
    ) -> None:
        returned: list[int] = []
        for i, (task_id, path, attempt, index) in enumerate(tasks):
            if self.slots[self.base + wire.YIELD]:
                returned = [t[0] for t in tasks[i:]]
                break
            task = TaskRun(task_id, attempt, log_limit, self.emitter, self.slots, self.base, self.logger)
            task.path, task.job, task.output, task.index = path, job, output, index
            self.run_task(task, ref, params)
            self.emitter.maybe_flush()
        self.emitter.emit((wire.CHUNK_END, chunk_id, returned, _rss()))
        self.emitter.flush()

    def run_task(self, task: TaskRun, ref: str, params: Any) -> None:
        global _current
        slots, base, emitter = self.slots, self.base, self.emitter
        task_id, path, attempt = task.task_id, task.path, task.attempt
        _current = self.sink.task = task
        slots[base + wire.STARTED] = int(time.monotonic() * 1e6)
        slots[base + wire.CURRENT] = task_id
        started = time.time()
        start = (wire.START, task_id, task.next_seq(), started, attempt)
        emitter.emit(start)
        result: Any = None
        failure: Failure | None = None
        try:
            result, state = self._call(task, path, ref, params), TaskState.DONE
        except Cancelled as exc:
            state, failure = TaskState.CANCELLED, Failure(FailureKind.ERROR, str(exc) or "cancelled")
        except Skip as exc:
            state, result = TaskState.SKIPPED, {"reason": str(exc)}
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt fail only this task
            state, failure = TaskState.FAILED, _failure_of(exc)
        finally:
            self._flush_prints()
            self.sink.send_tail(task)
            slots[base + wire.CURRENT] = -1
            _current = self.sink.task = None
        outputs = tuple(task.outputs)
        done: tuple[Any, ...] = (wire.DONE, task_id, task.next_seq(), int(state), result, failure, started)
        done += (time.time(), task.dropped, outputs, attempt, task.size, task.mtime)
        with emitter.lock:
            # A task that ended before its start left the buffer is reported by
            # its end alone (which carries the start time): half the events for
            # the many tiny tasks of a batch.
            events = emitter.events
            if events and events[-1] is start:
                events[-1] = done
                return
        emitter.emit(done)

    def _flush_prints(self) -> None:
        """Log what a task printed without a final newline, as its own line."""
        for stream in self.prints:
            if stream.pending:
                stream.flush()

    def _call(self, task: TaskRun, path: str, ref: str, params: Any) -> Any:
        st = _check_regular(path)
        task.size, task.mtime = st.st_size, st.st_mtime
        proc = self.processors.get(ref)
        if proc is None:
            proc = self.processors[ref] = load_ref(ref)()
        return plain(proc.run(path, params, task))


def _check_regular(path: str) -> os.stat_result:
    """Refuse anything that is not a regular file, before any processor opens it; return its stat."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"is a directory: {path!r}")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"not a regular file (FIFO, socket or device), not opened: {path!r}")
    return st


def _failure_of(exc: BaseException) -> Failure:
    kind = type(exc)
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the failure
        message = f"<{kind.__name__} with an unprintable message>"
    try:
        tb = "".join(traceback.format_exception(exc))
    except Exception:  # noqa: BLE001
        tb = ""
    return Failure(
        FailureKind.ERROR,
        message or kind.__name__,
        exc_type=f"{kind.__module__}.{kind.__qualname__}",
        traceback=tb,
        retryable=isinstance(exc, RetryableError),
    )


def worker_main(
    conn: Connection, slots: wire.Slots, slot: int, environ: dict[str, str] | None = None
) -> None:
    """Entry point of a worker process (the ``target`` of its ``Process``).

    ``environ`` is the engine process's environment when the worker started.
    """
    if environ is not None and environ != os.environ:
        os.environ.clear()
        os.environ.update(environ)
    _setup_process()
    Worker(conn, slots.view, slot).serve()
