"""Test jobs the cluster tests run on Dask workers (importable there as ``tests.cluster.jobs``)."""

from __future__ import annotations

import os
import time

from core.params import Param, ParamType
from core.processor import Processor

WAIT_LIMIT = 30.0


def wait_for(path: str, limit: float = WAIT_LIMIT, ctx=None) -> bool:
    """Poll for ``path`` (the test's signal to go on); stop early when cancelled."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        if ctx is not None:
            ctx.check_cancelled()
        time.sleep(0.01)
    return False


class Chatty(Processor):
    """Logs and reports progress, then waits until the test saw them live (an ``.ack`` file)."""

    name = "chatty"

    def run(self, path, params, ctx):
        ctx.logger.info("hello %s", os.path.basename(path))
        ctx.progress(0.5, "half way")
        return {"acked": wait_for(path + ".ack", ctx=ctx)}


class Slow(Processor):
    """Runs ``seconds`` per file, checking for cancellation."""

    name = "slow"
    params = (Param("seconds", ParamType.FLOAT, 5.0),)

    def run(self, path, params, ctx):
        end = time.monotonic() + params["seconds"]
        while time.monotonic() < end:
            ctx.check_cancelled()
            time.sleep(0.01)
        return {"slept": params["seconds"]}


class Hold(Processor):
    """Files named ``hold*`` say so (``.holding``) and wait for a ``release`` file beside them."""

    name = "hold"

    def run(self, path, params, ctx):
        if os.path.basename(path).startswith("hold"):
            open(path + ".holding", "w").close()  # the test's sign that it runs
            wait_for(os.path.join(os.path.dirname(path), "release"))
        with open(path, "rb") as f:
            return {"bytes": len(f.read()), "pid": os.getpid()}


class Copy(Processor):
    """Writes ``<path>.out`` through the atomic output helper."""

    name = "copy"

    def run(self, path, params, ctx):
        with open(path, "rb") as src, ctx.atomic_output(path + ".out") as dst:
            dst.write(src.read())
        return {"worker_path": path, "output": path + ".out"}


class FailWhileMarked(Processor):
    """Fails while a ``<path>.fail`` file exists beside the input (so a retry can succeed)."""

    name = "fail-while-marked"

    def run(self, path, params, ctx):
        if os.path.exists(path + ".fail"):
            raise RuntimeError("marked to fail")
        return {"pid": os.getpid()}
