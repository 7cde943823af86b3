"""An exception at any stage of the engine loop ends the run at once, with its reason, and resumably.

Each test injects a real exception into the real engine thread while a real
worker runs a long task and other tasks wait, under spawn and forkserver.
"""

from __future__ import annotations

import os
import threading
import time

import psutil
import pytest

from core.engine import Engine, EngineConfig
from core.model import FailureKind, TaskState
from core.store import JobStore
from core.store.recorder import StoreRecorder
from tests.engine.conftest import Collector, faulty_spec, make_files

ENDS_WITHIN = 2.0  # seconds from the exception to the end of the batch


class Trap:
    """Raises ``RuntimeError`` once, the first time it is reached after ``arm()``."""

    def __init__(self) -> None:
        self.armed = threading.Event()
        self.fired_at: float | None = None

    def arm(self) -> None:
        self.armed.set()

    def spring(self) -> None:
        if self.armed.is_set() and self.fired_at is None:
            self.fired_at = time.monotonic()
            raise RuntimeError("injected fault")


def _wrap(obj, name: str, trap: Trap) -> None:
    """Make ``obj.name(...)`` spring ``trap`` before doing its work."""
    real = getattr(obj, name)

    def wrapped(*args, **kwargs):
        trap.spring()
        return real(*args, **kwargs)

    setattr(obj, name, wrapped)


def _inject(stage: str, engine: Engine, recorder: StoreRecorder, trap: Trap) -> None:
    if stage == "dispatch":
        _wrap(engine, "_dispatch", trap)
    elif stage == "supervision":
        _wrap(engine, "_supervise", trap)
    elif stage == "recorder":
        _wrap(recorder, "record", trap)
    elif stage == "delivery":
        engine.add_listener(lambda events: trap.spring())


def _fire(stage: str, engine: Engine, trap: Trap) -> None:
    """Arm the trap, then make the engine thread reach it."""
    trap.arm()
    if stage == "command":
        engine.call(trap.spring)
    else:
        # Wakes the loop and makes events (a worker starts) for delivery and the recorder.
        engine.set_workers(2)


@pytest.mark.parametrize("stage", ["command", "dispatch", "delivery", "supervision", "recorder"])
def test_an_exception_in_the_engine_loop_ends_the_run_at_once_and_resumably(start_method, tmp_path, stage):
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = make_files(inputs, ["bad.txt"] + [f"q{i:02d}.txt" for i in range(12)])
    db = str(tmp_path / "history.sqlite3")
    recorder = StoreRecorder.open(db)
    engine = Engine(EngineConfig(workers=1, start_method=start_method), recorder)
    trap = Trap()
    _inject(stage, engine, recorder, trap)
    col = Collector()
    engine.add_listener(col)
    with engine:
        handle = engine.submit(faulty_spec(paths, "sleep", seconds=60.0))
        ids = handle.task_ids if handle.wait_accepted(30) else ()
        col.wait_for(lambda: ids[0] in col.started)
        workers = [psutil.Process(pid) for pid in engine.worker_pids]
        _fire(stage, engine, trap)
        result = handle.wait(30)
        resolved_at = time.monotonic()
        assert engine.wait_stopped(30)
    assert trap.fired_at is not None
    assert result is not None and result.stopped
    assert resolved_at - trap.fired_at < ENDS_WITHIN

    # The reason is kept once, with its traceback.
    assert engine.fault is not None
    assert engine.fault.message == "RuntimeError: injected fault"
    assert "Traceback" in engine.fault.traceback and "spring" in engine.fault.traceback

    # The running task was interrupted, the queued ones never ran, no worker is left.
    running = col.finished[ids[0]]
    assert running.state == TaskState.FAILED
    assert running.failure.kind is FailureKind.INTERRUPTED
    assert result.counts[TaskState.RUNNING] == 0
    assert result.counts[TaskState.QUEUED] == len(ids) - 1 - result.counts[TaskState.DONE]
    assert result.counts[TaskState.QUEUED] > 0
    _, alive = psutil.wait_procs(workers, timeout=0)
    assert not alive, alive

    # History has the batch as resumable: the interrupted task and the queued ones run again.
    with JobStore.open(db) as store:
        spec = store.resume_spec(handle.batch_id)
    assert spec is not None
    assert ids[0] in spec.task_ids
    assert len(spec.task_ids) == len(ids) - result.counts[TaskState.DONE]

    # Nothing left on disk beside the inputs.
    assert sorted(os.listdir(inputs)) == sorted(os.path.basename(p) for p in paths)


def test_a_batch_submitted_after_the_engine_failed_is_refused_at_once(start_method, tmp_path):
    paths = make_files(tmp_path, ["a.txt"])
    engine = Engine(EngineConfig(workers=1, start_method=start_method))
    engine.start()
    engine.call(lambda: 1 / 0)
    assert engine.wait_stopped(30)
    assert engine.fault.message == "ZeroDivisionError: division by zero"
    handle = engine.submit(faulty_spec(paths, "ok"))
    with pytest.raises(RuntimeError, match="stopped on an error: ZeroDivisionError"):
        handle.wait(5)
