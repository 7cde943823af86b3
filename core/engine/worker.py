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

from core.engine import lines, wire
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

    def __init__(self, conn: Connection, slots: Any, slot: int, lines: str | None = None) -> None:
        self.conn = conn
        self.line_form = lines  # the line made of each task's end: see ``EngineConfig.lines``
        self.slots = slots
        self.base = slot * wire.SLOT_FIELDS
        self.emitter = Emitter(conn)
        self.sink = LogSink(self.emitter)
        self.processors: dict[str, Processor] = {}
        self.logger = logging.getLogger("brigade.task")
        self.pid = os.getpid()
        self.prints: tuple[LineWriter, ...] = ()

    def serve(self, log_level: int = logging.WARNING) -> None:
        install_logging(self.sink, log_level)
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
        report_each = self._reports_each_task(ref, params)
        for i, (task_id, path, attempt, index) in enumerate(tasks):
            if self.slots[self.base + wire.YIELD]:
                returned = [t[0] for t in tasks[i:]]
                break
            task = TaskRun(task_id, attempt, log_limit, self.emitter, self.slots, self.base, self.logger)
            task.path, task.job, task.output, task.index = path, job, output, index
            self.run_task(task, ref, params, report_each)
            self.emitter.maybe_flush()
        self.emitter.emit((wire.CHUNK_END, chunk_id, returned, _rss()))
        self.emitter.flush()

    def _reports_each_task(self, ref: str, params: Any) -> bool:
        """Whether each task's end must reach the engine before the next task starts.

        Ends are otherwise sent in batches, and a worker killed before it sent
        them has its finished tasks run again: harmless for a checksum, a second
        run for a job with side effects (a command, any job writing outputs).
        """
        try:
            cls = type(self._processor(ref))
            return bool(cls.side_effects or cls.writes_with(params))
        except Exception:  # noqa: BLE001 - a job that cannot load fails each task, with the reason
            return False

    def run_task(self, task: TaskRun, ref: str, params: Any, report_now: bool = False) -> None:
        """Run one task and report its end (``report_now``: sent before this returns)."""
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
            state, failure = TaskState.FAILED, _failure_of(exc, self._expected(exc, ref))
        finally:
            self._flush_prints()
            self.sink.send_tail(task)
            if not report_now:
                slots[base + wire.CURRENT] = -1
            _current = self.sink.task = None
        outputs, ended = tuple(task.outputs), time.time()
        line = self._line(ref, task, state, result, failure, ended - started) if self.line_form else None
        done: tuple[Any, ...] = (wire.DONE, task_id, task.next_seq(), int(state), result, failure, started)
        done += (ended, task.dropped, outputs, attempt, task.size, task.mtime, line)
        with emitter.lock:
            # A task that ended before its start left the buffer is reported by
            # its end alone (which carries the start time): half the events for
            # the many tiny tasks of a batch.
            events = emitter.events
            replaced = bool(events) and events[-1] is start
            if replaced:
                events[-1] = done
        if not replaced:
            emitter.emit(done)
        if report_now:
            # Sent before the task stops being the current one: killed from here
            # on, the engine reads this end from the pipe and fails no task.
            emitter.flush()
            slots[base + wire.CURRENT] = -1

    def _flush_prints(self) -> None:
        """Log what a task printed without a final newline, as its own line."""
        for stream in self.prints:
            if stream.pending:
                stream.flush()

    def _expected(self, exc: BaseException, ref: str) -> bool:
        """Whether ``exc`` is a failure the job foresaw: one line says it all, no traceback.

        An ``OSError`` (the input is missing, unreadable, a directory...), an
        error class of Brigade's own (a bad parameter, an output conflict, a
        job's "not an image") or of the job's own module. Anything else is a
        bug somewhere, and keeps its traceback.
        """
        if isinstance(exc, OSError):
            return True
        module = type(exc).__module__
        proc = self.processors.get(ref)
        return module.startswith("core.") or (proc is not None and module == type(proc).__module__)

    def _line(
        self, ref: str, task: TaskRun, state: TaskState, result: Any, failure: Failure | None, duration: float
    ) -> str | None:
        """The line of the task's end (``EngineConfig.lines``), made here: in parallel with other workers."""
        try:
            if self.line_form == lines.JSON:
                fields = (task.attempt, duration, task.outputs, task.dropped)
                return lines.json_record(task.task_id, task.path, state, result, failure, *fields)
            if state is TaskState.DONE:
                return self.processors[ref].result_line(task.path, result)
        except Exception:  # noqa: BLE001 - the task has ended; its holder makes the line itself
            pass
        return None

    def _call(self, task: TaskRun, path: str, ref: str, params: Any) -> Any:
        st = _check_regular(path)
        task.size, task.mtime = st.st_size, st.st_mtime
        return plain(self._processor(ref).run(path, params, task))

    def _processor(self, ref: str) -> Processor:
        proc = self.processors.get(ref)
        if proc is None:
            cls = load_ref(ref)
            # The job's own module logs in full, whatever the level of other libraries.
            logging.getLogger(cls.__module__).setLevel(logging.DEBUG)
            proc = self.processors[ref] = cls()
        return proc


def _check_regular(path: str) -> os.stat_result:
    """Refuse anything that is not a regular file, before any processor opens it; return its stat."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"is a directory: {path!r}")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"not a regular file (FIFO, socket or device), not opened: {path!r}")
    return st


def _failure_of(exc: BaseException, expected: bool = False) -> Failure:
    """The failure of a task that raised ``exc``: a traceback only if ``exc`` was not ``expected``."""
    kind = type(exc)
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the failure
        message = f"<{kind.__name__} with an unprintable message>"
    tb = None if expected else _traceback_from_job(exc)
    return Failure(
        FailureKind.ERROR,
        message or kind.__name__,
        exc_type=f"{kind.__module__}.{kind.__qualname__}",
        traceback=tb,
        retryable=isinstance(exc, RetryableError),
    )


def _traceback_from_job(exc: BaseException) -> str:
    """The traceback of ``exc`` from the job's frame on: this module's frames say nothing to its author."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") == __name__:
        tb = tb.tb_next
    try:
        return "".join(traceback.format_exception(type(exc), exc, tb))
    except Exception:  # noqa: BLE001 - an exception that cannot be formatted still fails its task
        return ""


def worker_main(
    conn: Connection,
    slots: wire.Slots,
    slot: int,
    environ: dict[str, str] | None = None,
    log_level: int = logging.WARNING,
    lines: str | None = None,
) -> None:
    """Entry point of a worker process (the ``target`` of its ``Process``).

    ``environ`` is the engine process's environment when the worker started;
    ``log_level`` the least level of other libraries' log lines kept; ``lines``
    the line made of each task's end (``EngineConfig.lines``).
    """
    if environ is not None and environ != os.environ:
        os.environ.clear()
        os.environ.update(environ)
    _setup_process()
    Worker(conn, slots.view, slot, lines).serve(log_level)
