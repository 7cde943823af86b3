"""Store benchmarks: the engine's own figures with history off and on, measured in one run.

    python bench/bench_store.py [--tasks 100000] [--chatty 20000] [--queued 1000000]

- no-op tasks/s with history off, on (synchronous=FULL) and on (NORMAL); target >= 20,000/s with it on;
- a job that logs 5 lines per task: FULL against NORMAL, to judge whether NORMAL is worth it for logs;
- a 1,000,000-task batch: time to insert it, and the engine's memory per queued task with the
  store on (target <= 400 bytes);
- the same batch stopped before any task ran: time to stop, then to read a page of it (its queued
  tasks keep no row: views read them from its input list).
For the corpora (large, small, mixed), run ``python bench/bench_engine.py --history``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ROOT, load, verdict
from core.processor import Processor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from core.store import JobStore

NOOP = "bench.noop:Noop"
CHATTY = "bench.bench_store:Chatty"


class Chatty(Processor):
    """Logs five lines and returns a small result: the store's heaviest per-task load."""

    name = "chatty"

    def run(self, path, params, ctx):
        for i in range(5):
            ctx.logger.log(logging.INFO, "line %d", i)
        return {"digest": "0" * 64}


def rate(job: str, tasks: int, sync: str | None) -> float:
    """Tasks per second of one batch (workers warmed first), recording into a fresh database or not."""
    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec
    from core.store import JobStore

    target = os.path.join(ROOT, "README.md")
    with tempfile.TemporaryDirectory() as folder:
        recorder = None
        if sync is not None:
            with JobStore.open(os.path.join(folder, "h.sqlite3")) as store:
                recorder = store.recorder(sync=sync)
        with Engine(EngineConfig(workers=2), recorder=recorder) as engine:
            engine.submit(BatchSpec(job, {}, [target] * 1000)).wait(60)
            t0 = time.perf_counter()
            engine.submit(BatchSpec(job, {}, [target] * tasks)).wait(600)
            return tasks / (time.perf_counter() - t0)


def compare_rates(job: str, tasks: int, target: float | None) -> bool:
    off, full, normal = rate(job, tasks, None), rate(job, tasks, "FULL"), rate(job, tasks, "NORMAL")
    ok = target is None or full >= target
    goal = f" (target >= {target:,.0f} with history)" if target else ""
    print(
        f"{job.split(':')[1].lower():<6} {tasks:,} tasks: history off {off:,.0f}/s   on, FULL {full:,.0f}/s"
        f"   on, NORMAL {normal:,.0f}/s{goal}   {verdict(ok)}",
        flush=True,
    )
    return ok


def queued(tasks: int) -> bool:
    import psutil

    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec
    from core.store import JobStore

    paths = [f"/data/folder/{i:07d}/file-{i:07d}.bin" for i in range(tasks)]
    sizes, mtimes = [1024] * tasks, [1.7e9] * tasks
    me = psutil.Process()
    with tempfile.TemporaryDirectory() as folder:
        with JobStore.open(os.path.join(folder, "h.sqlite3")) as store:
            recorder = store.recorder()
        with Engine(EngineConfig(workers=1), recorder=recorder) as engine:
            engine.pause()  # nothing runs: we measure what queueing costs
            before = me.memory_info().rss
            t0 = time.perf_counter()
            handle = engine.submit(BatchSpec(NOOP, {}, paths, sizes=sizes, mtimes=mtimes))
            handle.wait_accepted(600)
            with JobStore.open(os.path.join(folder, "h.sqlite3")) as store:
                _wait_stored(store, handle.batch_id)
            took = time.perf_counter() - t0
            after = me.memory_info().rss
            engine.cancel_batch(handle.batch_id)
            handle.wait(600)
        size = os.path.getsize(os.path.join(folder, "h.sqlite3"))
    per_task = (after - before) / tasks
    ok = per_task <= 400
    print(
        f"queue  {tasks:,} tasks accepted and stored with history on in {took:.2f} s ({tasks / took:,.0f}/s; "
        f"database {size / 1e6:.0f} MB after they were cancelled); engine memory {per_task:,.0f} bytes "
        "per queued task "
        f"with history on (target <= 400)   {verdict(ok)}",
        flush=True,
    )
    return ok


def _wait_stored(store: JobStore, batch_id: int) -> None:
    """Until the batch is committed (with its first results, or when the engine is next idle)."""
    while store.batch(batch_id) is None:
        time.sleep(0.005)


def stopped(tasks: int) -> None:
    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec
    from core.store import JobStore

    paths = [f"/data/folder/{i:07d}/file-{i:07d}.bin" for i in range(tasks)]
    with tempfile.TemporaryDirectory() as folder, JobStore.open(os.path.join(folder, "h.sqlite3")) as store:
        engine = Engine(EngineConfig(workers=1), recorder=store.recorder()).start()
        engine.pause()
        handle = engine.submit(BatchSpec(NOOP, {}, paths, sizes=[1024] * tasks, mtimes=[1.7e9] * tasks))
        handle.wait_accepted(600)
        _wait_stored(store, handle.batch_id)
        t0 = time.perf_counter()
        engine.shutdown(interrupt=True)
        stop = time.perf_counter() - t0
        pages = []
        for offset in (tasks // 2, tasks // 2 + 100):
            t0 = time.perf_counter()
            assert len(store.tasks(handle.batch_id, limit=100, offset=offset)) == 100
            pages.append(time.perf_counter() - t0)
    print(
        f"stop   {tasks:,} queued tasks with history on: stopped in {stop:.2f} s; a page of 100 from the "
        f"middle read in {pages[0] * 1000:.0f} ms, the next in {pages[1] * 1000:.0f} ms",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=100_000, help="no-op tasks per timed batch")
    ap.add_argument("--chatty", type=int, default=20_000, help="logging tasks per timed batch")
    ap.add_argument("--queued", type=int, default=1_000_000, help="tasks of the queued batch")
    args = ap.parse_args()
    print(f"# bench_store  python {sys.version.split()[0]}  {os.cpu_count()} cpus  {load()}", flush=True)
    results = [
        compare_rates(NOOP, args.tasks, 20_000),
        compare_rates(CHATTY, args.chatty, None),
        queued(args.queued),
    ]
    stopped(args.queued)
    print(f"# {load()}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
