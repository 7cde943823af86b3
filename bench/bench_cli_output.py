"""What printing a line per task costs ``brigade-cli run``, against ``--quiet`` and against xargs.

    python bench/bench_cli_output.py [--runs 7] [--corpus DIR]

On the 20,000 x 1 KiB corpus, in one interleaved run (see ``bench.common``),
each writing its stdout to a file:

- quiet:   ``run --job checksum --no-history --quiet``      the summary only
- lines:   ``run --job checksum --no-history``              a sha256sum line per task
- json:    ``run --job checksum --no-history --json``       a JSON record per task
- history: ``run --job checksum --db H``                    the default run: history and lines
- xargs:   ``find DIR -type f -print0 | xargs -0 -P2 -n64 sha256sum``

Targets: lines and json add at most 10% to quiet; the default run (history on,
a line per task) is faster than xargs (when it is not, its gap is split into
what history adds and what the run without history takes beyond xargs).

Each figure is the fastest of its runs; the medians are printed beside. On a
shared machine wall times drift with the load, so the CPU seconds of the
command's own process (``brigade-cli``: its main and engine threads, where
printing costs; the workers are not counted) are printed too: they move much
less with what else runs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import BIN, installed_env, load, made_corpus, verdict

MAX_OVERHEAD = 0.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", help="the 20,000 x 1 KiB folder (default: generated under bench/.corpus)")
    args = parser.parse_args()
    path = args.corpus or made_corpus("small")
    out = tempfile.mkdtemp()
    cli = shlex.quote(os.path.join(BIN, "brigade-cli"))
    run = f"{cli} run --job checksum --workers 2 {shlex.quote(path)}"
    sums = shlex.quote(os.path.join(out, "SUMS"))
    db = shlex.quote(os.path.join(out, "h.sqlite3"))
    cmds: dict[str, str] = {
        "quiet": f"{run} --no-history --quiet > {sums}",
        "lines": f"{run} --no-history > {sums}",
        "json": f"{run} --no-history --json > {sums}",
        "history": f"{run} --db {db} > {sums}",
        "xargs": f"find {shlex.quote(path)} -type f -print0 | xargs -0 -P2 -n64 sha256sum > {sums}",
    }
    times, cpu = timed(args.runs, cmds)
    best = {name: min(t) for name, t in times.items()}
    mid = {name: statistics.median(t) for name, t in times.items()}
    print(f"20,000 x 1 KiB, 2 workers, best of {args.runs} (median), {load()}")
    for name in cmds:
        own = f"   CLI process CPU {min(cpu[name]):6.3f} s" if name != "xargs" else ""
        print(f"  {name:<8} {best[name]:6.3f} s  ({mid[name]:6.3f} s){own}")
    ok = True
    for name in ("lines", "json"):
        extra = best[name] / best["quiet"] - 1
        good = extra <= MAX_OVERHEAD
        ok &= good
        print(f"{name} vs quiet: {extra:+.1%} (target <= +{MAX_OVERHEAD:.0%})  {verdict(good)}")
    good = best["history"] < best["xargs"]
    ok &= good
    print(f"default run vs xargs: {best['history'] / best['xargs']:.2f}x (target < 1)  {verdict(good)}")
    gap = best["history"] - best["xargs"]
    if gap > 0:
        # The default run is the lines run plus history: what history adds, and the rest.
        stored, rest = best["history"] - best["lines"], best["lines"] - best["xargs"]
        print(
            f"  its gap to xargs, {gap:.3f} s: history {stored:+.3f} s ({stored / gap:.0%}),"
            f" the run without history {rest:+.3f} s ({rest / gap:.0%})"
        )
    return 0 if ok else 1


def timed(runs: int, cmds: dict[str, str]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall seconds and CPU seconds of each command over ``runs`` interleaved rounds (after one warm-up).

    The CPU seconds are the shell's and what it waited for: for ``exec``-ed
    ``brigade-cli``, its own process (the workers are the fork server's children).
    """
    env = installed_env()
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    cpus: dict[str, list[float]] = {name: [] for name in cmds}
    for round_ in range(runs + 1):
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            proc = subprocess.Popen(["sh", "-c", "exec " + cmd], env=env, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                sys.exit(f"{name} failed with exit code {proc.returncode}")
            if round_:  # the first round writes bytecode caches: not counted
                walls[name].append(time.perf_counter() - t0)
                cpus[name].append(usage.ru_utime + usage.ru_stime)
    return walls, cpus


if __name__ == "__main__":
    sys.exit(main())
