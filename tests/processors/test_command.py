"""The command job: placeholders, argument lists, logs, exit codes, cancel and timeout."""

from __future__ import annotations

import json
import os
import shlex
import sys
import textwrap

import psutil
import pytest

from core.events import TaskFinished, TaskLog
from core.model import BatchSpec, TaskState
from core.params import ParamError
from core.processors.command import build_args, placeholders
from tests.processors.conftest import Watcher, out_policy, run_job, write

PY = shlex.quote(sys.executable)
pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and sh are POSIX here")


def _script(tmp_path, name, body):
    return write(tmp_path / "bin" / name, textwrap.dedent(body).encode())


def test_placeholders_follow_gnu_parallel():
    values = placeholders("/data/in dir/photo.final.jpg", "/out/x.png")
    assert values[""] == "/data/in dir/photo.final.jpg"
    assert values["."] == "/data/in dir/photo.final"
    assert values["/"] == "photo.final.jpg"
    assert values["//"] == "/data/in dir"
    assert values["/."] == "photo.final"
    assert values["ext"] == ".jpg"
    assert build_args("convert {} -resize 50% '{/.} small{ext}'", values, shell=False) == [
        "convert",
        "/data/in dir/photo.final.jpg",
        "-resize",
        "50%",
        "photo.final small.jpg",
    ]
    assert build_args("cat {} > {o}", values, shell=True) == "cat '/data/in dir/photo.final.jpg' > /out/x.png"


def test_program_sees_each_placeholder_as_one_argument(engine, tmp_path):
    show = _script(
        tmp_path,
        "show.py",
        """
        import json, sys
        print("hello from stdout")
        print("warning on stderr", file=sys.stderr)
        with open(sys.argv[-1], "w", encoding="utf-8") as f:
            json.dump(sys.argv[1:-1], f)
        """,
    )
    paths = [write(tmp_path / "in" / "with space ü.txt", b"1"), write(tmp_path / "in" / "plain.tar.gz", b"2")]
    params = {"command": f"{PY} {show} {{}} {{.}} {{/}} {{//}} {{/.}} {{ext}} {{o}}", "output_ext": ".json"}
    run = run_job(engine, "command", paths, params, out_policy(tmp_path))
    for path in paths:
        result = run.result(path)
        assert result["exit_code"] == 0
        folder, name = os.path.split(path)
        stem, ext = os.path.splitext(name)
        assert result["output"] == str(tmp_path / "out" / (stem + ".json"))
        with open(result["output"], encoding="utf-8") as f:
            assert json.load(f) == [path, os.path.splitext(path)[0], name, folder, stem, ext]
        assert "hello from stdout" in run.logs[path]
        assert "warning on stderr" in run.logs[path]


def test_exit_codes_decide_the_state(engine, tmp_path):
    code = _script(tmp_path, "code.py", "import sys; sys.exit(int(open(sys.argv[1]).read()))")
    paths = [write(tmp_path / "in" / f"{n}.txt", str(n).encode()) for n in (0, 1, 42)]
    run = run_job(engine, "command", paths, {"command": f"{PY} {code} {{}}"})
    assert run.state(paths[0]) == TaskState.DONE
    assert run.state(paths[1]) == TaskState.FAILED and "exit code 1" in run.reason(paths[1])
    assert "exit code 42" in run.reason(paths[2])
    missing = run_job(engine, "command", paths[:1], {"command": "no-such-program-here {}"})
    assert "program not found" in missing.reason(paths[0])


def test_no_shell_unless_asked(engine, tmp_path):
    path = write(tmp_path / "in" / "a; touch HACKED.txt", b"x")
    run = run_job(engine, "command", [path], {"command": "cat {}"})
    assert run.state(path) == TaskState.DONE
    assert not (tmp_path / "in" / "HACKED.txt").exists()
    shell = run_job(
        engine,
        "command",
        [path],
        {"command": "printf %s {/} | tr a-z A-Z > {o}", "shell": True},
        out_policy(tmp_path),
    )
    with open(shell.result(path)["output"]) as f:
        assert f.read() == "A; TOUCH HACKED.TXT"
    assert not (tmp_path / "in" / "HACKED.txt").exists()


def test_failed_command_leaves_no_output(engine, tmp_path):
    path = write(tmp_path / "in" / "a.txt", b"x")
    run = run_job(
        engine,
        "command",
        [path],
        {"command": "sh -c 'echo partial > \"$1\"; exit 3' sh {o}"},
        out_policy(tmp_path),
    )
    assert "exit code 3" in run.reason(path)
    assert list((tmp_path / "out").iterdir()) == []


def test_bad_command_parameters_are_refused(engine, tmp_path):
    with pytest.raises(ParamError, match="parameter 'command'"):
        engine.submit(BatchSpec("command", {"command": "  "}, [str(tmp_path)]))
    with pytest.raises(ParamError, match="cannot be split into arguments: No closing quotation"):
        engine.submit(BatchSpec("command", {"command": "echo 'unclosed"}, [str(tmp_path)]))


SPAWNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("pids", child.pid, flush=True)
time.sleep(60)
"""


def _pids_from_log(watcher):
    for e in watcher.events:
        if isinstance(e, TaskLog) and e.text.startswith("pids "):
            return int(e.text.split()[1])
    return None


@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_cancel_and_timeout_kill_the_whole_group(engine, tmp_path, how):
    spawner = _script(tmp_path, "spawner.py", SPAWNER)
    path = write(tmp_path / "in" / "a.txt", b"x")
    watcher = Watcher()
    engine.add_listener(watcher)
    from core.model import BatchOptions

    options = BatchOptions(timeout=1.5 if how == "timeout" else None)
    handle = engine.submit(BatchSpec("command", {"command": f"{PY} {spawner}"}, [path], options))
    watcher.wait_for(lambda evs: _pids_from_log(watcher) is not None)
    grandchild = _pids_from_log(watcher)
    assert psutil.pid_exists(grandchild)
    if how == "cancel":
        engine.cancel(handle.task_ids)
    assert handle.wait(30) is not None
    (finished,) = [e for e in watcher.events if isinstance(e, TaskFinished)]
    expected = TaskState.CANCELLED if how == "cancel" else TaskState.FAILED
    assert finished.state == expected
    if how == "timeout":
        assert "timeout" in finished.failure.describe()
    try:
        proc = psutil.Process(grandchild)
        proc.wait(timeout=5)  # killed: gone or a zombie about to be reaped
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE
