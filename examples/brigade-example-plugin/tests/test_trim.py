"""The example plugin runs through Brigade's real engine and is declared as an entry point."""

from __future__ import annotations

import pathlib
import sys
import tomllib

import pytest

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))  # spawned workers inherit sys.path, so they import it too

from core.engine import Engine, EngineConfig  # noqa: E402
from core.events import TaskFinished  # noqa: E402
from core.model import BatchSpec, TaskState  # noqa: E402
from core.output import OutputPolicy  # noqa: E402

REF = "brigade_example.trim:TrimWhitespace"


def test_entry_point_names_the_job():
    meta = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["brigade.processors"] == {"trim-whitespace": REF}


@pytest.fixture
def files(tmp_path):
    data = {
        "messy file.txt": b"one  \r\ntwo\t\nthree   ",
        "clean.txt": b"fine\nlines\n",
    }
    for name, content in data.items():
        (tmp_path / name).write_bytes(content)
    return [str(tmp_path / name) for name in data]


def test_trims_through_the_engine(tmp_path, files):
    finished = {}
    with Engine(EngineConfig(workers=1)) as engine:
        engine.add_listener(
            lambda evs: finished.update((e.task_id, e) for e in evs if isinstance(e, TaskFinished))
        )
        policy = OutputPolicy(folder=str(tmp_path / "out"), mirror=False)
        handle = engine.submit(BatchSpec(REF, {}, files, output=policy.to_data()))
        assert handle.wait(60) is not None
    messy, clean = (finished[t] for t in handle.task_ids)
    assert messy.state == TaskState.DONE
    assert messy.result["lines_changed"] == 4  # three lines and the final newline
    assert (tmp_path / "out" / "messy file.txt").read_bytes() == b"one\r\ntwo\nthree\n"
    assert clean.state == TaskState.SKIPPED
    assert not (tmp_path / "out" / "clean.txt").exists()
