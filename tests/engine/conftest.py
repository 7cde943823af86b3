"""Helpers to run real batches on a real engine and collect what it says."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import pytest

from core.engine import Engine, EngineConfig
from core.events import Event, TaskFinished, TaskLog, TasksCancelled, TaskStarted, WorkerEvent
from core.model import BatchOptions, BatchSpec, TaskState
from tests.engine.faulty import REF


@dataclass
class Collector:
    """A listener that keeps every event, and signals when given tasks finished."""

    events: list[Event] = field(default_factory=list)
    finished: dict[int, TaskFinished] = field(default_factory=dict)
    started: dict[int, TaskStarted] = field(default_factory=dict)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, events: list[Event]) -> None:
        with self.cond:
            for ev in events:
                self.events.append(ev)
                if isinstance(ev, TaskFinished):
                    self.finished[ev.task_id] = ev
                elif isinstance(ev, TasksCancelled):
                    self.finished.update((end.task_id, end) for end in ev.each())
                elif isinstance(ev, TaskStarted):
                    self.started[ev.task_id] = ev
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 30.0) -> None:
        with self.cond:
            assert self.cond.wait_for(predicate, timeout), "timed out waiting for the engine"

    def logs(self, task_id: int) -> list[TaskLog]:
        return [e for e in self.events if isinstance(e, TaskLog) and e.task_id == task_id]

    def worker_events(self) -> list[WorkerEvent]:
        return [e for e in self.events if isinstance(e, WorkerEvent)]


def make_files(folder, names, size: int = 64) -> list[str]:
    paths = []
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        paths.append(path)
    return paths


@pytest.fixture
def corpus(tmp_path):
    """Ten ordinary files and one called bad.txt, in a fixed order."""
    names = [f"f{i:02d}.txt" for i in range(5)] + ["bad.txt"] + [f"g{i:02d}.txt" for i in range(5)]
    return make_files(tmp_path, names)


def faulty_spec(paths, mode: str, **params) -> BatchSpec:
    options = params.pop("options", BatchOptions())
    return BatchSpec(REF, {"mode": mode, **params}, paths, options)


def run_faulty(start_method, paths, mode, *, workers=2, config=None, timeout=60.0, **params):
    """Run a faulty batch to its end; return (collector, finished-by-path, handle, pids)."""
    collector = Collector()
    config = config or EngineConfig(workers=workers, start_method=start_method)
    with Engine(config) as engine:
        engine.add_listener(collector)
        handle = engine.submit(faulty_spec(paths, mode, **params))
        result = handle.wait(timeout)
        assert result is not None, "batch did not finish in time"
        pids_after = engine.worker_pids
    by_path = {paths[i]: collector.finished[tid] for i, tid in enumerate(handle.task_ids)}
    return collector, by_path, result, pids_after


def assert_only_bad_failed(by_path, state=TaskState.FAILED):
    """Every task but bad.txt is done with its own name as result; bad.txt ended in ``state``."""
    for path, ev in by_path.items():
        name = os.path.basename(path)
        if name == "bad.txt":
            assert ev.state == state, ev
        else:
            assert ev.state == TaskState.DONE, (name, ev)
            assert ev.result["name"] == name
    return next(ev for p, ev in by_path.items() if os.path.basename(p) == "bad.txt")
