"""Processors that misbehave on purpose, for the engine's fault-injection tests.

Every file whose name is ``params["target"]`` triggers ``params["mode"]``; every
other file succeeds with ``{"name": basename}``. Imported by worker processes.
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import threading
import time
from typing import Any

from core.params import Param, ParamType
from core.processor import Cancelled, Processor, RetryableError

log = logging.getLogger(__name__)

MODES = (
    "ok",
    "raise",
    "sigkill",
    "segfault",
    "exit",
    "memory",
    "sleep",
    "hang",
    "cooperative",
    "systemexit",
    "keyboardinterrupt",
    "unpicklable",
    "weird",
    "log",
    "print",
    "retryable",
    "count",
    "env",
    "gives-up",
    "oserror",
    "chatty",
    "always-retryable",
)


class WeirdError(Exception):
    """An exception that cannot be rebuilt from its args and cannot be printed."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(a)
        self.b = b

    def __str__(self) -> str:
        raise RuntimeError("no text for you")


class Faulty(Processor):
    name = "faulty"
    title = "Faulty (tests)"
    params = (
        Param("mode", ParamType.CHOICE, "ok", choices=MODES),
        Param("target", ParamType.STR, "bad.txt"),
        Param("seconds", ParamType.FLOAT, 30.0),
        Param("lines", ParamType.INT, 0),
        Param("counter", ParamType.STR, ""),
    )

    def run(self, path: str, params: Any, ctx: Any) -> Any:
        if params["counter"]:
            _count(params["counter"], path)
        if os.path.basename(path) == params["target"]:
            result = _FAULTS[params["mode"]](path, params, ctx)
            if result is not None:
                return result
        return {"name": os.path.basename(path), "pid": os.getpid()}


def _count(counter_dir: str, path: str) -> None:
    # One line per run, appended atomically (O_APPEND), to prove nothing ran twice.
    fd = os.open(os.path.join(counter_dir, "runs.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, os.fsencode(os.path.basename(path)) + b"\n")
    finally:
        os.close(fd)


def _memory(path: str, params: Any, ctx: Any) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, hard))
    try:
        blob = bytearray(4 * 1024**3)
        return {"size": len(blob)}
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _hang(path: str, params: Any, ctx: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only KILL can stop it
    time.sleep(params["seconds"])


def _cooperative(path: str, params: Any, ctx: Any) -> None:
    deadline = time.monotonic() + params["seconds"]
    while time.monotonic() < deadline:
        ctx.check_cancelled()
        time.sleep(0.01)


def _log(path: str, params: Any, ctx: Any) -> None:
    for i in range(params["lines"]):
        log.info("line %d", i)


def _print(path: str, params: Any, ctx: Any) -> None:
    print("hello from a task")
    print("partial line without newline", end="")


def _retryable(path: str, params: Any, ctx: Any) -> None:
    with open(os.path.join(params["counter"], "runs.log"), "rb") as f:
        runs = f.read().count(os.fsencode(os.path.basename(path)) + b"\n")
    if runs < 2:
        raise RetryableError("flaky resource, try again")


def _gives_up(*_: Any) -> None:
    raise Cancelled("the task stopped itself")


def _oserror(path: str, *_: Any) -> None:
    open(os.path.join(path, "inside"), "rb")  # noqa: SIM115 - fails: a file is not a folder


def _chatty(*_: Any) -> None:
    logging.getLogger("some.library").debug("library detail")
    logging.getLogger("some.library").warning("library warning")
    log.debug("job detail")


def _always_retryable(*_: Any) -> None:
    raise RetryableError("still busy")


def _raise(*_: Any) -> None:
    raise ValueError("boom")


def _sigkill(*_: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _segfault(*_: Any) -> None:
    ctypes.string_at(0)


def _exit(*_: Any) -> None:
    os._exit(3)


def _sleep(path: str, params: Any, ctx: Any) -> None:
    time.sleep(params["seconds"])


def _systemexit(*_: Any) -> None:
    raise SystemExit(5)


def _keyboardinterrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _unpicklable(*_: Any) -> Any:
    return {"lock": threading.Lock()}


def _weird(*_: Any) -> None:
    raise WeirdError(1, 2)


_FAULTS = {
    "ok": lambda *_: None,
    "env": lambda *_: {"value": os.environ.get("BRIGADE_TEST_ENV")},
    "raise": _raise,
    "sigkill": _sigkill,
    "segfault": _segfault,
    "exit": _exit,
    "memory": _memory,
    "sleep": _sleep,
    "hang": _hang,
    "cooperative": _cooperative,
    "systemexit": _systemexit,
    "keyboardinterrupt": _keyboardinterrupt,
    "unpicklable": _unpicklable,
    "weird": _weird,
    "log": _log,
    "print": _print,
    "retryable": _retryable,
    "count": lambda *_: None,
    "gives-up": _gives_up,
    "oserror": _oserror,
    "chatty": _chatty,
    "always-retryable": _always_retryable,
}

REF = "tests.engine.faulty:Faulty"


class FaultyWithSideEffects(Faulty):
    """``Faulty`` declaring side effects: each task's end reaches the engine before the next starts."""

    name = "faulty-effects"
    side_effects = True


EFFECTS_REF = "tests.engine.faulty:FaultyWithSideEffects"
