"""The queue as units: cancelling queued tasks in bulk, removing queued tasks, moving batches."""

from __future__ import annotations

import os

from core.engine import Engine, EngineConfig
from core.events import QueueOrdered, TaskFinished, TasksCancelled
from core.model import TaskState
from tests.engine.conftest import Collector, faulty_spec, make_files


def _engine(start_method, workers=1):
    return Engine(EngineConfig(workers=workers, start_method=start_method))


def test_cancelling_a_queued_batch_is_one_event_of_ranges(start_method):
    n = 200_000
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        engine.pause()
        handle = engine.submit(faulty_spec([f"/nowhere/f{i}.txt" for i in range(n)], "cooperative"))
        handle.wait_accepted(10)
        engine.cancel_batch(handle.batch_id)
        result = handle.wait(30)
    bulk = [e for e in col.events if isinstance(e, TasksCancelled)]
    assert [(e.batch_id, e.spans) for e in bulk] == [(handle.batch_id, (handle.task_ids,))]
    assert not [e for e in col.events if isinstance(e, TaskFinished)]
    assert result.counts[TaskState.CANCELLED] == n and result.counts[TaskState.QUEUED] == 0


def test_remove_takes_queued_tasks_out_and_leaves_a_started_one_running(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt"] + [f"q{i}.txt" for i in range(6)])
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "cooperative", seconds=60.0))
        handle.wait_accepted(10)
        ids = handle.task_ids
        col.wait_for(lambda: ids[0] in col.started)
        engine.remove(ids[:4])
        col.wait_for(lambda: all(t in col.finished for t in ids[1:4]))
        assert ids[0] not in col.finished  # started: removing leaves it running
        engine.cancel([ids[0]])
        result = handle.wait(30)
    assert [col.finished[t].state for t in ids[:4]] == [TaskState.CANCELLED] * 4
    assert not set(ids[1:4]) & set(col.started)
    assert result.counts[TaskState.DONE] == 3


def test_a_batch_moved_up_is_served_first(start_method, tmp_path):
    first = make_files(tmp_path, [f"a{i}.txt" for i in range(4)])
    second = make_files(tmp_path, [f"b{i}.txt" for i in range(4)])
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        engine.pause()
        a = engine.submit(faulty_spec(first, "cooperative"))
        b = engine.submit(faulty_spec(second, "cooperative"))
        a_id, b_id = a.wait_accepted(10), b.wait_accepted(10)
        engine.move_batch(b_id, -1)
        engine.move_batch(b_id, -1)  # already first: nothing moves
        engine.resume()
        assert a.wait(30) is not None and b.wait(30) is not None
    orders = [e.order for e in col.events if isinstance(e, QueueOrdered)]
    assert orders == [(b_id, a_id)]
    ended = [e.task_id for e in col.events if isinstance(e, TaskFinished)]
    assert ended == [*b.task_ids, *a.task_ids]


def test_inputs_given_as_skipped_end_skipped_with_why_and_never_run(start_method, tmp_path):
    paths = make_files(tmp_path, ["a.txt", "b.txt"])
    # A FIFO would hang a worker that opened it: it must never reach one.
    os.mkfifo(tmp_path / "pipe")
    why = "a FIFO (named pipe): never opened"
    spec = faulty_spec(paths, "ok").with_skipped([(str(tmp_path / "pipe"), why)])
    assert spec.paths[0] == str(tmp_path / "pipe") and spec.skipped == {0: why}
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        handle = engine.submit(spec)
        result = handle.wait(30)
    fifo, *files = handle.task_ids
    assert col.finished[fifo].state == TaskState.SKIPPED
    assert col.finished[fifo].result == {"reason": why}
    assert fifo not in col.started
    assert [col.finished[t].state for t in files] == [TaskState.DONE, TaskState.DONE]
    assert result.counts[TaskState.SKIPPED] == 1 and result.counts[TaskState.DONE] == 2
