"""The smoke check itself (from source): it passes on a working app and fails on a broken panel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, isolated_env

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

# A frozen app's typical failure: a module the Monitor imports is not in the bundle, so
# the Monitor shows "Monitor unavailable" instead of its graphs.
WITHOUT_MONITOR_GRAPH = (
    "import sys; sys.modules['gui_app.monitor_graph'] = None; "
    "from gui_app.main import main; sys.exit(main(['--smoke']))"
)


def smoke(tmp_path: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "gui_app.main", "--smoke"]
    env = isolated_env(tmp_path, BRIGADE_SMOKE_SHOTS=str(tmp_path / "shots"))
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=100)


def test_smoke_check_visits_every_panel_and_saves_what_it_saw(tmp_path: Path) -> None:
    run = smoke(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "smoke: every panel works" in run.stdout
    shots = {p.name for p in (tmp_path / "shots").iterdir()}
    for panel in ("tasks", "log", "monitor", "history", "watch", "settings", "about", "licences", "guide"):
        assert f"smoke: {panel} ok" in run.stdout
        assert f"smoke-{panel}.png" in shots


def test_smoke_check_passes_again_with_the_window_state_the_first_run_saved(tmp_path: Path) -> None:
    # The second run restores the docks the first one saved (the Monitor in its dock as it was
    # left); its graphs must still draw the newest samples.
    first = smoke(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert list((tmp_path / "config").rglob("*.conf")) or list((tmp_path / "config").rglob("*.ini"))
    second = smoke(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "smoke: monitor ok" in second.stdout and "smoke: every panel works" in second.stdout


def test_smoke_check_fails_when_the_monitor_cannot_load(tmp_path: Path) -> None:
    run = smoke(tmp_path, WITHOUT_MONITOR_GRAPH)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "smoke: monitor FAILED: Monitor unavailable" in run.stdout
    assert "smoke: history ok" in run.stdout  # the other panels are still visited


# An error raised while the window closes (here by a slot of its "destroyed" signal).
ERROR_WHILE_CLOSING = """
import sys
import gui_app.main_window as main_window

def fail():
    raise RuntimeError("boom while closing")

begin_close = main_window.MainWindow._begin_close

def begin_close_then_fail(self):
    self.destroyed.connect(fail)
    begin_close(self)

main_window.MainWindow._begin_close = begin_close_then_fail
from gui_app.main import main
sys.exit(main(["--smoke"]))
"""


def test_smoke_check_fails_on_an_error_while_the_window_closes(tmp_path: Path) -> None:
    run = smoke(tmp_path, ERROR_WHILE_CLOSING)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "smoke: every panel works" in run.stdout
    assert "smoke: closing FAILED" in run.stdout and "boom while closing" in run.stdout
