"""Engine benchmarks: brigade-cli against the raw pool and xargs on the same corpora.

    python bench/bench_engine.py [--runs 5] [--only large,small,mixed] [--history]

Figures come from one run: every contender is timed here, on the same warm
corpora, and Brigade's time is printed as a ratio to the best baseline. Each
contender's figure is its fastest of the same number of rounds; the raw pool's
chunksize is the one with the lowest median, so the baseline is not the luckiest
of five times as many draws. The ratio of medians is printed beside it.
Targets (issue 2): large <= 1.0x best raw pool, mixed <= 1.1x, small <= 1.3x
and faster than xargs; no-op tasks >= 20,000/s; 1,000,000 queued tasks add
<= 400 bytes each to the engine's memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import statistics

from bench.common import BIN, ROOT, corpus, load, timed_interleaved, verdict, warm

TARGETS = {"large": 1.0, "mixed": 1.1, "small": 1.3}
CHUNKSIZES = (1, 4, 16, 64, 256)


def brigade_cmd(path: str, history: str | None) -> list[str]:
    cmd = [os.path.join(BIN, "brigade-cli"), "run", "--job", "checksum", "--workers", "2", path]
    if history is None:
        return [*cmd, "--no-history"] if _has_history_flag() else cmd
    return [*cmd, "--db", history]


def _has_history_flag() -> bool:
    from core.cli import build_parser

    return "--no-history" in build_parser()._subparsers._group_actions[0].choices["run"].format_help()


def compare(name: str, runs: int, history: bool) -> bool:
    path = corpus(name)
    warm(path)
    raw_pool = os.path.join(ROOT, "bench", "raw_pool.py")
    cmds: dict[str, list[str] | str] = {}
    for cs in CHUNKSIZES:
        cmds[f"raw{cs}"] = [sys.executable, raw_pool, path, str(cs)]
    cmds["xargs"] = f"find '{path}' -type f -print0 | xargs -0 -P2 -n64 sha256sum"
    cmds["brigade"] = brigade_cmd(path, None)
    db_dir = tempfile.mkdtemp()
    if history:
        cmds["history"] = brigade_cmd(path, os.path.join(db_dir, "h.sqlite3"))
    try:
        times = timed_interleaved(runs, cmds)
    finally:
        shutil.rmtree(db_dir)
    best_cs = min(CHUNKSIZES, key=lambda cs: statistics.median(times[f"raw{cs}"]))
    t = {name: min(ts) for name, ts in times.items()}
    mid = {name: statistics.median(ts) for name, ts in times.items()}
    raw_name = f"raw{best_cs}"
    raw, ours, xargs = t[raw_name], t["brigade"], t["xargs"]
    line = (
        f"{name:<6} brigade {ours:6.3f} s   raw pool {raw:6.3f} s (chunksize {best_cs})"
        f"   xargs {xargs:6.3f} s   ratio {ours / raw:.2f}x (target <= {TARGETS[name]}x)"
        f"   median ratio {mid['brigade'] / mid[raw_name]:.2f}x"
    )
    ok = ours / raw <= TARGETS[name] and (name != "small" or ours < xargs)
    if history:
        stored = t["history"]
        line += (
            f"\n{'':6} with history on: {stored:6.3f} s   ratio {stored / raw:.2f}x"
            f"   median ratio {mid['history'] / mid[raw_name]:.2f}x"
        )
        ok = ok and stored / raw <= TARGETS[name]
    print(f"{line}   {verdict(ok)}", flush=True)
    return ok


def noop_rate(tasks: int = 100_000) -> bool:
    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec

    target = os.path.join(ROOT, "README.md")
    with Engine(EngineConfig(workers=2)) as engine:
        engine.submit(BatchSpec("bench.noop:Noop", {}, [target] * 1000)).wait(60)  # workers warm
        t0 = time.perf_counter()
        engine.submit(BatchSpec("bench.noop:Noop", {}, [target] * tasks)).wait(600)
        rate = tasks / (time.perf_counter() - t0)
    ok = rate >= 20_000
    print(f"no-op  {rate:,.0f} tasks/s with full tracking (target >= 20,000)   {verdict(ok)}", flush=True)
    return ok


def queued_memory(tasks: int = 1_000_000) -> bool:
    import psutil

    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec

    paths = [f"/data/folder/{i:07d}/file-{i:07d}.bin" for i in range(tasks)]
    me = psutil.Process()
    with Engine(EngineConfig(workers=1)) as engine:
        engine.pause()  # nothing runs: we measure what queueing costs
        before = me.memory_info().rss
        handle = engine.submit(BatchSpec("bench.noop:Noop", {}, paths))
        handle.wait_accepted(120)
        after = me.memory_info().rss
        engine.cancel_batch(handle.batch_id)
        handle.wait(120)
    per_task = (after - before) / tasks
    ok = per_task <= 400
    print(f"queue  {per_task:,.0f} bytes per queued task for {tasks:,} tasks (target <= 400)   {verdict(ok)}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="rounds; each runs every contender once")
    ap.add_argument("--only", default="large,small,mixed,noop,queue")
    ap.add_argument("--history", action="store_true", help="also time runs that record history")
    args = ap.parse_args()
    print(f"# bench_engine  python {sys.version.split()[0]}  {os.cpu_count()} cpus  {load()}", flush=True)
    results = []
    for name in args.only.split(","):
        if name in TARGETS:
            results.append(compare(name, args.runs, args.history))
        elif name == "noop":
            results.append(noop_rate())
        elif name == "queue":
            results.append(queued_memory())
    print(f"# {load()}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
