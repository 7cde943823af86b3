"""The Watch panel in the real window: rules from Job setup or a rule file, switches, the queued files."""

from __future__ import annotations

import json
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from core.model import TaskState
from tests.gui.conftest import open_window, save_artifact, shut

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]
WAIT = 30_000  # ms: the default settle time is 2 s, and the machine may be loaded


def _rule_cell(panel, row: int, col: int) -> str:
    return panel.rules_table.item(row, col).text()


def _done_in_table(window) -> int:
    return len(window.model.rows_in_states([TaskState.DONE]))


def _watch(qtbot, window, folder) -> None:
    assert window.setup.set_job("checksum")
    panel = window.watch
    assert panel.watch_folder(str(folder)), panel.message.text()
    qtbot.waitUntil(lambda: _rule_cell(panel, 0, 4) == "watching", timeout=WAIT)


def test_a_folder_watched_with_the_job_of_job_setup_runs_in_the_task_table(qtbot, window, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "before.txt").write_text("there before")
    panel = window.watch
    assert panel.dock is not None and panel.dock.windowTitle() == "Watch"
    _watch(qtbot, window, inbox)
    qtbot.waitUntil(lambda: _done_in_table(window) == 1, timeout=WAIT)
    (inbox / "landed.txt").write_text("landed while watched")
    qtbot.waitUntil(lambda: _done_in_table(window) == 2, timeout=WAIT)
    qtbot.waitUntil(lambda: _rule_cell(panel, 0, 7) == "2", timeout=WAIT)
    assert _rule_cell(panel, 0, 3) == "checksum"
    files = {panel.recent.item(r, 1).text() for r in range(panel.recent.rowCount())}
    assert files == {str(inbox / "before.txt"), str(inbox / "landed.txt")}
    saved = json.loads((tmp_path / "watch-rules.json").read_text())
    assert [(r["folder"], r["job"]) for r in saved["rule"]] == [(str(inbox), "checksum")]
    panel.dock.raise_()
    window.resizeDocks([panel.dock], [330], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: panel.isVisible() and panel.dock.height() >= 300, timeout=WAIT)
    save_artifact(window, "watch_panel.png")


def test_the_switch_turns_a_rule_off_and_on_and_is_remembered(qtbot, settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    w = open_window(qtbot, settings)
    try:
        _watch(qtbot, w, inbox)
        switch = w.watch.rules_table.item(0, 0)
        switch.setCheckState(Qt.CheckState.Unchecked)
        qtbot.waitUntil(lambda: _rule_cell(w.watch, 0, 4).startswith("off"), timeout=WAIT)
        (inbox / "while-off.txt").write_text("x")
    finally:
        shut(qtbot, w)
    w = open_window(qtbot, settings)
    try:
        panel = w.watch
        qtbot.waitUntil(lambda: panel.rules_table.rowCount() == 1, timeout=WAIT)
        assert panel.rules_table.item(0, 0).checkState() == Qt.CheckState.Unchecked
        qtbot.waitUntil(lambda: _rule_cell(panel, 0, 4).startswith("off"), timeout=WAIT)
        assert _done_in_table(w) == 0
        panel.rules_table.item(0, 0).setCheckState(Qt.CheckState.Checked)
        qtbot.waitUntil(lambda: _done_in_table(w) == 1, timeout=WAIT)  # caught up on switching on
    finally:
        shut(qtbot, w)


def test_a_rule_file_that_deletes_inputs_is_added_only_once_confirmed(qtbot, window, tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        f'folder = "{tmp_path / "drop"}"\njob = "checksum"\non_done = "delete"\nconfirm_delete = true\n'
    )
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    panel = window.watch
    assert not panel.add_rule_file(str(rules))
    assert panel.rules_table.rowCount() == 0
    assert panel.add_rule_file(str(rules))
    qtbot.waitUntil(lambda: _rule_cell(panel, 0, 4).startswith("paused"), timeout=WAIT)
    assert "folder missing" in _rule_cell(panel, 0, 4)
    panel.rules_table.selectRow(0)
    panel.remove_selected()
    assert panel.rules_table.rowCount() == 0
    assert json.loads((tmp_path / "watch-rules.json").read_text()) == {"rule": []}


def test_a_bad_rule_file_says_why(qtbot, window, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('folder = "x"\njob = "nope"\n')
    assert not window.watch.add_rule_file(str(rules))
    assert "unknown job 'nope'" in window.watch.message.text()
    assert os.path.basename(str(rules)) in window.watch.message.text()
