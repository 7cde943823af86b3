"""What every engine shares: the thread-safe commands, event delivery and batch bookkeeping.

``EngineBase`` holds the public API (each method posts a command), the
engine-thread handlers of the commands that only touch batches, the endings
of tasks and batches, and the delivery of events to the recorder and then the
listeners. A subclass decides where the work runs: ``core.engine.Engine``
(worker processes here) and ``core.cluster.DaskEngine`` (a Dask cluster)
implement how a command reaches the engine thread (``_post``), the loop,
dispatch, supervision, cancelling running work and teardown.

Both hand out work from the batches in their queue order (the order of
``_batches``: submission order, changed by ``move_batch``), and both cancel
queued tasks here, in bulk: the queued tasks of a batch end in one
``TasksCancelled`` of id ranges, however many there are.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from core.engine import wire
from core.engine.api import BatchHandle, EngineConfig
from core.engine.batches import BatchRun
from core.engine.fault import EngineFault
from core.events import BatchAccepted, BatchFinished, QueueOrdered, TaskFinished, TaskRequeued, TasksCancelled
from core.model import Failure, FailureKind, TaskState
from core.params import resolve_params
from core.registry import job_ref, load_ref

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, Self

    from core.engine.api import Recorder
    from core.events import Event, Listener
    from core.model import BatchId, BatchSpec, TaskId


class _Chunk(Protocol):
    """What the bookkeeping needs of a chunk in flight (``Chunk``, ``RemoteChunk``): its batch."""

    batch: BatchRun


ChunkT = TypeVar("ChunkT", bound=_Chunk)


class EngineBase(ABC, Generic[ChunkT]):
    """The commands, events and batch bookkeeping of an engine; see the subclasses.

    Every public method is thread-safe: it posts a command, and only the
    engine thread runs the ``_cmd_*`` handlers, touches the batches and calls
    the recorder and the listeners.
    """

    _thread_name = "brigade-engine"

    _start_waits_for_open = False
    """Whether ``start()`` returns only once ``_open`` is done (to raise its errors)."""

    def __init__(self, config: EngineConfig | None, recorder: Recorder | None) -> None:
        self.config = config or EngineConfig()
        self._recorder = recorder
        self._listeners: list[Listener] = []
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._ended = threading.Event()
        # Guards ``_closed`` and ``_submitted``: a batch submitted as the engine ends
        # is either ended by the engine or failed by ``submit`` itself, never left waiting.
        self._submit_lock = threading.Lock()
        self._closed = False
        self._submitted: list[BatchHandle] = []
        self.fault: EngineFault | None = None
        """The unexpected error that ended the run, if one did; read it once the engine stopped."""
        self._ending = False
        self._recorder_closed = False
        # Engine-thread state below.
        self._batches: dict[BatchId, BatchRun] = {}
        self._handles: dict[BatchId, BatchHandle] = {}
        self._in_flight: dict[TaskId, ChunkT] = {}
        self._cancel_asked: set[TaskId] = set()
        self._out: list[Event] = []
        self._out_done: list[tuple[BatchHandle, BatchFinished]] = []
        self._paused = False
        self._stopping: tuple[bool, float] | None = None
        self._broken: str | None = None
        self._next_chunk = 0
        self._next_batch = 1
        self._next_task = 1
        self.worker_pids: tuple[int, ...] = ()
        """Pids of the live workers on this computer; safe to read from any thread."""

    @property
    def _log(self) -> logging.Logger:
        """The logger ``brigade.engine`` (a subclass may log under its own name)."""
        return logging.getLogger("brigade.engine")

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        """Run the engine on a new daemon thread (once; later calls do nothing); return self."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self.run, name=self._thread_name, daemon=True)
        self._thread.start()
        self._running.wait()
        return self

    def run(self) -> None:
        """The engine loop; returns after ``shutdown`` or an unexpected error. Runs on the calling thread.

        Whatever escapes the loop ends the run at once, with its reason in
        ``fault``: running tasks are stopped as interrupted, queued ones stay
        queued (the batches end stopped, so a store can resume them), and every
        handle is resolved. Nothing waits for a loop that is gone.
        """
        if not self._start_waits_for_open:
            # ``start()`` returns now: the caller may go on (walk folders, say) while
            # the database opens and the workers start here.
            self._running.set()
        try:
            if self._recorder:
                self._recorder.start()
            self._open()
            self._running.set()
            self._loop()
        except BaseException as exc:  # noqa: BLE001 - whatever ends the loop ends the run, with its reason
            self._note_fault(exc, "loop")
        finally:
            self._ending = True
            try:
                self._teardown()
            except BaseException as exc:  # noqa: BLE001 - the run must still end and say why
                self._note_fault(exc, "teardown")
                self._end_batches()
                self._close_recorder()
            self._close_submissions()
            self._running.set()
            self._ended.set()

    def _note_fault(self, exc: BaseException, stage: str) -> None:
        """Keep the first unexpected error as the run's ``fault``; log each with its traceback.

        On the logger ``brigade.fault``, whichever the engine: its holder (the
        CLI, the window) sends those to a log file and says the one line itself.
        """
        log = logging.getLogger("brigade.fault")
        if self.fault is None:
            self.fault = EngineFault.of(exc, stage)
            log.error("the engine stopped on an unexpected error", exc_info=exc)
        else:
            log.error("another error while the engine stopped", exc_info=exc)

    def _close_submissions(self) -> None:
        """Fail every handle the engine never resolved; later ``submit`` calls fail at once."""
        with self._submit_lock:
            self._closed = True
            handles, self._submitted = self._submitted, []
        for handle in handles:
            if not handle.done:
                handle._fail(self._stopped_error())

    def _stopped_error(self) -> RuntimeError:
        if self.fault is not None:
            return RuntimeError(f"the engine stopped on an error: {self.fault.message}")
        return RuntimeError("the engine stopped")

    def stop(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Ask the engine to stop, without waiting: see ``shutdown``."""
        self._post("stop", interrupt, timeout)

    def shutdown(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Stop: running tasks finish (or, with ``interrupt``, are stopped or given up now).

        Queued tasks stay queued: their batches end with ``stopped=True`` and a
        store can resume them later. ``timeout`` bounds the wait for running
        tasks, after which they are interrupted. Blocks until the engine
        thread ended, when the engine was started with ``start()``.
        """
        self.stop(interrupt=interrupt, timeout=timeout)
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join()

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Block until the engine loop has ended."""
        return self._ended.wait(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ------------------------------------------------------------ commands
    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(events)`` on the engine thread for every batch of events."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def submit(self, spec: BatchSpec) -> BatchHandle:
        """Queue a batch; parameters are checked here, in the caller's thread.

        Raises
        ------
        core.params.ParamError, core.registry.UnknownJobError
            For a bad parameter or an unknown job, before anything is queued.
        """
        ref = job_ref(spec.job)
        params = resolve_params(load_ref(ref).params, spec.params)
        handle = BatchHandle()
        with self._submit_lock:
            if self._closed:
                handle._fail(self._stopped_error())
                return handle
            self._submitted = [h for h in self._submitted if not h.done]  # only the waiting ones
            self._submitted.append(handle)
        self._post("submit", self._spec_for(spec), ref, params, handle)
        return handle

    def pause(self) -> None:
        """Start no new task; running tasks finish."""
        self._post("pause")

    def resume(self) -> None:
        """Start tasks again after ``pause``."""
        self._post("resume")

    def cancel(self, task_ids: Iterable[TaskId]) -> None:
        """Cancel tasks: queued ones at once, running ones cooperatively, then killed or given up."""
        self._post("cancel", list(task_ids))

    def cancel_batch(self, batch_id: BatchId | None = None) -> None:
        """Cancel every unfinished task of a batch (``None``: of every batch)."""
        self._post("cancel_batch", batch_id)

    def remove(self, task_ids: Iterable[TaskId]) -> None:
        """Take queued tasks out of the queue (they end cancelled); started tasks are left running."""
        self._post("remove", list(task_ids))

    def move_batch(self, batch_id: BatchId, offset: int) -> None:
        """Serve a batch's queued tasks ``offset`` places sooner (negative) or later among the queued batches.

        The engine hands out the tasks of the first batch with queued tasks
        first; ``QueueOrdered`` tells the listeners the new order.
        """
        self._post("move_batch", batch_id, offset)

    def retry(self, task_ids: Iterable[TaskId]) -> None:
        """Queue failed or cancelled tasks again."""
        self._post("retry", list(task_ids))

    def retry_failed(self, batch_id: BatchId | None = None) -> None:
        """Queue again every failed task of a batch (``None``: of every batch)."""
        self._post("retry_failed", batch_id)

    def set_workers(self, count: int) -> None:
        """Change the number of workers while running, where the engine controls them."""
        self._post("workers", max(1, min(int(count), wire.MAX_WORKERS)))

    def forget(self, batch_id: BatchId) -> None:
        """Drop the bookkeeping of a finished batch (its tasks can no longer be retried here)."""
        self._post("forget", batch_id)

    def call(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the engine thread (for queries that need its state)."""
        self._post("call", fn)

    # ------------------------------------------------------------ what a subclass provides
    @abstractmethod
    def _post(self, *cmd: Any) -> None:
        """Hand ``cmd`` to the engine thread, which runs ``_cmd_<cmd[0]>(*cmd[1:])``; any thread."""

    @abstractmethod
    def _open(self) -> None:
        """Get ready to run tasks, on the engine thread before the loop (the recorder has started)."""

    @abstractmethod
    def _loop(self) -> None:
        """Run commands, dispatch and deliver events until the engine stops."""

    @abstractmethod
    def _teardown(self) -> None:
        """Stop the work, then ``_end_batches()`` and ``_close_recorder()``."""

    @abstractmethod
    def _cancel_in_flight(self, tid: TaskId, chunk: ChunkT) -> None:
        """Ask for the cancel of task ``tid``, sent out in ``chunk``."""

    def _spec_for(self, spec: BatchSpec) -> BatchSpec:
        """The spec to queue for ``spec`` (caller's thread); a subclass may add to its ``extra``."""
        return spec

    def _batch_opened(self, run: BatchRun) -> None:
        """A batch was accepted; a subclass may prepare what it needs to send its chunks."""

    def _batch_forgotten(self, batch_id: BatchId) -> None:
        """A finished batch was dropped; a subclass drops what it kept for it."""

    # ------------------------------------------------------------ delivery (engine thread)
    def _run_command(self, cmd: tuple[Any, ...]) -> None:
        # An exception here is a fault of the engine (or of a ``call``): it ends the run.
        getattr(self, "_cmd_" + cmd[0])(*cmd[1:])

    def _deliver(self) -> None:
        if not self._out:
            return
        events, self._out = self._out, []
        if self._recorder:
            self._call_out(self._recorder.record, events)
        for listener in list(self._listeners):
            self._call_out(listener, events)
        self._resolve_handles()

    def _call_out(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call the recorder or a listener.

        While the run goes on, its exception ends the run (it is raised); once
        the run is ending, it is noted and the ending goes on, so every batch
        still ends and every other listener still hears of it.
        """
        if not self._ending:
            fn(*args)
            return
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - noted in ``fault`` and logged
            self._note_fault(exc, "teardown")

    def _resolve_handles(self) -> None:
        done, self._out_done = self._out_done, []
        for handle, result in done:
            handle._finish(result)

    def _handed_out(self, run: BatchRun) -> None:
        """A chunk of ``run`` was handed out: once none of its tasks is queued, the recorder flushes."""
        if self._recorder and not run.has_queued():
            self._recorder.flush("handed out")

    def _end_batches(self) -> None:
        """At teardown: end the unfinished batches as stopped and deliver the last events."""
        for run in self._batches.values():
            if run.unfinished:
                self._check_finished(run, stopped=True)
        self._deliver()
        self._resolve_handles()

    def _close_recorder(self) -> None:
        """At teardown: close the recorder (once), and fail any handle still waiting."""
        if self._recorder and not self._recorder_closed:
            self._recorder_closed = True
            self._call_out(self._recorder.close)
        for handle in self._handles.values():
            if not handle.done:
                handle._fail(self._stopped_error())

    # ------------------------------------------------------------ commands (engine thread)
    def _cmd_submit(self, spec: BatchSpec, ref: str, params: dict[str, Any], handle: BatchHandle) -> None:
        try:
            batch_id, ids = self._allocate(spec)
        except Exception as exc:  # noqa: BLE001 - reported to the submitter
            handle._fail(exc)
            return
        run = BatchRun(batch_id, spec, ref, ids)
        run.params = params
        self._batches[batch_id] = run
        self._handles[batch_id] = handle
        self._batch_opened(run)
        self._out.append(BatchAccepted(batch_id, spec, ids))
        handle._accept(batch_id, ids)
        now = time.time()
        for i, why in spec.skipped.items():
            skipped = TaskFinished(ids[i], 0, TaskState.SKIPPED, {"reason": why}, None, 0.0, now, 0, 0)
            self._finish(run, i, TaskState.SKIPPED, None, skipped)
        if self._broken:
            self._fail_queued(run, Failure(FailureKind.WORKER_LOST, self._broken))
        self._check_finished(run)

    def _allocate(self, spec: BatchSpec) -> tuple[BatchId, Sequence[TaskId]]:
        if self._recorder:
            return self._recorder.open_batch(spec)
        n = len(spec.paths)
        if spec.task_ids is not None:
            ids: Sequence[TaskId] = spec.task_ids
            if list(ids) != sorted(ids):
                raise ValueError("task ids of a batch must be sorted")
        else:
            ids = range(self._next_task, self._next_task + n)
        self._next_task = max(self._next_task, (max(ids) + 1) if n else 0)
        batch_id = spec.batch_id if spec.batch_id is not None else self._next_batch
        self._next_batch = max(self._next_batch, batch_id + 1)
        return batch_id, ids

    def _cmd_cancel(self, task_ids: list[TaskId]) -> None:
        self._cancel_tasks(task_ids, started=True)

    def _cmd_remove(self, task_ids: list[TaskId]) -> None:
        self._cancel_tasks(task_ids, started=False)

    def _cancel_tasks(self, task_ids: list[TaskId], *, started: bool) -> None:
        """Cancel tasks: queued ones at once, those handed out through their workers.

        With ``started=False`` a task its worker has started is left running.
        """
        queued: dict[BatchId, list[int]] = {}
        for tid in task_ids:
            chunk = self._in_flight.get(tid)
            if chunk is not None:
                run = chunk.batch
                if started or run.states[run.index_of(tid)] == TaskState.QUEUED:
                    self._cancel_in_flight(tid, chunk)
                continue
            found = self._find(tid)
            if found is not None:
                queued.setdefault(found[0].batch_id, []).append(found[1])
        for batch_id, indexes in queued.items():
            run = self._batches[batch_id]
            self._cancel_queued(run, indexes)
            self._check_finished(run)

    def _cmd_cancel_batch(self, batch_id: BatchId | None) -> None:
        for run in self._select(batch_id):
            for tid, chunk in list(self._in_flight.items()):
                if chunk.batch is run:
                    self._cancel_in_flight(tid, chunk)
            self._cancel_queued(run, None)
            self._check_finished(run)

    def _cancel_queued(self, run: BatchRun, indexes: list[int] | None) -> None:
        """Cancel queued tasks of ``run`` that no worker holds (``None``: all of them) in one event."""
        held = [run.index_of(tid) for tid, chunk in self._in_flight.items() if chunk.batch is run]
        runs = run.cancel_queued(held, indexes)
        if runs:
            ids = run.ids
            self._out.append(
                TasksCancelled(run.batch_id, tuple(ids[r.start : r.stop] for r in runs), time.time())
            )

    def _cmd_move_batch(self, batch_id: BatchId, offset: int) -> None:
        queued = [
            bid for bid, run in self._batches.items() if run.has_queued() and run.counts[TaskState.QUEUED]
        ]
        if batch_id not in queued or not offset:
            return
        i = queued.index(batch_id)
        j = max(0, min(len(queued) - 1, i + offset))
        if i == j:
            return
        queued.insert(j, queued.pop(i))
        # Dispatch serves batches in the dict's order: the queued ones are put back in the new order.
        for bid in queued:
            self._batches[bid] = self._batches.pop(bid)
        self._out.append(QueueOrdered(tuple(queued)))

    def _cmd_retry(self, task_ids: list[TaskId]) -> None:
        for tid in task_ids:
            found = self._find(tid)
            if found and found[0].states[found[1]] in (TaskState.FAILED, TaskState.CANCELLED):
                self._requeue(found[0], found[1], None)

    def _cmd_retry_failed(self, batch_id: BatchId | None) -> None:
        for run in self._select(batch_id):
            for i, state in enumerate(run.states):
                if state == TaskState.FAILED:
                    self._requeue(run, i, None)

    def _cmd_forget(self, batch_id: BatchId) -> None:
        run = self._batches.get(batch_id)
        if run is not None and not run.unfinished:
            del self._batches[batch_id]
            self._handles.pop(batch_id, None)
            self._batch_forgotten(batch_id)

    def _cmd_call(self, fn: Callable[[], Any]) -> None:
        fn()

    # ------------------------------------------------------------ task endings
    def _may_retry(self, run: BatchRun, i: int, failure: Failure | None) -> bool:
        if failure is None or not failure.retryable or failure.poison:
            return False
        return run.attempts[i] <= run.spec.options.retries

    def _requeue(self, run: BatchRun, i: int, failure: Failure | None) -> None:
        tid = run.ids[i]
        run.set_state(i, TaskState.QUEUED)
        run.requeue([i])
        run.reported = False
        self._out.append(TaskRequeued(tid, run.attempts[i] + 1, failure))

    def _task_done(self, run: BatchRun, i: int, event: TaskFinished) -> None:
        """Apply task ``i``'s end as its worker reported it: requeue a failure that may retry, else finish."""
        run.attempts[i] = min(event.attempt, 255)
        run.sizer.observe(event.ended - event.started)
        if event.state is TaskState.FAILED and self._may_retry(run, i, event.failure):
            self._requeue(run, i, event.failure)
            return
        self._finish(run, i, event.state, event.failure, event)
        self._check_finished(run)

    def _finish(
        self,
        run: BatchRun,
        i: int,
        state: TaskState,
        failure: Failure | None,
        event: TaskFinished | None,
        *,
        pid: int = 0,
        started: float = 0.0,
    ) -> None:
        tid = run.ids[i]
        self._cancel_asked.discard(tid)
        run.set_state(i, state)
        if event is None:
            event = TaskFinished(tid, 0, state, None, failure, started, time.time(), run.attempts[i], pid)
        self._out.append(event)

    def _check_finished(self, run: BatchRun, stopped: bool = False) -> None:
        if (run.unfinished and not stopped) or run.reported:
            return
        run.reported = True
        counts = {s: run.counts[s] for s in TaskState}
        result = BatchFinished(run.batch_id, counts, stopped, time.monotonic() - run.started)
        self._out.append(result)
        handle = self._handles.get(run.batch_id)
        if handle is not None and not handle.done:
            # Resolve after the event is delivered, so a waiter sees every event.
            self._out_done.append((handle, result))

    def _fail_queued(self, run: BatchRun, failure: Failure) -> None:
        for i in run.queued_indexes():
            if run.ids[i] not in self._in_flight:
                self._finish(run, i, TaskState.FAILED, failure, None)

    # ------------------------------------------------------------ helpers
    def _find(self, tid: TaskId) -> tuple[BatchRun, int] | None:
        for run in self._batches.values():
            i = run.index_of(tid)
            if i >= 0:
                return run, i
        return None

    def _select(self, batch_id: BatchId | None) -> list[BatchRun]:
        if batch_id is None:
            return list(self._batches.values())
        run = self._batches.get(batch_id)
        return [run] if run is not None else []
