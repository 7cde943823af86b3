"""Who runs a batch: a process identity that survives pid reuse.

A batch in the ``running`` state records the host, pid and start time of the
process that runs it. If that process is gone (or its pid now belongs to a
younger process), the batch was left behind by a crash and is interrupted; a
batch of another live process sharing the database is left alone.
"""

from __future__ import annotations

import os
import socket
from functools import cache

_START_TOLERANCE = 1.0  # seconds: create times are computed from clock ticks


@cache
def current() -> tuple[str, int, float]:
    """``(host, pid, start time)`` of this process."""
    return socket.gethostname(), os.getpid(), _own_start_time()


def _own_start_time() -> float:
    # On Linux, read as psutil computes it (boot time + start ticks), so opening
    # history does not import psutil: the CLI's start-up stays small.
    try:
        with open("/proc/self/stat", "rb") as f:
            ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/stat", "rb") as f:
            boot = next(float(line.split()[1]) for line in f if line.startswith(b"btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        import psutil

        return float(psutil.Process().create_time())


def alive(host: str | None, pid: int | None, started: float | None) -> bool:
    """Whether the recorded owner may still be running.

    An owner on another host cannot be checked and counts as alive; a batch
    with no owner (written by the first schema) counts as dead.
    """
    if pid is None:
        return False
    here = current()
    if host is not None and host != here[0]:
        return True
    if pid == here[1]:
        return started is None or abs(started - here[2]) < _START_TOLERANCE
    import psutil

    try:
        proc = psutil.Process(pid)
        created = proc.create_time()
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False  # killed, and not reaped yet: it runs nothing
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # it exists; it is not ours to inspect
    return started is None or abs(created - started) < _START_TOLERANCE
