"""A test-only job that counts its runs in a side file, importable by worker processes.

Run it as ``-j tests.store.jobs:CountingJob``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from core.params import Param, ParamType
from core.processor import Processor, TaskContext
from core.processors.command import Command


class CountingJob(Processor):
    """Append the input's path to a side file, log some lines, wait, return a digest."""

    name = "counting"
    title = "Counting (tests)"
    params = (
        Param("counter", ParamType.PATH, ""),
        Param("delay", ParamType.FLOAT, 0.0),
        Param("lines", ParamType.INT, 2),
        Param("fail_unless", ParamType.PATH, ""),
    )
    result_columns = ("digest",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        if params["counter"]:
            # One write() of a short line with O_APPEND: lines of concurrent workers never mix.
            fd = os.open(params["counter"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, os.fsencode(path) + b"\n")
            finally:
                os.close(fd)
        for i in range(params["lines"]):
            ctx.logger.log(
                logging.WARNING if i % 2 else logging.INFO, "line %d of %s", i, os.path.basename(path)
            )
        if params["fail_unless"] and not os.path.exists(params["fail_unless"]):
            raise RuntimeError("the marker file is missing")
        if params["delay"]:
            time.sleep(params["delay"])
        with open(path, "rb") as f:
            data = f.read()
        return {"digest": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def read_counts(counter: str) -> dict[str, int]:
    """How many times each path ran, from the side file."""
    counts: dict[str, int] = {}
    if not os.path.exists(counter):
        return counts
    with open(counter, "rb") as f:
        for line in f.read().splitlines():
            key = os.fsdecode(line)
            counts[key] = counts.get(key, 0) + 1
    return counts


class ResultJob(Processor):
    """Return the result named by ``kind`` (any JSON value), or log ``lines`` lines first."""

    name = "results"
    title = "Results (tests)"
    params = (
        Param("kind", ParamType.STR, "str"),
        Param("lines", ParamType.INT, 0),
        Param("line_bytes", ParamType.INT, 0),
    )

    RESULTS: dict[str, Any] = {
        "str": "a plain string",
        "list": [1, "two", {"three": 3}],
        "int": 42,
        "float": 2.5,
        "bool": True,
        "none": None,
        "dict": {"a": 1},
    }

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Any:
        for i in range(params["lines"]):
            ctx.logger.info("line %d", i)
        if params["line_bytes"]:
            ctx.logger.info("x" * params["line_bytes"])
        return self.RESULTS[params["kind"]]


class MeasuredCommand(Command):
    """The command job, whose result also says the worker's peak memory (KiB) after the task."""

    name = "measured-command"

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Any:
        import resource

        result = dict(super().run(path, params, ctx))
        result["worker_peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return result


class PrintingJob(Processor):
    """Print ``mib`` MiB with no newline, a piece at a time; the result says the worker's peak memory."""

    name = "printing"
    title = "Printing (tests)"
    params = (Param("mib", ParamType.INT, 1),)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Any:
        import resource

        for _ in range(params["mib"]):
            print("x" * 2**20, end="")
        print()
        return {"worker_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
