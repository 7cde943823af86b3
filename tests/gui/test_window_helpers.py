"""What a newcomer looks for: a hint in the empty table, the guide, the last folder, the output folder."""

from __future__ import annotations

import os

import pytest
from PySide6.QtGui import QPalette

from core.model import TaskState
from gui_app.guide import guide_path
from tests.gui.conftest import make_files, open_window, save_artifact, shut
from tests.gui.test_window_run import drop_and_start, rows_in

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def hint_pixels(view) -> int:
    """Pixels across the middle of the table not in the background colour (the hint's letters)."""
    image = view.viewport().grab().toImage()
    base = view.palette().color(QPalette.ColorRole.Base).rgb()
    h, w = image.height(), image.width()
    return sum(1 for y in range(h // 2 - 8, h // 2 + 8) for x in range(w) if image.pixel(x, y) != base)


def test_the_empty_table_says_how_to_fill_it(qtbot, window, tmp_path):
    assert "Ctrl+O" in window.view.empty_hint().replace("%1", "Ctrl+O")
    assert hint_pixels(window.view) > 20
    save_artifact(window, "window-empty-hint.png")
    window.setup.set_job("checksum")
    drop_and_start(qtbot, window, make_files(tmp_path, 1))
    qtbot.waitUntil(lambda: hint_pixels(window.view) < 20, timeout=5000)  # one row: no hint


def test_help_opens_the_guide_shipped_with_the_app(window):
    assert guide_path() is not None and guide_path().name == "README.md"
    assert window.actions_.guide in window.menuBar().actions()[-1].menu().actions()


def test_the_file_dialogs_open_in_the_folder_used_last(qtbot, settings, tmp_path):
    settings.qsettings.setValue("paths/last_folder", str(tmp_path))
    w = open_window(qtbot, settings)
    try:
        assert w.setup.dialog_folder() == str(tmp_path)
        w.setup.folderUsed.emit(str(tmp_path / "elsewhere"))
        assert settings.qsettings.value("paths/last_folder") == str(tmp_path / "elsewhere")
        w.setup.start_folder = str(tmp_path / "gone")
        assert w.setup.dialog_folder() == os.path.expanduser("~")  # a folder that went away: home
    finally:
        shut(qtbot, w)


def test_a_batch_offers_its_output_folder(qtbot, window, tmp_path):
    files = make_files(tmp_path / "in", 2)
    window.setup.set_job("compress")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 2, timeout=30_000)
    window.view.select_task(window.model.task_id(0))
    menu = window.view.build_menu()
    action = next(a for a in menu.actions() if a.objectName() == "open_folder")
    assert action.isEnabled()
    assert window.model.output_folder(window.model.batches[0]) == str(tmp_path / "in" / "brigade-compress")


def test_dropped_files_are_listed_in_natural_order(qtbot, window, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("note_10.txt", "note_2.txt", "note_1.txt"):
        (notes / name).write_bytes(b"x")
    with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
        window.setup.add_paths([str(notes)])
    assert [os.path.basename(p) for p in window.setup.found.paths] == [
        "note_1.txt",
        "note_2.txt",
        "note_10.txt",
    ]
