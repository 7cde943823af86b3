"""An engine started from a process that runs no other thread forks its first workers from it.

Each test runs the engine in a process of its own: the test process itself runs
threads (pytest-qt, earlier tests), where the engine must not fork.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import psutil
import pytest

from core.model import FailureKind

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked on Linux only")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# argv: "thread" (another thread runs when the engine starts) or "alone", then the files.
# Prints the engine's children once its workers started, then waits for stdin to close.
HOLD_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading
    import psutil
    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec
    if __name__ == "__main__":
        if sys.argv[1] == "thread":
            threading.Thread(target=threading.Event().wait, daemon=True).start()
        engine = Engine(EngineConfig(workers=2)).start()
        spec = BatchSpec("tests.engine.faulty:Faulty", {"mode": "sleep", "target": "slow.txt",
                         "seconds": 120.0}, sys.argv[2:])
        engine.submit(spec)
        while len(engine.worker_pids) < 2:
            threading.Event().wait(0.01)  # the pids are set by the engine thread; no event to wait on
        children = [(c.pid, " ".join(c.cmdline())) for c in psutil.Process().children()]
        print(json.dumps({"workers": list(engine.worker_pids), "children": children}), flush=True)
        sys.stdin.read()
    """
)


def _hold(mode: str, files: list[str]) -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, mode, *files],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _slow_files(tmp_path) -> list[str]:
    files = []
    for name in ("slow.txt", "other/slow.txt"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x")
        files.append(str(path))
    return files


def test_workers_of_a_lone_thread_are_its_own_children_and_die_with_it(tmp_path):
    proc, seen = _hold("alone", _slow_files(tmp_path))
    try:
        children = dict(seen["children"])
        # Forks of the engine's process: its children, and no fork server or resource tracker.
        assert sorted(children) == sorted(seen["workers"])
        assert not any("forkserver" in c or "resource_tracker" in c for c in children.values())
        workers = [psutil.Process(pid) for pid in seen["workers"]]
        proc.kill()  # SIGKILL: no goodbye reaches the workers
        proc.wait()
        # Each worker must see its connection end: it does only if no worker keeps another's open.
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], "forked workers outlived their engine"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_engine_beside_another_thread_starts_its_workers_from_the_fork_server(tmp_path):
    proc, seen = _hold("thread", _slow_files(tmp_path))
    try:
        children = dict(seen["children"])
        assert not set(seen["workers"]) & set(children), "a worker was forked from a threaded process"
        assert any("forkserver" in c for c in children.values())
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(30)


RUN_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from core.engine import Engine, EngineConfig
    from core.events import TaskFinished
    from core.model import BatchSpec
    if __name__ == "__main__":
        seen = []
        engine = Engine(EngineConfig(workers=2))
        engine.add_listener(lambda evs: seen.extend(e for e in evs if isinstance(e, TaskFinished)))
        with engine.start():
            params = {"mode": "sigkill", "target": "bad.txt"}
            spec = BatchSpec("tests.engine.faulty:Faulty", params, sys.argv[1:])
            engine.submit(spec).wait(60)
        rows = {e.task_id: [e.state.label, e.failure and e.failure.kind.value, e.result] for e in seen}
        print(json.dumps([rows[t] for t in sorted(rows)]))
    """
)


def test_a_forked_worker_killed_mid_batch_is_replaced_and_the_batch_finishes(tmp_path):
    files = []
    for i in range(40):
        path = tmp_path / ("bad.txt" if i == 5 else f"f{i}.txt")
        path.write_bytes(b"data")
        files.append(str(path))
    out = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT, *files], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 40
    for i, (state, kind, result) in enumerate(rows):
        if i == 5:
            assert (state, kind) == ("failed", FailureKind.EXIT.value)
        else:
            assert (state, result["name"]) == ("done", f"f{i}.txt")


def test_brigade_cli_run_into_a_new_history_forks_its_workers(tmp_path):
    # Nothing the CLI does before its engine starts (opening a new history) may start a thread.
    files = _slow_files(tmp_path)
    db = tmp_path / "new" / "history.db"
    cmd = [sys.executable, "-m", "core.cli", "run", "--job", "tests.engine.faulty:Faulty", "--workers", "2"]
    cmd += ["-p", "mode=sleep", "-p", "target=slow.txt", "-p", "seconds=120", "--db", str(db), *files]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cli = psutil.Process(proc.pid)
    try:
        forked, lines = _forked_children(cli)
        assert len(forked) == 2, lines
    finally:
        descendants = cli.children(recursive=True)
        proc.kill()
        proc.wait()
        psutil.wait_procs(descendants, timeout=10)


def _forked_children(cli: psutil.Process) -> tuple[list[psutil.Process], list[list[str]]]:
    """The CLI's children that are forks of it, once two are, or once a fork server started instead."""
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = cli.children()
        lines = [c.cmdline() for c in children]
        forked = [c for c, line in zip(children, lines, strict=True) if line == cli.cmdline()]
        if len(forked) >= 2 or any("forkserver" in " ".join(line) for line in lines):
            return forked, lines
        time.sleep(0.05)  # polling a foreign process tree: there is no event to wait on
    raise AssertionError("no worker started")
