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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

from core.cluster import remote
from core.cluster.chunks import CHUNKS_PER_THREAD, ClusterSizer, RemoteChunk
from core.cluster.client import close_client, finalize_failed_clients, open_client
from core.cluster.config import ClusterConfig, ClusterError, is_loopback, security_of, split_address
from core.cluster.control import ControlSender
from core.cluster.debris import dask_warnings_logged, remove
from core.engine import wire
from core.engine.api import EngineConfig, Recorder
from core.engine.base import EngineBase
from core.engine.batches import BatchRun
from core.events import TaskLog, TaskProgress, TaskRequeued, TaskStarted, WorkerEvent
from core.model import BatchId, BatchSpec, Failure, FailureKind, TaskId, TaskState

if TYPE_CHECKING:
    from core.cluster.probe import ClusterInfo

log = logging.getLogger("brigade.cluster")

DRAIN_LIMIT = 5000
# A running chunk reports within remote.LIVE_SECONDS; one silent this long after a stop has not started.
UNSTARTED_GRACE = 1.0
RESULT_TIMEOUT = 10.0  # seconds to fetch a finished chunk's result (its worker may have just died)
_STOPPED = "stopped when the engine shut down"


class DaskEngine(EngineBase[RemoteChunk]):
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

    Notes
    -----
    ``pause`` makes running chunks hand back their unstarted tasks. A running
    task that ignores a cancel, or that ``shutdown(interrupt=True)`` stops,
    is given up: it may still finish on its worker, unseen (a stopped one
    stays queued here). ``set_workers`` scales only a ``local:N`` cluster; a
    remote cluster's size is its own business. A submitted batch's ``extra``
    records where it runs (``backend``, ``scheduler``, ``path_map``).
    """

    _log = log
    _thread_name = "brigade-dask-engine"

    def __init__(
        self,
        cluster: ClusterConfig,
        recorder: Recorder | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        self.cluster = cluster.checked()
        super().__init__(config, recorder)
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._connect_lock = threading.Lock()
        session = uuid.uuid4().hex[:12]
        self._session = session
        self._control_name = f"brigade-control-{session}"
        self.client: Any = None
        self.local_cluster: Any = None
        self.error: ClusterError | None = None
        self.lost: str | None = None
        """Why the cluster could not run the tasks (no capable worker, scheduler lost), once it happened."""
        # Engine-thread state below.
        self._headers: dict[BatchId, dict[str, Any]] = {}
        self._chunks: dict[str, RemoteChunk] = {}
        self._control: dict[str, Any] = {"yield": False, "chunks": {}}
        self._control_dirty = False
        self._threads = 0
        self._slots: dict[str, int] = {}
        self._pids: dict[str, int] = {}
        self._workers: tuple[str, ...] = ()
        self._progress_at = time.monotonic()  # last sign of a worker running our tasks
        self._down_since: float | None = None  # when the scheduler connection was lost
        self._sender: ControlSender | None = None
        self._stop_asked = 0.0

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
            except BaseException as exc:
                self._close_client()
                if not isinstance(exc, Exception):
                    raise  # Ctrl-C while connecting
                where = self.cluster.address
                raise ClusterError(f"cannot use the Dask cluster at {where}: {_describe(exc)}") from exc

    def _open_client(self) -> None:
        from distributed import Client, LocalCluster, Variable

        n = self.cluster.local_workers
        if n:
            with dask_warnings_logged():
                self.local_cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    # A free port: the scheduler's HTTP server (and a dashboard, where bokeh is
                    # installed) would otherwise ask for 8787, which any other Dask may hold.
                    dashboard_address="127.0.0.1:0",
                )
            finalize_failed_clients()
            self.client = Client(self.local_cluster, set_as_default=False)
        else:
            # A loop of its own: a failed connection must not leave Dask's loop thread behind.
            self.client = open_client(
                self.cluster.address, security_of(self.cluster), self.cluster.connect_timeout
            )
        Variable(self._control_name, client=self.client).set(self._control)
        self._sender = ControlSender(self.client, self._control_name)
        self.client.subscribe_topic(remote.TOPIC, self._on_live)
        self.client.subscribe_topic("all", self._on_cluster_event)
        self._refresh_workers()

    def check_workers(self) -> ClusterInfo:
        """Ask the connected cluster's workers whether they can run this Brigade's tasks (blocks).

        Raises
        ------
        ClusterError
            When the engine is not connected.
        """
        from core.cluster.probe import describe, probe_local

        if self.client is None:
            raise ClusterError(f"not connected to the Dask cluster at {self.cluster.address}")
        if self.local_cluster is not None:  # our own workers: this very Brigade
            return probe_local(self.cluster)
        return describe(self.client, self.cluster.address)

    def disconnect(self) -> None:
        """Close the connection ``connect`` opened, for an engine that will not be started."""
        with self._connect_lock:
            self._close_client()

    _start_waits_for_open = True  # start() raises when the cluster cannot be used

    def start(self) -> Self:
        """Connect, then run the engine on a new daemon thread; return self.

        Raises
        ------
        ClusterError
            When the cluster cannot be used (the engine is shut down first).
        """
        if self._thread is not None:
            return self
        super().start()
        if self.error is not None:
            self.shutdown()
            raise self.error
        return self

    def _open(self) -> None:
        # An unusable cluster does not end the loop: batches fail as they come, and ``start`` raises.
        try:
            self.connect()
        except ClusterError as exc:
            self.error = exc
            self._broken = str(exc)
            log.error("%s", exc)

    def _spec_for(self, spec: BatchSpec) -> BatchSpec:
        """Make every input path absolute, and record in ``extra`` where the batch runs.

        A relative path means this process's working directory: a worker would
        read it against its own, another file or none (``--path-map`` too
        matches absolute paths only).
        """
        paths = spec.paths
        if not all(os.path.isabs(p) for p in paths):
            paths = [os.path.abspath(p) for p in paths]
        return spec.replace(paths=paths, extra={**spec.extra, **self.cluster.describe()})

    def _post(self, *cmd: Any) -> None:
        self._inbox.put(cmd)

    # ------------------------------------------------------------ Dask callbacks (client thread)
    def _on_live(self, event: tuple[float, Any]) -> None:
        msg = event[1]
        if msg[0] == self._session:  # the topic is shared by every Brigade using the scheduler
            self._post("live", msg[1:])

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
            now = time.monotonic()
            self._watch_cluster(now)
            self._supervise(now)
            if self._stopping is not None and not self._chunks:
                return
            self._dispatch()
            self._sync_control()
            self._deliver()
            if not busy and self._recorder:
                self._recorder.flush("idle")

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
            self._run_command(cmd)
            try:
                cmd = self._inbox.get_nowait()
            except queue.Empty:
                break
        return True

    # ------------------------------------------------------------ commands (engine thread)
    def _batch_opened(self, run: BatchRun) -> None:
        """Size the batch's chunks for the cluster and build the header each of them carries."""
        run.sizer = ClusterSizer()
        spec = run.spec
        self._progress_at = time.monotonic()
        self._headers[run.batch_id] = {
            "session": self._session,
            "control": self._control_name,
            "job": spec.job,
            "ref": run.ref,
            "params": run.params,
            "output": self.cluster.path_map.map_values(spec.output),
            "log_limit": spec.options.log_limit,
        }

    def _batch_forgotten(self, batch_id: BatchId) -> None:
        self._headers.pop(batch_id, None)

    def _cmd_pause(self) -> None:
        self._paused = True
        self._set_global_yield()

    def _cmd_resume(self) -> None:
        self._paused = False
        self._progress_at = time.monotonic()
        self._set_global_yield()

    def _cmd_workers(self, count: int) -> None:
        if self.local_cluster is None:
            log.info("the cluster's size is set where it runs; ignoring set_workers(%d)", count)
            return
        self.local_cluster.scale(count)

    def _cmd_stop(self, interrupt: bool, timeout: float | None) -> None:
        now = time.monotonic()
        deadline = now if interrupt else (now + timeout if timeout is not None else float("inf"))
        self._stopping = (interrupt, deadline)
        self._stop_asked = now
        self._set_global_yield()

    # ------------------------------------------------------------ dispatch
    def _capacity(self) -> int:
        return CHUNKS_PER_THREAD * max(1, self._threads)

    def _dispatch(self) -> None:
        if self._paused or self._stopping is not None or self._broken or not self._connected():
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
            pending, tasks = run.chunk(indexes, self.cluster.path_map.to_worker)
            chunk = RemoteChunk(self._next_chunk, key, run, pending)
            chunk.order = [t[0] for t in tasks]
            header = {**self._headers[run.batch_id], "chunk_id": chunk.chunk_id}
            chunk.future = self.client.submit(
                remote.run_chunk, header, tasks, key=key, pure=False, retries=run.spec.options.retries
            )
            self._chunks[key] = chunk
            for tid in chunk.pending:
                self._in_flight[tid] = chunk
            chunk.future.add_done_callback(self._on_future_done)
            self._handed_out(run)
            return True
        return False

    # ------------------------------------------------------------ events from the cluster
    def _cmd_live(self, msg: list[Any]) -> None:
        chunk_id, token, address, pid, current, done_count, events = msg
        chunk = self._chunks.get(f"brigade-{self._session}-{chunk_id}")
        if chunk is None or not self._adopt(chunk, token, address, pid):
            return
        self._progress_at = time.monotonic()
        chunk.current, chunk.done_count = current, done_count
        for ev in events:
            self._take(chunk, ev)

    def _cmd_future(self, key: str) -> None:
        chunk = self._chunks.get(key)
        if chunk is None:
            return
        future = chunk.future
        self._progress_at = time.monotonic()
        if future.status == "finished":
            try:
                res = future.result(timeout=RESULT_TIMEOUT)
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
            error = future.exception(timeout=RESULT_TIMEOUT)
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
        if code == wire.CHUNK_END or tid not in chunk.pending:
            return
        if code == wire.RESOURCE:
            _, _, kind, value, held = ev
            held_here = chunk.resources.setdefault(tid, set())
            (held_here.add if held else held_here.discard)((kind, value))
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
        event = wire.task_finished(tuple(ev), chunk.pid)
        i = chunk.pending.pop(event.task_id)
        self._in_flight.pop(event.task_id, None)
        chunk.started.pop(event.task_id, None)
        chunk.resources.pop(event.task_id, None)
        to_local = self.cluster.path_map.to_local
        event.outputs = tuple(to_local(p) for p in event.outputs)
        result = event.result
        if isinstance(result, dict) and isinstance(result.get("output"), str):
            event.result = {**result, "output": to_local(result["output"])}
        self._task_done(chunk.batch, i, event)

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
        self._control["chunks"][str(chunk.chunk_id)] = {"yield": True, "drop": True}
        if future is not None and self._connected():
            try:
                self.client.cancel([future])
            except Exception:
                log.debug("cancelling %s failed", chunk.key, exc_info=True)

    def _lost(self, chunk: RemoteChunk, reason: str) -> None:
        """The worker running ``chunk`` died: its current task fails (or retries), the rest requeue.

        What the task held there (a command's process group, a temp output) is removed first.
        """
        self._clean_up_after(chunk)
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
        if not self._control_dirty or self._sender is None:
            return
        self._control_dirty = False
        self._sender.put(self._control)

    def _supervise(self, now: float) -> None:
        for chunk in list(self._chunks.values()):
            if chunk.cancel_deadline is not None and now >= chunk.cancel_deadline:
                self._give_up_cancelled(chunk)
        if self._stopping is None:
            return
        # A chunk that has not reported a start by then waits on the scheduler: it would only hand
        # its tasks back (everything yields now), once a worker thread is free, which a task that
        # ignores cancels may never make it.
        unstarted = now >= self._stop_asked + UNSTARTED_GRACE
        for chunk in list(self._chunks.values()):
            if (unstarted and chunk.token is None) or now >= self._stopping[1]:
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

    # ------------------------------------------------------------ the cluster's health
    def _connected(self) -> bool:
        """Whether the client talks to the scheduler now (no call may block on a lost one)."""
        return self.client is not None and self.client.status == "running"

    def _watch_cluster(self, now: float) -> None:
        """End the run when the scheduler stays lost, or when no worker runs its tasks for a while."""
        if self.client is None or self._broken:
            return
        if self.client.status != "running":
            if self._down_since is None:
                self._down_since = now
                log.warning("lost the Dask scheduler at %s; reconnecting", self.cluster.address)
            # Dask closes the client once its own reconnect attempts fail.
            gave_up = self.client.status in ("closing", "closed")
            if gave_up or now - self._down_since >= self.cluster.lost_timeout:
                self._broken = f"lost the Dask scheduler at {self.cluster.address}"
                self._give_up(self._broken)
            return
        if self._down_since is not None:  # reconnected: the chunks Dask cancelled are queued again
            self._down_since = None
            self._progress_at = now
            self._control_dirty = True
            self._refresh_workers()
        if self._stalled(now):
            self._give_up(self._no_worker_reason())
            self._progress_at = now

    def _stalled(self, now: float) -> bool:
        """Tasks wait, none runs, and nothing ran for ``no_worker_timeout`` seconds."""
        busy = any(c.token is not None for c in self._chunks.values())
        waiting = not self._paused and any(run.unfinished for run in self._batches.values())
        if busy or not waiting:
            self._progress_at = now
            return False
        return now - self._progress_at >= self.cluster.no_worker_timeout

    def _no_worker_reason(self) -> str:
        where, waited = self.cluster.address, self.cluster.no_worker_timeout
        if not self._threads and self._slots:  # there were some: a worker that cannot import Brigade leaves
            return f"no Dask worker left at {where} for {waited:.0f} s (brigade-cli cluster check {where})"
        if not self._threads:
            return f"no Dask worker at {where} for {waited:.0f} s"
        return (
            f"no worker at {where} ran a task for {waited:.0f} s: can they import this Brigade? "
            f"(brigade-cli cluster check {where})"
        )

    def _give_up(self, reason: str) -> None:
        """Interrupt every unfinished task with ``reason`` (resumable), and say so once."""
        self.lost = reason
        log.error("%s: unfinished tasks are interrupted (brigade-cli resume runs them)", reason)
        failure = Failure(FailureKind.INTERRUPTED, reason, retryable=True)
        for chunk in list(self._chunks.values()):
            run = chunk.batch
            for tid, i in list(chunk.pending.items()):
                del chunk.pending[tid]
                self._in_flight.pop(tid, None)
                started = chunk.started.pop(tid, 0.0)
                state = TaskState.CANCELLED if tid in self._cancel_asked else TaskState.FAILED
                fail = None if state == TaskState.CANCELLED else failure
                self._finish(run, i, state, fail, None, pid=chunk.pid, started=started)
            self._retire(chunk)
        for run in self._batches.values():
            self._fail_queued(run, failure)
            self._check_finished(run)

    def _clean_up_after(self, chunk: RemoteChunk) -> None:
        """Remove what the lost run of ``chunk`` held: temp outputs here, process groups on its host."""
        held = [item for items in chunk.resources.values() for item in items]
        chunk.resources.clear()
        temps = [self.cluster.path_map.to_local(v) for k, v in held if k == wire.RES_TEMP]
        groups = [v for k, v in held if k == wire.RES_PGID]
        remove((), temps)  # the shared filesystem: the desktop sees the output folder too
        if not groups:
            return
        host = split_address(chunk.worker)[1]
        if is_loopback(host):
            remove(groups, ())
            return
        peers = [a for a in self._workers if a != chunk.worker and split_address(a)[1] == host]
        if not peers or not self._connected():
            log.warning("cannot stop process groups %s of the lost worker %s", groups, chunk.worker)
            return
        try:
            self.client.run(remove, groups, (), workers=peers[:1], wait=False)
        except Exception:
            log.warning("cannot stop process groups %s on %s", groups, host, exc_info=True)

    # ------------------------------------------------------------ workers
    def _refresh_workers(self) -> None:
        if not self._connected():
            return
        try:
            workers = self.client.scheduler_info(n_workers=-1)["workers"]
        except Exception:
            log.debug("scheduler_info failed", exc_info=True)
            return
        self._threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        self._workers = tuple(workers)
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
        self._end_batches()
        self._close_client()
        self._close_recorder()

    def _close_client(self) -> None:
        client, cluster = self.client, self.local_cluster
        self.client = self.local_cluster = None
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        self.worker_pids = ()
        if client is not None:
            if client.status == "running":
                try:
                    client.unsubscribe_topic(remote.TOPIC)
                    client.unsubscribe_topic("all")
                    from distributed import Variable

                    Variable(self._control_name, client=client).delete()
                except Exception:
                    log.debug("cluster cleanup failed", exc_info=True)
            close_client(client)
        if cluster is not None:
            cluster.close()


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
