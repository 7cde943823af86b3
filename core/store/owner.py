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

import psutil

_START_TOLERANCE = 1.0  # seconds: create times are computed from clock ticks


@cache
def current() -> tuple[str, int, float]:
    """``(host, pid, start time)`` of this process."""
    return socket.gethostname(), os.getpid(), psutil.Process().create_time()


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
    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # it exists; it is not ours to inspect
    return started is None or abs(created - started) < _START_TOLERANCE
