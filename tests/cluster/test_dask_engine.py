"""DaskEngine on a real LocalCluster (two worker processes on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading

import psutil
import pytest

from core.cluster import ClusterConfig, DaskEngine, PathMap
from core.engine import Engine, EngineConfig
from core.events import TaskLog, TaskProgress, TaskRequeued, TaskStarted
from core.model import BatchOptions, BatchSpec, FailureKind, TaskState
from core.store import JobStore
from tests.cluster.conftest import Collector, make_files

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(120)]

JOBS = "tests.cluster.jobs"


@pytest.fixture
def engine(local_cluster):
    collector = Collector()
    eng = DaskEngine(ClusterConfig(local_cluster.scheduler_address), config=EngineConfig(kill_grace=2.0))
    eng.add_listener(collector)
    eng.collector = collector
    eng.start()
    yield eng
    eng.shutdown()


def test_same_results_as_the_local_pool(engine, tmp_path):
    paths = make_files(tmp_path / "in", 150)
    paths += make_files(tmp_path / "big", 2, size=3 * 1024 * 1024)
    paths.append(str(tmp_path / "missing.bin"))
    spec = BatchSpec("checksum", {"algorithm": "sha256"}, paths)

    result = engine.submit(spec).wait(60)
    remote = engine.collector.finished()

    local_events = Collector()
    with Engine(EngineConfig(workers=2)) as local:
        local.add_listener(local_events)
        assert local.submit(spec).wait(60) is not None
    here = local_events.finished()

    assert result.counts[TaskState.DONE] == len(paths) - 1
    assert result.counts[TaskState.FAILED] == 1

    def outcome(events):
        ordered = [events[t] for t in sorted(events)]
        return [(e.state, e.result, e.failure.exc_type if e.failure else None) for e in ordered]

    assert outcome(remote) == outcome(here)
    assert {e.pid for e in remote.values() if e.state == TaskState.DONE} <= set(engine.worker_pids)


def test_logs_and_progress_arrive_while_tasks_run(engine, tmp_path):
    paths = make_files(tmp_path, 4)
    seen = engine.collector

    def ack(ev):
        # The task waits for this file: it only ends if its log line arrived live.
        if isinstance(ev, TaskLog) and ev.text.startswith("hello"):
            open(tmp_path / (ev.text.split()[1] + ".ack"), "w").close()

    seen.hooks.append(ack)
    handle = engine.submit(BatchSpec(f"{JOBS}:Chatty", {}, paths))
    result = handle.wait(60)
    assert result.counts[TaskState.DONE] == 4
    assert all(e.result == {"acked": True} for e in seen.finished().values())
    logs = seen.of(TaskLog)
    assert sorted(e.text for e in logs) == sorted(f"hello {os.path.basename(p)}" for p in paths)
    assert {e.message for e in seen.of(TaskProgress)} == {"half way"}


def test_cancel_stops_running_and_queued_tasks(engine, tmp_path):
    paths = make_files(tmp_path, 8)
    started = threading.Event()
    engine.collector.hooks.append(
        lambda ev: started.set() if len(engine.collector.of(TaskStarted)) >= 2 else None
    )
    handle = engine.submit(BatchSpec(f"{JOBS}:Slow", {"seconds": 30.0}, paths))
    assert started.wait(30)
    engine.cancel_batch(handle.wait_accepted(5))
    result = handle.wait(15)
    assert result is not None, "cancel did not end the batch"
    assert result.counts[TaskState.CANCELLED] == 8
    assert result.elapsed < 20


def test_cancel_one_running_task(engine, tmp_path):
    paths = make_files(tmp_path, 3)
    first_started = threading.Event()
    engine.collector.hooks.append(lambda ev: isinstance(ev, TaskStarted) and first_started.set())
    handle = engine.submit(BatchSpec(f"{JOBS}:Slow", {"seconds": 1.0}, paths))
    assert first_started.wait(30)
    victim = engine.collector.of(TaskStarted)[0].task_id
    engine.cancel([victim])
    result = handle.wait(30)
    states = {t: e.state for t, e in engine.collector.finished().items()}
    assert states.pop(victim) == TaskState.CANCELLED
    assert set(states.values()) == {TaskState.DONE}
    assert result.counts[TaskState.DONE] == 2


def _kill_worker_running(engine, tmp_path, retries):
    paths = make_files(tmp_path, 6, prefix="f") + make_files(tmp_path, 1, prefix="hold")
    target = len(paths) - 1
    killed = threading.Event()
    victim = {}
    ids: list[int] = []

    def kill(ev):
        if isinstance(ev, TaskStarted) and ev.task_id == ids[target] and not victim:
            victim["pid"] = ev.pid
            os.kill(ev.pid, signal.SIGKILL)
            killed.set()

    engine.collector.hooks.append(kill)
    handle = engine.submit(BatchSpec(f"{JOBS}:Hold", {}, paths, BatchOptions(retries=retries)))
    handle.wait_accepted(10)
    ids.extend(handle.task_ids)
    assert killed.wait(30)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(victim["pid"]).wait(10)  # dead before the held task may go on
    open(tmp_path / "release", "w").close()
    result = handle.wait(60)
    assert result is not None
    return ids[target], result


def test_killed_worker_retries_the_task_elsewhere(engine, tmp_path):
    tid, result = _kill_worker_running(engine, tmp_path, retries=1)
    assert result.counts[TaskState.DONE] == 7
    requeued = [e for e in engine.collector.of(TaskRequeued) if e.task_id == tid and e.failure]
    assert requeued and requeued[0].failure.kind == FailureKind.WORKER_LOST
    final = engine.collector.finished()[tid]
    assert final.state == TaskState.DONE
    assert final.attempt == 2


def test_killed_worker_fails_the_task_without_retries(engine, tmp_path):
    tid, result = _kill_worker_running(engine, tmp_path, retries=0)
    assert result.counts[TaskState.DONE] == 6
    assert result.counts[TaskState.FAILED] == 1
    failure = engine.collector.finished()[tid].failure
    assert failure.kind == FailureKind.WORKER_LOST
    assert "lost" in failure.message


def test_path_map_and_store(local_cluster, tmp_path):
    real = tmp_path / "share"
    paths = make_files(real, 5)
    desktop = [p.replace(str(real), "/desk/share") for p in paths]
    store = JobStore.open(str(tmp_path / "history.sqlite3"))
    config = ClusterConfig(local_cluster.scheduler_address, path_map=PathMap.parse([f"/desk/share={real}"]))
    collector = Collector()
    with DaskEngine(config, store.recorder()) as eng:
        eng.add_listener(collector)
        handle = eng.submit(BatchSpec(f"{JOBS}:Copy", {}, desktop))
        assert handle.wait(60).counts[TaskState.DONE] == 5
    for p in paths:
        assert os.path.exists(p + ".out")
    outputs = sorted(o for e in collector.finished().values() for o in e.outputs)
    assert outputs == sorted(d + ".out" for d in desktop)
    row = store.batch(handle.batch_id)
    assert row.extra["backend"] == "dask"
    assert row.extra["scheduler"] == local_cluster.scheduler_address
    assert row.extra["path_map"] == [["/desk/share", str(real)]]
    tasks = store.tasks(handle.batch_id)
    assert [t.state for t in tasks] == [TaskState.DONE] * 5
    assert sorted(t.result["worker_path"] for t in tasks) == sorted(paths)
    # A result's own output path is the desktop's, as the outputs are.
    assert sorted(t.result["output"] for t in tasks) == sorted(d + ".out" for d in desktop)
    store.close()


def test_moving_and_cancelling_queued_batches_as_the_local_engine(engine):
    from core.events import QueueOrdered, TasksCancelled

    engine.pause()
    a = engine.submit(BatchSpec("checksum", {}, [f"/nowhere/a{i}" for i in range(50_000)]))
    b = engine.submit(BatchSpec("checksum", {}, [f"/nowhere/b{i}" for i in range(10)]))
    a_id, b_id = a.wait_accepted(30), b.wait_accepted(30)
    engine.move_batch(b_id, -1)
    engine.cancel_batch(None)
    assert a.wait(30).counts[TaskState.CANCELLED] == 50_000
    assert b.wait(30).counts[TaskState.CANCELLED] == 10
    events = engine.collector.events
    assert [e.order for e in events if isinstance(e, QueueOrdered)] == [(b_id, a_id)]
    bulk = {e.batch_id: e.spans for e in events if isinstance(e, TasksCancelled)}
    assert bulk == {b_id: (b.task_ids,), a_id: (a.task_ids,)}
