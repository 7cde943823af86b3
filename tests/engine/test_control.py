"""Pause, resume, cancel, retry, worker count, recycling and shutdown on a live pool."""

from __future__ import annotations

import os
import queue
import time

from core.engine import Engine, EngineConfig
from core.events import BatchAccepted, TaskRequeued
from core.model import BatchOptions, TaskState
from tests.engine.conftest import Collector, faulty_spec, make_files, run_faulty


def _engine(start_method, workers=2, **kw):
    return Engine(EngineConfig(workers=workers, start_method=start_method, **kw))


def test_cancel_a_cooperative_running_task_and_queued_ones(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt"] + [f"q{i}.txt" for i in range(6)])
    col = Collector()
    with _engine(start_method, workers=1) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "cooperative", seconds=60.0))
        handle.wait_accepted(10)
        ids = handle.task_ids
        col.wait_for(lambda: ids[0] in col.started)
        engine.cancel([ids[0], ids[3]])
        col.wait_for(lambda: ids[0] in col.finished and ids[3] in col.finished)
        result = handle.wait(30)
    assert col.finished[ids[0]].state == TaskState.CANCELLED
    assert col.finished[ids[3]].state == TaskState.CANCELLED
    assert ids[3] not in col.started  # cancelled while queued: never ran
    assert result.counts[TaskState.DONE] == 5


def test_cancel_a_task_that_ignores_the_flag_kills_it_after_the_grace(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt", "ok.txt"])
    col = Collector()
    with _engine(start_method, workers=1, kill_grace=0.3) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "hang", seconds=60.0))
        handle.wait_accepted(10)
        col.wait_for(lambda: handle.task_ids[0] in col.started)
        engine.cancel([handle.task_ids[0]])
        result = handle.wait(30)
        assert len(engine.worker_pids) == 1
    assert col.finished[handle.task_ids[0]].state == TaskState.CANCELLED
    assert col.finished[handle.task_ids[1]].state == TaskState.DONE
    assert result.counts[TaskState.CANCELLED] == 1


def test_pause_starts_nothing_new_and_resume_finishes_the_batch(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt"] + [f"q{i}.txt" for i in range(20)])
    col = Collector()
    with _engine(start_method, workers=1) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "sleep", seconds=0.5))
        handle.wait_accepted(10)
        col.wait_for(lambda: handle.task_ids[0] in col.started)
        engine.pause()
        col.wait_for(lambda: handle.task_ids[0] in col.finished)
        # Paused, the worker hands back what it has not started: nothing stays in flight.
        # (Without a pause it would run them all, and the batch would end.)
        _wait_until_nothing_in_flight(engine)
        started_while_paused = set(col.started) | set(col.finished)  # tiny tasks: by their end alone
        assert not handle.done
        assert len(started_while_paused) < len(paths)
        _wait_until_nothing_in_flight(engine)  # every event the engine read was delivered
        assert set(col.started) | set(col.finished) == started_while_paused
        engine.resume()
        result = handle.wait(30)
    assert result.counts[TaskState.DONE] == len(paths)
    assert len(col.finished) == len(paths)


def _wait_until_nothing_in_flight(engine, timeout: float = 30.0) -> None:
    """Ask the engine thread, round trip after round trip, until no task is in flight."""
    answers: queue.SimpleQueue[int] = queue.SimpleQueue()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine.call(lambda: answers.put(len(engine._in_flight)))
        if answers.get(timeout=10) == 0:
            return
    raise AssertionError("tasks stayed in flight")


def test_retry_failed_runs_only_the_failed_tasks_again(start_method, corpus, tmp_path):
    counter = tmp_path / "count"
    counter.mkdir()
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(corpus, "raise", counter=str(counter)))
        handle.wait_accepted(10)
        first = handle.wait(30)
        assert first.counts[TaskState.FAILED] == 1
        engine.retry_failed(handle.batch_id)
        bad = handle.task_ids[corpus.index(next(p for p in corpus if p.endswith("bad.txt")))]
        col.wait_for(lambda: any(isinstance(e, TaskRequeued) and e.task_id == bad for e in col.events))
        col.wait_for(
            lambda: (
                sum(
                    1
                    for e in col.events
                    if getattr(e, "task_id", None) == bad and type(e).__name__ == "TaskFinished"
                )
                == 2
            )
        )
    runs = (counter / "runs.log").read_text().split()
    assert runs.count("bad.txt") == 2
    assert len(runs) == len(corpus) + 1


def test_changing_the_worker_count_while_running(start_method, tmp_path):
    paths = make_files(tmp_path, [f"q{i:03d}.txt" for i in range(60)])
    col = Collector()
    with _engine(start_method, workers=1) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "sleep", target="*", seconds=0.0))
        handle.wait_accepted(10)
        engine.set_workers(3)
        # One worker was running before the listener joined; two more start.
        col.wait_for(lambda: sum(1 for e in col.worker_events() if e.exitcode is None) >= 2)
        result = handle.wait(60)
        assert len(engine.worker_pids) == 3
        engine.set_workers(1)
        col.wait_for(lambda: sum(1 for e in col.worker_events() if e.reason == "stopped") >= 2)
        assert len(engine.worker_pids) == 1
    assert result.counts[TaskState.DONE] == 60


def test_workers_are_recycled_after_n_tasks(start_method, tmp_path):
    paths = make_files(tmp_path, [f"q{i:03d}.txt" for i in range(12)])
    col = Collector()
    with _engine(start_method, workers=1, recycle_after=4) as engine:
        engine.add_listener(col)
        result = engine.submit(faulty_spec(paths, "ok")).wait(60)
    pids = {ev.result["pid"] for ev in col.finished.values()}
    assert result.counts[TaskState.DONE] == 12
    assert len(pids) >= 3  # 12 tasks, a fresh worker every 4


def test_workers_above_the_memory_cap_are_replaced(start_method, tmp_path):
    paths = make_files(tmp_path, [f"q{i:03d}.txt" for i in range(6)])
    col = Collector()
    with _engine(start_method, workers=1, memory_cap=1) as engine:  # every worker is above 1 byte
        engine.add_listener(col)
        result = engine.submit(faulty_spec(paths, "ok")).wait(60)
    assert result.counts[TaskState.DONE] == 6
    assert len({ev.result["pid"] for ev in col.finished.values()}) >= 2


def test_shutdown_lets_running_tasks_finish_and_leaves_queued_ones_queued(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt"] + [f"q{i}.txt" for i in range(10)])
    col = Collector()
    engine = _engine(start_method, workers=1).start()
    engine.add_listener(col)
    handle = engine.submit(faulty_spec(paths, "sleep", seconds=0.3))
    handle.wait_accepted(10)
    col.wait_for(lambda: handle.task_ids[0] in col.started)
    engine.shutdown()
    result = handle.wait(5)
    assert result.stopped
    assert col.finished[handle.task_ids[0]].state == TaskState.DONE
    assert result.counts[TaskState.QUEUED] == len(paths) - len(col.finished)
    assert result.counts[TaskState.QUEUED] > 0


def test_shutdown_with_interrupt_stops_running_tasks_as_interrupted(start_method, tmp_path):
    paths = make_files(tmp_path, ["bad.txt", "ok.txt"])
    col = Collector()
    engine = _engine(start_method, workers=1, kill_grace=0.5).start()
    engine.add_listener(col)
    handle = engine.submit(faulty_spec(paths, "sleep", seconds=60.0))
    handle.wait_accepted(10)
    col.wait_for(lambda: handle.task_ids[0] in col.started)
    engine.shutdown(interrupt=True)
    ev = col.finished[handle.task_ids[0]]
    assert ev.state == TaskState.FAILED
    assert ev.failure.kind.value == "interrupted"
    assert handle.wait(5).stopped


def test_an_empty_batch_finishes_at_once(start_method):
    col = Collector()
    with _engine(start_method, workers=1) as engine:
        engine.add_listener(col)
        result = engine.submit(faulty_spec([], "ok")).wait(10)
    assert result is not None and not result.stopped
    assert any(isinstance(e, BatchAccepted) for e in col.events)


def test_print_output_becomes_log_lines(start_method, corpus):
    col = Collector()
    with _engine(start_method) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(corpus, "print"))
        handle.wait_accepted(10)
        handle.wait(30)
    bad = handle.task_ids[[os.path.basename(p) for p in corpus].index("bad.txt")]
    texts = [e.text for e in col.logs(bad)]
    assert texts == ["hello from a task", "partial line without newline"]
    assert all(e.seq > 0 for e in col.logs(bad))


def test_a_million_log_lines_stay_bounded_in_order_and_counted(start_method, tmp_path):
    import tracemalloc

    paths = make_files(tmp_path, ["bad.txt"])
    lines = 1_000_000
    limit = 20_000
    got: list[tuple[int, str]] = []
    col = Collector()

    def keep(events):
        got.extend((e.seq, e.text) for e in events if type(e).__name__ == "TaskLog")

    tracemalloc.start()
    with _engine(start_method, workers=1) as engine:
        engine.add_listener(col)
        engine.add_listener(keep)
        opts = BatchOptions(log_limit=limit)
        handle = engine.submit(faulty_spec(paths, "log", lines=lines, options=opts))
        handle.wait_accepted(10)
        assert handle.wait(120) is not None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ev = col.finished[handle.task_ids[0]]
    assert ev.state == TaskState.DONE
    # The first ``limit`` lines, then the last ``limit // 2`` (sent as the task ends).
    tail = range(lines - limit // 2, lines)
    assert [t for _, t in got] == [f"line {i}" for i in (*range(limit), *tail)]
    assert [s for s, _ in got] == sorted(s for s, _ in got)
    assert ev.log_dropped == lines - limit - len(tail)
    # What the test keeps (20,000 short lines) plus bounded engine buffers.
    assert peak < 40 * 1024 * 1024


def test_a_long_task_never_strands_the_tasks_queued_behind_it(start_method, tmp_path):
    # Nothing is known of the durations at first, so a short task may be queued
    # behind the long one; the idle worker must get it back.
    paths = make_files(tmp_path, ["bad.txt"] + [f"q{i}.txt" for i in range(8)])
    col = Collector()
    with _engine(start_method, workers=2) as engine:
        engine.add_listener(col)
        handle = engine.submit(faulty_spec(paths, "cooperative", seconds=60.0))
        handle.wait_accepted(10)
        slow, quick = handle.task_ids[0], handle.task_ids[1:]
        col.wait_for(lambda: all(t in col.finished for t in quick))
        assert slow not in col.finished  # the others did not wait for it
        engine.cancel([slow])
        assert handle.wait(30).counts[TaskState.DONE] == len(quick)


def test_workers_see_the_environment_the_engine_process_has_now(start_method, corpus, monkeypatch):
    run_faulty(start_method, corpus[:1], "ok")  # a fork server, if any, runs from here on
    monkeypatch.setenv("BRIGADE_TEST_ENV", "set later")
    _, by_path, _, _ = run_faulty(start_method, corpus, "env")
    bad = next(ev for path, ev in by_path.items() if path.endswith("bad.txt"))
    assert bad.result == {"value": "set later"}
