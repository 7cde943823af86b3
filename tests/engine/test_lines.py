"""Workers make each task's line (``EngineConfig.lines``), so the CLI only writes them out."""

from __future__ import annotations

import hashlib
import json

import pytest

from core.engine import Engine, EngineConfig
from core.model import BatchSpec, TaskState
from tests.engine.conftest import Collector, make_files


@pytest.mark.parametrize("form", [None, "result", "json"])
def test_workers_make_the_line_of_each_task_they_end(start_method, tmp_path, form):
    paths = make_files(tmp_path, ["a.txt", "b c.txt", "d\\e.txt"])
    col = Collector()
    with Engine(EngineConfig(workers=2, start_method=start_method, lines=form)) as engine:
        engine.add_listener(col)
        handle = engine.submit(BatchSpec("checksum", {}, paths))
        assert handle.wait(60).counts[TaskState.DONE] == 3
    for tid, path in zip(handle.task_ids, paths, strict=True):
        line = col.finished[tid].line
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if form is None:
            assert line is None
        elif form == "result":
            escaped = "\\" in path
            expected = f"\\{digest}  {path.replace(chr(92), chr(92) * 2)}" if escaped else f"{digest}  {path}"
            assert line == expected
        else:
            record = json.loads(line)
            assert (record["task"], record["path"], record["state"]) == (tid, path, "done")
            assert record["result"]["digest"] == digest
