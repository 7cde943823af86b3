"""Start-up benchmark: what the CLI costs before and around its first tasks.

    python bench/bench_startup.py [--runs 20] [--baseline DIR]

Times, in one interleaved run, ``python -c pass`` (the interpreter alone),
``brigade-cli --version`` and ``brigade-cli run`` over two small files, and
prints for each the fastest and median wall time and the median CPU time the
whole machine was busy meanwhile (the CLI and every process it started, fork
server and workers included: run it on an otherwise idle machine), next to the
interpreter's own figures. With ``--baseline DIR`` (another
checkout of Brigade, such as ``git archive main``), the two Brigade commands
also run from that tree, interleaved with this one, for an A/B comparison.
The figures are printed, not judged: they depend on the machine and its
Python install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ROOT, busy_seconds, installed_env, load

Command = tuple[list[str], dict[str, str]]


def brigade(tree: str, *args: str) -> Command:
    """``brigade-cli ARGS`` run from the Brigade checkout ``tree``.

    ``-P``: ``-m`` would otherwise put the working folder before ``tree`` on the path.
    """
    env = installed_env()
    env["PYTHONPATH"] = tree
    return [sys.executable, "-P", "-m", "core.cli", *args], env


def timed(cmd: Command) -> tuple[float, float]:
    """Run ``cmd`` once; return its wall time and the CPU time of it and its children."""
    before = busy_seconds()
    t0 = time.perf_counter()
    subprocess.run(cmd[0], env=cmd[1], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    return wall, busy_seconds() - before


def interleaved(runs: int, cmds: dict[str, Command]) -> dict[str, list[tuple[float, float]]]:
    """``runs`` rounds that each run every command once, after one uncounted round (bytecode caches)."""
    for cmd in cmds.values():
        timed(cmd)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    return times


def commands(trees: dict[str, str], folder: str) -> dict[str, Command]:
    """The contenders: the bare interpreter, then each tree's two Brigade commands."""
    files = []
    for name in ("a.txt", "b.txt"):
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(name * 100)
        files.append(path)
    cmds: dict[str, Command] = {"python -c pass": ([sys.executable, "-c", "pass"], installed_env())}
    for label, tree in trees.items():
        cmds[f"{label}: --version"] = brigade(tree, "--version")
        run = ["run", "--job", "checksum", "--workers", "2", "--db", os.path.join(folder, f"{label}.sqlite3")]
        cmds[f"{label}: run 2 files"] = brigade(tree, *run, *files)
    return cmds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="rounds; each runs every command once")
    ap.add_argument("--baseline", help="another Brigade checkout to compare with, interleaved")
    args = ap.parse_args()
    trees = {"this": ROOT}
    if args.baseline:
        trees["baseline"] = os.path.abspath(args.baseline)
    print(f"# bench_startup  python {sys.version.split()[0]}  {os.cpu_count()} cpus  {load()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        times = interleaved(args.runs, commands(trees, folder))
    base_wall = statistics.median(w for w, _ in times["python -c pass"])
    base_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"{'command':<28} {'best':>8} {'median':>8} {'CPU':>8}   over python -c pass (median wall, CPU)")
    for name, pairs in times.items():
        walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"{name:<28} {min(walls) * 1000:6.1f}ms {wall * 1000:6.1f}ms {cpu * 1000:6.1f}ms"
            f"   +{(wall - base_wall) * 1000:6.1f}ms +{(cpu - base_cpu) * 1000:6.1f}ms"
        )
    print(f"# {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
