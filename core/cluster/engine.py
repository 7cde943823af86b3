"""``DaskEngine``: the engine's interface and events, with the work done on a Dask cluster.

Data flow::

    caller threads                 engine thread                          Dask cluster
    --------------                 -------------                          ------------
    submit / cancel / pause ─┐
    Dask client callbacks ───┼─► inbox ─► BatchRun (compact states, as the local engine)
    (live events, futures,   ┘              │ chunks sized to ~0.25 s of work
     workers joining/leaving)               ▼
                                  client.submit(run_chunk, header, tasks) ─► worker thread:
                                  <= 2 chunks per worker thread              Worker.run_chunk
                                            ▲                                 (processors, TaskRun)
                  live START/PROGRESS/LOG ──┤◄── worker.log_event(topic) ────┤ every 0.1 s
                  result: all events ───────┘◄── future result ──────────────┘
                                            │
                                  control Variable ──► {yield, cancel ids} read by running chunks
                                            │
                                            ▼
                                  Recorder.record(events) ─► listeners(events)   (engine thread)

Tasks ship paths (mapped to the workers' names for the shared filesystem),
never file contents. A worker lost mid-chunk fails (or, within the batch's
retries, requeues) only the task it was running; the rest of its chunk is
queued again. Every public method is thread-safe: it posts to the inbox, and
only the engine thread touches batches, chunks and the recorder.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.cluster import remote
from core.cluster.chunks import CHUNKS_PER_THREAD, ClusterSizer, RemoteChunk
from core.cluster.client import close_client, open_client
from core.cluster.config import ClusterConfig, ClusterError, is_loopback, security_of, split_address
from core.engine import wire
from core.engine.api import BatchHandle, EngineConfig, Recorder
from core.engine.batches import BatchRun
from core.events import (
    BatchAccepted,
    BatchFinished,
    Event,
    Listener,
    TaskFinished,
    TaskLog,
    TaskProgress,
    TaskRequeued,
    TaskStarted,
    WorkerEvent,
)
from core.model import BatchId, BatchSpec, Failure, FailureKind, TaskId, TaskState
from core.params import resolve_params
from core.registry import job_ref, load_ref

if TYPE_CHECKING:
    from core.backend import Backend

log = logging.getLogger("brigade.cluster")

DRAIN_LIMIT = 5000
_STOPPED = "stopped when the engine shut down"


class DaskEngine:
    """Runs batches on a Dask cluster; same commands, events and recorder hook as ``Engine``.

    Parameters
    ----------
    cluster
        Where the scheduler is (or ``local:N``), TLS files, path mapping.
        Checked here: an unsafe address raises ``ClusterError``.
    recorder
        The job store's recorder, called on the engine thread.
    config
        Only ``kill_grace`` applies: seconds a cancelled running task has to
        stop cooperatively before the engine reports it cancelled anyway.
    """

    def __init__(
        self,
        cluster: ClusterConfig,
        recorder: Recorder | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        self.cluster = cluster.checked()
        self.config = config or EngineConfig()
        self._recorder = recorder
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._listeners: list[Listener] = []
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._ended = threading.Event()
        self._connect_lock = threading.Lock()
        session = uuid.uuid4().hex[:12]
        self._session = session
        self._topic = f"brigade-live-{session}"
        self._control_name = f"brigade-control-{session}"
        self.client: Any = None
        self.local_cluster: Any = None
        self.error: ClusterError | None = None
        # Engine-thread state below.
        self._batches: dict[BatchId, BatchRun] = {}
        self._handles: dict[BatchId, BatchHandle] = {}
        self._headers: dict[BatchId, dict[str, Any]] = {}
        self._chunks: dict[str, RemoteChunk] = {}
        self._in_flight: dict[TaskId, RemoteChunk] = {}
        self._cancel_asked: set[TaskId] = set()
        self._control: dict[str, Any] = {"yield": False, "chunks": {}}
        self._control_dirty = False
        self._out: list[Event] = []
        self._out_done: list[tuple[BatchHandle, BatchFinished]] = []
        self._paused = False
        self._stopping: tuple[bool, float] | None = None
        self._broken: str | None = None
        self._threads = 0
        self._slots: dict[str, int] = {}
        self._pids: dict[str, int] = {}
        self._next_chunk = 0
        self._next_batch = 1
        self._next_task = 1
        self.worker_pids: tuple[int, ...] = ()
        """Pids of the cluster's workers that run on this computer; safe to read from any thread."""

    # ------------------------------------------------------------ lifecycle
    def connect(self) -> None:
        """Start the ``local:N`` cluster or connect to the scheduler (idempotent).

        Raises
        ------
        ClusterError
            When the scheduler cannot be reached or refuses us.
        """
        with self._connect_lock:
            if self.client is not None:
                return
            try:
                self._open_client()
            except Exception as exc:
                self._close_client()
                where = self.cluster.address
                raise ClusterError(f"cannot use the Dask cluster at {where}: {_describe(exc)}") from exc

    def _open_client(self) -> None:
        from distributed import Client, LocalCluster, Variable

        n = self.cluster.local_workers
        if n:
            self.local_cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.local_cluster, set_as_default=False)
        else:
            # A loop of its own: a failed connection must not leave Dask's loop thread behind.
            self.client = open_client(
                self.cluster.address, security_of(self.cluster), self.cluster.connect_timeout
            )
        Variable(self._control_name, client=self.client).set(self._control)
        self.client.subscribe_topic(self._topic, self._on_live)
        self.client.subscribe_topic("all", self._on_cluster_event)
        self._refresh_workers()

    def start(self) -> DaskEngine:
        """Connect, then run the engine on a new daemon thread; return self.

        Raises
        ------
        ClusterError
            When the cluster cannot be used (the engine is shut down first).
        """
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self.run, name="brigade-dask-engine", daemon=True)
        self._thread.start()
        self._running.wait()
        if self.error is not None:
            self.shutdown()
            raise self.error
        return self

    def run(self) -> None:
        """The engine loop; returns after ``shutdown``. Runs on the calling thread."""
        try:
            if self._recorder:
                self._recorder.start()
            try:
                self.connect()
            except ClusterError as exc:
                self.error = exc
                self._broken = str(exc)
                log.error("%s", exc)
            self._running.set()
            self._loop()
        finally:
            self._teardown()
            self._running.set()
            self._ended.set()

    def stop(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Ask the engine to stop without waiting: see ``shutdown``."""
        self._post("stop", interrupt, timeout)

    def shutdown(self, *, interrupt: bool = False, timeout: float | None = None) -> None:
        """Stop: running tasks finish (or, with ``interrupt``, are given up now).

        Queued tasks stay queued (their batches end ``stopped``). A task given
        up while running may still finish on its worker; it stays queued here.
        Blocks until the engine thread ended, when started with ``start()``.
        """
        self.stop(interrupt=interrupt, timeout=timeout)
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join()

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Block until the engine loop has ended."""
        return self._ended.wait(timeout)

    def __enter__(self) -> DaskEngine:
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

        The batch's ``extra`` records where it runs (``backend``, ``scheduler``, ``path_map``).
        """
        ref = job_ref(spec.job)
        params = resolve_params(load_ref(ref).params, spec.params)
        spec = replace(spec, extra={**spec.extra, **self.cluster.describe()})
        handle = BatchHandle()
        self._post("submit", spec, ref, params, handle)
        return handle

    def pause(self) -> None:
        """Start no new task; running chunks hand back their unstarted tasks."""
        self._post("pause")

    def resume(self) -> None:
        """Start tasks again after ``pause``."""
        self._post("resume")

    def cancel(self, task_ids: Iterable[TaskId]) -> None:
        """Cancel tasks: queued ones at once, running ones cooperatively, then given up."""
        self._post("cancel", list(task_ids))

    def cancel_batch(self, batch_id: BatchId | None = None) -> None:
        """Cancel every unfinished task of a batch (``None``: of every batch)."""
        self._post("cancel_batch", batch_id)

    def retry(self, task_ids: Iterable[TaskId]) -> None:
        """Queue failed or cancelled tasks again."""
        self._post("retry", list(task_ids))

    def retry_failed(self, batch_id: BatchId | None = None) -> None:
        """Queue again every failed task of a batch (``None``: of every batch)."""
        self._post("retry_failed", batch_id)

    def set_workers(self, count: int) -> None:
        """Scale a ``local:N`` cluster; a remote cluster's size is its own business."""
        self._post("workers", max(1, min(int(count), wire.MAX_SLOTS)))

    def forget(self, batch_id: BatchId) -> None:
        """Drop the bookkeeping of a finished batch."""
        self._post("forget", batch_id)

    def call(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the engine thread."""
        self._post("call", fn)

    def _post(self, *cmd: Any) -> None:
        self._inbox.put(cmd)

    # ------------------------------------------------------------ Dask callbacks (client thread)
    def _on_live(self, event: tuple[float, Any]) -> None:
        self._post("live", event[1])

    def _on_cluster_event(self, event: tuple[float, Any]) -> None:
        msg = event[1]
        if isinstance(msg, dict) and msg.get("action") in ("add-worker", "remove-worker"):
            self._post("cluster", msg)

    def _on_future_done(self, future: Any) -> None:
        self._post("future", future.key)

    # ------------------------------------------------------------ the loop
    def _loop(self) -> None:
        while True:
            busy = self._run_commands(self._tick())
            self._supervise(time.monotonic())
            if self._stopping is not None and not self._chunks:
                return
            self._dispatch()
            self._sync_control()
            self._deliver()
            if not busy and self._recorder:
                self._recorder.flush()

    def _tick(self) -> float:
        if self._stopping is not None or any(c.cancel_deadline for c in self._chunks.values()):
            return 0.05
        return 0.5

    def _run_commands(self, timeout: float) -> bool:
        try:
            cmd = self._inbox.get(timeout=timeout)
        except queue.Empty:
            return False
        for _ in range(DRAIN_LIMIT):
            try:
                getattr(self, "_cmd_" + cmd[0])(*cmd[1:])
            except Exception:
                log.exception("engine command %s failed", cmd[0])
            try:
                cmd = self._inbox.get_nowait()
            except queue.Empty:
                break
        return True

    def _deliver(self) -> None:
        if not self._out:
            return
        events, self._out = self._out, []
        if self._recorder:
            try:
                self._recorder.record(events)
            except Exception:
                log.exception("recorder failed")
        for listener in list(self._listeners):
            try:
                listener(events)
            except Exception:
                log.exception("listener %r failed", listener)
        self._resolve_handles()

    # ------------------------------------------------------------ commands (engine thread)
    def _cmd_submit(self, spec: BatchSpec, ref: str, params: dict[str, Any], handle: BatchHandle) -> None:
        try:
            batch_id, ids = self._allocate(spec)
        except Exception as exc:  # noqa: BLE001 - reported to the submitter
            handle._fail(exc)
            return
        run = BatchRun(batch_id, spec, ref, ids)
        run.params = params
        run.sizer = ClusterSizer()
        self._batches[batch_id] = run
        self._handles[batch_id] = handle
        pm = self.cluster.path_map
        self._headers[batch_id] = {
            "topic": self._topic,
            "control": self._control_name,
            "job": spec.job,
            "ref": ref,
            "params": params,
            "output": pm.map_values(spec.output),
            "log_limit": spec.options.log_limit,
        }
        self._out.append(BatchAccepted(batch_id, spec, ids))
        handle._accept(batch_id, ids)
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

    def _cmd_pause(self) -> None:
        self._paused = True
        self._set_global_yield()

    def _cmd_resume(self) -> None:
        self._paused = False
        self._set_global_yield()

    def _cmd_cancel(self, task_ids: list[TaskId]) -> None:
        for tid in task_ids:
            chunk = self._in_flight.get(tid)
            if chunk is not None:
                self._cancel_in_flight(tid, chunk)
                continue
            found = self._find(tid)
            if found and found[0].states[found[1]] == TaskState.QUEUED:
                self._finish(found[0], found[1], TaskState.CANCELLED, None, None)
                self._check_finished(found[0])

    def _cmd_cancel_batch(self, batch_id: BatchId | None) -> None:
        for run in self._select(batch_id):
            for tid, chunk in list(self._in_flight.items()):
                if chunk.batch is run:
                    self._cancel_in_flight(tid, chunk)
            for i in run.queued_indexes():
                if run.ids[i] not in self._in_flight:
                    self._finish(run, i, TaskState.CANCELLED, None, None)
            self._check_finished(run)

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

    def _cmd_workers(self, count: int) -> None:
        if self.local_cluster is None:
            log.info("the cluster's size is set where it runs; ignoring set_workers(%d)", count)
            return
        self.local_cluster.scale(count)

    def _cmd_forget(self, batch_id: BatchId) -> None:
        run = self._batches.get(batch_id)
        if run is not None and not run.unfinished:
            del self._batches[batch_id]
            self._handles.pop(batch_id, None)
            self._headers.pop(batch_id, None)

    def _cmd_call(self, fn: Callable[[], Any]) -> None:
        fn()

    def _cmd_stop(self, interrupt: bool, timeout: float | None) -> None:
        now = time.monotonic()
        deadline = now if interrupt else (now + timeout if timeout is not None else float("inf"))
        self._stopping = (interrupt, deadline)
        self._set_global_yield()

    # ------------------------------------------------------------ dispatch
    def _capacity(self) -> int:
        return CHUNKS_PER_THREAD * max(1, self._threads)

    def _dispatch(self) -> None:
        if self._paused or self._stopping is not None or self._broken or self.client is None:
            return
        while len(self._chunks) < self._capacity():
            if not self._submit_chunk():
                return

    def _submit_chunk(self) -> bool:
        for run in self._batches.values():
            if not run.has_queued():
                continue
            share = max(1, run.counts[TaskState.QUEUED] // self._capacity())
            indexes = run.take(self._in_flight.keys(), run.spec.sizes, share)  # type: ignore[arg-type]
            if not indexes:
                continue
            self._next_chunk += 1
            key = f"brigade-{self._session}-{self._next_chunk}"
            chunk = RemoteChunk(self._next_chunk, key, run, {run.ids[i]: i for i in indexes})
            chunk.order = [run.ids[i] for i in indexes]
            to_worker = self.cluster.path_map.to_worker
            paths = run.spec.paths
            tasks = [(run.ids[i], to_worker(paths[i]), run.attempts[i] + 1, i) for i in indexes]
            header = {**self._headers[run.batch_id], "chunk_id": chunk.chunk_id}
            chunk.future = self.client.submit(
                remote.run_chunk, header, tasks, key=key, pure=False, retries=run.spec.options.retries
            )
            self._chunks[key] = chunk
            for tid in chunk.pending:
                self._in_flight[tid] = chunk
            chunk.future.add_done_callback(self._on_future_done)
            return True
        return False

    # ------------------------------------------------------------ events from the cluster
    def _cmd_live(self, msg: list[Any]) -> None:
        chunk_id, token, address, pid, current, done_count, events = msg
        chunk = self._chunks.get(f"brigade-{self._session}-{chunk_id}")
        if chunk is None or not self._adopt(chunk, token, address, pid):
            return
        chunk.current, chunk.done_count = current, done_count
        for ev in events:
            self._take(chunk, ev)

    def _cmd_future(self, key: str) -> None:
        chunk = self._chunks.get(key)
        if chunk is None:
            return
        future = chunk.future
        if future.status == "finished":
            try:
                res = future.result(timeout=60)
            except Exception as exc:  # noqa: BLE001 - the result could not be fetched
                self._lost(chunk, f"the result was lost: {_describe(exc)}")
                return
            if self._adopt(chunk, res["token"], res["worker"], res["pid"]):
                try:
                    for ev in res["events"]:
                        self._take(chunk, ev)
                finally:  # a bad event must not leave the chunk's tasks in flight forever
                    self._end_chunk(chunk)
        elif future.status == "error":
            error = future.exception(timeout=60)
            if type(error).__name__ == "KilledWorker":
                self._lost(chunk, f"worker lost: {_describe(error)}")
            else:
                self._chunk_failed(chunk, error)
        else:  # cancelled or lost by the scheduler: nothing ran to completion
            self._end_chunk(chunk)

    def _cmd_cluster(self, msg: dict[str, Any]) -> None:
        address = str(msg.get("worker", ""))
        if msg.get("action") == "remove-worker":
            for key in msg.get("processing-tasks", ()):
                chunk = self._chunks.get(key)
                if chunk is not None and chunk.token is not None and chunk.worker == address:
                    self._lost(chunk, f"worker {address} was lost while running it")
            slot = self._slots.get(address, -1)
            # Exit status 0: the worker left as planned; 1: it was lost (its real status is unknown here).
            code, reason = (0, "left") if msg.get("expected") else (1, "lost")
            self._out.append(WorkerEvent(slot, self._pids.get(address, 0), code, reason))
        self._refresh_workers()
        if msg.get("action") == "add-worker":
            self._out.append(WorkerEvent(self._slot(address), self._pids.get(address, 0), None, "joined"))

    def _adopt(self, chunk: RemoteChunk, token: str, address: str, pid: int) -> bool:
        """Accept events of the run ``token``; a second run means the first one's worker was lost."""
        if chunk.token is None:
            chunk.token, chunk.worker, chunk.pid = token, address, pid
            return True
        if chunk.token == token:
            return True
        self._lost(chunk, f"worker {chunk.worker} was lost while running it")
        return False

    def _take(self, chunk: RemoteChunk, ev: Sequence[Any]) -> None:
        code, tid = ev[0], ev[1]
        if code in (wire.CHUNK_END, wire.RESOURCE) or tid not in chunk.pending:
            return
        if code == wire.DONE:
            self._on_done(chunk, ev)
            return
        seq = ev[2]
        if seq <= chunk.seen.get(tid, 0):
            return
        chunk.seen[tid] = seq
        if code == wire.START:
            _, _, _, started, attempt = ev
            run, i = chunk.batch, chunk.pending[tid]
            chunk.started[tid] = started
            run.set_state(i, TaskState.RUNNING)
            run.attempts[i] = min(attempt, 255)
            self._out.append(TaskStarted(tid, seq, chunk.pid, started, attempt))
        elif code == wire.LOG:
            self._out.append(TaskLog(tid, seq, ev[3], ev[4], ev[5], ev[6]))
        elif code == wire.PROGRESS:
            self._out.append(TaskProgress(tid, seq, ev[3], ev[4]))

    def _on_done(self, chunk: RemoteChunk, ev: Sequence[Any]) -> None:
        _, tid, seq, state, result, failure, started, ended, dropped, outputs = ev[:10]
        i = chunk.pending.pop(tid)
        self._in_flight.pop(tid, None)
        chunk.started.pop(tid, None)
        run = chunk.batch
        if len(ev) > 10:  # a task that ended before its START was sent reports its attempt here
            run.attempts[i] = min(ev[10], 255)
        run.sizer.observe(ended - started)
        state = TaskState(state)
        if state == TaskState.FAILED and self._may_retry(run, i, failure):
            self._requeue(run, i, failure)
            return
        to_local = self.cluster.path_map.to_local
        outputs = tuple(to_local(p) for p in outputs)
        event = TaskFinished(
            tid, seq, state, result, failure, started, ended, run.attempts[i], chunk.pid, dropped, outputs
        )
        self._finish(run, i, state, failure, event)
        self._check_finished(run)

    # ------------------------------------------------------------ chunk endings
    def _end_chunk(self, chunk: RemoteChunk) -> None:
        """Forget a chunk; tasks it did not finish are cancelled (if asked) or queued again."""
        self._chunks.pop(chunk.key, None)
        self._control["chunks"].pop(str(chunk.chunk_id), None)
        self._control_dirty = True
        run, back = chunk.batch, []
        for tid, i in chunk.pending.items():
            self._in_flight.pop(tid, None)
            if tid in self._cancel_asked:
                self._finish(run, i, TaskState.CANCELLED, None, None, pid=chunk.pid)
                continue
            if tid in chunk.started:  # it ran on a worker that is gone: attempt again
                self._out.append(TaskRequeued(tid, run.attempts[i] + 1, None))
            run.set_state(i, TaskState.QUEUED)
            back.append(i)
        chunk.pending.clear()
        run.requeue(back)
        chunk.future = None
        self._check_finished(run)

    def _retire(self, chunk: RemoteChunk) -> None:
        """Give up a chunk that may still run somewhere: tell it to yield and cancel its future."""
        future = chunk.future
        self._end_chunk(chunk)
        self._control["chunks"][str(chunk.chunk_id)] = {"yield": True}
        if future is not None and self.client is not None:
            try:
                self.client.cancel([future])
            except Exception:
                log.debug("cancelling %s failed", chunk.key, exc_info=True)

    def _lost(self, chunk: RemoteChunk, reason: str) -> None:
        """The worker running ``chunk`` died: its current task fails (or retries), the rest requeue."""
        tid = _culprit(chunk)
        if tid in chunk.pending:
            run, i = chunk.batch, chunk.pending.pop(tid)
            self._in_flight.pop(tid, None)
            started = chunk.started.pop(tid, 0.0)
            if tid in self._cancel_asked:
                self._finish(run, i, TaskState.CANCELLED, None, None, pid=chunk.pid, started=started)
            else:
                run.kills[i] = min(255, run.kills[i] + 1)
                poison = run.kills[i] >= run.spec.options.poison_after
                failure = Failure(FailureKind.WORKER_LOST, reason, retryable=True, poison=poison)
                if self._may_retry(run, i, failure):
                    self._requeue(run, i, failure)
                else:
                    self._finish(run, i, TaskState.FAILED, failure, None, pid=chunk.pid, started=started)
        self._retire(chunk)

    def _chunk_failed(self, chunk: RemoteChunk, exc: BaseException | None) -> None:
        """The chunk itself raised on the cluster (Brigade missing on the workers, for instance)."""
        message = f"the cluster could not run the task: {_describe(exc)}"
        if isinstance(exc, ImportError):
            message += " (install Brigade and the job's package on every worker; see docs/cluster.md)"
        failure = Failure(
            FailureKind.ERROR, message, exc_type=type(exc).__qualname__ if exc else None, retryable=False
        )
        run = chunk.batch
        for tid, i in list(chunk.pending.items()):
            if tid not in self._cancel_asked:
                chunk.pending.pop(tid)
                self._in_flight.pop(tid, None)
                self._finish(run, i, TaskState.FAILED, failure, None, pid=chunk.pid)
        self._end_chunk(chunk)

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
            self._out_done.append((handle, result))

    def _fail_queued(self, run: BatchRun, failure: Failure) -> None:
        for i in run.queued_indexes():
            if run.ids[i] not in self._in_flight:
                self._finish(run, i, TaskState.FAILED, failure, None)

    # ------------------------------------------------------------ cancellation and control
    def _cancel_in_flight(self, tid: TaskId, chunk: RemoteChunk) -> None:
        self._cancel_asked.add(tid)
        entry = self._control["chunks"].setdefault(str(chunk.chunk_id), {"yield": False, "cancel": []})
        entry.setdefault("cancel", []).append(tid)
        if tid not in chunk.started:
            entry["yield"] = True  # hand back the unstarted rest; cancelled ones end there
        self._control_dirty = True
        if chunk.cancel_deadline is None:
            chunk.cancel_deadline = time.monotonic() + self.config.kill_grace

    def _set_global_yield(self) -> None:
        self._control["yield"] = self._paused or self._stopping is not None
        self._control_dirty = True

    def _sync_control(self) -> None:
        if not self._control_dirty or self.client is None:
            return
        self._control_dirty = False
        from distributed import Variable

        try:
            Variable(self._control_name, client=self.client).set(self._control)
        except Exception:
            log.warning("could not update the cluster's control variable", exc_info=True)
            self._control_dirty = True

    def _supervise(self, now: float) -> None:
        for chunk in list(self._chunks.values()):
            if chunk.cancel_deadline is not None and now >= chunk.cancel_deadline:
                self._give_up_cancelled(chunk)
        if self._stopping is not None and now >= self._stopping[1]:
            for chunk in list(self._chunks.values()):
                self._interrupt(chunk)

    def _give_up_cancelled(self, chunk: RemoteChunk) -> None:
        """A cancelled task ignored the request: report it cancelled; it may finish remotely, unseen."""
        chunk.cancel_deadline = None
        asked = [tid for tid in chunk.pending if tid in self._cancel_asked]
        if chunk.current in asked:
            self._retire(chunk)
            return
        run = chunk.batch
        for tid in asked:  # unstarted: the chunk hands them back; stop waiting for that
            i = chunk.pending.pop(tid)
            self._in_flight.pop(tid, None)
            self._finish(run, i, TaskState.CANCELLED, None, None)
        self._check_finished(run)

    def _interrupt(self, chunk: RemoteChunk) -> None:
        run = chunk.batch
        for tid in list(chunk.started):
            if tid in chunk.pending and tid not in self._cancel_asked:
                i = chunk.pending.pop(tid)
                self._in_flight.pop(tid, None)
                failure = Failure(FailureKind.INTERRUPTED, _STOPPED, retryable=True)
                if self._may_retry(run, i, failure):
                    self._requeue(run, i, failure)
                else:
                    self._finish(run, i, TaskState.FAILED, failure, None, pid=chunk.pid)
        self._retire(chunk)

    # ------------------------------------------------------------ workers
    def _refresh_workers(self) -> None:
        if self.client is None:
            return
        try:
            workers = self.client.scheduler_info(n_workers=-1)["workers"]
        except Exception:
            log.debug("scheduler_info failed", exc_info=True)
            return
        self._threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        pids = self._local_pids()
        here = [a for a in workers if a not in pids and is_loopback(split_address(a)[1])]
        if here:
            try:
                pids.update(self.client.run(os.getpid, workers=here, on_error="ignore"))
            except Exception:
                log.debug("could not read worker pids", exc_info=True)
        self._pids = {a: int(p) for a, p in pids.items() if isinstance(p, int)}
        for address in workers:
            self._slot(address)
        self.worker_pids = tuple(self._pids.values())

    def _local_pids(self) -> dict[str, int]:
        """Pids of our own ``local:N`` workers, read from their nannies (no round trip)."""
        out: dict[str, int] = {}
        for nanny in getattr(self.local_cluster, "workers", {}).values():
            address = getattr(nanny, "worker_address", None)
            pid = getattr(getattr(getattr(nanny, "process", None), "process", None), "pid", None)
            if address and pid:
                out[address] = int(pid)
        return out

    def _slot(self, address: str) -> int:
        return self._slots.setdefault(address, len(self._slots))

    # ------------------------------------------------------------ teardown
    def _teardown(self) -> None:
        for chunk in list(self._chunks.values()):
            self._interrupt(chunk)
        for run in self._batches.values():
            if run.unfinished:
                self._check_finished(run, stopped=True)
        self._deliver()
        self._resolve_handles()
        self._close_client()
        if self._recorder:
            try:
                self._recorder.close()
            except Exception:
                log.exception("recorder failed to close")
        for handle in self._handles.values():
            if not handle.done:
                handle._fail(RuntimeError("the engine stopped"))

    def _close_client(self) -> None:
        client, cluster = self.client, self.local_cluster
        self.client = self.local_cluster = None
        self.worker_pids = ()
        if client is not None:
            try:
                client.unsubscribe_topic(self._topic)
                client.unsubscribe_topic("all")
                from distributed import Variable

                Variable(self._control_name, client=client).delete()
            except Exception:
                log.debug("cluster cleanup failed", exc_info=True)
            close_client(client)
        if cluster is not None:
            cluster.close()

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

    def _resolve_handles(self) -> None:
        done, self._out_done = self._out_done, []
        for handle, result in done:
            handle._finish(result)


def _culprit(chunk: RemoteChunk) -> TaskId:
    """The task a lost run was executing: the one it last reported, else the next in order."""
    if chunk.current >= 0:
        return chunk.current
    position = chunk.done_count if chunk.token is not None else 0
    return chunk.order[position] if position < len(chunk.order) else -1


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


if TYPE_CHECKING:

    def _dask_engine_is_a_backend(engine: DaskEngine) -> Backend:
        # mypy checks here that the cluster engine satisfies the protocol.
        return engine
