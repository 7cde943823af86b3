"""Shared fixtures: no test may leave a worker process behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile

import psutil
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _sandbox_the_user_folders() -> str:
    """Point every per-user folder, and the history database, into a throw-away folder.

    Set before any test module is imported, so nothing (platformdirs, QSettings,
    PyInstaller's cache, a ``brigade-cli`` subprocess) can reach the real home
    folder, settings or history of the person running the tests.
    """
    root = tempfile.mkdtemp(prefix="brigade-tests-")
    folders = {
        "HOME": "home",
        "XDG_CONFIG_HOME": "home/.config",
        "XDG_DATA_HOME": "home/.local/share",
        "XDG_CACHE_HOME": "home/.cache",
        "XDG_STATE_HOME": "home/.local/state",
    }
    for var, sub in folders.items():
        path = os.path.join(root, sub)
        os.makedirs(path, exist_ok=True)
        os.environ[var] = path
    os.environ["BRIGADE_DB"] = os.path.join(root, "home", "history.sqlite3")
    return root


SANDBOX = _sandbox_the_user_folders()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(SANDBOX, ignore_errors=True)


def _helper_pids() -> set[int]:
    """Long-lived helpers multiprocessing keeps per process (forkserver, resource tracker)."""
    pids = set()
    from multiprocessing import forkserver, resource_tracker

    fs = getattr(forkserver, "_forkserver", None)
    if fs is not None and getattr(fs, "_forkserver_pid", None):
        pids.add(fs._forkserver_pid)
    rt = getattr(resource_tracker, "_resource_tracker", None)
    if rt is not None and getattr(rt, "_pid", None):
        pids.add(rt._pid)
    return pids


def leftover_processes(timeout: float = 5.0) -> list[psutil.Process]:
    """Children of this test process still alive after ``timeout`` seconds."""
    me = psutil.Process()
    helpers = _helper_pids()
    kids = [p for p in me.children(recursive=True) if p.pid not in helpers]
    _, alive = psutil.wait_procs(kids, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Fail any test that leaves a child process running."""
    yield
    alive = leftover_processes()
    for p in alive:
        p.kill()
    assert not alive, f"processes left behind: {[(p.pid, p.name()) for p in alive]}"


START_METHODS = ["spawn"] + (["forkserver"] if sys.platform.startswith("linux") else [])


@pytest.fixture(params=START_METHODS)
def start_method(request):
    """Every engine test runs under spawn, and forkserver on Linux."""
    assert request.param in multiprocessing.get_all_start_methods()
    return request.param
