"""Against a ``dask scheduler`` and ``dask worker`` started as processes, as on a real cluster."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from core.cli import main
from core.cluster import ClusterConfig, DaskEngine
from core.engine import EngineConfig
from core.events import TaskLog, TaskProgress, TaskStarted
from core.model import BatchSpec, FailureKind, TaskState
from core.store import JobStore
from tests.cluster.conftest import Collector, make_files
from tests.cluster.procs import ROOT, ProcCluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(120)]


def _cli(*args: str, **kw) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        cwd=kw.pop("cwd", ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _wait_file(path, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not os.path.exists(path):
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def test_relative_inputs_are_read_where_they_were_given(proc_cluster, tmp_path, monkeypatch, capsys):
    # A worker started in another folder that holds different files at the same relative paths.
    decoys = tmp_path / "elsewhere"
    make_files(decoys / "data", 3)
    proc_cluster.add_worker(cwd=str(decoys))
    here = tmp_path / "here"
    real = make_files(here / "data", 3)
    monkeypatch.chdir(here)

    code = main(
        ["run", "-j", "checksum", "--json", "--no-history", "--cluster", proc_cluster.address, "data"]
    )

    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(os.path.abspath(r["path"]) for r in rows) == sorted(real)
    for r in rows:
        with open(here / r["path"], "rb") as f:
            assert r["result"]["digest"] == hashlib.sha256(f.read()).hexdigest()


def test_cluster_check_lists_the_workers(proc_cluster, capsys):
    assert main(["cluster", "check", proc_cluster.address]) == 0
    out = capsys.readouterr()
    assert " ok" in out.out
    assert "worker" in out.err


def test_the_command_job_logs_its_output_and_a_dead_worker_leaves_no_child(proc_cluster, tmp_path):
    src = make_files(tmp_path, 1)
    cmd = "sh -c 'echo started; echo $$ > \"$0.pid\"; exec sleep 60' {}"
    collector = Collector()
    engine = DaskEngine(ClusterConfig(proc_cluster.address), config=EngineConfig(kill_grace=2.0))
    engine.add_listener(collector)
    workers = proc_cluster.worker_count()
    # The command's output comes after its process group was announced, in order: once the
    # engine has the line, it knows what to clean up.
    said = _seen(collector, lambda ev: isinstance(ev, TaskLog) and ev.text == "started")
    with engine:
        handle = engine.submit(BatchSpec("command", {"command": cmd}, src))
        assert said.wait(30)
        _wait_file(src[0] + ".pid")
        with open(src[0] + ".pid") as f:
            child = int(f.read().split()[0])
        # The Dask worker process running the command (its nanny starts another).
        psutil.Process(collector.of(TaskStarted)[0].pid).kill()
        result = handle.wait(60)
    assert result is not None and result.counts[TaskState.FAILED] == 1
    (ended,) = collector.finished().values()
    assert ended.failure.kind == FailureKind.WORKER_LOST
    assert not _alive(child), "the command's process outlived its worker"
    proc_cluster.wait_for_workers(workers)  # its nanny started another


def test_a_worker_killed_during_a_compress_leaves_no_temp_output(proc_cluster, tmp_path):
    big = tmp_path / "in" / "big.bin"
    big.parent.mkdir()
    with open(big, "wb") as f:
        for _ in range(48):
            f.write(os.urandom(1 << 20))
    out = tmp_path / "out"
    out.mkdir()
    engine = DaskEngine(ClusterConfig(proc_cluster.address))
    collector = Collector()
    engine.add_listener(collector)
    workers = proc_cluster.worker_count()
    # Progress comes after the temp file was announced, in order.
    writing = _seen(collector, lambda ev: isinstance(ev, TaskProgress))
    with engine:
        spec = BatchSpec("compress", {"format": "xz", "level": 9}, [str(big)], output={"folder": str(out)})
        handle = engine.submit(spec)
        assert writing.wait(30)
        assert len(list(out.iterdir())) == 1  # its temp file
        psutil.Process(collector.of(TaskStarted)[0].pid).kill()
        result = handle.wait(60)
    assert result.counts[TaskState.FAILED] == 1
    # Dask may have started the lost chunk again elsewhere before the engine took it back: that
    # run sees it was given up (within remote.CONTROL_SECONDS) and removes its own temp file.
    deadline = time.monotonic() + 10
    while list(out.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(out.iterdir()) == []
    proc_cluster.wait_for_workers(workers)


def _seen(collector: Collector, predicate) -> threading.Event:
    seen = threading.Event()
    collector.hooks.append(lambda ev: predicate(ev) and seen.set())
    return seen


def _alive(pid: int, limit: float = 10.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.05)
    return True


# ------------------------------------------------------------ clusters that cannot run tasks
@pytest.fixture
def bare_cluster(tmp_path):
    from tests.cluster.conftest import _shared

    cluster = ProcCluster(tmp_path / "dask")
    _shared.append(cluster)
    yield cluster
    _shared.remove(cluster)
    cluster.close()


def test_a_cluster_whose_workers_lack_brigade_is_refused_before_submitting(bare_cluster, tmp_path):
    bare_cluster.add_worker(brigade=False)
    make_files(tmp_path / "in", 2)
    check = _cli("cluster", "check", bare_cluster.address)
    out, err = check.communicate(timeout=60)
    assert check.returncode == 5
    assert "no Brigade" in out and "cannot import Brigade" in err

    db = tmp_path / "h.db"
    run = _cli(
        "run", "-j", "checksum", "--db", str(db), "--cluster", bare_cluster.address, str(tmp_path / "in")
    )
    _, err = run.communicate(timeout=60)
    assert run.returncode == 5
    (line,) = err.strip().splitlines()
    assert line.startswith(f"brigade-cli: no worker at {bare_cluster.address} can run Brigade ")
    assert "1 cannot import Brigade" in line


def test_tasks_waiting_for_a_worker_end_as_resumable_after_the_set_time(bare_cluster, tmp_path):
    paths = make_files(tmp_path / "in", 3)
    config = ClusterConfig(bare_cluster.address, no_worker_timeout=2.0)
    with DaskEngine(config) as engine:
        started = time.monotonic()
        result = engine.submit(BatchSpec("checksum", {}, paths)).wait(30)
        assert result is not None and time.monotonic() - started < 15
        assert result.counts[TaskState.FAILED] == 3
        assert engine.lost == f"no Dask worker at {bare_cluster.address} for 2 s"


def test_tasks_given_to_workers_without_brigade_end_as_resumable(bare_cluster, tmp_path):
    bare_cluster.add_worker(brigade=False)
    paths = make_files(tmp_path / "in", 3)
    collector = Collector()
    with DaskEngine(ClusterConfig(bare_cluster.address, no_worker_timeout=2.0)) as engine:
        engine.add_listener(collector)
        result = engine.submit(BatchSpec("checksum", {}, paths)).wait(30)
        assert result is not None and result.counts[TaskState.FAILED] == 3
        assert f"brigade-cli cluster check {bare_cluster.address}" in engine.lost
    failures = {(e.failure.kind, e.failure.retryable) for e in collector.finished().values()}
    assert failures == {(FailureKind.INTERRUPTED, True)}


def test_a_lost_scheduler_ends_the_run_resumable_with_one_line(bare_cluster, tmp_path):
    bare_cluster.add_worker()
    inputs = tmp_path / "in"
    make_files(inputs, 30, prefix="hold")
    db = tmp_path / "h.db"
    where = ["--cluster", bare_cluster.address, "--lost-timeout", "3"]
    run = _cli("run", "-j", "tests.cluster.jobs:Hold", "--db", str(db), *where, str(inputs))
    _wait_file(inputs / "hold0000.bin.holding")  # under way: its tasks wait for a file that never comes
    started = time.monotonic()
    bare_cluster.kill_scheduler()
    _, err = run.communicate(timeout=60)
    assert time.monotonic() - started < 3 + 5
    assert run.returncode == 5
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if "lost the Dask scheduler" in ln and not ln.startswith("FAILED")]
    assert len(lines) == 2, err  # the warning when it went, the end when it was given up
    with JobStore.open(str(db)) as store:
        spec = store.resume_spec(1)
    assert spec is not None and len(spec.paths) == 30


def test_ctrl_c_while_connecting_ends_at_once(tmp_path):
    make_files(tmp_path, 1)
    # Nothing listens there: Dask retries until its connect timeout.
    run = _cli("run", "-j", "checksum", "--no-history", "--cluster", "tcp://127.0.0.1:9", str(tmp_path))
    time.sleep(2)
    started = time.monotonic()
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert run.returncode in (130, 2), err
    assert "Traceback" not in err


def test_ctrl_c_after_the_scheduler_went_ends_the_run(bare_cluster, tmp_path):
    bare_cluster.add_worker()
    inputs = tmp_path / "in"
    make_files(inputs, 4, prefix="hold")
    run = _cli(
        "run", "-j", "tests.cluster.jobs:Hold", "--no-history", "--cluster", bare_cluster.address, str(inputs)
    )
    _wait_file(inputs / "hold0000.bin.holding")
    bare_cluster.kill_scheduler()
    started = time.monotonic()
    for _ in range(3):
        run.send_signal(signal.SIGINT)
        time.sleep(0.3)
    _, err = run.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert run.returncode == 130, err


def test_retry_runs_where_the_batch_ran_unless_told(proc_cluster, tmp_path, capsys):
    paths = make_files(tmp_path / "in", 2)
    for p in paths:
        open(p + ".fail", "w").close()
    db = str(tmp_path / "h.db")
    job = "tests.cluster.jobs:FailWhileMarked"
    assert main(["run", "-j", job, "--db", db, "--cluster", proc_cluster.address, str(tmp_path / "in")]) == 1
    os.unlink(paths[0] + ".fail")
    capsys.readouterr()

    assert main(["retry", "1", "--db", db, "--json"]) == 1  # the second is still marked
    out = capsys.readouterr()
    assert f"running 2 tasks again on the Dask cluster at {proc_cluster.address}" in out.err
    (done,) = [json.loads(line) for line in out.out.splitlines() if '"done"' in line]
    assert done["result"]["pid"] != os.getpid()
    assert main(["history", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["where"] == proc_cluster.address

    os.unlink(paths[1] + ".fail")
    assert main(["retry", "1", "--db", db, "--cluster", "here"]) == 0
    assert "running 1 task again on this computer" in capsys.readouterr().err

    assert main(["history", "--db", db, "--json"]) == 0
    (batch,) = json.loads(capsys.readouterr().out)
    assert batch["where"] == "here"
    assert main(["show", "1", "--db", db]) == 0
    assert "ran here" in capsys.readouterr().err


def test_ctrl_c_twice_while_tasks_run_ends_the_run(proc_cluster, tmp_path):
    inputs = tmp_path / "in"
    make_files(inputs, 3, prefix="hold")
    run = _cli(
        "run", "-j", "tests.cluster.jobs:Hold", "--no-history", "--cluster", proc_cluster.address, str(inputs)
    )
    _wait_file(inputs / "hold0000.bin.holding")
    started = time.monotonic()
    run.send_signal(signal.SIGINT)  # running tasks may finish: these never do
    time.sleep(0.5)
    run.send_signal(signal.SIGINT)  # cancel them: they ignore it, and are given up after the grace time
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert time.monotonic() - started < 20
    assert "Traceback" not in err


def test_runs_leave_no_topic_of_their_own_on_the_scheduler(proc_cluster, tmp_path):
    from distributed import Client

    paths = make_files(tmp_path, 2)
    for _ in range(3):
        with DaskEngine(ClusterConfig(proc_cluster.address)) as engine:
            # Its line travels live while it runs: the run publishes on its event topic.
            spec = BatchSpec("command", {"command": "sh -c 'echo hi; sleep 0.5'"}, paths[:1])
            assert engine.submit(spec).wait(60).counts[TaskState.DONE] == 1
    with Client(proc_cluster.address, timeout=10, set_as_default=False) as client:
        topics = {t for t in client.get_events() if t.startswith("brigade")}
    # Dask itself keeps a topic per client it saw ("Client-...", "variable-..."), as for any client.
    assert topics <= {"brigade-live"}
