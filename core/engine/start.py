"""How worker processes are started, importable before anything else of the engine.

The CLI calls ``prestart`` first thing, so the fork server loads the worker
code while the CLI loads its own; this module therefore imports nothing of
Brigade.
"""

from __future__ import annotations

import importlib.machinery
import multiprocessing
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


def prestart(method: str | None = None) -> None:
    """Start the fork server now (if ``method`` uses one), so it loads while the caller goes on.

    The server imports the worker code (``PRELOAD``) in its own process while,
    say, the CLI imports its own modules, so the first workers are forks of a
    ready interpreter. Uses only ``multiprocessing``'s public names
    (``set_forkserver_preload`` and ``forkserver.ensure_running``, which the
    first forkserver process would call anyway).
    """
    method = method or default_start_method()
    if method != "forkserver":
        return
    from multiprocessing import forkserver

    multiprocessing.set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def make_context(method: str | None) -> BaseContext:
    """Return the multiprocessing context for ``method`` (default: ``default_start_method()``)."""
    method = method or default_start_method()
    if method == "fork":
        raise ValueError("fork is refused: the engine process runs threads")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)  # type: ignore[attr-defined]
    return ctx
