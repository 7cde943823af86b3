"""The engine: one thread that owns a supervised pool of worker processes.

Data flow::

    caller threads                engine thread                       worker processes
    --------------                -------------                       ----------------
    submit(spec) ──┐
    pause/cancel ──┼─► commands ─► BatchRun (compact states)
    retry/...    ──┘   + wake pipe      │  chunks sized to ~25 ms
                                        ▼
                                  dispatch: <= 2 chunks ──(own duplex pipe)──► Worker.run_chunk
                                  per worker                                  processor.run(path, params, ctx)
                                        ▲                                       │ started/progress/log/done
                                  events, coalesced ◄──(same pipe, batched)────┘
                                        │
                                  sentinels: a dead worker fails only the task it ran
                                  (read from shared memory), its other tasks are requeued,
                                  and a new worker takes its slot
                                        │
                                        ▼
                                  Recorder.record(events) ─► listeners(events)   (engine thread)

Memory grows with the tasks in flight (at most two chunks per worker), not with
the tasks queued: a queued task is three bytes in its ``BatchRun``.

Every public method is thread-safe: it posts a command and wakes the engine
thread, which alone touches the pool, the batches and the recorder.

Workers come from a fork server on Linux and are spawned elsewhere
(``core.engine.start``); an engine started from a process that runs no other
thread yet (``brigade-cli run``) forks its first workers from that process.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from multiprocessing.connection import Connection, Pipe, wait
from typing import TYPE_CHECKING

from core.engine import wire
from core.engine.base import EngineBase
from core.engine.pool import Chunk, Kill, WorkerHandle, exit_description, start_worker
from core.engine.start import can_fork_here, fork_context, make_context
from core.events import TaskLog, TaskProgress, TaskStarted, WorkerEvent
from core.model import Failure, FailureKind, TaskState

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext
    from typing import Any, Self

    from core.engine.api import EngineConfig, Recorder
    from core.engine.batches import BatchRun
    from core.model import TaskId

CHUNKS_PER_WORKER = 2  # one running, one waiting in the pipe: no idle gap
PREFETCH_AFTER = 0.05  # seconds: tasks longer than this are not queued behind one another
STARTUP_FAILURE_LIMIT = 3
# Seconds a worker gets to stop after TERM when the run ends on an error: the
# person waits for the run's end, and nothing of a task's is kept past it anyway.
FAULT_GRACE = 1.0


class Engine(EngineBase[Chunk]):
    """Runs batches of file tasks on a supervised pool of worker processes.

    Use ``start()`` to run the engine on its own thread, or host ``run()`` on
    a thread of your own (the desktop app runs it on a QThread). The commands,
    the delivery of events and the batch bookkeeping are ``EngineBase``'s;
    this class adds the wake pipe, dispatch and the supervision of workers.
    """

    def __init__(self, config: EngineConfig | None = None, recorder: Recorder | None = None) -> None:
        super().__init__(config, recorder)
        self._ctx = make_context(self.config.start_method)
        self._shared_slots = wire.Slots(wire.MAX_WORKERS * wire.SLOT_FIELDS)
        self._slots = self._shared_slots.view
        # Appends and pops at either end of a deque are thread-safe: it is the
        # command queue without ``queue`` (and ``heapq``) to import.
        self._cmds: deque[tuple[Any, ...]] = deque()
        self._wake_r, self._wake_w = Pipe(duplex=False)
        self._wake_lock = threading.Lock()
        self._woken = False
        # Engine-thread state below.
        self._target = self.config.worker_count()
        self._workers: dict[int, WorkerHandle] = {}
        self._by_conn: dict[Connection, WorkerHandle] = {}
        self._by_sentinel: dict[int, WorkerHandle] = {}
        self._startup_failures = 0

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        """Run the engine on a new daemon thread (once; later calls do nothing); return self.

        Started from a process that runs no other thread yet (the CLI, before
        it walks its folders) with the default start method, the first workers
        are forks of this process (``can_fork_here``): they take their first
        tasks at once instead of waiting for a fork server to start and load
        the worker code. Any later worker (a replacement, a larger pool) is
        started the usual way, from the engine thread.
        """
        if self._thread is None and self.config.start_method is None and can_fork_here():
            # As on the engine thread (see ``run``), workers start with Ctrl-C blocked.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self._ensure_workers(fork_context())
            except OSError:
                pass  # the engine thread starts the rest the usual way, and says what fails
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return super().start()

    def run(self) -> None:
        """The engine loop; returns after ``shutdown``. Runs on the calling thread."""
        if hasattr(signal, "pthread_sigmask") and threading.current_thread() is not threading.main_thread():
            # Workers inherit this thread's signal mask: with Ctrl-C blocked they
            # cannot be killed by it while they start, before they ignore it.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        super().run()

    def _open(self) -> None:
        self._ensure_workers()

    def _post(self, *cmd: Any) -> None:
        self._cmds.append(cmd)
        # One wake byte until the engine thread reads it: a burst of commands costs one pipe write.
        with self._wake_lock:
            if self._woken:
                return
            self._woken = True
        self._wake_w.send_bytes(b"!")

    # ------------------------------------------------------------ the loop
    def _loop(self) -> None:
        while True:
            self._run_commands()
            if self._stopping is not None and self._ready_to_stop():
                return
            self._dispatch()
            self._deliver()
            ready = wait(self._waitables(), self._tick())
            for obj in ready:
                self._on_ready(obj)
            self._supervise(time.monotonic())
            if not ready and self._recorder:
                self._recorder.flush("idle")

    def _waitables(self) -> list[Any]:
        objs: list[Any] = [self._wake_r]
        for w in self._workers.values():
            objs.append(w.conn)
            objs.append(w.process.sentinel)
        return objs

    def _tick(self) -> float:
        watching = any(w.kill or w.cancel_deadline for w in self._workers.values())
        timed = any(b.spec.options.timeout for b in self._batches.values() if b.unfinished)
        stranded = any(len(w.chunks) > 1 and not w.recalling for w in self._workers.values())
        if watching or stranded or self._stopping is not None:
            return 0.05
        return 0.1 if timed else 0.5

    def _on_ready(self, obj: Any) -> None:
        if obj is self._wake_r:
            with self._wake_lock:
                self._woken = False
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
            return
        w = self._by_conn.get(obj)
        if w is not None:
            self._drain(w)
            return
        w = self._by_sentinel.get(obj)
        if w is not None:
            self._on_worker_exit(w)

    def _run_commands(self) -> None:
        while True:
            try:
                cmd = self._cmds.popleft()
            except IndexError:
                return
            self._run_command(cmd)

    # ------------------------------------------------------------ commands (engine thread)
    def _cmd_pause(self) -> None:
        self._paused = True
        for w in self._workers.values():
            self._set_yield(w, True)

    def _cmd_resume(self) -> None:
        self._paused = False
        for w in self._workers.values():
            if not w.retiring:
                self._set_yield(w, False)

    def _cmd_workers(self, count: int) -> None:
        self._target = count
        live = [w for w in self._workers.values() if not w.retiring]
        # Retire idle workers first, so fewer tasks are handed back.
        for w in sorted(live, key=lambda w: len(w.chunks))[count:]:
            self._retire(w)
        self._ensure_workers()

    def _cmd_stop(self, interrupt: bool, timeout: float | None) -> None:
        deadline = time.monotonic() + timeout if timeout is not None else float("inf")
        self._stopping = (interrupt, deadline)
        for w in self._workers.values():
            self._set_yield(w, True)
            if interrupt:
                self._interrupt(w)

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        if self._paused or self._stopping is not None or self._broken:
            return
        for w in list(self._workers.values()):
            while len(w.chunks) < CHUNKS_PER_WORKER and not w.retiring:
                if not self._send_chunk(w, prefetch=bool(w.chunks)):
                    break
        self._recall_stranded()

    def _recall_stranded(self) -> None:
        """Take back chunks waiting behind a long task when another worker has nothing to do."""
        workers = self._workers.values()
        if not any(not w.chunks and not w.retiring for w in workers):
            return
        if any(run.has_queued() for run in self._batches.values()):
            return
        now = time.monotonic()
        for w in workers:
            if len(w.chunks) > 1 and not w.recalling and self._running_for(w, now) > PREFETCH_AFTER:
                w.recalling = w.send(wire.RECALL)

    def _may_prefetch(self, w: WorkerHandle, run: BatchRun) -> bool:
        """Whether a second chunk may wait behind the one ``w`` is running.

        Prefetching hides the round trip between chunks of short tasks; behind
        a long task it only strands work that an idle worker could take. So a
        chunk waits in line only when the batch's tasks are known to be short
        and the worker's current task has not been running long.
        """
        estimate = run.sizer.task_seconds
        if estimate is None or estimate >= PREFETCH_AFTER:
            return False
        head = w.chunks[0]
        current = self._slot(w, wire.CURRENT)
        if current in head.pending:
            return self._running_for(w, time.monotonic()) < PREFETCH_AFTER
        # Between two tasks: only once the head chunk is under way (a worker
        # still starting up, or stuck, gets nothing more).
        return current < 0 and len(head.pending) < head.size

    def _send_chunk(self, w: WorkerHandle, prefetch: bool = False) -> bool:
        cap = wire.MAX_TASKS_PER_CHUNK
        if self.config.recycle_after:
            # A worker due for recycling gets no more than its remaining quota.
            cap = self.config.recycle_after - w.assigned
            if cap <= 0:
                return False
        for run in self._batches.values():
            if not run.has_queued() or (prefetch and not self._may_prefetch(w, run)):
                continue
            share = run.counts[TaskState.QUEUED] // (CHUNKS_PER_WORKER * max(1, len(self._workers)))
            share = max(1, min(share, cap))
            indexes = run.take(self._in_flight.keys(), run.spec.sizes, share)  # type: ignore[arg-type]
            if not indexes:
                continue
            self._next_chunk += 1
            pending, tasks = run.chunk(indexes)
            chunk = Chunk(self._next_chunk, run, pending, len(pending))
            spec = run.spec
            msg = (
                wire.RUN,
                chunk.chunk_id,
                spec.job,
                run.ref,
                run.params,
                spec.output,
                spec.options.log_limit,
                tasks,
            )
            if not w.send(msg):
                run.requeue(indexes)
                return False
            w.chunks.append(chunk)
            w.assigned += len(pending)
            self._in_flight.update(dict.fromkeys(pending, chunk))
            self._handed_out(run)
            return True
        return False

    # ------------------------------------------------------------ worker events
    def _drain(self, w: WorkerHandle, limit: int = 64) -> None:
        # Bounded, so one chatty worker cannot starve the others or the commands.
        try:
            for _ in range(limit):
                if not w.conn.poll():
                    return
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            pass  # the sentinel reports the exit

    def _handle(self, w: WorkerHandle, events: list[tuple[Any, ...]]) -> None:
        w.ran_any = True
        done: list[tuple[Any, ...]] = []
        for ev in events:
            code = ev[0]
            if code == wire.DONE:
                done.append(ev)  # finished together below, in order with the rest
                continue
            if done:
                self._on_done(w, done)
                done = []
            if code == wire.START:
                self._on_start(w, ev)
            elif code == wire.LOG:
                self._out.append(TaskLog(ev[1], ev[2], ev[3], ev[4], ev[5], ev[6]))
            elif code == wire.PROGRESS:
                self._out.append(TaskProgress(ev[1], ev[2], ev[3], ev[4]))
            elif code == wire.CHUNK_END:
                self._on_chunk_end(w, ev)
            elif code == wire.RESOURCE:
                bucket: set[Any] = w.temps if ev[2] == wire.RES_TEMP else w.groups
                (bucket.add if ev[4] else bucket.discard)(ev[3])
        if done:
            self._on_done(w, done)

    def _on_start(self, w: WorkerHandle, ev: tuple[Any, ...]) -> None:
        _, tid, seq, started, attempt = ev
        chunk = self._in_flight.get(tid)
        if chunk is None:
            return
        run, i = chunk.batch, chunk.pending[tid]
        run.set_state(i, TaskState.RUNNING)
        run.attempts[i] = min(attempt, 255)
        chunk.started[tid] = started
        self._out.append(TaskStarted(tid, seq, w.pid, started, attempt))
        if tid in self._cancel_asked:
            self._ask_cancel(w, tid)

    def _on_done(self, w: WorkerHandle, events: list[tuple[Any, ...]]) -> None:
        """Finish the tasks of consecutive DONE events (or requeue those to retry)."""
        for ev in events:
            done = wire.task_finished(ev, w.pid)
            tid = done.task_id
            chunk = self._in_flight.pop(tid, None)
            if chunk is None:
                continue
            run, i = chunk.batch, chunk.pending.pop(tid)
            w.tasks_done += 1
            if w.cancel_deadline is not None or self._cancel_asked:
                self._clear_cancel(w, tid)
            self._task_done(run, i, done)

    def _on_chunk_end(self, w: WorkerHandle, ev: tuple[Any, ...]) -> None:
        _, chunk_id, _returned, rss = ev
        w.rss = rss or w.rss
        w.recalling = False
        chunk = next((c for c in w.chunks if c.chunk_id == chunk_id), None)
        if chunk is None:
            self._log.error("worker %s ended an unknown chunk %s", w.pid, chunk_id)
            return
        self._give_back(chunk)
        w.chunks.remove(chunk)  # the head, or a recalled chunk behind it
        self._check_finished(chunk.batch)
        cfg = self.config
        if (cfg.recycle_after and w.tasks_done >= cfg.recycle_after) or (
            cfg.memory_cap and rss > cfg.memory_cap
        ):
            self._retire(w)
            self._ensure_workers()
        if not w.chunks:
            if w.retiring and not w.stop_sent:
                w.stop_sent = w.send(None)
            elif not self._paused and self._stopping is None:
                self._set_yield(w, False)

    def _give_back(self, chunk: Chunk) -> None:
        """Requeue the tasks of a chunk that never started (or cancel them, if asked)."""
        run = chunk.batch
        back = []
        owner = self._owner(chunk)
        if owner is not None:
            owner.assigned -= len(chunk.pending)
        for tid, i in chunk.pending.items():
            self._in_flight.pop(tid, None)
            if tid in self._cancel_asked:
                self._cancel_asked.discard(tid)
                self._finish(run, i, TaskState.CANCELLED, None, None)
            else:
                run.set_state(i, TaskState.QUEUED)
                back.append(i)
        chunk.pending.clear()
        run.requeue(back)

    # ------------------------------------------------------------ cancellation
    def _cancel_in_flight(self, tid: TaskId, chunk: Chunk) -> None:
        self._cancel_asked.add(tid)
        w = self._owner(chunk)
        if w is None:
            return
        if self._slot(w, wire.CURRENT) == tid:
            self._ask_cancel(w, tid)
        else:
            # Not started yet: the worker hands back the rest of its chunks.
            self._set_yield(w, True)

    def _ask_cancel(self, w: WorkerHandle, tid: TaskId) -> None:
        self._set_slot(w, wire.CANCEL, tid)
        w.cancel_deadline = (tid, time.monotonic() + self.config.kill_grace)

    def _clear_cancel(self, w: WorkerHandle, tid: TaskId) -> None:
        if w.cancel_deadline and w.cancel_deadline[0] == tid:
            w.cancel_deadline = None
        if self._slot(w, wire.CANCEL) == tid:
            self._set_slot(w, wire.CANCEL, -1)

    def _owner(self, chunk: Chunk) -> WorkerHandle | None:
        for w in self._workers.values():
            if chunk in w.chunks:
                return w
        return None

    # ------------------------------------------------------------ supervision
    def _supervise(self, now: float) -> None:
        grace = self.config.kill_grace
        for w in list(self._workers.values()):
            if w.kill is not None:
                if not w.kill.killed and now >= w.kill.deadline:
                    w.kill.killed = True
                    w.process.kill()
                continue
            if w.cancel_deadline and now >= w.cancel_deadline[1]:
                tid = w.cancel_deadline[0]
                if self._slot(w, wire.CURRENT) == tid:
                    self._terminate(w, tid, None, now + grace)
                continue
            self._check_timeout(w, now, grace)
        if self._stopping is not None and now >= self._stopping[1]:
            for w in self._workers.values():
                if w.kill is None and w.chunks:
                    self._interrupt(w)

    def _check_timeout(self, w: WorkerHandle, now: float, grace: float) -> None:
        tid = self._slot(w, wire.CURRENT)
        chunk = self._in_flight.get(tid) if tid >= 0 else None
        timeout = chunk.batch.spec.options.timeout if chunk else None
        if timeout and self._running_for(w, now) > timeout:
            failure = Failure(FailureKind.TIMEOUT, f"ran longer than {timeout:g} s", retryable=False)
            self._terminate(w, tid, failure, now + grace)

    def _running_for(self, w: WorkerHandle, now: float) -> float:
        """Seconds the worker's current task has run (0 between tasks)."""
        if self._slot(w, wire.CURRENT) < 0:
            return 0.0
        return now - self._slot(w, wire.STARTED) / 1e6

    def _terminate(self, w: WorkerHandle, tid: TaskId, failure: Failure | None, deadline: float) -> None:
        """Stop a worker because of task ``tid``: TERM now, KILL at ``deadline``."""
        w.kill = Kill(tid, failure, deadline)
        w.process.terminate()

    def _interrupt(self, w: WorkerHandle) -> None:
        tid = self._slot(w, wire.CURRENT)
        if tid >= 0 and w.kill is None:
            why = "the engine stopped on an error" if self.fault else "the engine shut down"
            failure = Failure(FailureKind.INTERRUPTED, f"stopped when {why}", retryable=True)
            self._terminate(w, tid, failure, time.monotonic() + self.config.kill_grace)

    # ------------------------------------------------------------ worker lifecycle
    def _ensure_workers(self, ctx: BaseContext | None = None) -> None:
        if self._stopping is not None or self._broken:
            return
        live = sum(1 for w in self._workers.values() if not w.retiring)
        slot = 0
        while live < self._target:
            while slot in self._workers:
                slot += 1
            self._add_worker(slot, ctx or self._ctx)
            live += 1

    def _add_worker(self, slot: int, ctx: BaseContext) -> None:
        others = tuple(w.conn for w in self._workers.values())
        w = start_worker(ctx, self._shared_slots, slot, self.config, others)
        w.ran_any = False
        self._workers[slot] = w
        self._by_conn[w.conn] = w
        self._by_sentinel[w.process.sentinel] = w
        self._update_pids()
        self._out.append(WorkerEvent(slot, w.pid, None, "started"))

    def _retire(self, w: WorkerHandle) -> None:
        w.retiring = True
        self._set_yield(w, True)
        if not w.chunks and not w.stop_sent:
            w.stop_sent = w.send(None)

    def _on_worker_exit(self, w: WorkerHandle) -> None:
        self._drain(w, limit=1_000_000)
        w.process.join(1.0)
        code = w.process.exitcode
        culprit = self._slot(w, wire.CURRENT)
        planned = w.stop_sent and not w.chunks
        self._remove_worker(w)
        self._out.append(WorkerEvent(w.slot, w.pid, code, "stopped" if planned else exit_description(code)))
        if not planned:
            self._fail_culprit(w, culprit, code)
            w.cleanup_resources()
            self._note_startup(w, code, culprit)
        self._ensure_workers()

    def _fail_culprit(self, w: WorkerHandle, culprit: TaskId, code: int | None) -> None:
        """A worker died: fail the task it ran, requeue the rest of its chunks."""
        touched = set()
        for chunk in w.chunks:
            run = chunk.batch
            touched.add(run)
            if culprit in chunk.pending:
                i = chunk.pending.pop(culprit)
                self._in_flight.pop(culprit, None)
                if run.states[i] != TaskState.RUNNING:  # died before its START was sent
                    run.attempts[i] = min(255, run.attempts[i] + 1)
                self._fail_dead(w, run, i, code, chunk.started.get(culprit, 0.0))
            self._give_back(chunk)
        w.chunks.clear()
        for run in touched:
            self._check_finished(run)

    def _fail_dead(self, w: WorkerHandle, run: BatchRun, i: int, code: int | None, started: float) -> None:
        kill = w.kill if w.kill is not None and w.kill.task_id == run.ids[i] else None
        if kill is not None and kill.failure is None:
            self._finish(run, i, TaskState.CANCELLED, None, None, pid=w.pid, started=started)
            return
        if kill is not None:
            failure = kill.failure
        else:
            run.kills[i] = min(255, run.kills[i] + 1)
            kind = FailureKind.EXIT if code is not None else FailureKind.WORKER_LOST
            poison = run.kills[i] >= run.spec.options.poison_after
            msg = f"worker {exit_description(code)}"
            failure = Failure(kind, msg, exit_code=code, retryable=True, poison=poison)
        if self._may_retry(run, i, failure):
            self._requeue(run, i, failure)
        else:
            self._finish(run, i, TaskState.FAILED, failure, None, pid=w.pid, started=started)

    def _note_startup(self, w: WorkerHandle, code: int | None, culprit: TaskId) -> None:
        """Stop respawning when workers die before running anything (a broken install)."""
        if w.ran_any or culprit >= 0:
            self._startup_failures = 0
            return
        self._startup_failures += 1
        if self._startup_failures >= STARTUP_FAILURE_LIMIT:
            self._broken = f"worker processes cannot start ({exit_description(code)})"
            self._log.error(self._broken)
            failure = Failure(FailureKind.WORKER_LOST, self._broken)
            for run in self._batches.values():
                self._fail_queued(run, failure)
                self._check_finished(run)

    def _remove_worker(self, w: WorkerHandle) -> None:
        self._workers.pop(w.slot, None)
        self._by_conn.pop(w.conn, None)
        self._by_sentinel.pop(w.process.sentinel, None)
        w.conn.close()
        self._update_pids()

    def _update_pids(self) -> None:
        self.worker_pids = tuple(w.pid for w in self._workers.values())

    def _ready_to_stop(self) -> bool:
        return not any(w.chunks for w in self._workers.values())

    def _teardown(self) -> None:
        urgent = self.fault is not None
        grace = min(self.config.kill_grace, FAULT_GRACE) if urgent else self.config.kill_grace
        for w in list(self._workers.values()):
            if urgent:
                # The loop is gone: nothing would read a running task's end. Stop it now.
                self._set_yield(w, True)
                self._interrupt(w)
            if not w.stop_sent:
                w.stop_sent = w.send(None)
        deadline = time.monotonic() + grace
        for w in list(self._workers.values()):
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.exitcode is None:
                if urgent:
                    self._interrupt(w)  # the task it started since is interrupted too, not failed
                w.process.kill()
                w.process.join(1.0)
            if w.chunks:
                self._fail_culprit(w, self._slot(w, wire.CURRENT), w.process.exitcode)
                w.cleanup_resources()
            self._remove_worker(w)
        self._end_batches()
        self._close_recorder()

    # ------------------------------------------------------------ helpers
    def _set_yield(self, w: WorkerHandle, on: bool) -> None:
        self._set_slot(w, wire.YIELD, 1 if on else 0)

    def _slot(self, w: WorkerHandle, field: int) -> int:
        return int(self._slots[w.slot * wire.SLOT_FIELDS + field])

    def _set_slot(self, w: WorkerHandle, field: int, value: int) -> None:
        self._slots[w.slot * wire.SLOT_FIELDS + field] = value
