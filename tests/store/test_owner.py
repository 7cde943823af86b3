"""A batch's owner: this process's start time agrees with psutil's, so liveness checks hold."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from core.store import owner


def test_own_start_time_is_the_one_psutil_gives_for_this_pid():
    host, pid, started = owner.current()
    assert pid == os.getpid()
    assert abs(started - psutil.Process().create_time()) < 0.05
    assert owner.alive(host, pid, started)
    assert not owner.alive(host, pid, started - 10)  # the same pid, but a younger process


def test_a_dead_owner_is_not_alive():
    code = "import os; print(os.getpid())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    host, _, started = owner.current()
    assert not owner.alive(host, int(proc.stdout), started)
