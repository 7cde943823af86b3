"""How worker processes are started, importable before anything else of the engine.

The CLI calls ``prestart`` first thing, so the fork server loads the worker
code while the CLI loads its own; this module therefore imports nothing of
Brigade.
"""

from __future__ import annotations

import importlib.machinery
import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext

TYPE_CHECKING = False  # no ``typing`` import: this module loads before everything else
if TYPE_CHECKING:
    from collections.abc import Sequence
    from multiprocessing.connection import Connection
    from typing import Any

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
) -> None:
    """Entry point of a worker process: ``core.engine.worker.worker_main``, imported here.

    The engine names this function, not ``worker_main``, as each worker's
    ``target``: the engine's own process then never loads the worker's code
    (its logging, its task context). The fork server has that code preloaded;
    a spawned worker imports it here instead of while unpickling its target.
    """
    from core.engine.worker import worker_main

    worker_main(conn, slots, slot, environ, log_level, lines)


def default_start_method() -> str:
    """Forkserver on Linux (from source and frozen), spawn elsewhere.

    Neither copies the threads or locks of the engine process. With
    forkserver one clean interpreter loads the worker code once and each
    worker is a fork of it, ready in a few milliseconds instead of the
    ~100 ms an interpreter takes to start and import (twice the CPU of
    hashing 5,000 small files). A frozen app is its own fork server:
    multiprocessing starts it as ``<executable> -c "from
    multiprocessing.forkserver import main; ..."``, and the
    ``freeze_support()`` of PyInstaller's multiprocessing runtime hook,
    called first by both entry points, runs that command instead of the app.
    """
    if sys.platform.startswith("linux"):
        return "forkserver"
    return "spawn"


def prestart(method: str | None = None) -> None:
    """Start the fork server now (if ``method`` uses one), so it loads while the caller goes on.

    In a process that runs no thread yet (the CLI, first thing), the fork
    server and multiprocessing's resource tracker start as forks of it rather
    than as new interpreters: each saves an interpreter's start-up (~20 ms of
    CPU that would compete with the caller's own imports on a small machine).
    Otherwise they are started as usual. Either way the server then imports
    the worker code on its own while, say, the CLI imports its own modules.
    """
    method = method or default_start_method()
    if method != "forkserver":
        return
    from multiprocessing import forkserver, util

    multiprocessing.set_forkserver_preload(PRELOAD)
    spawnv_passfds = util.spawnv_passfds
    if _runs_one_thread():
        util.spawnv_passfds = _fork_helper
    try:
        forkserver.ensure_running()
    finally:
        util.spawnv_passfds = spawnv_passfds


def _runs_one_thread() -> bool:
    """Whether this process has a single thread, native ones included (Linux only: else False)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _fork_helper(path: Any, args: Sequence[Any], passfds: Sequence[int]) -> int:
    """Run a helper's ``python -c CODE`` command line in a fork of this process; return its pid.

    Stands in for ``multiprocessing.util.spawnv_passfds`` (same arguments),
    which starts the helpers as new interpreters. Like it, the child keeps
    only standard streams and ``passfds`` open, so it sees the end of its
    pipes when this process goes away, however it ends.
    """
    code = args[args.index("-c") + 1]
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        low = 3
        for fd in sorted(set(passfds)):
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, os.sysconf("SC_OPEN_MAX"))
        exec(code, {"__name__": "__mp_helper__"})  # multiprocessing's own start-up line
        status = 0
    except SystemExit as exc:  # the fork server's way to end
        status = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - a helper that fails says why on stderr, like the interpreter
        import traceback

        traceback.print_exc()
    finally:
        os._exit(status)  # never back into the caller's code, nor its atexit handlers


def make_context(method: str | None) -> BaseContext:
    """Return the multiprocessing context for ``method`` (default: ``default_start_method()``)."""
    method = method or default_start_method()
    if method == "fork":
        raise ValueError("fork is refused: the engine process runs threads")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)  # type: ignore[attr-defined]
    return ctx
