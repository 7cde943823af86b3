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


PRELOAD = ["core.engine.worker"]


def default_start_method() -> str:
    """Forkserver on Linux, spawn elsewhere and in a frozen app.

    Neither copies the threads or locks of the engine process. With
    forkserver one clean interpreter loads the worker code once and each
    worker is a fork of it, ready in a few milliseconds instead of the
    ~100 ms an interpreter takes to start and import (twice the CPU of
    hashing 5,000 small files).
    """
    if sys.platform.startswith("linux") and not getattr(sys, "frozen", False):
        return "forkserver"
    return "spawn"


def prestart(method: str | None = None) -> None:
    """Start the fork server now (if ``method`` uses one), so it loads while the caller goes on.

    Starting it costs a fork and an exec; the server then imports the worker
    code on its own while, say, the CLI imports its own modules.
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
