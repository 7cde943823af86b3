"""Opening the history: migrations, and clear refusals that never damage a file."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from core.model import FailureKind, TaskState
from core.store import JobStore, StoreError, default_db_path, schema
from core.store.schema import APPLICATION_ID, LATEST, connect
from tests.store.conftest import ROOT, cli, make_files

pytestmark = pytest.mark.timeout(120)


def _first_schema_db(path: str) -> None:
    """A database as the first schema wrote it: a finished batch and one left running."""
    conn = connect(path, upto=1)
    now = time.time()
    failure = json.dumps({"kind": "error", "message": "boom", "retryable": False})
    conn.executescript(
        f"""
        BEGIN;
        INSERT INTO batches (id, job, params, options, extra, created, finished, status, total, first_task,
                             counts, elapsed)
            VALUES (1, 'checksum', '{{}}', '{{"retries": 1}}', '{{}}', {now - 60}, {now - 50}, 'finished',
                    2, 1, '{{"done": 1, "failed": 1}}', 10);
        INSERT INTO tasks (id, batch_id, idx, path, size, state, attempts, result, failure)
            VALUES (1, 1, 0, '/data/a', 3, 2, 1, '{{"digest": "abc"}}', NULL),
                   (2, 1, 1, X'2f646174612f62ff', 4, 3, 1, NULL, '{failure}');
        INSERT INTO log_lines VALUES (1, 1, 0, 20, {now - 55}, 'hello');
        INSERT INTO batches (id, job, params, options, extra, created, status, total, first_task, run_started)
            VALUES (2, 'checksum', '{{}}', '{{}}', '{{}}', {now - 40}, 'running', 2, 3, {now - 40});
        INSERT INTO tasks (id, batch_id, idx, path, state, started) VALUES
            (3, 2, 0, '/data/c', 1, {now - 30}), (4, 2, 1, '/data/d', 0, NULL);
        UPDATE meta SET value = 5 WHERE key = 'next_task';
        COMMIT;
        """
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_a_first_schema_database_is_migrated_with_its_data(db):
    _first_schema_db(db)
    with JobStore.open(db) as store:
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kinds = dict(conn.execute("SELECT id, failure_kind FROM tasks"))
        conn.close()
        assert kinds[2] == "error"  # the migration filled the new column from the old data
        old = store.batch(1)
        assert old.status == "finished" and old.counts[TaskState.DONE] == 1 and old.duration == 10
        a, b = store.tasks(1)
        assert a.result == {"digest": "abc"} and store.log_lines(1)[0].text == "hello"
        assert os.fsencode(b.path) == b"/data/b\xff" and b.failure.message == "boom"
        # The first schema recorded no owner: its running batch cannot be live any more.
        left = store.batch(2)
        assert left.status == "interrupted"
        c, d = store.tasks(2)
        assert (
            c.state == TaskState.FAILED
            and c.failure.kind == FailureKind.INTERRUPTED
            and c.label == "interrupted"
        )
        assert d.state == TaskState.QUEUED
        spec = store.resume_spec(2)
        assert list(spec.task_ids) == [3, 4] and spec.options.retries == 0
        assert store.retry_spec(1).paths == [b.path]


def test_migrating_twice_is_harmless(db):
    _first_schema_db(db)
    JobStore.open(db).close()
    with JobStore.open(db) as store:
        assert [b.id for b in store.batches()] == [2, 1]


def test_a_new_database_gets_large_pages_and_an_existing_one_keeps_its_own(db, tmp_path, monkeypatch):
    JobStore.open(db).close()
    assert sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0] == schema.PAGE_SIZE == 16384

    old = str(tmp_path / "old.sqlite3")
    monkeypatch.setattr(schema, "PAGE_SIZE", 4096)  # as the first schema made them
    _first_schema_db(old)
    monkeypatch.undo()
    with JobStore.open(old) as store:
        assert [b.id for b in store.batches()] == [2, 1]
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _frozen_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def test_a_database_from_a_newer_brigade_is_refused_and_left_untouched(db):
    JobStore.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")  # one file, so the bytes say everything
    conn.execute(f"PRAGMA user_version={LATEST + 5}")
    conn.close()
    before = _frozen_bytes(db)
    with pytest.raises(StoreError, match=rf"newer Brigade \(schema {LATEST + 5}"):
        JobStore.open(db)
    assert _frozen_bytes(db) == before
    assert not os.path.exists(db + "-wal")


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="is not an SQLite database"):
        JobStore.open(str(path))
    assert path.read_bytes() == before


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = str(tmp_path / "other.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        JobStore.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["contacts"]
    conn.close()


@pytest.fixture
def read_only_db(db):
    """A history file this process cannot write (immutable for root, mode 0444 otherwise)."""
    JobStore.open(db).close()
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", db], capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here")
        yield db
        subprocess.run(["chattr", "-i", db], check=True)
    else:
        os.chmod(db, 0o444)
        yield db


def test_a_read_only_database_is_refused_with_a_clear_error(read_only_db):
    with pytest.raises(StoreError, match="is read-only"):
        JobStore.open(read_only_db)


def test_the_cli_still_runs_when_history_is_unusable(read_only_db, tmp_path):
    make_files(tmp_path / "in", 3)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    for db, why in ((read_only_db, "is read-only"), (str(notes), "is not an SQLite database")):
        out = subprocess.run(
            cli("run", "-j", "checksum", "-w", "1", "--db", db, str(tmp_path / "in")),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        disabled = [line for line in out.stderr.splitlines() if line.startswith("history disabled: ")]
        assert len(disabled) == 1 and why in disabled[0]
        assert "3 done" in out.stderr and "in history" not in out.stderr
        shown = subprocess.run(
            cli("history", "--db", db), cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 2 and "history unavailable" in shown.stderr and why in shown.stderr


def test_the_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIGADE_DB", str(tmp_path / "env.sqlite3"))
    assert default_db_path() == str(tmp_path / "env.sqlite3")
    monkeypatch.delenv("BRIGADE_DB")
    assert default_db_path().endswith("history.sqlite3") and "brigade" in default_db_path()


def _inputs_batch(conn: sqlite3.Connection, version: int) -> None:
    """Batch 3, stopped, as schemas 3-5 kept it: one row written, its input list, and (5) its journal."""
    import marshal
    import zlib

    now = time.time()
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO batches (id, job, params, options, extra, created, finished, status, total, first_task, "
        "counts, elapsed) VALUES (3, 'checksum', '{}', '{}', '{}', ?, ?, 'stopped', 4, 5, '{}', 2)",
        (now - 20, now - 10),
    )
    conn.execute("INSERT INTO tasks (id, batch_id, idx, path, state) VALUES (5, 3, 0, '/data/e', 0)")
    paths = zlib.compress(b"/data/e\0/data/f\0/data/g\0/data/h")
    if version == 3:
        conn.execute("INSERT INTO batch_inputs (batch_id, cwd, paths) VALUES (3, '/', ?)", (paths,))
    else:
        sizes = zlib.compress(b"".join(n.to_bytes(8, "little") for n in (1, 2, 3, 4)))
        conn.execute(
            "INSERT INTO batch_inputs (batch_id, cwd, paths, sizes, mtimes) VALUES (3, '/', ?, ?, NULL)",
            (paths, sizes),
        )
    if version == 5:
        # [task_id, state, failure, failure_kind, attempt, started, ended, pid, result, outputs,
        #  log_dropped, size, mtime]: task 5 (its row exists) and task 6 (no row yet) done.
        records = [
            [5, 2, None, None, 1, now - 15, now - 14, 9, {"digest": "e"}, None, 0, 1, 1.5],
            [6, 2, None, None, 1, now - 14, now - 13, 9, {"digest": "f"}, ["/out/f"], 3, 2, 2.5],
        ]
        conn.execute(
            "INSERT INTO task_journal (batch_id, records) VALUES (3, ?)", (marshal.dumps(records, 4),)
        )
    conn.execute("UPDATE meta SET value = 9 WHERE key = 'next_task'")
    conn.execute("COMMIT")


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_every_older_schema_is_migrated_without_losing_a_batch(db, version):
    _first_schema_db(db)  # version 1 data, then the file is brought to ``version`` as that Brigade did
    conn = connect(db, upto=version)
    if version >= 3:
        _inputs_batch(conn, version)
    conn.close()
    with JobStore.open(db) as store:
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        raw.close()
        assert "task_journal" not in tables  # one form per fact: what it held is in the task rows
        ids = [b.id for b in store.batches()]
        assert ids == ([3, 2, 1] if version >= 3 else [2, 1])
        assert store.batch(1).counts[TaskState.DONE] == 1 and store.batch(1).counts[TaskState.FAILED] == 1
        if version < 3:
            return
        tasks = store.tasks(3)
        assert [t.path for t in tasks] == ["/data/e", "/data/f", "/data/g", "/data/h"]
        done = 2 if version == 5 else 0
        assert [t.state for t in tasks] == [TaskState.DONE] * done + [TaskState.QUEUED] * (4 - done)
        if version == 5:
            assert tasks[1].result == {"digest": "f"} and tasks[1].outputs == ("/out/f",)
            assert tasks[1].log_dropped == 3 and tasks[1].size == 2
        batch = store.batch(3)
        assert batch.counts[TaskState.DONE] == done and batch.counts[TaskState.QUEUED] == 4 - done
        spec = store.resume_spec(3, changed=())
        assert list(spec.task_ids) == list(range(5 + done, 9))


def test_a_new_database_in_a_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    from core.store import StoreRecorder

    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", folder]).returncode:
            pytest.skip("cannot make a folder read-only for root here")
    else:
        os.chmod(folder, 0o555)
    try:
        # A new database is made on the writer thread: the folder is checked at once.
        with pytest.raises(StoreError, match="cannot create the history database"):
            StoreRecorder.open(str(folder / "h.sqlite3"))
        out = subprocess.run(
            cli("run", "-j", "checksum", "-w", "1", "--db", str(folder / "h.sqlite3"), str(folder.parent)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert out.stderr.startswith("history disabled: cannot create the history database"), out.stderr
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", folder], check=False)
        os.chmod(folder, 0o755)
    assert not os.listdir(folder)


def test_a_database_being_made_by_one_connection_is_never_foreign_to_another(tmp_path):
    # The recorder makes a new history on its writer thread while, say, a watch rule opens the same
    # file: the opener must see the file either before its schema or after, never half of each.
    failures: list[str] = []
    for n in range(60):
        path = str(tmp_path / f"h{n}.sqlite3")
        start = threading.Barrier(2)

        def open_it(path: str = path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                connect(path).close()
            except StoreError as exc:
                failures.append(str(exc))

        openers = [threading.Thread(target=open_it) for _ in range(2)]
        for t in openers:
            t.start()
        for t in openers:
            t.join(timeout=30)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert failures == []
