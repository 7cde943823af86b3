"""Shared helpers of the benchmark scripts: corpora, timing, reporting."""

from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("BRIGADE_BENCH_CORPUS", os.path.join(ROOT, "bench", ".corpus"))
MAKE_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "bench", "make_corpus.py")
BIN = os.path.dirname(sys.executable)


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (Linux ``/proc/stat``), else this process's children's.

    Around one run on an otherwise idle machine, the difference is all that run
    cost: the CLI, its threads and every process it started, whoever waited
    for them (a fork server's workers too, which no ``getrusage`` counts).
    """
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq = map(int, f.readline().split()[1:8])
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


def corpus(name: str) -> str:
    """Return the folder of corpus ``name``, generating it the first time."""
    path = os.path.join(CORPUS, name)
    if not os.path.exists(MAKE_CORPUS):
        sys.exit(f"missing {MAKE_CORPUS}: the shared benchmark corpora generator")
    subprocess.run(
        [sys.executable, MAKE_CORPUS, CORPUS, "--only", name], check=True, stdout=subprocess.DEVNULL
    )
    return path


def made_corpus(name: str) -> str:
    """The folder of corpus ``name``, warm: the one already made under ``CORPUS``, else made now."""
    made = os.path.join(CORPUS, name)
    path = made if os.path.isfile(made + ".manifest.json") else corpus(name)
    warm(path)
    return path


def warm(path: str) -> None:
    """Read every file once so every contender starts with a warm page cache."""
    for folder, _, names in os.walk(path):
        for n in names:
            with open(os.path.join(folder, n), "rb") as f:
                while f.read(1 << 20):
                    pass


def installed_env() -> dict[str, str]:
    """The environment of an installed app: Python may cache bytecode, as it does for users."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed_interleaved(runs: int, cmds: dict[str, list[str] | str], **kw) -> dict[str, list[float]]:
    """Wall times of each command over ``runs`` rounds that run every command once.

    Interleaving keeps the ratios fair on a machine whose speed drifts (shared
    cores): a slow minute slows every contender, not just the one timed then.
    Each command runs once first, uncounted, to write its bytecode caches.
    """
    kw.setdefault("env", installed_env())
    for cmd in cmds.values():
        _run(cmd, **kw)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            _run(cmd, **kw)
            times[name].append(time.perf_counter() - t0)
    return times


def _run(cmd: list[str] | str, **kw) -> None:
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(cmd, check=True, shell=isinstance(cmd, str), **quiet, **kw)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def load() -> str:
    """The machine's load average, printed with the figures (others may share the cores)."""
    try:
        return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load n/a"
