"""Run real batches of the built-in jobs on a real engine, on files the tests make."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.engine import Engine, EngineConfig
from core.events import Event, TaskFinished, TaskLog, TaskProgress, TaskStarted
from core.model import BatchOptions, BatchSpec, TaskState
from core.output import OutputPolicy

NAMES = ("plain.txt", "with space.txt", "naïve café.txt", "日本語.txt")


@dataclass
class Run:
    """Everything one batch said, by input path."""

    paths: list[str]
    finished: dict[str, TaskFinished]
    logs: dict[str, list[str]]

    def result(self, path: str) -> Mapping[str, Any]:
        ev = self.finished[path]
        assert ev.state == TaskState.DONE, ev.failure.describe() if ev.failure else ev.state
        return ev.result or {}

    def state(self, path: str) -> TaskState:
        return self.finished[path].state

    def reason(self, path: str) -> str:
        ev = self.finished[path]
        return ev.failure.describe() if ev.failure else str((ev.result or {}).get("reason", ""))


@dataclass
class Watcher:
    """A listener keeping every event; signals waiting tests."""

    events: list[Event] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, events: list[Event]) -> None:
        with self.cond:
            self.events.extend(events)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 30.0) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: predicate(self.events), timeout), "timed out waiting"


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(EngineConfig(workers=2)) as e:
        yield e


def run_job(
    engine: Engine,
    job: str,
    paths: Sequence[str],
    params: Mapping[str, Any] | None = None,
    output: OutputPolicy | None = None,
    timeout: float | None = None,
    retries: int = 0,
) -> Run:
    """Run one batch to its end and return what every task said."""
    watcher = Watcher()
    engine.add_listener(watcher)
    try:
        spec = BatchSpec(
            job,
            dict(params or {}),
            list(paths),
            BatchOptions(timeout=timeout, retries=retries),
            output=output.to_data() if output else None,
        )
        handle = engine.submit(spec)
        assert handle.wait(120) is not None, "batch did not finish"
    finally:
        engine.remove_listener(watcher)
    by_id = dict(zip(handle.task_ids, paths, strict=True))
    finished = {by_id[e.task_id]: e for e in watcher.events if isinstance(e, TaskFinished)}
    logs: dict[str, list[str]] = {p: [] for p in paths}
    for e in watcher.events:
        if isinstance(e, TaskLog):
            logs[by_id[e.task_id]].append(e.text)
    return Run(list(paths), finished, logs)


def out_policy(tmp_path, **kw) -> OutputPolicy:
    """Outputs in tmp_path/out, mirroring the inputs below tmp_path/in."""
    kw.setdefault("folder", str(tmp_path / "out"))
    kw.setdefault("roots", (str(tmp_path / "in"),))
    return OutputPolicy(**kw)


def write(path, data: bytes) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def tree(folder) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``folder`` with its size and mtime (ns)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            found[os.path.relpath(p, folder)] = (st.st_size, st.st_mtime_ns)
    return found


def leftovers(folder) -> list[str]:
    """Temporary or backup files Brigade might have left."""
    return [p for p in tree(folder) if ".brigade-tmp" in p or ".brigade-bak" in p]


__all__ = [
    "NAMES",
    "Run",
    "TaskProgress",
    "TaskStarted",
    "Watcher",
    "leftovers",
    "out_policy",
    "run_job",
    "tree",
    "write",
]
