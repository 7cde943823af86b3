"""Watch-folder benchmarks: how soon a landed file's task starts, and the memory of a big drop.

    flock /tmp/brigade-bench.lock python bench/bench_watch.py [--files 1000] [--settle 0.5] [--drop 100000]

- latency: from a file's last write to its task starting, settle time excluded, median and worst
  over ``--files`` files written one every 2 ms into a watched folder; the baseline, in the same
  run, is the engine's own floor: the same files handed to it directly (one batch per file,
  history off) as soon as written;
- memory: ``--drop`` files dropped at once into a watched folder, all run (a no-op job): the peak
  of the Python heap above the idle engine (tracemalloc) and the time until the last one ended,
  for the rule's bounds (pending and backlog) and, as the baseline, with no bound at all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import load
from core.engine import Engine, EngineConfig
from core.events import BatchAccepted, TaskFinished
from core.model import BatchSpec
from core.store.recorder import StoreRecorder
from core.watch import WatchService, make_rule

NOOP = "bench.noop:Noop"
PACE = 0.002  # seconds between two files written


class Starts:
    """Engine listener: the wall time each input's task started, and a count of ended tasks."""

    def __init__(self) -> None:
        self.path_of: dict[int, str] = {}
        self.started: dict[str, float] = {}
        self.ended = 0
        self.cond = threading.Condition()

    def __call__(self, events) -> None:
        with self.cond:
            for ev in events:
                if isinstance(ev, BatchAccepted):
                    self.path_of.update(zip(ev.task_ids, ev.spec.paths, strict=True))
                elif isinstance(ev, TaskFinished):
                    # A task's end carries its start time (the engine may report a
                    # short task's start only with its end).
                    self.started.setdefault(self.path_of.pop(ev.task_id), ev.started)
                    self.ended += 1
            self.cond.notify_all()

    def wait_ended(self, n: int, timeout: float) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.ended >= n, timeout):
                sys.exit(f"only {self.ended} of {n} tasks ended in {timeout:.0f} s")


def _engine(db: str, history: bool = True) -> tuple[Engine, Starts]:
    starts = Starts()
    engine = Engine(EngineConfig(), StoreRecorder.open(db) if history else None)
    engine.add_listener(starts)
    engine.start()
    # Timed once the workers are up: a first batch waits for them.
    warm = os.path.join(os.path.dirname(db), "warm-up")
    open(warm, "wb").close()
    engine.submit(BatchSpec(NOOP, {}, [warm])).wait(60)
    starts.ended = 0
    return engine, starts


def _write_paced(folder: str, n: int, submit=None) -> dict[str, float]:
    """Write ``n`` small files one every ``PACE`` s; return each one's last-write wall time."""
    written = {}
    for i in range(n):
        path = os.path.join(folder, f"f{i:06d}.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(256))
        written[path] = time.time()
        if submit:
            submit(path)
        time.sleep(PACE)
    return written


def latency_direct(root: str, n: int) -> list[float]:
    folder = os.path.join(root, "direct")
    os.makedirs(folder)
    # The engine's own floor: no history (a batch per file would wait for a commit each).
    engine, starts = _engine(os.path.join(root, "direct.sqlite3"), history=False)
    try:
        written = _write_paced(folder, n, lambda p: engine.submit(BatchSpec(NOOP, {}, [p])))
        starts.wait_ended(n, 120)
    finally:
        engine.shutdown()
    return [starts.started[p] - t for p, t in written.items()]


def latency_watched(root: str, n: int, settle: float) -> list[float]:
    folder = os.path.join(root, "watched")
    os.makedirs(folder)
    db = os.path.join(root, "watched.sqlite3")
    engine, starts = _engine(db)
    service = WatchService(engine, db)
    service.add(make_rule(folder, NOOP, settle=settle))
    service.start()
    try:
        time.sleep(0.5)  # the rule's first scan of the empty folder
        written = _write_paced(folder, n)
        starts.wait_ended(n, 120)
    finally:
        service.stop_intake()
        engine.shutdown()
        service.close()
    return [starts.started[p] - t - settle for p, t in written.items()]


def drop_memory(root: str, n: int, bounded: bool) -> tuple[float, float]:
    """Drop ``n`` files into a watched folder; return (peak heap MiB above idle, seconds to the last end)."""
    name = "bounded" if bounded else "unbounded"
    folder = os.path.join(root, name)
    os.makedirs(folder)
    db = os.path.join(root, f"{name}.sqlite3")
    engine, starts = _engine(db)
    limits = {} if bounded else {"pending_limit": 10 * n, "backlog": 10 * n, "event_limit": 100 * n}
    service = WatchService(engine, db)
    service.add(make_rule(folder, NOOP, settle=0.5, rescan=0), **limits)
    tracemalloc.start()
    service.start()
    time.sleep(1.0)
    idle = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    for i in range(n):
        with open(os.path.join(folder, f"d{i // 5000:03d}-f{i:06d}.bin"), "wb") as f:
            f.write(b"x")
    try:
        starts.wait_ended(n, 1800)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        service.stop_intake()
        engine.shutdown()
        service.close()
    return (peak - idle) / 2**20, elapsed


def _ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms   "
        f"worst {max(values) * 1000:7.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--settle", type=float, default=0.5)
    ap.add_argument("--drop", type=int, default=100_000)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="brigade-bench-watch-")
    try:
        print(f"bench_watch: {os.cpu_count()} cores, {load()}")
        print(f"last write -> task started, {args.files} files one every {PACE * 1000:.0f} ms:")
        print(f"  direct submit, no history (baseline) {_ms(latency_direct(root, args.files))}")
        watched = latency_watched(root, args.files, args.settle)
        print(f"  watched, minus the {args.settle:.1f} s settle     {_ms(watched)}")
        print(f"{args.drop} files dropped at once into a watched folder (no-op job):")
        for bounded in (False, True):
            peak, elapsed = drop_memory(root, args.drop, bounded)
            label = "bounded (defaults)" if bounded else "unbounded (baseline)"
            print(f"  {label:<22} peak heap {peak:7.1f} MiB   all ended after {elapsed:6.1f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
