"""``trim-whitespace``: remove spaces and tabs at the end of every line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from core.params import Param, ParamType
from core.processor import Processor, Skip, TaskContext


class TrimWhitespace(Processor):
    """Strip trailing blanks line by line, keeping each line's own ending."""

    name = "trim-whitespace"
    title = "Trim trailing whitespace"
    description = "Remove spaces and tabs at the end of each line; files that need no change are skipped."
    params = (
        Param(
            "final_newline",
            ParamType.BOOL,
            True,
            label="End with a newline",
            help="Add a newline at the end of the file when it lacks one.",
        ),
    )
    result_columns = ("lines_changed",)
    writes_outputs = True  # the GUI shows the output form; dry runs plan our outputs

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        return name  # same name; the output policy decides the folder

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        size = os.path.getsize(path) or 1
        changed = 0
        last = b"\n"
        # Binary lines: any ASCII-compatible encoding passes through unchanged.
        with open(path, "rb") as src, ctx.write_output(os.path.basename(path)) as out:
            for done, line in _lines_with_offsets(src):
                body = line.rstrip(b"\r\n")
                ending = line[len(body) :]
                trimmed = body.rstrip(b" \t")
                changed += trimmed != body
                out.file.write(trimmed + ending)
                last = ending or trimmed[-1:]
                ctx.check_cancelled()
                ctx.progress(done / size)
            if params["final_newline"] and last not in (b"\n", b"\r"):
                out.file.write(b"\n")
                changed += 1
            if not changed:
                # Raising inside the block discards the staged copy: nothing is written.
                raise Skip("nothing to trim")
        return {"lines_changed": changed, "output": out.path}


def _lines_with_offsets(src: Any) -> Any:
    done = 0
    for line in src:
        done += len(line)
        yield done, line
