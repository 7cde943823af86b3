"""The per-task lines of ``brigade-cli run``: the JSON record's exact form, and every task's line once."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from core.cli.progress import Printer
from core.engine.lines import json_record
from core.events import BatchAccepted, TaskFinished
from core.model import BatchSpec, Failure, FailureKind, TaskState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_json_record_keeps_its_documented_form():
    # Key order, ", " and ": " separators, ASCII escapes (a non-UTF-8 name too), repr of bytes.
    path = "/d/caf\u00e9 " + os.fsdecode(b"\xff") + ".txt"
    result = {"digest": "ab", "raw": b"\x00", "sizes": [1, 2.5]}
    line = json_record(7, path, TaskState.DONE, result, None, 2, 0.12345678, ["/o/a"], 3)
    assert line == (
        '{"task": 7, "path": "/d/caf\\u00e9 \\udcff.txt", "state": "done", '
        '"result": {"digest": "ab", "raw": "b\'\\\\x00\'", "sizes": [1, 2.5]}, "reason": null, '
        '"attempts": 2, "duration": 0.123457, "outputs": ["/o/a"], "log_dropped": 3}'
    )
    timeout = Failure(FailureKind.TIMEOUT, "60 s")
    failed = json_record(8, "/d/x", TaskState.FAILED, None, timeout, 1, 60, (), 0)
    assert failed == (
        '{"task": 8, "path": "/d/x", "state": "failed", "result": null, "reason": "timeout: 60 s", '
        '"attempts": 1, "duration": 60, "outputs": [], "log_dropped": 0}'
    )


def _ended(task_id: int, state: TaskState, line: str | None, result=None) -> TaskFinished:
    failure = Failure(FailureKind.ERROR, "bad") if state is TaskState.FAILED else None
    return TaskFinished(task_id, 1, state, result, failure, 1.0, 2.0, 1, 0, line=line)


def _printer(mode: str, total: int) -> tuple[Printer, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    paths = [f"f{i}" for i in range(total)]
    printer = Printer(paths, None, mode=mode, job="checksum", out=out, err=err)
    printer([BatchAccepted(1, BatchSpec("checksum", {}, paths), range(1, total + 1))])
    return printer, out, err


def test_json_mode_writes_each_ended_task_once_whoever_made_its_line():
    printer, out, err = _printer("json", 5)
    skip = {"reason": "FIFO: never opened"}
    printer([_ended(1, TaskState.DONE, "L1"), _ended(2, TaskState.SKIPPED, "L2", skip)])
    printer([_ended(3, TaskState.FAILED, None), _ended(4, TaskState.SKIPPED, None, skip)])
    printer([_ended(5, TaskState.DONE, "L5")])
    printer.drain()
    lines = out.getvalue().splitlines()
    assert sorted(lines[:3]) == ["L1", "L2", "L5"]  # the workers' lines, as they made them
    made_here = [json.loads(line) for line in lines[3:]]  # the engine ended these: no worker line
    assert [(r["task"], r["state"]) for r in made_here] == [(3, "failed"), (4, "skipped")]
    assert printer.skip_reasons == {"FIFO": 2} and err.getvalue() == ""


def test_lines_mode_writes_done_tasks_on_stdout_and_failures_on_stderr():
    printer, out, err = _printer("lines", 4)
    printer([_ended(1, TaskState.DONE, "L1"), _ended(2, TaskState.FAILED, "J2")])
    printer([_ended(3, TaskState.DONE, None, {"digest": "cd"}), _ended(4, TaskState.CANCELLED, None)])
    printer.drain()
    assert out.getvalue() == "L1\ncd  f2\n"
    assert err.getvalue() == "FAILED f1: error: bad\n"


def test_quiet_mode_writes_no_task_line():
    printer, out, err = _printer("quiet", 2)
    printer([_ended(1, TaskState.DONE, "L1"), _ended(2, TaskState.FAILED, "J2")])
    printer.drain()
    assert out.getvalue() == err.getvalue() == ""


def test_run_json_prints_every_task_in_the_documented_form(tmp_path):
    names = [f"f{i}.txt" for i in range(40)] + ["caf\u00e9.txt"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = [sys.executable, "-m", "core.cli", "run", "--job", "checksum", "--json", "--no-history"]
    proc = subprocess.run([*cmd, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    records = [json.loads(line) for line in lines]
    keys = ["task", "path", "state", "result", "reason", "attempts", "duration", "outputs", "log_dropped"]
    assert all(list(r) == keys for r in records)
    assert lines == [json.dumps(r) for r in records]  # json.dumps's own form: ASCII, ", " and ": "
    assert sorted(os.path.basename(r["path"]) for r in records) == sorted(names)
