"""Temporary outputs name their owner, and a killed run's leftovers go at the next write there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil

from core import atomic
from tests.processors.conftest import leftovers, out_policy, run_job, write

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _temp_name_of(proc: psutil.Process, ext: str = ".gz", host: str = atomic.host_tag()) -> str:
    return f".{proc.pid}-{round(proc.create_time() * 100):x}-{host}-0a1b2c3d{atomic.TEMP_SUFFIX}{ext}"


def _dead_process() -> psutil.Process:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    proc = psutil.Process(child.pid)
    proc.create_time()  # cached by psutil while the process still exists
    child.wait(timeout=30)
    return proc


def test_a_temporary_name_is_short_and_says_whose_it_is(tmp_path):
    fd, path = atomic.make_temp(str(tmp_path), ".tar.gz")
    os.close(fd)
    name = os.path.basename(path)
    assert name.startswith(f".{os.getpid()}-") and name.endswith(".brigade-tmp.tar.gz")
    assert len(name) < 56 and not atomic.is_stale(name)


def test_the_first_write_into_a_folder_removes_dead_owners_temporaries_only(engine, tmp_path):
    out = tmp_path / "out"
    dead = write(out / _temp_name_of(_dead_process()), b"partial")
    mine = write(out / _temp_name_of(psutil.Process()), b"still being written")
    backup = write(out / _temp_name_of(_dead_process()).replace("tmp.gz", "bak"), b"an original")
    elsewhere = write(
        out / _temp_name_of(_dead_process(), host="ffff" if atomic.host_tag() != "ffff" else "0000"), b"x"
    )
    src = write(tmp_path / "in" / "a.txt", b"abc")
    run_job(engine, "compress", [src], {}, out_policy(tmp_path)).result(src)
    assert not os.path.exists(dead)
    assert os.path.exists(mine) and os.path.exists(backup)
    assert os.path.exists(elsewhere)  # another machine's, on a shared folder: not ours to judge


def test_a_run_killed_with_its_process_group_leaves_temporaries_the_next_run_removes(tmp_path):
    for i in range(3):
        write(tmp_path / "in" / f"big{i}.bin", os.urandom(8 << 20))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=ROOT, HOME=str(tmp_path))
    args = [sys.executable, "-m", "core.cli", "run", "--job", "compress", "--no-history", "--out", str(out)]
    slow = ["-p", "format=xz", "-p", "level=9", "--workers", "2", str(tmp_path / "in")]
    run = subprocess.Popen([*args, *slow], cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(tmp_path) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.05)  # a file appearing has no event to wait on: poll, bounded
        assert leftovers(tmp_path), "no temporary output appeared"
        group = [p for p in psutil.process_iter() if _group_of(p) == run.pid]
        os.killpg(run.pid, signal.SIGKILL)  # kill -9 -- -PGID
    finally:
        run.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in group) and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGKILL lands asynchronously; no event says it has
    stale = leftovers(tmp_path)
    assert stale and all(atomic.is_stale(os.path.basename(p)) for p in stale)

    small = write(tmp_path / "next" / "small.txt", b"abc")
    again = subprocess.run([*args, "--flat", small], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path) == [] and (out / "small.txt.gz").exists()


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _group_of(proc: psutil.Process) -> int | None:
    try:
        return os.getpgid(proc.pid)
    except OSError:
        return None
