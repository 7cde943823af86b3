"""brigade-cli run: exit codes, JSON lines, usage errors and Ctrl-C, as a person sees them."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, **kw):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


@pytest.fixture
def files(tmp_path):
    for i in range(5):
        (tmp_path / f"f{i}.txt").write_bytes(f"content {i}".encode())
    return tmp_path


def test_run_prints_one_json_line_per_task_and_exits_0(files):
    out = cli("run", "--job", "checksum", "--json", "--no-history", str(files))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert sorted(os.path.basename(r["path"]) for r in rows) == [f"f{i}.txt" for i in range(5)]
    for r in rows:
        assert r["state"] == "done"
        with open(r["path"], "rb") as f:
            assert r["result"]["digest"] == hashlib.sha256(f.read()).hexdigest()
    assert "finished: 5 tasks: 5 done" in out.stderr


def test_a_failed_task_makes_the_exit_code_1_and_says_why(files):
    out = cli(
        "run",
        "--job",
        "tests.engine.faulty:Faulty",
        "-p",
        "mode=raise",
        "-p",
        "target=f2.txt",
        "--no-history",
        str(files),
    )
    assert out.returncode == 1
    assert "FAILED" in out.stderr and "f2.txt" in out.stderr and "boom" in out.stderr
    assert "4 done, 1 failed" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--job", "nope", "x"], "unknown job 'nope'"),
        (["run", "--job", "checksum", "-p", "algorithm=crc", "x"], "parameter 'algorithm'"),
        (["run", "--job", "checksum", "-p", "colour=red", "x"], "unknown parameter 'colour'"),
        (["run", "--job", "checksum", "--workers", "-1", "x"], "--workers"),
        (["run", "--job", "checksum", "--timeout", "0", "x"], "--timeout"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_skipped_inputs_are_reported_and_fail_the_exit_code(files):
    out = cli("run", "--job", "checksum", "--no-history", str(files), str(files / "missing.txt"))
    assert out.returncode == 1
    assert "skipped" in out.stderr and "missing.txt" in out.stderr


def test_jobs_lists_the_checksum_job_and_its_parameters():
    out = cli("jobs")
    assert out.returncode == 0
    assert "checksum" in out.stdout and "algorithm" in out.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_once_lets_running_tasks_finish_twice_cancels_them(tmp_path):
    for i in range(6):
        (tmp_path / f"s{i}.txt").write_bytes(b"x")
    env = dict(os.environ, PYTHONPATH=ROOT)
    args = [
        sys.executable,
        "-m",
        "core.cli",
        "run",
        "--job",
        "tests.engine.faulty:Faulty",
        "-p",
        "mode=cooperative",
        "-p",
        "target=*",
        "-p",
        "seconds=60",
        "--workers",
        "2",
        "--json",
        "--no-history",
        str(tmp_path),
    ]
    args[args.index("target=*")] = "target=s0.txt"  # only s0 is slow
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # The others finish at once: wait for their five lines.
        lines = [proc.stdout.readline() for _ in range(5)]
        assert all(json.loads(line)["state"] == "done" for line in lines)
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        # A person presses twice, not within a microsecond (the kernel would merge them).
        seen = []
        while not any("stopping" in line for line in seen):
            seen.append(proc.stderr.readline())
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        err = "".join(seen) + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["state"] for r in rows] == ["cancelled"], (out, err)
    assert "stopping" in err and "cancelling" in err


def test_many_failures_are_listed_up_to_a_bound_and_all_counted(tmp_path):
    for i in range(60):
        (tmp_path / f"f{i:02d}.txt").write_bytes(b"x")
    out = cli("run", "--job", "command", "-p", "command=false", "--no-history", str(tmp_path))
    assert out.returncode == 1
    assert out.stderr.count("FAILED ") == 50
    assert "further failures are not listed" in out.stderr
    assert "60 failed" in out.stderr


def test_a_command_line_loads_only_its_own_sub_command(files):
    from core.cli import _OWNERS, build_parser

    def commands(parser):
        return set(parser._subparsers._group_actions[0].choices)

    assert commands(build_parser()) == set(_OWNERS)  # every sub-command has its module named
    for command in _OWNERS:
        assert command in commands(build_parser(command))
    script = (
        "import sys\nfrom core.cli import main\n"
        f"code = main(['run', '--job', 'checksum', '--dry-run', {str(files)!r}])\n"
        "print(code, 'core.cli.history' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines()[-1] == "0 False", out.stderr
