"""Samples the machine and the worker processes once per interval (psutil, no Qt).

::

    Monitor thread (one, daemon)                          caller
    ----------------------------                          ------
    every `interval` s:  psutil per-core CPU %   ─┐
                         memory used / total      ├─► Sample ─► on_sample(sample)   (Monitor thread)
                         pids() -> Process cache  ─┘
                         (cpu_percent, RSS per pid)

``psutil`` measures CPU % as the change between two calls, so the monitor keeps
one ``psutil.Process`` per worker pid between samples; a pid seen for the first
time reports 0 % until its second sample. Pids that vanished are dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

log = logging.getLogger("brigade.monitor")


@dataclass(frozen=True, slots=True)
class WorkerSample:
    """One worker process at one instant.

    Attributes
    ----------
    pid
        The process id.
    cpu_percent
        CPU use since the previous sample (100 = one full core; may pass 100).
    rss
        Resident memory in bytes.
    """

    pid: int
    cpu_percent: float
    rss: int


@dataclass(frozen=True, slots=True)
class Sample:
    """The machine and the workers at one instant.

    Attributes
    ----------
    time
        Wall-clock time of the sample (``time.time()``).
    cpu_per_core
        CPU use of each logical core since the previous sample, in percent.
    cpu_total
        Mean CPU use over all cores, in percent.
    memory_used, memory_total
        Memory in use (total minus available) and installed, in bytes.
    workers
        The worker processes alive at this sample, in the order ``pids()`` gave.
    """

    time: float
    cpu_per_core: tuple[float, ...]
    cpu_total: float
    memory_used: int
    memory_total: int
    workers: tuple[WorkerSample, ...]


def _busy_and_total(times: Any) -> tuple[float, float]:
    """Busy and total seconds of one core, counted the way psutil does."""
    # Linux counts guest time inside user and nice as well: do not add it twice.
    total = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def _percent(busy: float, total: float) -> float:
    if total <= 0:
        return 0.0
    return min(100.0, max(0.0, 100.0 * busy / total))


def _cpu_seconds(proc: psutil.Process) -> float:
    """CPU seconds of ``proc`` and of the children it has waited for."""
    t = proc.cpu_times()
    return t.user + t.system + getattr(t, "children_user", 0.0) + getattr(t, "children_system", 0.0)


def _children_by_parent() -> dict[int, list[int]]:
    """Pids by parent pid, from one pass over the process table (not one per worker)."""
    out: dict[int, list[int]] = {}
    for p in psutil.process_iter(["ppid"]):
        ppid = p.info.get("ppid")
        if ppid:
            out.setdefault(ppid, []).append(p.pid)
    return out


def _descendants(pid: int, children: dict[int, list[int]]) -> list[psutil.Process]:
    found: list[psutil.Process] = []
    todo = list(children.get(pid, ()))
    while todo:
        child = todo.pop()
        try:
            found.append(psutil.Process(child))
        except psutil.Error:
            continue
        todo.extend(children.get(child, ()))
    return found


def _no_pids() -> Sequence[int]:
    return ()


class Monitor:
    """A background thread that takes a ``Sample`` every ``interval`` seconds.

    Parameters
    ----------
    interval
        Seconds between samples.
    pids
        Returns the worker pids to watch; called on the monitor thread, so it
        must be thread-safe (``Engine.worker_pids`` is).
    on_sample
        Called with each sample on the monitor thread; it must return quickly.
    """

    def __init__(
        self,
        interval: float = 1.0,
        pids: Callable[[], Sequence[int]] = _no_pids,
        on_sample: Callable[[Sample], None] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self._pids = pids
        self._on_sample = on_sample
        self._procs: dict[int, psutil.Process] = {}
        self._used: dict[int, tuple[float, float]] = {}  # pid -> (its tree's CPU seconds, wall time)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cpu_seconds = 0.0
        self._samples = 0
        self._last_times: list[tuple[float, float]] = []

    @property
    def running(self) -> bool:
        """Whether the sampling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def cpu_seconds(self) -> float:
        """CPU time the sampling thread has used so far (its own cost)."""
        return self._cpu_seconds

    @property
    def samples_taken(self) -> int:
        """How many samples the thread has taken."""
        return self._samples

    def start(self) -> None:
        """Start sampling on a new thread (no-op if already running)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="brigade-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread and wait for it to end."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def sample(self) -> Sample:
        """Take one sample now (the thread calls this; tests may too)."""
        per_core = self._cpu_per_core()
        mem = psutil.virtual_memory()
        return Sample(
            time=time.time(),
            cpu_per_core=per_core,
            cpu_total=sum(per_core) / len(per_core) if per_core else 0.0,
            memory_used=int(mem.total - mem.available),
            memory_total=int(mem.total),
            workers=self._sample_workers(),
        )

    def _cpu_per_core(self) -> tuple[float, ...]:
        # Own reference point rather than psutil.cpu_percent's module-wide one,
        # so two monitors (or other psutil users) do not skew each other.
        now = [_busy_and_total(t) for t in psutil.cpu_times(percpu=True)]
        last, self._last_times = self._last_times, now
        if len(last) != len(now):
            return tuple(0.0 for _ in now)
        return tuple(_percent(b1 - b0, t1 - t0) for (b0, t0), (b1, t1) in zip(last, now, strict=True))

    def _sample_workers(self) -> tuple[WorkerSample, ...]:
        try:
            wanted = list(self._pids())
        except Exception:
            log.exception("the monitor's pid source failed")
            wanted = []
        for gone in self._procs.keys() - set(wanted):
            del self._procs[gone]
            self._used.pop(gone, None)
        children = _children_by_parent() if wanted else {}
        out = []
        for pid in wanted:
            ws = self._sample_pid(pid, children)
            if ws is not None:
                out.append(ws)
        return tuple(out)

    def _sample_pid(self, pid: int, children: dict[int, list[int]]) -> WorkerSample | None:
        """A worker with the programs it started: a command job's work happens in its children."""
        proc = self._procs.get(pid)
        try:
            if proc is None:
                proc = self._procs[pid] = psutil.Process(pid)
            with proc.oneshot():
                used, rss = _cpu_seconds(proc), proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            # The worker ended between pids() and now (recycled, killed): drop it.
            self._procs.pop(pid, None)
            self._used.pop(pid, None)
            return None
        for child in _descendants(pid, children):
            try:
                with child.oneshot():
                    used, rss = used + _cpu_seconds(child), rss + child.memory_info().rss
            except psutil.Error:
                continue  # ended since the listing: its time is now in its parent's children_*
        now = time.monotonic()
        last = self._used.get(pid)
        self._used[pid] = (used, now)
        if last is None or now <= last[1]:
            return WorkerSample(pid, 0.0, rss)  # the first sample only sets the reference point
        # A child's time moves into its parent's children_* when reaped, so the sum runs on;
        # an orphan adopted elsewhere takes its time away: never below zero.
        return WorkerSample(pid, max(0.0, 100.0 * (used - last[0]) / (now - last[1])), rss)

    def _run(self) -> None:
        start_cpu = time.thread_time()
        self._cpu_per_core()  # the first call only sets the reference point
        while not self._stop.wait(self.interval):
            try:
                sample = self.sample()
                self._samples += 1
                if self._on_sample is not None:
                    self._on_sample(sample)
            except Exception:
                log.exception("monitor sample failed")
            self._cpu_seconds = time.thread_time() - start_cpu
