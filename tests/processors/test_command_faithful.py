"""The command job as GNU parallel users expect it: placeholders, options, retries, logs, result line."""

from __future__ import annotations

import json
import os
import shlex
import sys

import pytest

from core.model import BatchSpec, TaskState
from core.params import ParamError
from core.processors.command import build_args, placeholders
from tests.processors.conftest import run_job, write

PY = shlex.quote(sys.executable)
pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and sh are POSIX here")


def _script(tmp_path, name, body):
    return write(tmp_path / "bin" / name, body.encode())


def test_a_long_output_keeps_its_head_and_its_final_error(engine, tmp_path):
    noisy = _script(
        tmp_path,
        "noisy.py",
        "import sys\nfor i in range(30000): print('line', i)\nprint('FATAL: disk full', file=sys.stderr)\n"
        "sys.exit(1)\n",
    )
    path = write(tmp_path / "in" / "a.txt", b"x")
    run = run_job(engine, "command", [path], {"command": f"{PY} {noisy} {{}}"})
    logs = run.logs[path]
    assert "line 0" in logs and "line 29999" in logs and "FATAL: disk full" in logs
    assert any("lines of output left out" in line for line in logs)
    assert len(logs) <= 10_000
    assert run.state(path) == TaskState.FAILED and "FATAL: disk full" in run.reason(path)


def test_task_number_and_worker_slot_placeholders(engine, tmp_path):
    paths = [write(tmp_path / "in" / f"{i}.txt", b"x") for i in range(4)]
    show = f"{PY} -c 'import sys; print(sys.argv[1], sys.argv[2])' {{#}} {{%}}"
    run = run_job(engine, "command", paths, {"command": show})
    for i, path in enumerate(paths):
        number, slot = run.result(path)["line"].split()
        assert number == str(i + 1) and slot in ("1", "2")


@pytest.mark.parametrize("command", ["echo {name}", "cp {} {stem}.bak", "echo {1}", "echo {..}"])
def test_unknown_placeholders_are_refused_at_submit(engine, tmp_path, command):
    with pytest.raises(ParamError, match="unknown placeholder"):
        engine.submit(BatchSpec("command", {"command": command}, [str(tmp_path)]))


def test_shell_and_awk_braces_are_not_placeholders(engine, tmp_path):
    path = write(tmp_path / "in" / "a.txt", b"one two\n")
    run = run_job(engine, "command", [path], {"command": "awk '{print $2}' {}"})
    assert run.result(path)["line"] == "two"
    shell = run_job(engine, "command", [path], {"command": 'echo "${HOME:+set}" {/}', "shell": True})
    assert shell.result(path)["line"] == "set a.txt"


def test_a_name_beginning_with_a_dash_is_never_an_option(engine, tmp_path):
    path = write(tmp_path / "in" / "--help", b"not an option\n")
    show = f"{PY} -c 'import sys; print(sys.argv[1:])' {{/}} x{{/}}"
    run = run_job(engine, "command", [path], {"command": show})
    assert run.result(path)["line"] == "['./--help', 'x--help']"
    assert build_args("cat {}", placeholders("-n.txt", None), shell=False) == ["cat", "./-n.txt"]
    assert build_args("cat {}", placeholders("-n.txt", None), shell=True) == "cat ./-n.txt"


def test_retry_on_exit_codes(engine, tmp_path):
    flaky = _script(
        tmp_path, "flaky.py", "import sys\nopen(sys.argv[1] + '.runs', 'a').write('x')\nsys.exit(75)\n"
    )
    path = write(tmp_path / "in" / "a.txt", b"x")
    command = f"{PY} {flaky} {{}}"
    run = run_job(engine, "command", [path], {"command": command, "retry_on": "75"}, retries=2)
    assert run.state(path) == TaskState.FAILED and "exit code 75" in run.reason(path)
    assert open(path + ".runs").read() == "xxx"  # noqa: SIM115 - retries + 1 runs
    os.unlink(path + ".runs")
    run_job(engine, "command", [path], {"command": command, "retry_on": "1,2-3"}, retries=2)
    assert open(path + ".runs").read() == "x"  # noqa: SIM115 - not a listed code: no retry
    with pytest.raises(ParamError, match="retry_on"):
        engine.submit(BatchSpec("command", {"command": "true", "retry_on": "7-x"}, [str(tmp_path)]))


def test_the_last_stdout_line_is_the_result_in_json(tmp_path):
    from tests.test_cli import cli

    path = write(tmp_path / "in" / "a.txt", b"x")
    command = "command=printf 'first\\nsize %s\\n' {/}"
    done = cli("run", "--job", "command", "--json", "--no-history", "-p", command, path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert lines[0]["result"]["line"] == "size a.txt"


def test_the_cli_prints_the_programs_last_line_per_file(tmp_path):
    from tests.test_cli import cli

    path = write(tmp_path / "in" / "a.txt", b"x")
    done = cli("run", "--job", "command", "--no-history", "-p", "command=printf 'log\\nsaw %s\\n' {/}", path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "saw a.txt\n"


def test_a_long_last_line_is_cut_in_the_result_and_says_so(engine, tmp_path):
    path = write(tmp_path / "in" / "a.txt", b"x")
    run = run_job(engine, "command", [path], {"command": f"{PY} -c \"print('y' * 2000)\""})
    assert run.result(path)["line"] == "y" * 500 + "... 1500 characters cut"
