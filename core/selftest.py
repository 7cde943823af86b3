"""``--self-test``: a small batch of generated files through the real worker pool.

Used by ``brigade --self-test``, ``brigade-cli --self-test`` and the frozen
app's smoke test; needs no window.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO

from core.engine import Engine, EngineConfig
from core.events import Event, TaskFinished
from core.model import BatchSpec, TaskState

Check = Callable[[str, dict[str, object]], str | None]


def _make_files(folder: str, count: int = 8) -> list[str]:
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"sample-{i}.txt")
        with open(path, "wb") as f:
            f.write((f"line {i}\n" * (i * 100 + 1)).encode())
        paths.append(path)
    return paths


def _check_checksum(path: str, result: dict[str, object]) -> str | None:
    with open(path, "rb") as f:
        expected = hashlib.sha256(f.read()).hexdigest()
    return None if result.get("digest") == expected else f"digest {result.get('digest')} != {expected}"


CASES: list[tuple[str, dict[str, object], Check]] = [
    ("checksum", {}, _check_checksum),
]


def run_self_test(out: IO[str] | None = None, workers: int = 2) -> int:
    """Run every case; print a report; return 0 when all passed, else 1."""
    out = out or sys.stdout
    started = time.monotonic()
    failures = 0
    with (
        tempfile.TemporaryDirectory(prefix="brigade-selftest-") as folder,
        Engine(EngineConfig(workers=workers)) as engine,
    ):
        paths = _make_files(folder)
        for job, params, check in CASES:
            results: dict[int, TaskFinished] = {}

            def collect(events: list[Event], into: dict[int, TaskFinished] = results) -> None:
                into.update((e.task_id, e) for e in events if isinstance(e, TaskFinished))

            engine.add_listener(collect)
            handle = engine.submit(BatchSpec(job, params, paths))
            handle.wait(120)
            engine.remove_listener(collect)
            problems = _problems(paths, handle.task_ids, results, check)
            failures += bool(problems)
            status = "ok" if not problems else "FAILED: " + "; ".join(problems[:3])
            print(f"{job:<12} {len(paths)} files  {status}", file=out)
    verdict = "passed" if not failures else f"{failures} job(s) failed"
    print(f"self-test {verdict} in {time.monotonic() - started:.2f} s", file=out)
    return 0 if not failures else 1


def _problems(paths: list[str], ids: object, results: dict[int, TaskFinished], check: Check) -> list[str]:
    problems = []
    for path, tid in zip(paths, ids, strict=True):  # type: ignore[call-overload]
        ev = results.get(tid)
        if ev is None or ev.state != TaskState.DONE:
            reason = ev.failure.describe() if ev and ev.failure else "no result"
            problems.append(f"{os.path.basename(path)}: {reason}")
            continue
        problem = check(path, dict(ev.result or {}))
        if problem:
            problems.append(f"{os.path.basename(path)}: {problem}")
    return problems
