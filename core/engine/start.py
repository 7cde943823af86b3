"""How worker processes are started.

The engine's first workers are forks of its own process when it runs no
other thread yet (the CLI, before it walks its folders); any other worker
comes from a fork server on Linux (a clean interpreter with the worker code
loaded) or is spawned. This module imports nothing of Brigade, so a worker
started from it loads only what it runs.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from core.engine.wire import Slots


def spare_main_reimport(module_name: str) -> None:
    """Spare spawned workers from re-running a launcher script as their ``__main__``.

    Spawn re-imports the parent's main module in every worker; for a console
    script that means the whole CLI or GUI before the first task. Naming the
    main module after a package's ``__main__`` makes spawn skip it. Call this
    only from entry points whose ``__main__`` defines nothing workers need.
    """
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None:
        main.__spec__ = importlib.machinery.ModuleSpec(module_name, None)


# What the fork server loads once for every worker: this module (which holds
# the workers' entry point, ``run_worker``), the worker's code, the default
# job's, and hashlib (which that job imports on its first file).
PRELOAD = ["core.engine.start", "core.engine.worker", "core.processors.checksum", "hashlib"]


def run_worker(
    conn: Connection,
    slots: Slots,
    slot: int,
    environ: dict[str, str] | None = None,
    log_level: int = 30,
    lines: str | None = None,
    inherited: tuple[int, ...] = (),
) -> None:
    """Entry point of a worker process: ``core.engine.worker.worker_main``, imported here.

    The engine names this function, not ``worker_main``, as each worker's
    ``target``: the engine's own process then never loads the worker's code
    (its logging, its task context). The fork server has that code preloaded;
    a spawned worker imports it here instead of while unpickling its target.
    ``inherited``: the engine's ends of other workers' connections, which a
    worker forked from the engine closes first, so that each worker alone
    holds its engine's end open only while the engine lives.
    """
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    from core.engine.worker import worker_main

    worker_main(conn, slots, slot, environ, log_level, lines)


def default_start_method() -> str:
    """Forkserver on Linux (from source and frozen), spawn elsewhere.

    Neither copies the threads or locks of the engine process. With
    forkserver one clean interpreter loads the worker code once and each
    worker is a fork of it, so no worker pays for an interpreter's start-up
    and imports, which on small files cost more than the work itself. A
    frozen app is its own fork server: multiprocessing starts it as
    ``<executable> -c "from multiprocessing.forkserver import main; ..."``,
    and the ``freeze_support()`` of PyInstaller's multiprocessing runtime
    hook, called first by both entry points, runs that command instead of
    the app.
    """
    if sys.platform.startswith("linux"):
        return "forkserver"
    return "spawn"


def can_fork_here() -> bool:
    """Whether this process may start workers as forks of itself: on Linux, while it runs one thread.

    A fork copies memory but only the calling thread: a lock another thread
    held (in logging, in the allocator, in Qt) stays held in the child for
    ever. With no other thread there is no such lock, and a worker forked
    from here is ready at once, without a fork server's interpreter start-up
    and imports. The count is the kernel's, so threads that Python does not
    know of (Qt's, a C library's) count too.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def fork_context() -> BaseContext:
    """The context that forks this process; only while ``can_fork_here()`` holds."""
    return multiprocessing.get_context("fork")


def make_context(method: str | None) -> BaseContext:
    """Return the multiprocessing context for ``method`` (default: ``default_start_method()``)."""
    method = method or default_start_method()
    if method == "fork":
        raise ValueError("fork is refused: the engine process runs threads")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)  # type: ignore[attr-defined]
    return ctx
