"""Worker processes never outlive their engine, and a broken install never loops."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import psutil
import pytest

from core.model import FailureKind

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ENGINE_SCRIPT = textwrap.dedent(
    """
    import sys
    from core.engine import Engine, EngineConfig
    from core.model import BatchSpec
    if __name__ == "__main__":
        engine = Engine(EngineConfig(workers=2, start_method=sys.argv[1])).start()
        engine.submit(BatchSpec("tests.engine.faulty:Faulty", {"mode": "sleep", "target": sys.argv[3],
                                "seconds": 120.0}, [sys.argv[2]] * 2 + [sys.argv[2] + "x"]))
        print("ready", flush=True)
        sys.stdin.read()
    """
)


def test_workers_die_when_the_engine_process_is_sigkilled(start_method, tmp_path):
    path = tmp_path / "slow.txt"
    path.write_bytes(b"x")
    (tmp_path / "slow.txtx").write_bytes(b"y")
    with _engine_process(ENGINE_SCRIPT, start_method, str(path), "slow.txt") as engine:
        workers = _wait_for_workers(engine, 2)
        _sigkill(engine)
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], "workers outlived their engine"


@contextlib.contextmanager
def _engine_process(script: str, *args: str) -> Iterator[psutil.Process]:
    """Run ``script`` (which prints "ready" once its batch runs) in a process of its own."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield psutil.Process(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _sigkill(process: psutil.Process) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


FORKSERVER_SCRIPT = textwrap.dedent(
    """
    import sys
    if __name__ == "__main__":
        from core.engine import Engine, EngineConfig
        from core.model import BatchSpec
        engine = Engine(EngineConfig(workers=2, start_method="forkserver")).start()
        engine.submit(BatchSpec("tests.engine.faulty:Faulty", {"mode": "sleep", "target": "slow.txt",
                                "seconds": 120.0}, [sys.argv[1]] * 2))
        print("ready", flush=True)
        sys.stdin.read()
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's start method")
def test_the_fork_server_and_resource_tracker_die_with_their_engine(tmp_path):
    path = tmp_path / "slow.txt"
    path.write_bytes(b"x")
    with _engine_process(FORKSERVER_SCRIPT, str(path)) as engine:
        workers = _wait_for_workers(engine, 2)
        helpers = engine.children()  # the fork server and the resource tracker
        assert len(helpers) == 2
        _sigkill(engine)
        _, alive = psutil.wait_procs([*helpers, *workers], timeout=10)
        assert alive == [], "helpers or workers outlived their engine"


def _wait_for_workers(engine: psutil.Process, count: int) -> list[psutil.Process]:
    """The engine's workers: spawned children, or grandchildren through the forkserver."""
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = [
            p
            for p in engine.children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline()) or p.ppid() != engine.pid
        ]
        if len(workers) >= count:
            return workers
        time.sleep(0.05)  # polling a foreign process tree: there is no event to wait on
    raise AssertionError("workers did not start")


BROKEN_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from core.engine import Engine, EngineConfig
    from core.events import TaskFinished
    from core.model import BatchSpec
    if __name__ == "__main__":
        seen = []
        with Engine(EngineConfig(workers=2, start_method="spawn")) as engine:
            engine.add_listener(lambda evs: seen.extend(e for e in evs if isinstance(e, TaskFinished)))
            result = engine.submit(BatchSpec("checksum", {}, sys.argv[1:])).wait(60)
        print(json.dumps([[e.state.label, e.failure.kind.value, e.failure.message] for e in seen]))
    """
)


def test_workers_that_cannot_start_fail_the_batch_instead_of_respawning_forever(tmp_path):
    # A sitecustomize that kills every spawned child at start-up: a broken install.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import os, sys\nif '--multiprocessing-fork' in sys.argv:\n    os._exit(9)\n"
    )
    files = []
    for i in range(3):
        f = tmp_path / f"f{i}.txt"
        f.write_bytes(b"data")
        files.append(str(f))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), ROOT]))
    out = subprocess.run(
        [sys.executable, "-c", BROKEN_SCRIPT, *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    import json

    rows = json.loads(out.stdout)
    assert len(rows) == 3
    for state, kind, message in rows:
        assert state == "failed"
        assert kind == FailureKind.WORKER_LOST.value
        assert "cannot start" in message and "code 9" in message
