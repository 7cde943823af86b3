"""Processors used by the window tests: they log, sleep and fail on request.

Workers import this module by its reference (``tests.gui.jobs:Slow``), as a
plugin would be imported.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from core.params import Param, ParamType
from core.processor import Cancelled, Processor, TaskContext

SLOW = "tests.gui.jobs:Slow"


class Slow(Processor):
    """Logs a few lines, sleeps ``seconds`` in small steps (cancellable), fails on 'fail' files.

    While a file ``<path>.hold`` exists the task keeps running (until cancelled),
    so a test decides when it may end.
    """

    name = "slow"
    title = "Slow (test)"
    description = "Sleeps, logs and fails on request."
    params = (
        Param("seconds", ParamType.FLOAT, 0.05, label="Seconds", minimum=0.0, maximum=10.0),
        Param("lines", ParamType.INT, 3, label="Log lines", minimum=0, maximum=1000),
    )
    result_columns = ("size",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        with open(path, "rb") as f:
            data = f.read()
        for i in range(params["lines"]):
            ctx.logger.info("line %d of %s", i + 1, path)
        deadline = time.monotonic() + params["seconds"]
        while time.monotonic() < deadline or os.path.exists(path + ".hold"):
            if ctx.cancelled():
                raise Cancelled()
            left = max(0.0, deadline - time.monotonic())
            ctx.progress(1 - left / max(params["seconds"], 1e-9))
            time.sleep(0.01)
        if b"fail" in data:
            ctx.logger.error("about to fail on %s", path)
            raise ValueError(f"refused content in {path}")
        return {"size": len(data)}
