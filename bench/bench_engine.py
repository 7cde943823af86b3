"""Engine benchmarks: brigade-cli against the raw pool and xargs on the same corpora.

    python bench/bench_engine.py [--runs 5] [--only large,small,mixed] [--history] [--baseline DIR]

Figures come from one run: every contender is timed here, on the same warm
corpora, and Brigade's time is printed as a ratio to the best baseline. Each
contender's figure is its fastest of the same number of rounds; the raw pool's
chunksize is the one with the lowest median, so the baseline is not the luckiest
of five times as many draws. The ratio of medians is printed beside it.
Targets: large <= 1.0x best raw pool, mixed <= 1.1x, small <= 1.3x
and faster than xargs; no-op tasks >= 20,000/s; 1,000,000 queued tasks add
<= 400 bytes each to the engine's memory.

With ``--baseline DIR`` (another checkout of Brigade, such as ``git archive
main``), that tree's ``brigade-cli run`` joins the contenders, interleaved with
this tree's, and both run as ``python -m core.cli`` from their own tree; the
A/B line prints their wall and CPU times (the whole machine's busy CPU during
each run, workers included: meaningful on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import statistics

from bench.common import BIN, ROOT, busy_seconds, load, made_corpus, timed_interleaved, verdict

TARGETS = {"large": 1.0, "mixed": 1.1, "small": 1.3}
CHUNKSIZES = (1, 4, 16, 64, 256)


def brigade_cmd(path: str, history: str | None) -> list[str]:
    cmd = [os.path.join(BIN, "brigade-cli"), "run", "--job", "checksum", "--workers", "2", path]
    return [*cmd, "--no-history"] if history is None else [*cmd, "--db", history]


def tree_cmd(tree: str, path: str) -> list[str]:
    """``brigade-cli run`` as ``python -m core.cli``, from the Brigade checkout ``tree``.

    ``-P``: ``-m`` would otherwise put the working folder (this checkout, say)
    before ``tree`` on the path, and both sides of an A/B would run the same code.
    """
    run = ["run", "--job", "checksum", "--workers", "2", "--no-history", path]
    return ["env", f"PYTHONPATH={tree}", sys.executable, "-P", "-m", "core.cli", *run]


def cpu_interleaved(runs: int, cmds: dict[str, list[str]]) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU times of each command over ``runs`` rounds that run every command once."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            before = busy_seconds()
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            times[name].append((wall, busy_seconds() - before))
    return times


def ab(name: str, runs: int, baseline: str) -> bool:
    """Time this tree against ``baseline`` on corpus ``name``, interleaved; print the ratios."""
    path = made_corpus(name)
    cmds = {"before": tree_cmd(baseline, path), "after": tree_cmd(ROOT, path)}
    for cmd in cmds.values():  # uncounted: bytecode caches
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = cpu_interleaved(runs, cmds)
    best = {k: min(w for w, _ in v) for k, v in times.items()}
    mid = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    ok = best["after"] <= 1.10 * best["before"]
    print(
        f"{name:<6} A/B  before {best['before']:6.3f} s"
        f" (median {mid['before']:6.3f}, CPU {cpu['before']:6.3f})"
        f"   after {best['after']:6.3f} s (median {mid['after']:6.3f}, CPU {cpu['after']:6.3f})"
        f"   ratio {best['after'] / best['before']:.3f}x, median {mid['after'] / mid['before']:.3f}x,"
        f" CPU {cpu['after'] / max(cpu['before'], 1e-9):.3f}x (budget <= 1.10x)   {verdict(ok)}",
        flush=True,
    )
    return ok


def compare(name: str, runs: int, history: bool) -> bool:
    path = made_corpus(name)
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
    ap.add_argument("--baseline", help="another Brigade checkout: time it against this one (A/B) only")
    args = ap.parse_args()
    print(f"# bench_engine  python {sys.version.split()[0]}  {os.cpu_count()} cpus  {load()}", flush=True)
    results = []
    for name in args.only.split(","):
        if args.baseline:
            if name in TARGETS:
                results.append(ab(name, args.runs, os.path.abspath(args.baseline)))
        elif name in TARGETS:
            results.append(compare(name, args.runs, args.history))
        elif name == "noop":
            results.append(noop_rate())
        elif name == "queue":
            results.append(queued_memory())
    print(f"# {load()}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
