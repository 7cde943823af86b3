"""Clusters shared by the tests of a module: a LocalCluster, or a scheduler and workers as processes."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from core.events import Event, TaskFinished, TasksCancelled
from tests.cluster.procs import ProcCluster
from tests.conftest import leftover_processes

_shared: list[object] = []


def cluster_pids() -> set[int]:
    """Worker processes (and their children) of the shared clusters: expected to outlive a test."""
    pids: set[int] = set()
    for cluster in _shared:
        if isinstance(cluster, ProcCluster):
            pids |= cluster.pids()
            continue
        for nanny in getattr(cluster, "workers", {}).values():
            proc = getattr(getattr(nanny, "process", None), "process", None)
            pid = getattr(proc, "pid", None)
            if not pid:
                continue
            pids.add(pid)
            with contextlib.suppress(psutil.Error):
                pids.update(p.pid for p in psutil.Process(pid).children(recursive=True))
    return pids


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """As the suite's fixture, except for the shared cluster's own workers (a nanny may be restarting one)."""
    yield
    deadline = time.monotonic() + 10
    while True:
        alive = [p for p in leftover_processes(timeout=0.5) if p.pid not in cluster_pids()]
        if not alive or time.monotonic() > deadline:
            break
    for p in alive:
        p.kill()
    assert not alive, f"processes left behind: {[(p.pid, p.name()) for p in alive]}"


def start_cluster(**kw):
    from distributed import LocalCluster

    options = dict(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    )
    options.update(kw)
    cluster = LocalCluster(**options)
    _shared.append(cluster)
    return cluster


def stop_cluster(cluster) -> None:
    _shared.remove(cluster)
    cluster.close()


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[object]:
    cluster = start_cluster()
    yield cluster
    stop_cluster(cluster)


@pytest.fixture(scope="module")
def proc_cluster(tmp_path_factory) -> Iterator[ProcCluster]:
    """A ``dask scheduler`` process with one ``dask worker``, for the tests of a module."""
    cluster = ProcCluster(tmp_path_factory.mktemp("dask"))
    _shared.append(cluster)
    try:
        cluster.add_worker()
        yield cluster
    finally:
        _shared.remove(cluster)
        cluster.close()


class Collector:
    """A listener that keeps every event and signals when a condition holds (engine thread)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.lock = threading.Lock()
        self.hooks: list = []

    def __call__(self, events: list[Event]) -> None:
        with self.lock:
            self.events.extend(events)
        for ev in events:
            for hook in list(self.hooks):
                hook(ev)

    def of(self, kind) -> list:
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]

    def finished(self) -> dict[int, TaskFinished]:
        ends = {e.task_id: e for e in self.of(TaskFinished)}
        ends.update((end.task_id, end) for ev in self.of(TasksCancelled) for end in ev.each())
        return ends


def make_files(root, n: int, size: int = 1024, prefix: str = "f") -> list[str]:
    os.makedirs(root, exist_ok=True)
    paths = []
    for i in range(n):
        p = os.path.join(root, f"{prefix}{i:04d}.bin")
        with open(p, "wb") as f:
            f.write(os.urandom(size + i))
        paths.append(p)
    return paths
