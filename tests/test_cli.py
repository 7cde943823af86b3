"""brigade-cli run: exit codes, JSON lines, usage errors and Ctrl-C, as a person sees them."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from core.cli.run import ANSWER_WITHIN
from core.model import TaskState

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


def test_checksum_lines_are_exactly_sha256sums_and_check_with_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    names = ["plain.txt", "with space.txt", "back\\slash.txt", "new\nline.txt", "tab\there.txt"]
    for i, name in enumerate(names):
        (data / name).write_bytes(f"content {i}".encode())
    (data / os.fsdecode(b"latin-\xe9.txt")).write_bytes(b"not utf-8 named")
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "run", "--job", "checksum", "--no-history", "data"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=ROOT),
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    expected = subprocess.run(
        "sha256sum data/*", shell=True, cwd=tmp_path, capture_output=True, check=True
    ).stdout
    assert sorted(out.stdout.splitlines()) == sorted(expected.splitlines())
    (tmp_path / "SUMS").write_bytes(out.stdout)
    check = subprocess.run(["sha256sum", "-c", "SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(b": OK") == 6
    assert b"finished: 6 tasks: 6 done" in out.stderr


def test_quiet_prints_the_summary_only(files):
    out = cli("run", "--job", "checksum", "--quiet", "--no-history", str(files))
    assert out.returncode == 0
    assert out.stdout == ""
    assert out.stderr.splitlines() == [
        line for line in out.stderr.splitlines() if line.startswith("finished")
    ]


def test_a_task_that_ends_cancelled_makes_the_exit_code_1(files):
    out = cli(
        "run",
        "--job",
        "tests.engine.faulty:Faulty",
        "-p",
        "mode=gives-up",
        "-p",
        "target=f3.txt",
        "--no-history",
        str(files),
    )
    assert out.returncode == 1, out.stderr
    assert "4 done, 1 cancelled" in out.stderr
    assert len(out.stdout.splitlines()) == 4  # a line per done task only


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
        (["run", "--job", "checksum", "--timeout", "nan", "x"], "--timeout must be a positive number"),
        (["run", "--job", "checksum", "--timeout", "inf", "x"], "--timeout must be a positive number"),
        (["run", "--job", "checksum", "--timeout", "-1", "x"], "--timeout must be a positive number"),
        (["run", "--job", "checksum", "--workers", "1000", "x"], "--workers must be 1 to 256"),
        (["run", "--job", "compress", "-p", "level=5", "-p", "level=6", "x"], "'level' is given twice"),
        (["run", "--job", "checksum", "no/such/path"], "no/such/path: no such file or directory"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line_and_record_nothing(tmp_path, args, message):
    (tmp_path / "x").write_bytes(b"x")
    db = tmp_path / "state" / "history.sqlite3"
    out = cli(*args, "--db", str(db)) if args[0] == "run" else cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 2  # argparse's usage line, then the one error line
    assert not db.parent.exists()  # no history opened, no empty batch recorded


def test_unusable_inputs_are_reported_once_each_and_counted_by_reason(files):
    os.mkfifo(files / "pipe")
    loop = files / "sub"
    loop.mkdir()
    (loop / "inner.txt").write_bytes(b"inner")
    os.symlink("..", loop / "up")  # sub/up is the folder that holds sub: a loop
    db = files.parent / "history.sqlite3"
    out = cli("run", "--job", "checksum", "--db", str(db), str(files))
    assert out.returncode == 1
    listed = sorted(os.path.relpath(line.split("  ", 1)[1], files) for line in out.stdout.splitlines())
    assert listed == [f"f{i}.txt" for i in range(5)] + ["sub/inner.txt"]  # each file once, loop or not
    assert out.stderr.count("symlink loop") == 2, out.stderr  # its line, and the summary's count
    assert "8 tasks: 6 done, 2 skipped (1 FIFO, 1 symlink loop)" in out.stderr
    # The history holds what the summary counts: the two unusable inputs are skipped tasks, with why.
    from core.store import JobStore

    with JobStore.open(str(db)) as store:
        (batch,) = store.batches()
        tasks = store.tasks(batch.id)
    assert batch.total == 8 and {s: n for s, n in batch.counts.items() if n} == {
        TaskState.DONE: 6,
        TaskState.SKIPPED: 2,
    }
    skipped = {
        os.path.relpath(t.path, files): t.result["reason"] for t in tasks if t.state == TaskState.SKIPPED
    }
    assert skipped.keys() == {"pipe", "sub/up"} and "FIFO" in skipped["pipe"] and "loop" in skipped["sub/up"]


def test_jobs_lists_the_checksum_job_and_its_parameters():
    out = cli("jobs")
    assert out.returncode == 0
    assert "checksum" in out.stdout and "algorithm" in out.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_once_lets_running_tasks_finish_twice_cancels_them(tmp_path):
    proc = _popen_cli(["run", *_slow_batch(tmp_path, "cooperative"), "--json", "--no-history"], tmp_path)
    seen: list[str] = []
    try:
        # The others finish at once: wait for their five lines.
        lines = [proc.stdout.readline() for _ in range(5)]
        assert all(json.loads(line)["state"] == "done" for line in lines)
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        # A person presses twice, not within a microsecond (the kernel would merge them).
        _read_until(proc.stderr, "stopping", seen)
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


def _popen_cli(args, tmp_path, *, module="core.cli"):
    env = dict(os.environ, PYTHONPATH=ROOT, BRIGADE_LOG=str(tmp_path / "logs" / "brigade-cli.log"))
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _session_left(sid: int) -> list[psutil.Process]:
    """Processes of the session ``sid`` still running after a few seconds."""
    procs = []
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getsid(p.pid) == sid:
                procs.append(p)
        except OSError:
            continue
    _, alive = psutil.wait_procs(procs, timeout=5)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def _slow_batch(tmp_path, mode):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(6):
        (data / f"s{i}.txt").write_bytes(b"x")
    job = ["--job", "tests.engine.faulty:Faulty", "-p", f"mode={mode}", "-p", "target=s0.txt"]
    return [*job, "-p", "seconds=60", "--workers", "2", str(data)]


def _read_until(stream, text, seen):
    while not any(text in line for line in seen):
        line = stream.readline()
        assert line, f"the stream ended before {text!r}: {seen}"
        seen.append(line)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_an_engine_error_ends_the_run_with_one_line_exit_3_and_a_resumable_batch(tmp_path):
    db = tmp_path / "history.sqlite3"
    args = ["run", *_slow_batch(tmp_path, "sleep"), "--db", str(db)]
    proc = _popen_cli(["raise", *args], tmp_path, module="tests.cli_faults")
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, err
    lines = [line for line in err.splitlines() if "unexpected error" in line]
    assert len(lines) == 1 and "RuntimeError: injected fault" in lines[0], err
    assert "Traceback" not in err
    log = (tmp_path / "logs" / "brigade-cli.log").read_text()
    assert "Traceback" in log and "injected fault" in log
    assert not _session_left(proc.pid)
    from core.store import JobStore

    with JobStore.open(str(db)) as store:
        batch = store.batches()[0]
        assert "brigade-cli resume" in lines[0] and str(batch.id) in lines[0]
        assert store.resume_spec(batch.id) is not None  # the unfinished tasks run again


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("engine_answers", [True, False])
def test_ctrl_c_kills_the_workers_and_exits_at_once_on_the_last_press(tmp_path, engine_answers):
    """The third press; or the second, when the engine did not answer the first in time."""
    # A task deaf to TERM and to the cancel flag; or an engine thread that never answers a stop.
    if engine_answers:
        module, fault, mode = "core.cli", [], "hang"
    else:
        module, fault, mode = "tests.cli_faults", ["deaf"], "sleep"
    proc = _popen_cli([*fault, "run", *_slow_batch(tmp_path, mode), "--no-history"], tmp_path, module=module)
    seen: list[str] = []
    try:
        for _ in range(5):
            assert proc.stdout.readline()  # the five quick tasks are done; s0 runs on
        os.killpg(proc.pid, signal.SIGINT)
        _read_until(proc.stderr, "stopping", seen)
        if engine_answers:
            os.killpg(proc.pid, signal.SIGINT)
            _read_until(proc.stderr, "cancelling", seen)
        else:
            time.sleep(ANSWER_WITHIN + 0.2)  # the behaviour under test: no answer within this time
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "killing the workers and exiting" in err
    assert ("cancelling" in "".join(seen) + err) == engine_answers
    assert not _session_left(proc.pid)


@pytest.mark.parametrize("command", [[], ["run"]])
def test_help_documents_every_exit_code(command):
    from core.cli.exitcodes import ExitCode

    out = cli(*command, "--help")
    assert out.returncode == 0
    for code in ExitCode:
        assert f"\n  {code.value} " in out.stdout, code


def test_version_is_said_alike_alone_and_through_the_parser():
    from core import __version__

    alone = cli("--version")
    assert alone.returncode == 0 and alone.stdout == f"brigade {__version__}\n"
    parsed = cli("--version", "jobs")  # not the bare option: the parser's own action answers
    assert parsed.returncode == 0 and parsed.stdout == alone.stdout
