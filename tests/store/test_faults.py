"""History under faults: failed commits, a full disk, results of every JSON kind, huge log lines."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from core.engine import Engine, EngineConfig
from core.engine.lines import LINE_LIMIT
from core.events import BatchFinished, TaskFinished, TaskLog, TaskStarted
from core.model import BatchOptions, BatchSpec, TaskState
from core.store import JobStore, StoreRecorder
from tests.store.conftest import ROOT, cli, make_files

pytestmark = pytest.mark.timeout(120)
RESULTS = "tests.store.jobs:ResultJob"


class FailingCommits:
    """A connection whose COMMITs fail while ``failing`` is set, as a full disk makes them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.failing = 0  # commits still to fail
        self.refused = 0

    def execute(self, sql: str, *args):
        if sql == "COMMIT" and self.failing:
            self.failing -= 1
            self.refused += 1
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def _recorder(db: str) -> tuple[StoreRecorder, FailingCommits]:
    recorder = StoreRecorder.open(db)
    wrapped = FailingCommits(recorder._connection())
    recorder._conn = wrapped  # type: ignore[assignment]
    return recorder, wrapped


def _finished(tid: int, result=None, state=TaskState.DONE) -> TaskFinished:
    now = 1_700_000_000.0
    return TaskFinished(tid, 2, state, result, None, now, now + 1, 0, 42, 1, (), 10, now)


def test_a_commit_that_fails_once_loses_nothing_and_the_counts_are_right(db):
    recorder, conn = _recorder(db)
    seen: list[str] = []
    recorder.add_problem_listener(seen.append)
    batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, [f"/data/f{i}" for i in range(10)]))
    conn.failing = 1
    recorder.record([_finished(t, {"digest": str(t)}) for t in ids[:3]])
    recorder.flush("test")  # refused: the three stay pending
    assert conn.refused == 1 and seen == [
        f"the history database {db} cannot be written: database or disk is full"
    ]
    recorder.record([_finished(t, {"digest": str(t)}) for t in ids[3:]])
    recorder.record([BatchFinished(batch_id, {TaskState.DONE: 10}, False, 1.0)])
    recorder.flush("test")
    recorder.close()
    assert recorder.complete(batch_id)
    with JobStore.open(db) as store:
        batch = store.batch(batch_id)
        assert batch.status == "finished" and batch.counts[TaskState.DONE] == 10
        assert [t.result for t in store.tasks(batch_id)] == [{"digest": str(t)} for t in ids]


def test_history_catches_up_when_space_comes_back_and_the_batch_end_is_never_lost(db):
    recorder, conn = _recorder(db)
    batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, [f"/data/f{i}" for i in range(6)]))
    conn.failing = 1_000_000  # the disk stays full for a while
    recorder.record([TaskStarted(t, 1, 42, 1_700_000_000.0, 1) for t in ids])
    recorder.record([_finished(t, {"n": t}) for t in ids])
    recorder.record([BatchFinished(batch_id, {TaskState.DONE: 6}, False, 1.0)])
    for _ in range(3):
        recorder.flush("test")
    assert not recorder.complete(batch_id) and conn.refused == 4
    with JobStore.open(db) as store:  # nothing claimed: the batch is still running, no task done
        assert store.batch(batch_id).counts[TaskState.DONE] == 0
    conn.failing = 0  # space again
    recorder.flush("test")
    recorder.close()
    assert recorder.complete(batch_id) and len(recorder.problems) == 1
    with JobStore.open(db) as store:
        assert store.batch(batch_id).status == "finished"
        assert store.batch(batch_id).counts[TaskState.DONE] == 6


def test_a_batch_that_could_not_be_written_at_close_is_reported_incomplete(db):
    recorder, conn = _recorder(db)
    batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, ["/data/a", "/data/b"]))
    conn.failing = 1_000_000
    recorder.record([_finished(ids[0]), BatchFinished(batch_id, {TaskState.DONE: 1}, False, 1.0)])
    recorder.close()
    assert not recorder.complete(batch_id)
    assert recorder.problems[-1] == "1 records of this run could not be written"


@pytest.mark.parametrize("kind", ["str", "list", "int", "float", "bool", "none", "dict"])
def test_any_json_result_is_stored_as_it_was_returned(store, tmp_path, kind):
    from tests.store.jobs import ResultJob

    paths = make_files(tmp_path / "in", 2)
    spec = BatchSpec(RESULTS, {"kind": kind}, paths)
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = engine.submit(spec)
        assert handle.wait(60) is not None
    batch = store.batch(handle.batch_id)
    assert batch.status == "finished" and batch.counts[TaskState.DONE] == 2
    assert [t.result for t in store.tasks(handle.batch_id)] == [ResultJob.RESULTS[kind]] * 2


def test_a_result_the_history_cannot_keep_fails_that_task_only(db):
    recorder, _ = _recorder(db)
    batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, ["/data/a", "/data/b", "/data/c"]))
    recorder.record([_finished(ids[0], {"ok": 1}), _finished(ids[1], object()), _finished(ids[2], "fine")])
    recorder.record([BatchFinished(batch_id, {TaskState.DONE: 3}, False, 1.0)])
    recorder.close()
    with JobStore.open(db) as store:
        a, b, c = store.tasks(batch_id)
    assert (a.state, a.result, c.state, c.result) == (TaskState.DONE, {"ok": 1}, TaskState.DONE, "fine")
    assert b.state == TaskState.FAILED and "cannot be stored in the history" in b.reason
    assert "object cannot be stored" in b.reason


def test_one_bad_event_never_drops_the_others(db):
    recorder, _ = _recorder(db)
    batch_id, ids = recorder.open_batch(BatchSpec("checksum", {}, ["/data/a", "/data/b"]))
    broken = TaskLog(ids[0], 1, 20, 1_700_000_000.0, None, 1)  # type: ignore[arg-type]
    recorder.record([broken, _finished(ids[0]), _finished(ids[1])])
    recorder.record([BatchFinished(batch_id, {TaskState.DONE: 2}, False, 1.0)])
    recorder.close()
    assert any("could not be recorded (TaskLog)" in p for p in recorder.problems)
    with JobStore.open(db) as store:
        assert store.batch(batch_id).status == "finished"
        assert store.batch(batch_id).counts[TaskState.DONE] == 2


def test_a_huge_log_line_is_cut_and_says_how_much(store, tmp_path):
    paths = make_files(tmp_path / "in", 1)
    size = 100 * 1024 * 1024
    spec = BatchSpec(RESULTS, {"kind": "none", "line_bytes": size}, paths)
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = engine.submit(spec)
        assert handle.wait(120) is not None
    (task,) = store.tasks(handle.batch_id)
    (line,) = store.log_lines(task.id)
    assert line.text == "x" * LINE_LIMIT + f"... {size - LINE_LIMIT} characters cut"
    assert os.path.getsize(store.path) < 10 * 1024 * 1024


def test_a_task_log_keeps_its_first_and_last_lines_and_counts_the_middle(db):
    recorder, _ = _recorder(db)
    spec = BatchSpec("checksum", {}, ["/data/a"], BatchOptions(log_limit=10))
    batch_id, (tid,) = recorder.open_batch(spec)
    now = 1_700_000_000.0
    for start in range(0, 30, 7):  # over several commits
        recorder.record([TaskLog(tid, i, 20, now, f"line {i}", 1) for i in range(start, min(start + 7, 30))])
        recorder.flush("test")
    recorder.record([_finished(tid), BatchFinished(batch_id, {TaskState.DONE: 1}, False, 1.0)])
    recorder.close()
    with JobStore.open(db) as store:
        texts = [line.text for line in store.log_lines(tid)]
        task = store.task(tid)
    assert texts == [f"line {i}" for i in (*range(5), *range(25, 30))]
    assert task.log_dropped == 20 + 1  # the middle, and the one line the worker reported dropped


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_mid_run_is_reported_in_one_line_per_problem_and_exit_4(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        paths = make_files(tmp_path / "in", 3000, size=32)
        db = str(disk / "h.sqlite3")
        out = subprocess.run(
            cli("run", "-j", "checksum", "-w", "2", "--db", db, str(tmp_path / "in")),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 4, out.stderr
        assert "Traceback" not in out.stderr and "in history" not in out.stderr
        problems = [line for line in out.stderr.splitlines() if line.startswith("history: ")]
        assert problems and len(problems) == len(set(problems)) and "is full" in problems[0]
        assert "history incomplete" in out.stderr
        assert f"{len(paths)} done" in out.stderr  # history failing never stops the work
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_a_long_log_keeps_its_first_and_last_lines_through_a_real_worker(store, tmp_path):
    paths = make_files(tmp_path / "in", 1)
    spec = BatchSpec(RESULTS, {"kind": "none", "lines": 30}, paths, BatchOptions(log_limit=10))
    with Engine(EngineConfig(workers=1), recorder=store.recorder()) as engine:
        handle = engine.submit(spec)
        assert handle.wait(60) is not None
    (task,) = store.tasks(handle.batch_id)
    texts = [line.text for line in store.log_lines(task.id)]
    assert texts == [f"line {i}" for i in (*range(5), *range(25, 30))]  # the final lines are kept
    assert task.log_dropped == 20


# Runs a command and says its exit code and peak RSS. A child's peak RSS counts the process it was
# forked from (a test process may be large), so the CLI is started from this small one.
_MEASURE = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def _run_measured(tmp_path, job: str, *params: str) -> tuple[int, dict, list[str]]:
    """Run one task of ``job`` through the CLI; return its peak RSS (KiB), the task's result and log."""
    (path,) = make_files(tmp_path / "in", 1)
    db = str(tmp_path / "h.sqlite3")
    args = [arg for p in params for arg in ("-p", p)]
    # Workers from the fork server: the CLI's peak (wait4) then counts no worker it forked and reaped.
    args += ["--start-method", "forkserver"]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cli("run", "-j", job, "-w", "1", "--db", db, *args, path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, peak = map(int, out.stdout.split())
    assert code == 0, out.stderr
    with JobStore.open(db) as store:
        (batch,) = store.batches()
        (task,) = store.tasks(batch.id)
        texts = [line.text for line in store.log_lines(task.id)]
    assert os.path.getsize(db) < 10 * 1024 * 1024
    return peak, task.result, texts


def test_a_100_mb_line_from_a_program_is_cut_as_the_worker_reads_it(tmp_path):
    size = 100 * 1024 * 1024
    script = tmp_path / "long_line.py"  # a real program: 100 MB on stdout with no newline, then a line
    script.write_text(
        f"import sys\nfor _ in range({size // 2**20}): sys.stdout.write('x' * 2**20)\n"
        "print('after', file=sys.stderr)\n"
    )
    command = f"command={sys.executable} {script}"
    peak, result, texts = _run_measured(tmp_path, "tests.store.jobs:MeasuredCommand", command)
    # Neither the worker that read the line nor the CLI ever held it: a bounded piece at a time.
    assert result["worker_peak_kib"] < 100 * 1024, f"worker peak {result['worker_peak_kib']} KiB"
    assert peak < 100 * 1024, f"CLI peak {peak} KiB"
    assert "x" * LINE_LIMIT + f"... {size - LINE_LIMIT} characters cut" in texts
    assert "after" in texts


def test_100_mb_printed_without_a_newline_is_cut_in_the_worker(tmp_path):
    peak, result, texts = _run_measured(tmp_path, "tests.store.jobs:PrintingJob", "mib=100")
    assert result["worker_peak_kib"] < 100 * 1024, f"worker peak {result['worker_peak_kib']} KiB"
    assert peak < 100 * 1024, f"CLI peak {peak} KiB"
    assert texts == ["x" * LINE_LIMIT + f"... {100 * 2**20 - LINE_LIMIT} characters cut"]


def test_read_lines_cuts_by_characters_and_keeps_short_lines_whole():
    import io

    from core.engine.lines import read_lines

    wide = "\U0001f600" * (LINE_LIMIT + 100)  # four bytes a character: more than the first read
    just = "é" * (LINE_LIMIT + 10)  # over the limit by less than the marker: kept whole
    data = f"a\r\n\n{wide}\n{just}\nbad \xff\nlast".encode("utf-8", "surrogateescape")
    data = data.replace("\xff".encode(), b"\xff")
    assert list(read_lines(io.BytesIO(data))) == [
        "a",
        "",
        "\U0001f600" * LINE_LIMIT + "... 100 characters cut",
        just,
        "bad \ufffd",
        "last",
    ]


def test_a_100_mb_log_record_is_cut_before_it_leaves_the_worker(tmp_path):
    size = 100 * 2**20
    peak, _, texts = _run_measured(tmp_path, RESULTS, "kind=none", f"line_bytes={size}")
    assert peak < 100 * 1024, f"CLI peak {peak} KiB"
    assert texts == ["x" * LINE_LIMIT + f"... {size - LINE_LIMIT} characters cut"]
