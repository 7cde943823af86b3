"""Plugins from the plugin folder and from entry points: listed, run, and contained when broken."""

from __future__ import annotations

import sys
import textwrap

import pytest

from core import registry
from core.cli import main as cli
from core.model import TaskState
from core.plugins import PLUGIN_DIR_ENV
from tests.processors.conftest import out_policy, run_job, write

GOOD = """
import os
from core.params import Param, ParamType
from core.processor import Processor

class Shout(Processor):
    name = "shout"
    title = "Shout"
    params = (Param("suffix", ParamType.STR, "!"),)
    writes_outputs = True

    def run(self, path, params, ctx):
        with open(path, "rb") as src, ctx.write_output(os.path.basename(path)) as out:
            out.file.write(src.read().upper() + params["suffix"].encode())
        return {"output": out.path}

class Boom(Processor):
    name = "boom"
    title = "Dies on files called boom*"

    def run(self, path, params, ctx):
        if os.path.basename(path).startswith("boom"):
            os._exit(7)
        return {"ok": True}
"""

BROKEN = "import no_such_module_anywhere\n"
TAKEN = """
from core.processor import Processor

class Impostor(Processor):
    name = "checksum"
"""


@pytest.fixture
def plugin_folder(tmp_path, monkeypatch):
    """A plugin folder with a good module, a broken one, and one that takes a built-in name."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "loud_jobs.py").write_text(textwrap.dedent(GOOD), encoding="utf-8")
    (folder / "broken_jobs.py").write_text(BROKEN, encoding="utf-8")
    (folder / "impostor_jobs.py").write_text(TAKEN, encoding="utf-8")
    monkeypatch.setenv(PLUGIN_DIR_ENV, str(folder))
    registry.refresh()
    yield folder
    registry.refresh()
    for name in ("loud_jobs", "broken_jobs", "impostor_jobs"):
        sys.modules.pop(name, None)
    if str(folder) in sys.path:
        sys.path.remove(str(folder))


def test_folder_plugins_are_listed_with_their_errors(plugin_folder, capsys):
    jobs = {(j.name, j.origin.split()[0]): j for j in registry.all_jobs()}
    assert jobs[("shout", "plugin")].error is None
    assert jobs[("shout", "plugin")].ref == "loud_jobs:Shout"
    assert "ModuleNotFoundError" in jobs[("broken_jobs", "plugin")].error
    assert "taken by built-in" in jobs[("checksum", "plugin")].error
    assert registry.job_ref("checksum") == registry.BUILTIN["checksum"]  # never replaced
    assert cli(["jobs"]) == 0  # a broken plugin does not stop the listing
    out = capsys.readouterr().out
    assert "broken_jobs" in out and "FAILED TO LOAD" in out
    assert "shout  Shout" in out


def test_folder_plugin_runs_in_workers_and_a_crash_fails_only_its_task(plugin_folder, engine, tmp_path):
    paths = [write(tmp_path / "in" / n, b"hi") for n in ("a.txt", "boom.txt", "b.txt")]
    shout = run_job(engine, "shout", paths[:1], {"suffix": "?"}, out_policy(tmp_path))
    with open(shout.result(paths[0])["output"], "rb") as f:
        assert f.read() == b"HI?"
    run = run_job(engine, "boom", paths)
    assert run.state(paths[1]) == TaskState.FAILED
    assert "exit" in run.reason(paths[1])
    assert run.state(paths[0]) == run.state(paths[2]) == TaskState.DONE


ENTRY_POINTS = """
[brigade.processors]
loud = fakeplug_mod:Loud
missing = fakeplug_missing:Nope
"""


def test_entry_point_plugins_are_found_and_broken_ones_reported(tmp_path, monkeypatch):
    site = tmp_path / "site"
    dist = site / "fakeplug-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    (site / "fakeplug_mod.py").write_text(
        "from core.processor import Processor\nclass Loud(Processor):\n    name = 'loud'\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv(PLUGIN_DIR_ENV, str(tmp_path / "no plugins here"))
    registry.refresh()
    try:
        jobs = {j.name: j for j in registry.all_jobs()}
        assert jobs["loud"].error is None and jobs["loud"].origin == "plugin fakeplug"
        assert "ModuleNotFoundError" in jobs["missing"].error
        with pytest.raises(registry.UnknownJobError, match="could not be loaded"):
            registry.job_ref("missing")
    finally:
        registry.refresh()
        sys.modules.pop("fakeplug_mod", None)
