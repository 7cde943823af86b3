"""The records that cross threads and processes: fields in their order, pickling, equality, hashing."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from core.engine import wire
from core.engine.api import EngineConfig
from core.engine.fault import EngineFault
from core.events import TaskFinished, TaskLog
from core.model import BatchOptions, BatchSpec, Failure, FailureKind, TaskState


def _finished() -> TaskFinished:
    failure = Failure(FailureKind.EXIT, "killed by SIGKILL", exit_code=-9, retryable=True)
    return TaskFinished(7, 3, TaskState.FAILED, None, failure, 1.0, 2.5, 2, 4242, 1, ("out",), 10, 9.0, "x")


def test_positional_fields_keep_their_order():
    event = _finished()
    assert [f.name for f in dataclasses.fields(event)] == [
        "task_id", "seq", "state", "result", "failure", "started", "ended",
        "attempt", "pid", "log_dropped", "outputs", "size", "mtime", "line",
    ]  # fmt: skip
    assert (event.task_id, event.pid, event.line) == (7, 4242, "x")


@pytest.mark.parametrize(
    "record",
    [
        _finished(),
        TaskLog(1, 2, 20, 3.0, "text"),
        BatchSpec("checksum", {"algorithm": "sha256"}, ["a", "b"], BatchOptions(timeout=2.0), sizes=[1, 2]),
        EngineConfig(workers=2, lines="json"),
        EngineFault("loop", "IndexError: boom", "Traceback ..."),
    ],
    ids=lambda r: type(r).__name__,
)
def test_records_pickle_to_equal_records(record):
    copy = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    assert copy == record and copy is not record
    assert not hasattr(copy, "__dict__")  # slots: no per-record dict


def test_values_are_frozen_and_hashable_and_events_are_not_hashable():
    config = EngineConfig(workers=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.workers = 3  # type: ignore[misc]
    assert hash(config) == hash(EngineConfig(workers=2))
    with pytest.raises(TypeError):
        hash(_finished())


def test_config_refuses_a_worker_count_out_of_range():
    with pytest.raises(ValueError, match="workers must be"):
        EngineConfig(workers=-1)


def test_replace_shares_the_paths_and_refuses_unknown_fields():
    paths = ["a", "b"]
    spec = BatchSpec("checksum", {}, paths)
    assert spec.replace(job="noop").paths is paths
    assert spec.options == BatchOptions() and spec.extra == {}
    with pytest.raises(TypeError):
        spec.replace(nope=1)


def test_a_done_message_reads_as_the_event_of_its_fields():
    failure = Failure(FailureKind.EXIT, "killed by SIGKILL", exit_code=-9, retryable=True)
    done = (wire.DONE, 7, 3, int(TaskState.FAILED), None, failure, 1.0, 2.5, 1, ("out",), 2, 10, 9.0, "x")
    event = wire.task_finished(done, 4242)
    assert event == _finished()
    assert event.state is TaskState.FAILED


def test_a_batch_narrowed_to_some_tasks_keeps_their_ids_sizes_and_mtimes_in_order():
    spec = BatchSpec("checksum", {}, ["a", "b", "c", "d"], task_ids=[11, 12, 13, 14], sizes=[1, 2, 3, 4])
    spec.mtimes = [10.0, 20.0, 30.0, 40.0]
    narrowed = spec.only({14, 12, 99})
    assert (narrowed.paths, narrowed.task_ids) == (["b", "d"], [12, 14])
    assert (narrowed.sizes, narrowed.mtimes) == ([2, 4], [20.0, 40.0])
    assert (narrowed.job, narrowed.batch_id) == (spec.job, spec.batch_id)
    assert spec.only(set()).paths == []
    with pytest.raises(ValueError, match="task ids"):
        BatchSpec("checksum", {}, ["a"]).only({1})
