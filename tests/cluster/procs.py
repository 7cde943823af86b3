"""A Dask scheduler and workers started as separate processes on loopback, as a person would run them.

``dask scheduler`` writes its address to a scheduler file in a temp folder;
each ``dask worker`` (with its nanny) runs in a process group of its own, so
a test can SIGKILL a worker, its nanny or the scheduler, and ``close`` kills
every group that is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = str(Path(__file__).resolve().parents[2])
START_LIMIT = 60.0

# A Python on which Brigade cannot be imported: the project's folder (the editable
# install's path entry, and the working directory) is taken out of sys.path.
_WITHOUT_BRIGADE = (
    "import sys, os\n"
    "root = os.path.realpath({root!r})\n"
    "sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != root]\n"
    "from dask.__main__ import main\n"
    "sys.argv = ['dask'] + sys.argv[1:]\n"
    "sys.exit(main())\n"
)


class ProcCluster:
    """One ``dask scheduler`` and any number of ``dask worker`` processes."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.scheduler = self._spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file"],
            [str(self.file)],
        )
        deadline = time.monotonic() + START_LIMIT
        while not self._address() and time.monotonic() < deadline:
            self._check_alive(self.scheduler)
            time.sleep(0.05)
        self.address = self._address()
        assert self.address, "the scheduler did not start"

    def _address(self) -> str:
        try:
            return str(json.loads(self.file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            return ""

    def _spawn(self, args: list[str], tail: list[str], cwd: str | None = None, brigade: bool = True):
        if brigade:
            cmd = [sys.executable, "-m", "dask", *args, *tail]
        else:
            cmd = [sys.executable, "-c", _WITHOUT_BRIGADE.format(root=ROOT), *args, *tail]
        log = open(self.folder / f"proc-{len(self.procs)}.log", "wb")  # noqa: SIM115 - kept with the process
        proc = subprocess.Popen(
            cmd, cwd=cwd or str(self.folder), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.procs.append(proc)
        return proc

    def _check_alive(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is not None:
            logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in self.folder.glob("proc-*.log"))
            raise AssertionError(f"a cluster process exited with {proc.returncode}:\n{logs}")

    def add_worker(self, cwd: str | None = None, brigade: bool = True, wait: bool = True):
        """Start ``dask worker`` (1 thread, with a nanny); wait until the scheduler lists it."""
        before = self.worker_count()
        proc = self._spawn(
            ["worker", "--nthreads", "1", "--no-dashboard", "--local-directory", str(self.folder)],
            ["--scheduler-file", str(self.file)],
            cwd=cwd,
            brigade=brigade,
        )
        deadline = time.monotonic() + START_LIMIT
        while wait and self.worker_count() <= before:
            assert time.monotonic() < deadline, "the worker did not join"
            self._check_alive(proc)
            time.sleep(0.1)
        return proc

    def worker_count(self) -> int:
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])

    def wait_for_workers(self, n: int) -> None:
        """Wait until the scheduler lists ``n`` workers (a nanny restarting a killed one, say)."""
        deadline = time.monotonic() + START_LIMIT
        while self.worker_count() != n:
            assert time.monotonic() < deadline, f"not {n} workers"
            time.sleep(0.1)

    def worker_pid(self, nanny: subprocess.Popen[bytes]) -> int:
        """The worker process under the nanny ``nanny`` (which restarts it if it dies)."""
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            with contextlib.suppress(psutil.Error):
                kids = [p for p in psutil.Process(nanny.pid).children() if "python" in p.name().lower()]
                if kids:
                    return kids[0].pid
            time.sleep(0.05)
        raise AssertionError("no worker process under the nanny")

    def kill_scheduler(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait(10)

    def remove_workers(self) -> None:
        """Kill every worker (the scheduler stays)."""
        for proc in self.procs:
            if proc is not self.scheduler:
                _kill_group(proc)
        deadline = time.monotonic() + START_LIMIT
        while self.worker_count():
            assert time.monotonic() < deadline, "workers still listed"
            time.sleep(0.1)

    def pids(self) -> set[int]:
        """Every process of this cluster: expected to outlive a test."""
        out: set[int] = set()
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                p = psutil.Process(proc.pid)
                out.add(p.pid)
                out.update(c.pid for c in p.children(recursive=True))
        return out

    def close(self) -> None:
        for proc in reversed(self.procs):
            _kill_group(proc)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)
