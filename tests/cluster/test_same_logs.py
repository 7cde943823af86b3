"""A job logs the same lines on both backends: the local engine and a Dask cluster (``local:N``)."""

from __future__ import annotations

import logging
import shlex

import pytest

from core.cluster import ClusterConfig, DaskEngine
from core.engine import Engine, EngineConfig
from core.events import TaskLog
from core.model import BatchSpec, TaskState
from tests.cluster.conftest import Collector, make_files

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(120)]

# Its output comes from the command job's reader threads, not from the thread running the task.
COMMAND = 'sh -c \'echo out "$0"; echo err "$0" >&2; echo more "$0"\' {}'


def _backend(kind: str):
    if kind == "local engine":
        return Engine(EngineConfig(workers=2))
    return DaskEngine(ClusterConfig("local:2"))


@pytest.mark.parametrize("kind", ["local engine", "local:2"])
def test_a_command_job_logs_its_command_and_output(kind, tmp_path):
    paths = make_files(tmp_path, 3)
    collector = Collector()
    with _backend(kind) as engine:
        engine.add_listener(collector)
        handle = engine.submit(BatchSpec("command", {"command": COMMAND}, paths))
        result = handle.wait(60)
        ids = dict(zip(handle.task_ids, paths, strict=True))
    assert result.counts[TaskState.DONE] == 3
    lines: dict[str, set[tuple[int, str]]] = {p: set() for p in paths}
    for ev in collector.of(TaskLog):
        lines[ids[ev.task_id]].add((ev.level, ev.text))
    for path in paths:
        script = 'echo out "$0"; echo err "$0" >&2; echo more "$0"'
        assert lines[path] == {
            (logging.INFO, "$ " + shlex.join(["sh", "-c", script, path])),
            (logging.INFO, f"out {path}"),
            (logging.WARNING, f"err {path}"),
            (logging.INFO, f"more {path}"),
        }
