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


def test_a_killed_owner_not_yet_reaped_is_not_alive():
    import signal
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = psutil.Process(child.pid).create_time()
        assert owner.alive(None, child.pid, started)
        child.send_signal(signal.SIGKILL)
        # A zombie until its parent waits for it: its batch is left behind all the same.
        deadline = time.monotonic() + 10
        while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
        assert not owner.alive(None, child.pid, started)
    finally:
        child.kill()
        child.wait()
