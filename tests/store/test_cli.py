"""The history sub-commands, and two processes sharing one database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import pytest

from core.model import TaskState
from core.store import JobStore
from tests.store.conftest import JOB, ROOT, cli, make_files

pytestmark = pytest.mark.timeout(180)


def brigade(*args: str, db: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cli(*args, "--db", db), cwd=ROOT, capture_output=True, text=True, timeout=120)
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def test_history_show_log_export_retry_and_prune(db, tmp_path):
    make_files(tmp_path / "in", 6)
    marker = tmp_path / "marker"
    run = brigade(
        "run", "-j", JOB, "-w", "2", "-p", "lines=2", "-p", f"fail_unless={marker}", str(tmp_path / "in"),
        db=db, ok=False,
    )  # fmt: skip
    assert run.returncode == 1 and "6 failed" in run.stderr and "batch 1 in history" in run.stderr

    listed = brigade("history", db=db).stdout.splitlines()
    assert "status" in listed[0] and listed[1].split()[0] == "1" and "6 failed" in listed[1]
    data = json.loads(brigade("history", "--json", db=db).stdout)
    assert data[0]["batch"] == 1 and data[0]["counts"] == {"failed": 6} and data[0]["status"] == "finished"

    header, *shown = brigade("show", "1", "--state", "failed", db=db).stdout.splitlines()
    assert header.split() == ["task", "state", "try", "duration", "path", "result", "or", "reason"]
    assert len(shown) == 6 and all("failed" in line and "marker file is missing" in line for line in shown)
    assert brigade("show", "1", "--state", "done", db=db).stdout.splitlines() == [header]
    first_task = int(shown[0].split()[0])
    log = brigade("log", str(first_task), db=db).stdout.splitlines()
    assert "INFO" in log[0] and "line 0 of f0000.bin" in log[0] and "WARNING" in log[1]
    # Then why it failed, and (the job raised an exception of its own) where.
    assert log[2].split()[1:3] == ["#1", "FAILED"] and "marker file is missing" in log[2]
    assert log[3] == "Traceback (most recent call last):" and log[-1].endswith("the marker file is missing")

    marker.write_text("ok")
    again = brigade("retry", "1", "--failed", "-w", "2", db=db)
    assert "running 6 tasks again" in again.stderr and "6 done" in again.stderr
    assert "nothing to retry" in brigade("retry", "1", "--failed", db=db).stderr

    exported = brigade("export", "1", "--format", "csv", db=db).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert (
        len(rows) == 6 and {r["state"] for r in rows} == {"done"} and {r["attempts"] for r in rows} == {"2"}
    )
    assert all(len(r["digest"]) == 64 for r in rows)
    out_file = tmp_path / "b1.json"
    brigade("export", "1", "--format", "json", "-o", str(out_file), db=db)
    assert [r["path"] for r in json.loads(out_file.read_text())] == [r["path"] for r in rows]

    log = brigade("log", str(first_task), db=db).stdout.splitlines()
    assert len(log) == 4 and log[2].split()[1] == "#2"  # the retry's lines follow, under attempt 2

    assert brigade("show", "99", db=db, ok=False).returncode == 2
    assert "1 batches deleted" in brigade("prune", "--keep", "0", db=db).stderr
    assert "no batches" in brigade("history", db=db).stderr


def test_no_history_records_nothing(db, tmp_path):
    make_files(tmp_path / "in", 2)
    out = brigade("run", "-j", "checksum", "-w", "1", "--no-history", str(tmp_path / "in"), db=db)
    assert "in history" not in out.stderr
    with JobStore.open(db) as store:
        assert store.batches() == []


def test_two_processes_share_one_database_without_colliding(db, tmp_path):
    make_files(tmp_path / "a", 150, size=32)
    make_files(tmp_path / "b", 150, size=32)
    JobStore.open(db).close()
    procs = [
        subprocess.Popen(
            cli("run", "-j", JOB, "-w", "1", "-p", "lines=1", "--db", db, str(tmp_path / name)),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with JobStore.open(db) as store:
        batches = store.batches()
        assert len(batches) == 2 and all(b.status == "finished" for b in batches)
        spans, folders = [], []
        for b in batches:
            tasks = store.tasks(b.id)
            ids = [t.id for t in tasks]
            assert ids == list(range(ids[0], ids[0] + 150)) and all(t.state == TaskState.DONE for t in tasks)
            folders.append({os.path.basename(os.path.dirname(t.path)) for t in tasks})
            assert all(len(store.log_lines(t.id)) == 1 for t in tasks)
            spans.append(set(ids))
        assert not spans[0] & spans[1]
        assert sorted(map(sorted, folders)) == [["a"], ["b"]]


@pytest.mark.parametrize("command", [("show", "1"), ("export", "1"), ("export", "1", "--format", "json")])
def test_a_reader_that_stops_early_ends_the_command_quietly(db, tmp_path, command):
    # Enough tasks that the output overflows the pipe, so the write after the reader left fails.
    make_files(tmp_path / "in", 1500)
    brigade("run", "-q", "-j", "checksum", "-w", "2", str(tmp_path / "in"), db=db)
    proc = subprocess.Popen(
        cli(*command, "--db", db), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as ``| head -1`` does
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err, err


def test_resume_prints_a_checksum_batch_as_run_does_in_sha256sum_format(db, tmp_path):
    paths = make_files(tmp_path / "in", 3)
    brigade("run", "-q", "-j", "checksum", "-w", "1", str(tmp_path / "in"), db=db)
    with open(paths[1], "ab") as f:
        f.write(b"changed after the run")
    again = brigade("resume", "1", "-w", "1", db=db)
    assert "1 of them done before" in again.stderr
    sums = tmp_path / "SUMS"
    sums.write_text(again.stdout)
    assert again.stdout.endswith(f"  {paths[1]}\n"), again.stdout  # sha256sum's "DIGEST  PATH"
    check = subprocess.run(["sha256sum", "-c", str(sums)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and check.stdout == f"{paths[1]}: OK\n", check
