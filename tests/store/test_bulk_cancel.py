"""Queued tasks cancelled at once: a history mark that counts, reads, resume, retry and export honour."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading

import pytest

from core.engine import Engine, EngineConfig
from core.events import BatchFinished
from core.model import BatchSpec, TaskState
from core.store import JobStore
from tests.store.conftest import JOB, make_files, spec_for

pytestmark = pytest.mark.timeout(120)


def rows_of(db: str, batch_id: int) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM tasks WHERE batch_id = ?", (batch_id,)).fetchone()[0]


def paused_batch_of(engine: Engine, spec: BatchSpec):
    engine.pause()
    handle = engine.submit(spec)
    handle.wait_accepted(10)
    return handle


def paused_batch(engine: Engine, n: int):
    return paused_batch_of(engine, BatchSpec(JOB, {"lines": 0}, [f"/nowhere/f{i:06d}.bin" for i in range(n)]))


def test_cancelling_a_queued_batch_writes_a_mark_not_a_row_per_task(store, db):
    n = 100_000
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = paused_batch(engine, n)
        engine.cancel_batch(handle.batch_id)
        assert handle.wait(30) is not None
    bid = handle.batch_id
    batch = store.batch(bid)
    assert batch.status == "finished" and batch.counts[TaskState.CANCELLED] == n
    assert rows_of(db, bid) < 100  # the tasks' state is the list's mark, not a million rows

    page = store.tasks(bid, {TaskState.CANCELLED}, limit=3, offset=n - 3)
    assert [(t.index, t.state, t.path) for t in page] == [
        (i, TaskState.CANCELLED, f"/nowhere/f{i:06d}.bin") for i in range(n - 3, n)
    ]
    assert all(t.ended for t in page) and not store.tasks(bid, {TaskState.QUEUED}, limit=1)
    assert store.task(handle.task_ids[-1]).state == TaskState.CANCELLED
    assert store.resume_spec(bid) is None  # nothing is left queued
    again = store.retry_spec(bid, failed=False, cancelled=True)
    assert again is not None and list(again.task_ids) == list(handle.task_ids)

    out = io.StringIO()
    assert store.export(bid, "csv", out) == n
    states = {row["state"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert states == {"cancelled"}


def test_removed_tasks_stay_cancelled_and_the_rest_resumes(db, tmp_path):
    make_files(tmp_path / "in", 40)
    spec = spec_for(tmp_path / "in", JOB, {"lines": 0})
    store = JobStore.open(db)
    try:
        with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
            handle = paused_batch_of(engine, spec)
            ids = handle.task_ids
            engine.remove(ids[10:20])  # a span in the middle
            engine.remove(ids[30:])  # the rest of the list
        bid = handle.batch_id
        batch = store.batch(bid)
        assert batch.status == "stopped"
        assert batch.counts[TaskState.CANCELLED] == 20 and batch.counts[TaskState.QUEUED] == 20
        spec = store.resume_spec(bid)
        assert spec is not None and list(spec.task_ids) == [*ids[:10], *ids[20:30]]
        with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
            assert engine.submit(spec).wait(60) is not None
        batch = store.batch(bid)
        assert batch.counts[TaskState.DONE] == 20 and batch.counts[TaskState.CANCELLED] == 20
        cancelled = store.tasks(bid, {TaskState.CANCELLED})
        assert [t.id for t in cancelled] == [*ids[10:20], *ids[30:]]
    finally:
        store.close()


def test_tasks_retried_after_a_bulk_cancel_run_and_the_counts_follow(store, tmp_path):
    make_files(tmp_path / "in", 30)
    spec = spec_for(tmp_path / "in", JOB, {"lines": 0})
    ends: list[BatchFinished] = []
    ended = threading.Condition()

    def listen(events) -> None:
        with ended:
            ends.extend(e for e in events if isinstance(e, BatchFinished))
            ended.notify_all()

    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        engine.add_listener(listen)
        handle = paused_batch_of(engine, spec)
        engine.cancel_batch(handle.batch_id)
        ids = handle.task_ids
        engine.retry(ids[25:])
        engine.resume()
        with ended:
            assert ended.wait_for(lambda: len(ends) == 2, 30)  # cancelled, then the retried tasks ran
    batch = store.batch(handle.batch_id)
    assert batch.counts[TaskState.DONE] == 5 and batch.counts[TaskState.CANCELLED] == 25
    assert [t.id for t in store.tasks(handle.batch_id, {TaskState.DONE})] == list(ids[25:])


def test_a_schema_6_database_gains_the_marks_and_a_mark_goes_with_its_list(tmp_path):
    from core.store import inputs, schema

    path = str(tmp_path / "old.sqlite3")
    schema.connect(path, upto=6).close()
    conn = schema.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST == 7
        with schema.transaction(conn):
            conn.execute(
                "INSERT INTO input_lists (batch_id, start, format, cwd, paths) VALUES (1, 0, 1, '/', x'')"
            )
            inputs.cancel_rest(conn, 1, inputs.CancelMark(50, 1.0))
            inputs.cancel_rest(
                conn, 1, inputs.CancelMark(80, 2.0)
            )  # a later mark further on: the first stays
        assert inputs.cancel_mark(conn, 1) == inputs.CancelMark(50, 1.0)
        with schema.transaction(conn):
            inputs.delete(conn, 1)
        assert inputs.cancel_mark(conn, 1) is None
    finally:
        conn.close()
