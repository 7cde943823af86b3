"""What history costs: ``brigade-cli run`` with and without it, and a 1,000,000-task batch.

    flock /tmp/brigade-bench.lock python bench/bench_history.py [--corpus DIR] [--runs 3]
        [--code OTHER_SOURCE_TREE] [--only small,small200k,large,mixed,million]

- ``run --job checksum`` over each corpus with ``--no-history`` and with history, interleaved in one
  run (the ratio is what counts: other work on the machine slows both). Targets: at most +25% on
  20,000 x 1 KiB and on 200,000 x 1 KiB in 200 folders (there peak RSS within 1.5x of the run
  without history), at most +10% on the large and mixed corpora.
- A 1,000,000-task batch: first task started within 1 s of submit, stopped (every queued task kept
  for resume) within 2 s, database under 300 MB, and every page of its tasks (each state filter,
  start, middle and end) read in under 50 ms.

``--code`` (repeatable) runs the same figures for another source tree too (say, an older commit
unpacked with ``git archive``), so before and after are measured side by side. Each corpus line also
gives the CLI's own CPU time without and with history: it hardly moves with other work on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import CORPUS, ROOT, corpus, load, verdict, warm

BUDGET = {"small": 1.25, "small200k": 1.25, "large": 1.10, "mixed": 1.10}


def make_small200k(root: str) -> str:
    """200,000 files of 1 KiB in 200 folders (made once, deterministic)."""
    import random

    path = os.path.join(root, "small200k")
    done = path + ".done"
    if not os.path.exists(done):
        rnd = random.Random(7)
        for d in range(200):
            folder = os.path.join(path, f"d{d:03d}")
            os.makedirs(folder, exist_ok=True)
            for i in range(1000):
                with open(os.path.join(folder, f"f{i:04d}.bin"), "wb") as f:
                    f.write(rnd.randbytes(1024))
        open(done, "w").close()
    return path


def _env(code: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = code
    return env


@dataclass(frozen=True, slots=True)
class Run:
    """One ``brigade-cli run``: wall seconds, peak RSS (MiB) and the CLI's own CPU seconds.

    The CPU time hardly moves with other work on the machine, so it shows what history costs
    even when the wall times are noisy.
    """

    wall: float
    rss: float
    cpu: float


def run_once(code: str, folder: str, history: bool, db: str) -> Run:
    """One run; its peak RSS is the largest of the CLI and the workers it waited for."""
    cmd = [sys.executable, "-m", "core.cli", "run", "--job", "checksum", "--workers", "2", folder]
    cmd += ["--db", db] if history else ["--no-history"]
    t0 = time.perf_counter()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen(cmd, env=_env(code), cwd=code, **quiet)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return Run(took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def corpus_figures(codes: dict[str, str], name: str, folder: str, runs: int) -> bool:
    warm(folder)
    done: dict[tuple[str, bool], list[Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(runs + 1):  # the first round writes bytecode caches and is not counted
            for label, code in codes.items():
                for history in (False, True):
                    db = os.path.join(tmp, f"{label}-{r}.sqlite3")
                    run = run_once(code, folder, history, db)
                    if r:
                        done.setdefault((label, history), []).append(run)
    ok = True
    for label in codes:
        off, on = done[label, False], done[label, True]
        wall_off, wall_on = (statistics.median(x.wall for x in runs) for runs in (off, on))
        cpu_off, cpu_on = (statistics.median(x.cpu for x in runs) for runs in (off, on))
        rss_off, rss_on = max(x.rss for x in off), max(x.rss for x in on)
        ratio = wall_on / wall_off
        fits = ratio <= BUDGET[name] and (name != "small200k" or rss_on <= 1.5 * rss_off)
        ok = ok and (fits or label != "this")
        print(
            f"{label:14} {name:10} no-history {wall_off:6.2f} s {rss_off:5.0f} MiB   "
            f"history {wall_on:6.2f} s {rss_on:5.0f} MiB   x{ratio:.2f} (budget x{BUDGET[name]:.2f})   "
            f"{verdict(fits)}   "
            f"CLI cpu {cpu_off:.2f} -> {cpu_on:.2f} s (+{cpu_on - cpu_off:.2f})",
            flush=True,
        )
    return ok


MILLION_SCRIPT = r"""
import json, os, sys, tempfile, threading, time
from core.engine import Engine, EngineConfig
from core.events import BatchFinished, TaskFinished, TaskStarted
from core.model import BatchSpec, TaskState
from core.store import JobStore, StoreRecorder


def worst_page(store, batch_id, n):
    # The History panel's pages, by key (the id after the last row shown: its reads), and
    # ``show --offset``'s pages by offset; at the start, middle and end, for every state filter.
    first = store.tasks(batch_id, limit=1)[0].id
    worst = {"key": 0.0, "offset": 0.0}
    for states in (None, {TaskState.QUEUED}, {TaskState.DONE}, {TaskState.FAILED}, {TaskState.CANCELLED}):
        for where in (0, n // 2, n - 500):
            for kind, kwargs in (("key", {"after": first - 1 + where}), ("offset", {"offset": where})):
                t = time.perf_counter()
                try:
                    store.tasks(batch_id, states, limit=500, **kwargs)
                except TypeError:  # an older store pages by offset only
                    continue
                worst[kind] = max(worst[kind], time.perf_counter() - t)
    return worst


n = int(sys.argv[1])
target = sys.argv[2]
paths = [target] * n
out = {}
with tempfile.TemporaryDirectory() as folder:
    db = os.path.join(folder, "h.sqlite3")
    with JobStore.open(db) as store:
        recorder = store.recorder()
    first = threading.Event()

    def listen(events):
        if not first.is_set() and any(type(e) is TaskStarted for e in events):
            first.set()

    engine = Engine(EngineConfig(workers=2), recorder=recorder).start()
    engine.add_listener(listen)
    deadline = time.monotonic() + 60
    while len(engine.worker_pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # measured from a ready engine: the figure is history's, not worker start-up
    t0 = time.perf_counter()
    handle = engine.submit(BatchSpec("bench.noop:Noop", {}, paths))
    first.wait(60)
    out["first_task"] = time.perf_counter() - t0
    time.sleep(1.0)
    t0 = time.perf_counter()
    engine.shutdown(interrupt=True)
    out["stop"] = time.perf_counter() - t0
    out["db_mb"] = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s)) / 1e6
    with JobStore.open(db) as store:
        batch = store.batch(handle.batch_id)
        out["counted"] = sum(batch.counts.values())
        out["worst_page"] = worst_page(store, handle.batch_id, n)
    # A batch whose every task has ended (nine in ten done, the rest failed, cancelled or skipped):
    # every row written, the History panel's filters over all of them.
    recorder = StoreRecorder.open(db)
    batch_id, ids = recorder.open_batch(BatchSpec("bench.noop:Noop", {}, paths))
    states = [TaskState.DONE] * 9 + [TaskState.FAILED]
    now = time.time()
    for lo in range(0, n, 20_000):
        recorder.record([
            TaskFinished(tid, 2, states[tid % 10], {"digest": "0" * 64}, None, now, now, 1, 0, 0, (), 1, now)
            for tid in ids[lo : lo + 20_000]
        ])
    recorder.record([BatchFinished(batch_id, {}, False, 1.0)])
    recorder.close()
    out["db_full_mb"] = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s)) / 1e6
    with JobStore.open(db) as store:
        out["worst_page_full"] = worst_page(store, batch_id, n)
print(json.dumps(out))
"""


def million(codes: dict[str, str], n: int) -> bool:
    ok = True
    for label, code in codes.items():
        proc = subprocess.run(
            [sys.executable, "-c", MILLION_SCRIPT, str(n), os.path.join(ROOT, "README.md")],
            env=_env(code),
            cwd=code,  # ``-c`` puts the working folder first on the path: the code measured
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(f"{label:14} million    failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)
            ok = ok and label != "this"
            continue
        f = json.loads(proc.stdout.strip().splitlines()[-1])
        # The History panel pages by key; ``show --offset`` by offset, which costs the offset's rows.
        pages = [f["worst_page"]["key"], f.get("worst_page_full", {}).get("key", 0.0)]
        fits = f["first_task"] < 1 and f["stop"] < 2 and f.get("db_full_mb", 0) < 300 and max(pages) < 0.05
        fits = fits and f["counted"] == n
        ok = ok and (fits or label != "this")
        print(
            f"{label:14} million    {n:,} tasks: first task {f['first_task']:.2f} s (<1), "
            f"stop {f['stop']:.2f} s (<2), counted {f['counted']:,}; slowest page of 500 by key "
            f"{f['worst_page']['key'] * 1000:.1f} ms, by offset {f['worst_page']['offset'] * 1000:.1f} ms; "
            f"all {n:,} rows written: database {f.get('db_full_mb', 0):.0f} MB (<300), slowest page by key "
            f"{f.get('worst_page_full', {}).get('key', 0) * 1000:.1f} ms, by offset "
            f"{f.get('worst_page_full', {}).get('offset', 0) * 1000:.1f} ms (by key <50)   {verdict(fits)}",
            flush=True,
        )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=CORPUS, help="folder of the corpora (made there if missing)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--code", action="append", default=[], help="another source tree measured alongside (repeatable)"
    )
    ap.add_argument("--only", default="small,small200k,large,mixed,million")
    ap.add_argument("--million", type=int, default=1_000_000)
    args = ap.parse_args()
    os.environ["BRIGADE_BENCH_CORPUS"] = args.corpus
    codes = {os.path.basename(os.path.abspath(c)) or c: os.path.abspath(c) for c in args.code}
    codes["this"] = ROOT
    print(f"# bench_history  python {sys.version.split()[0]}  {os.cpu_count()} cpus  {load()}", flush=True)
    ok = True
    for name in args.only.split(","):
        if name == "million":
            ok = million(codes, args.million) and ok
            continue
        folder = make_small200k(args.corpus) if name == "small200k" else _corpus(args.corpus, name)
        ok = corpus_figures(codes, name, folder, args.runs) and ok
    print(f"# {load()}", flush=True)
    return 0 if ok else 1


def _corpus(root: str, name: str) -> str:
    path = os.path.join(root, name)
    return path if os.path.exists(path + ".manifest.json") else corpus(name)


if __name__ == "__main__":
    sys.exit(main())
