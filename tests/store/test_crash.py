"""SIGKILL the CLI mid-batch: history and progress survive, and resume never re-runs a done task."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from core.model import TaskState
from core.store import JobStore
from tests.store.conftest import JOB, ROOT, cli, make_files
from tests.store.jobs import read_counts

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

FILES = 80


def _poll(db: str, sql: str, until, timeout: float = 60.0):
    """Read the database (its own connection) until ``until(rows)``; bounded in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(db):
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    rows = conn.execute(sql).fetchall()
                if until(rows):
                    return rows
            except sqlite3.OperationalError:
                pass  # schema not created yet
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting on: {sql}")


def _poll_done(db: str, count: int, timeout: float = 60.0) -> list[tuple[int, dict]]:
    """(id, result) of the done tasks, as the history shows them, once there are ``count``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(db):
            with JobStore.open(db) as store:
                batches = store.batches()
                done = store.tasks(batches[0].id, states={TaskState.DONE}) if batches else []
            if len(done) >= count:
                return [(t.id, t.result) for t in done]
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {count} done tasks")


def _kill_group(proc: subprocess.Popen) -> None:
    """The crash: SIGKILL the CLI, then its orphaned workers (same session)."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def test_sigkill_mid_batch_then_resume(tmp_path):
    db = str(tmp_path / "history.sqlite3")
    counter = str(tmp_path / "runs.txt")
    make_files(tmp_path / "in", FILES)
    args = ["run", "-j", JOB, "-w", "2", "--db", db, str(tmp_path / "in")]
    args += ["-p", f"counter={counter}", "-p", "delay=0.08", "-p", "lines=3"]
    proc = subprocess.Popen(cli(*args), cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)
    try:
        seen_done = _poll_done(db, 12)
        seen_logs = _poll(db, "SELECT task_id, attempt, seq, text FROM log_lines", lambda rows: True)
        # The running batch's task rows are not written yet (its journal and input list hold
        # them): the reopening below writes them.
        (rows_written,) = _poll(db, "SELECT count(*) FROM tasks", lambda rows: True)
        # A live process's batch is left alone by another process opening the history.
        with JobStore.open(db) as store:
            (live,) = store.batches()
            assert live.status == "running" and proc.poll() is None
    finally:
        _kill_group(proc)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with JobStore.open(db) as store:
        (batch,) = store.batches()
        assert batch.status == "interrupted" and batch.total == FILES
        assert rows_written[0] < FILES and len(store.tasks(batch.id)) == FILES
        tasks = {t.id: t for t in store.tasks(batch.id)}
        assert not any(t.state == TaskState.RUNNING for t in tasks.values())
        done = {tid for tid, t in tasks.items() if t.state == TaskState.DONE}
        assert len(done) < FILES, "the batch ended before the kill; nothing was tested"
        # Every task seen done before the kill is still done, with its result.
        for tid, result in seen_done:
            assert tid in done and tasks[tid].result == result
        # Every log line seen before the kill is still there.
        with sqlite3.connect(db) as conn:
            lines = set(conn.execute("SELECT task_id, attempt, seq, text FROM log_lines"))
        assert set(seen_logs) <= lines and len(seen_logs) >= 36
        runs_before = read_counts(counter)
        for tid in done:
            assert runs_before[tasks[tid].path] == 1
        left = store.resume_spec(batch.id)
        assert set(left.task_ids) == set(tasks) - done

    out = subprocess.run(cli("resume", str(batch.id), "-w", "2", "--db", db), cwd=ROOT, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"batch {batch.id} in history" in out.stderr

    runs = read_counts(counter)
    with JobStore.open(db) as store:
        final = store.batch(batch.id)
        assert final.status == "finished" and final.counts[TaskState.DONE] == FILES
        for t in store.tasks(batch.id):
            assert t.state == TaskState.DONE
            with open(t.path, "rb") as f:
                assert t.result["digest"] == hashlib.sha256(f.read()).hexdigest()
            if t.id in done:
                assert runs[t.path] == 1, f"done task {t.id} ran again"
                assert t.attempts == 1
            else:
                assert runs[t.path] >= 1
        assert len(runs) == FILES
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILLS = 20
KILL_FILES = 100


def test_sigkill_at_random_instants_then_resume_finishes_with_every_digest_right(tmp_path):
    import random

    rnd = random.Random(20261204)
    folder = tmp_path / "in"
    paths = make_files(folder, KILL_FILES)
    reruns = []
    for run in range(KILLS):
        db = str(tmp_path / f"h{run}.sqlite3")
        counter = str(tmp_path / f"runs{run}.txt")
        args = ["run", "-j", JOB, "-w", "2", "--db", db, str(folder)]
        args += ["-p", f"counter={counter}", "-p", "delay=0.01", "-p", "lines=1"]
        proc = subprocess.Popen(cli(*args), cwd=ROOT, start_new_session=True, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, 1.0))  # the fault: a kill at any instant of the run
        _kill_group(proc)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with JobStore.open(db) as store:
            batches = store.batches()
            if not batches:  # killed before the batch was submitted: then no task ran either
                assert read_counts(counter) == {}
                continue
            (batch,) = batches
            done_before = {t.path for t in store.tasks(batch.id, {TaskState.DONE})}
        changed = sorted(done_before)[:1] if run % 2 else []
        for path in changed:  # an input edited after the kill runs again
            with open(path, "ab") as f:
                f.write(b"edited")
        before = read_counts(counter)
        out = subprocess.run(
            cli("resume", str(batch.id), "-w", "2", "--db", db), cwd=ROOT, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert f"batch {batch.id} in history" in out.stderr or "nothing to resume" in out.stderr
        with JobStore.open(db) as store:
            final = store.batch(batch.id)
            tasks = store.tasks(batch.id)
        assert len(tasks) == KILL_FILES and all(t.state == TaskState.DONE for t in tasks), final.counts
        for t in tasks:
            assert t.result["digest"] == _sha256(t.path)
            assert t.changed == (t.path in changed)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = read_counts(counter)
        # What ran before the kill and again: only what finished after the last commit.
        reruns.append(sum(1 for p, n in before.items() if runs[p] > n and p not in changed))
        for path in changed:
            os.truncate(path, os.path.getsize(path) - len(b"edited"))
    # A commit window of tasks (and what the workers had not reported yet), never the batch.
    assert max(reruns, default=0) <= 40, reruns
    assert sorted(paths) == sorted({t.path for t in tasks})


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
