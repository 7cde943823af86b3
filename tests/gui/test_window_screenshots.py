"""The main window mid-batch, in light and dark: saved under artifacts/ to be looked at."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from core.model import TaskState
from gui_app.theme import apply_theme
from tests.gui.conftest import make_files, save_artifact
from tests.gui.test_window_run import drop_and_start, rows_in, use_slow_job

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def mean_lightness(path) -> float:
    img = QImage(str(path)).scaled(64, 40)
    values = [img.pixelColor(x, y).lightness() for x in range(img.width()) for y in range(img.height())]
    return sum(values) / len(values)


def test_screenshots_mid_batch_light_and_dark(qtbot, window, tmp_path):
    app = QApplication.instance()
    window.resize(1280, 800)
    use_slow_job(window, seconds=0.05, lines=4)
    files = make_files(tmp_path, 24, b"data ")
    for i in (5, 13):
        files[i].write_bytes(b"this one will fail")
    for f in files[-6:]:
        (tmp_path / (f.name + ".hold")).write_bytes(b"")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 16, timeout=60_000)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.RUNNING)) == 2, timeout=30_000)
    failed = rows_in(window, TaskState.FAILED)
    assert len(failed) == 2
    window.view.select_task(window.model.task_id(failed[0]))
    qtbot.waitUntil(lambda: "refused content" in window.log.text(), timeout=10_000)
    window._on_tick()
    try:
        apply_theme(app, "light")
        qtbot.wait(50)
        light = save_artifact(window, "window-light.png")
        apply_theme(app, "dark")
        qtbot.wait(50)
        dark = save_artifact(window, "window-dark.png")
        window.monitor_dock.raise_()
        qtbot.wait(1500)  # let the monitor draw a sample or two
        save_artifact(window, "window-monitor-dark.png")
    finally:
        apply_theme(app, "light")
    assert mean_lightness(dark) < mean_lightness(light) - 40
