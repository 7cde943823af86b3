"""The queue from the window: move a batch up, remove queued tasks with Delete, cancel a million at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

from core.model import BatchSpec, TaskState
from gui_app.tasks_model import COL_STATE
from tests.gui.conftest import make_files, save_artifact
from tests.gui.jobs import SLOW

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def submit(window, paths, seconds: float) -> None:
    spec = BatchSpec(SLOW, {"seconds": seconds, "lines": 0}, [str(p) for p in paths], window.batch_options())
    assert window.submit(spec)
    window.model.set_result_columns(SLOW, ("size",), "Slow (test)")


def select_rows(view, rows: list[int]) -> None:
    """Select the view rows showing source ``rows``."""
    proxy, selection = view.proxy, QItemSelection()
    for row in rows:
        index = proxy.mapFromSource(proxy.tasks().index(row, 0))
        selection.select(index, index)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(selection, flags)
    current = proxy.mapFromSource(proxy.tasks().index(rows[0], 0))
    view.selectionModel().setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)


def test_move_a_batch_up_and_remove_queued_tasks_with_delete(qtbot, window, tmp_path):
    model, view = window.model, window.view
    submit(window, make_files(tmp_path / "a", 6), seconds=10.0)
    qtbot.waitUntil(lambda: model.counts.by_state[TaskState.RUNNING] == 2, timeout=20_000)
    window.pause()
    submit(window, make_files(tmp_path / "b", 3, prefix="b"), seconds=10.0)
    qtbot.waitUntil(lambda: model.rowCount() == 9, timeout=10_000)
    a, b = (batch.batch_id for batch in model.batches)

    select_rows(view, [6])  # a task of the second batch
    window.actions_.move_up.trigger()
    qtbot.waitUntil(lambda: [x.batch_id for x in model.batches] == [b, a], timeout=10_000)
    assert model.task_id(view.proxy.source_row(view.currentIndex().row())) == model.batches[0].ids[0]

    first = model.batches[1].first
    select_rows(view, list(range(first, first + 6)))  # the whole first batch: two of its tasks run
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    batch_a = model.batches[1]
    qtbot.waitUntil(lambda: batch_a.counts.by_state[TaskState.CANCELLED] == 4, timeout=10_000)
    assert batch_a.counts.by_state[TaskState.RUNNING] == 2  # removing never stops a running task
    message = window.statusBar().currentMessage()
    assert "Removed 4 queued tasks" in message and "2 running tasks keep running" in message
    assert model.batches[0].counts.by_state[TaskState.QUEUED] == 3
    save_artifact(window, "queue-moved-and-removed.png")

    view.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder)  # queued, running, then cancelled
    shown = [view.proxy.index(r, COL_STATE).data() for r in range(9)]
    assert shown == ["queued"] * 3 + ["running"] * 2 + ["cancelled"] * 4
    save_artifact(window, "queue-sorted-by-state.png")


def test_remove_says_so_when_nothing_selected_is_queued(qtbot, window, tmp_path):
    submit(window, make_files(tmp_path, 2), seconds=0.0)
    qtbot.waitUntil(lambda: window.model.counts.by_state[TaskState.DONE] == 2, timeout=20_000)
    window.remove(window.model.task_ids([0, 1]))
    assert "only queued tasks" in window.statusBar().currentMessage()
