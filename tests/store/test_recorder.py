"""The recorder under a real engine: results, log lines, paths, bounds, retry and resume."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading

import pytest

from core.engine import Engine, EngineConfig
from core.events import TaskFinished, TaskStarted
from core.model import BatchOptions, BatchSpec, FailureKind, TaskState
from core.store import JobStore, StoreRecorder
from tests.store.conftest import JOB, make_files, run_spec, spec_for
from tests.store.jobs import read_counts

pytestmark = pytest.mark.timeout(120)


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_a_batch_is_recorded_with_results_logs_and_counts(store, tmp_path):
    paths = make_files(tmp_path / "in", 20)
    spec = spec_for(tmp_path / "in", JOB, {"lines": 3})
    batch_id, finished = run_spec(store, spec)
    assert finished.counts[TaskState.DONE] == 20

    batch = store.batch(batch_id)
    assert batch.status == "finished" and batch.total == 20 and batch.job == JOB
    assert batch.counts[TaskState.DONE] == 20 and batch.duration > 0 and batch.finished
    tasks = store.tasks(batch_id)
    assert [t.path for t in tasks] == sorted(paths)
    assert [t.index for t in tasks] == list(range(20))
    assert [t.id for t in tasks] == list(range(tasks[0].id, tasks[0].id + 20))  # one contiguous range
    for t in tasks:
        assert t.state == TaskState.DONE and t.attempts == 1 and t.pid and t.duration is not None
        assert t.result["digest"] == sha256(t.path)
        assert t.size == os.path.getsize(t.path) and t.mtime == os.stat(t.path).st_mtime
        lines = store.log_lines(t.id)
        assert [(ln.attempt, ln.text) for ln in lines] == [
            (1, f"line {i} of {os.path.basename(t.path)}") for i in range(3)
        ]
    assert store.tasks(batch_id, {TaskState.FAILED}) == []
    assert len(store.tasks(batch_id, {TaskState.DONE}, limit=5, offset=15)) == 5


def test_what_finished_is_committed_once_a_batch_has_nothing_left_to_hand_out(store, db, tmp_path):
    # Then the batch's end has only its last tasks to write.
    make_files(tmp_path / "in", 30)
    spec = spec_for(tmp_path / "in", JOB, {"delay": 0.02, "lines": 0})
    finished: list[int] = []
    settled: list[tuple[int, int]] = []

    class Watching(StoreRecorder):
        def flush(self, reason: str) -> None:
            super().flush(reason)
            if reason != "handed out":
                return
            (batch,) = store.batches()  # read through the store's own connection
            settled.append((len(finished), len(store.tasks(batch.id, {TaskState.DONE}))))

    with Engine(EngineConfig(workers=2), recorder=Watching(db)) as engine:
        engine.add_listener(lambda events: finished.extend(1 for e in events if type(e) is TaskFinished))
        assert engine.submit(spec).wait(60) is not None
    # Once, or again when a chunk taken back from a busy worker is handed out anew.
    assert settled and all(0 < seen < 30 for seen, _ in settled)  # tasks still ran
    assert all(committed == seen for seen, committed in settled)  # every finished one was committed


def test_a_new_batch_is_committed_before_its_first_task_is_handed_out(store, db, tmp_path):
    paths = make_files(tmp_path / "in", 5)
    recorder = store.recorder()
    recorder.start()
    try:
        batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, paths))
        assert store.batch(batch_id).total == 5  # no commit of the recorder was needed
        assert [t.path for t in store.tasks(batch_id)] == paths
        recorder.record([TaskStarted(ids[0], 1, 7, 1_700_000_000.0, 1)])
        recorder.flush("test")
    finally:
        recorder.close()
    assert store.tasks(batch_id)[0].state == TaskState.FAILED  # stopped while it ran
    assert store.tasks(batch_id)[0].label == "interrupted"


def test_inputs_queued_without_a_stat_get_the_size_and_mtime_their_worker_saw(store, tmp_path):
    paths = make_files(tmp_path / "in", 6, size=96)
    spec = spec_for(tmp_path / "in")
    spec = BatchSpec(spec.job, spec.params, spec.paths, spec.options)  # as the CLI's quick walk gives it
    batch_id, _ = run_spec(store, spec)
    for t in store.tasks(batch_id):
        st = os.stat(t.path)
        assert (t.size, t.mtime) == (st.st_size, st.st_mtime) == (96, st.st_mtime)
        assert not t.changed
    assert sorted(t.path for t in store.tasks(batch_id)) == sorted(paths)


def test_a_task_queued_without_a_stat_is_not_flagged_as_changed_when_resumed(store, tmp_path):
    make_files(tmp_path / "in", 3)
    spec = spec_for(tmp_path / "in")
    recorder = store.recorder()
    recorder.start()
    batch_id, _ = recorder.open_batch(BatchSpec(spec.job, spec.params, spec.paths, spec.options))
    recorder.close()  # as a run stopped before any task started
    assert [t.size for t in store.tasks(batch_id)] == [None, None, None]
    again = store.resume_spec(batch_id)
    assert again is not None and again.sizes is not None
    recorder = store.recorder()
    recorder.start()
    recorder.open_batch(again)
    recorder.close()
    assert [t.changed for t in store.tasks(batch_id)] == [False, False, False]


def test_undecodable_names_come_back_identical(store, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"caf\xe9 \xff.bin")
    with open(raw, "wb") as f:
        f.write(b"bytes")
    (folder / "日本語.txt").write_text("text")
    batch_id, _ = run_spec(store, spec_for(folder))
    tasks = store.tasks(batch_id)
    by_name = {os.path.basename(t.path): t for t in tasks}
    odd = by_name[os.fsdecode(b"caf\xe9 \xff.bin")]
    assert os.fsencode(odd.path) == raw and odd.state == TaskState.DONE
    assert by_name["日本語.txt"].state == TaskState.DONE
    with sqlite3.connect(store.path) as conn:
        kinds = dict(conn.execute("SELECT id, typeof(path) FROM tasks WHERE batch_id = ?", (batch_id,)))
    assert kinds == {odd.id: "blob", by_name["日本語.txt"].id: "text"}  # readable TEXT unless it cannot be


def test_log_lines_are_bounded_per_task_and_the_rest_counted(store, tmp_path):
    make_files(tmp_path / "in", 3)
    spec = spec_for(tmp_path / "in", JOB, {"lines": 12}, BatchOptions(log_limit=5))
    batch_id, _ = run_spec(store, spec)
    for t in store.tasks(batch_id):
        assert len(store.log_lines(t.id)) == 5
        assert t.log_dropped == 7


def test_a_retry_keeps_every_attempt_and_its_log_lines_apart(store, tmp_path):
    make_files(tmp_path / "in", 4)
    marker = tmp_path / "marker"
    spec = spec_for(tmp_path / "in", JOB, {"lines": 2, "fail_unless": str(marker)})
    batch_id, finished = run_spec(store, spec)
    assert finished.counts[TaskState.FAILED] == 4
    first = store.tasks(batch_id)
    assert all(t.failure.kind == FailureKind.ERROR and "marker" in t.failure.message for t in first)
    assert store.resume_spec(batch_id) is None  # failed is not interrupted: resume has nothing to do

    marker.write_text("now it works")
    again = store.retry_spec(batch_id)
    assert list(again.task_ids) == [t.id for t in first] and again.batch_id == batch_id
    run_spec(store, again)
    batch = store.batch(batch_id)
    assert batch.status == "finished" and batch.counts[TaskState.DONE] == 4
    for t in store.tasks(batch_id):
        assert t.state == TaskState.DONE and t.attempts == 2 and t.failure is None
        attempts = [(ln.attempt, ln.seq) for ln in store.log_lines(t.id)]
        assert len(attempts) == 4 and len(set(attempts)) == 4
        assert {a for a, _ in attempts} == {1, 2}
    assert store.retry_spec(batch_id) is None


def _stop_after(engine: Engine, done: int) -> threading.Event:
    """Set an event once ``done`` tasks finished (listener on the engine thread)."""
    reached = threading.Event()
    seen = [0]

    def listener(events):
        seen[0] += sum(1 for ev in events if isinstance(ev, TaskFinished))
        if seen[0] >= done:
            reached.set()

    engine.add_listener(listener)
    return reached


def test_resume_runs_only_unfinished_tasks_and_flags_changed_inputs(store, tmp_path):
    paths = make_files(tmp_path / "in", 12)
    counter = str(tmp_path / "runs.txt")
    spec = spec_for(tmp_path / "in", JOB, {"counter": counter, "delay": 0.15, "lines": 1})
    engine = Engine(EngineConfig(workers=1), recorder=store.recorder()).start()
    reached = _stop_after(engine, 3)
    handle = engine.submit(spec)
    assert reached.wait(30)
    engine.shutdown(interrupt=True, timeout=0)
    batch_id = handle.batch_id
    batch = store.batch(batch_id)
    assert batch.status == "stopped"
    done_before = {t.id: t for t in store.tasks(batch_id, {TaskState.DONE})}
    assert 3 <= len(done_before) < 12

    resume = store.resume_spec(batch_id)
    assert resume is not None and not set(resume.task_ids) & set(done_before)
    assert len(resume.task_ids) == 12 - len(done_before)
    edited = resume.paths[-1]
    with open(edited, "ab") as f:
        f.write(b"changed after queueing")
    resume = store.resume_spec(batch_id)  # stat again: the edit is seen
    run_spec(store, resume)

    tasks = {t.id: t for t in store.tasks(batch_id)}
    assert all(t.state == TaskState.DONE for t in tasks.values())
    assert store.batch(batch_id).status == "finished"
    runs = read_counts(counter)
    for tid, before in done_before.items():
        assert runs[before.path] == 1 and tasks[tid].result == before.result  # never run again
    assert [t.path for t in tasks.values() if t.changed] == [edited]
    assert tasks[resume.task_ids[-1]].result["digest"] == sha256(edited)
    assert set(runs) == set(paths)


def test_done_tasks_are_refused_in_a_resumed_spec(store, tmp_path):
    make_files(tmp_path / "in", 2)
    batch_id, _ = run_spec(store, spec_for(tmp_path / "in"))
    tasks = store.tasks(batch_id)
    bad = spec_for(tmp_path / "in").replace(batch_id=batch_id, task_ids=[t.id for t in tasks])
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = engine.submit(bad)
        with pytest.raises(Exception, match="some tasks are done"):
            handle.wait_accepted(30)
    assert all(t.attempts == 1 for t in store.tasks(batch_id))


def test_prune_by_count_and_by_age(store, tmp_path):
    make_files(tmp_path / "in", 2)
    ids = [run_spec(store, spec_for(tmp_path / "in", JOB, {"lines": 1}), workers=1)[0] for _ in range(3)]
    doomed_tasks = [t.id for t in store.tasks(ids[0])]
    assert store.prune(keep=2) == 1
    assert [b.id for b in store.batches()] == ids[:0:-1]
    assert store.task(doomed_tasks[0]) is None and store.log_lines(doomed_tasks[0]) == []
    assert store.prune(older_than_days=1) == 0
    assert store.prune(older_than_days=0) == 2
    assert store.batches() == []
    new_id, _ = run_spec(store, spec_for(tmp_path / "in"), workers=1)
    assert new_id > ids[-1]  # batch ids are never reused after a prune
    assert store.tasks(new_id)[0].id > doomed_tasks[-1]


def test_export_csv_and_json_have_one_row_per_task(store, tmp_path):
    import csv
    import io
    import json

    make_files(tmp_path / "in", 5)
    batch_id, _ = run_spec(store, spec_for(tmp_path / "in"))
    out = io.StringIO()
    assert store.export(batch_id, "csv", out) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 5 and {r["state"] for r in rows} == {"done"}
    assert all(r["digest"] == sha256(r["path"]) for r in rows)
    assert {"path", "state", "reason", "attempts", "duration", "outputs"} <= set(rows[0])
    out = io.StringIO()
    assert store.export(batch_id, "json", out) == 5
    records = json.loads(out.getvalue())
    assert [r["path"] for r in records] == [r["path"] for r in rows]
    assert all(r["result"]["digest"] == sha256(r["path"]) for r in records)


def test_a_store_that_fails_at_engine_start_leaves_the_engine_running(tmp_path):
    make_files(tmp_path / "in", 3)
    db = str(tmp_path / "h.sqlite3")
    store = JobStore.open(db)
    recorder = store.recorder()
    store.close()
    os.remove(db)
    os.mkdir(db)  # now a folder: the engine thread cannot open it
    with Engine(EngineConfig(workers=1), recorder=recorder) as engine:
        finished = engine.submit(spec_for(tmp_path / "in")).wait(30)
    assert finished.counts[TaskState.DONE] == 3 and recorder.error


def test_a_retry_in_the_same_engine_reopens_and_ends_the_batch_again(store, tmp_path):
    make_files(tmp_path / "in", 3)
    marker = tmp_path / "marker"
    spec = spec_for(tmp_path / "in", JOB, {"lines": 1, "fail_unless": str(marker)})
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = engine.submit(spec)
        assert handle.wait(30).counts[TaskState.FAILED] == 3
        assert store.batch(handle.batch_id).status == "finished"
        marker.write_text("ok")
        ended = threading.Event()
        engine.add_listener(lambda evs: any(type(e).__name__ == "BatchFinished" for e in evs) and ended.set())
        engine.retry_failed(handle.batch_id)
        assert ended.wait(30)
    batch = store.batch(handle.batch_id)
    assert batch.status == "finished" and batch.counts[TaskState.DONE] == 3
    for t in store.tasks(handle.batch_id):
        assert t.attempts == 2 and [ln.attempt for ln in store.log_lines(t.id)] == [1, 2]


@pytest.mark.parametrize(
    "path",
    [
        "x.txt",
        "a/x.txt",
        "a/b/x.txt",
        "./x.txt",
        "a/../x.txt",
        "a//x.txt",
        "../up/x.txt",
        "a/.",
        "a/..",
        "a/",
        "/abs/x",
    ],
)
def test_inputs_are_stored_absolute_as_normpath_makes_them(path):
    from core.store.inputs import Inputs

    cwd = os.path.join(os.sep, "work", "here")
    made = Inputs(1, 1, [path], cwd)
    assert made.absolute(path) == os.path.normpath(os.path.join(cwd, path))
    assert made.absolute(path) == os.path.normpath(os.path.join(cwd, path))  # again, from its folder


def test_views_of_a_running_batch_list_the_tasks_whose_rows_are_not_written_yet(store, db, tmp_path):
    import io

    from core.store.recorder import IDLE_ROWS

    total = IDLE_ROWS + 2000
    paths = [str(tmp_path / "in" / f"d{i // 1000}" / f"f{i:05d}.bin") for i in range(total)]
    sizes, mtimes = [i % 97 + 1 for i in range(total)], [1_600_000_000.0 + i for i in range(total)]
    recorder = store.recorder()
    recorder.start()
    try:
        batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, paths, sizes=sizes, mtimes=mtimes))
        now = 1_700_000_000.0
        result = {"digest": "ab" * 32, "algorithm": "sha256", "bytes": 1}
        recorder.record(
            [
                TaskFinished(tid, 1, TaskState.DONE, result, None, now, now + 1, 1, 42, 0, (), 1, now)
                for tid in ids[:3]
            ]
        )
        recorder.flush("idle")  # commits the three, then writes one idle step of queued rows
        written = _rows_written(db, batch_id)
        assert 3 <= written < total  # rows are missing: the views must fill them in

        rows = store.tasks(batch_id)
        assert [r.id for r in rows] == list(ids)
        assert [r.path for r in rows] == paths
        assert [r.state for r in rows] == [TaskState.DONE] * 3 + [TaskState.QUEUED] * (total - 3)
        assert [(r.size, r.mtime) for r in rows[3:]] == list(zip(sizes, mtimes, strict=True))[3:]
        assert rows[0].result == result and rows[-1].result is None
        queued = store.tasks(batch_id, [TaskState.QUEUED])
        assert queued == rows[3:]
        # Pages that end, start or straddle where the written rows stop.
        for offset, limit in (
            (0, 10),
            (written - 10, 20),
            (written - 3, 3),
            (written + 5, 7),
            (total - 5, 50),
        ):
            assert store.tasks(batch_id, [TaskState.QUEUED], limit, offset) == queued[offset : offset + limit]
            assert store.tasks(batch_id, None, limit, offset) == rows[offset : offset + limit]
        assert store.tasks(batch_id, [TaskState.DONE]) == rows[:3]
        assert store.task(ids[-1]) == rows[-1]
        assert store.batch(batch_id).counts[TaskState.QUEUED] == total - 3
        assert store.batch(batch_id).counts[TaskState.DONE] == 3
        assert [t.id for t in store.iter_tasks(batch_id)] == list(ids)
        assert store.export(batch_id, "csv", io.StringIO()) == total
    finally:
        recorder.close()  # the run stops: its queued tasks keep no row, nothing is written now
    assert _rows_written(db, batch_id) == written
    assert store.batch(batch_id).status == "stopped"
    assert store.tasks(batch_id) == rows

    # A resume runs every task not done, and first writes the missing rows with their
    # queue-time sizes: the inputs are gone, so each is flagged as changed.
    resume = store.resume_spec(batch_id)
    assert resume is not None and list(resume.task_ids) == list(ids[3:])
    again = store.recorder()
    again.start()
    try:
        again.open_batch(resume)
    finally:
        again.close()
    assert _rows_written(db, batch_id) == total
    assert all(t.changed for t in store.tasks(batch_id)[3:])


def _rows_written(db: str, batch_id: int) -> int:
    with sqlite3.connect(db) as raw:
        return raw.execute("SELECT count(*) FROM tasks WHERE batch_id = ?", (batch_id,)).fetchone()[0]
