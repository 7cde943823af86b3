"""The tasks model and its proxy: Qt's model tester, range updates, sorting and filtering."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from core.events import BatchAccepted, TaskFinished, TaskProgress, TaskStarted
from core.model import BatchSpec, Failure, FailureKind, TaskState
from gui_app.tasks_model import COL_FILE, COL_RESULT, COL_STATE, TasksModel, spans
from gui_app.tasks_proxy import TasksProxy

pytestmark = pytest.mark.gui


def accepted(n: int, first_id: int = 1, batch_id: int = 1) -> BatchAccepted:
    paths = [f"/data/file-{i:05d}.bin" for i in range(n)]
    spec = BatchSpec("checksum", {}, paths, sizes=[100] * n)
    return BatchAccepted(batch_id, spec, range(first_id, first_id + n))


def finished(tid: int, state=TaskState.DONE, digest: str = "ab", failure=None) -> TaskFinished:
    now = time.time()
    result = {"digest": digest} if state == TaskState.DONE else None
    return TaskFinished(tid, 2, state, result, failure, now - 0.5, now, 1, 4242)


def filled_model(n: int = 50, icon_for=None) -> TasksModel:
    model = TasksModel(icon_for=icon_for)
    model.set_result_columns("checksum", ("digest",))
    events = [accepted(n)]
    events += [TaskStarted(t, 1, 4242, time.time(), 1) for t in range(1, n // 2)]
    events += [TaskProgress(16, 2, 0.5, "")]
    events += [finished(t, digest=f"d{t:03d}") for t in range(1, 10)]
    boom = Failure(FailureKind.ERROR, "boom", exc_type="ValueError", traceback="Traceback…")
    events += [finished(12, TaskState.FAILED, failure=boom)]
    model.apply(events)
    return model


def test_model_passes_the_qt_model_tester(qtbot, qtmodeltester):
    qtmodeltester.check(filled_model(), force_py=True)


def test_proxy_passes_the_qt_model_tester_sorted_and_filtered(qtbot, qtmodeltester):
    model = filled_model()
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    # The tester stays connected: it checks every signal of the changes below.
    proxy.sort(COL_RESULT, Qt.SortOrder.DescendingOrder)
    proxy.set_state_filter([TaskState.DONE, TaskState.FAILED])
    model.apply([finished(20), accepted(5, first_id=500, batch_id=2)])
    qtbot.waitUntil(lambda: proxy.rowCount() == 11, timeout=2000)  # a debounced refilter
    assert proxy.index(0, COL_RESULT).data() == "error: boom"
    proxy.set_text_filter("boom")
    assert proxy.rowCount() == 1
    assert proxy.index(0, COL_STATE).data() == "failed"


def test_a_drained_batch_costs_a_few_range_updates():
    model = TasksModel()
    model.apply([accepted(5000)])
    ranges = []
    model.dataChanged.connect(lambda a, b, roles: ranges.append((a.row(), b.row())))
    model.apply([finished(t) for t in range(1, 2001)] + [finished(t) for t in range(3001, 3101)])
    assert ranges == [(0, 1999), (3000, 3099)]
    assert model.counts.by_state[TaskState.DONE] == 2100
    assert model.counts.by_state[TaskState.QUEUED] == 2900


def test_inserting_a_batch_is_one_insert(qtbot):
    model = TasksModel()
    inserts = []
    model.rowsInserted.connect(lambda parent, a, b: inserts.append((a, b)))
    model.apply([accepted(1000), accepted(500, first_id=2000, batch_id=2)])
    assert inserts == [(0, 999), (1000, 1499)]
    assert model.task_id(1000) == 2000 and model.row_of(2499) == 1499


def test_cells_show_state_result_and_failure():
    model = filled_model()
    assert model.index(0, COL_FILE).data() == "data/file-00000.bin"
    assert model.index(0, COL_FILE).data(Qt.ItemDataRole.ToolTipRole) == "/data/file-00000.bin"
    assert model.index(0, COL_RESULT).data() == "d001"
    assert model.index(11, COL_RESULT).data() == "error: boom"
    assert model.index(11, COL_STATE).data() == "failed"
    assert model.index(15, COL_STATE).data() == "running"
    assert model.progress(15) == 50 and model.progress(16) == -1


def test_proxy_keeps_selection_rows_through_a_refilter(qtbot):
    model = filled_model()
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    proxy.set_state_filter([TaskState.QUEUED])
    before = proxy.rowCount()
    model.apply([finished(30)])
    qtbot.waitUntil(lambda: proxy.rowCount() == before - 1, timeout=2000)


def test_clear_finished_drops_whole_finished_batches():
    model = TasksModel()
    model.apply([accepted(3), accepted(2, first_id=10, batch_id=2)])
    model.apply([finished(t) for t in (1, 2, 3)] + [finished(10)])
    assert model.clear_finished() == 3
    assert model.rowCount() == 2
    assert model.task_id(0) == 10 and model.state(0) == TaskState.DONE and model.state(1) == TaskState.QUEUED


def test_spans_merge_neighbours():
    assert spans([5, 1, 2, 3, 9]) == [(1, 3), (5, 5), (9, 9)]
    assert spans(list(range(0, 1000, 2))) == [(0, 998)]


def test_a_painted_cell_carries_no_role_of_the_cell_painted_before(qtbot):
    """Qt reuses the role list of ``multiData`` from cell to cell: roles without data must be cleared."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from gui_app.icons import state_icon
    from gui_app.tasks_view import TasksPane

    pane = TasksPane(filled_model(icon_for=state_icon))
    qtbot.addWidget(pane)
    delegate, proxy = pane.view.itemDelegate(), pane.proxy
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, proxy.index(11, COL_STATE))  # task 12 failed: an icon
    assert not option.icon.isNull()
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, proxy.index(11, COL_RESULT))  # in red, right after
    red = option.palette.color(option.palette.ColorRole.Text)
    assert option.text == "error: boom"
    plain = QStyleOptionViewItem()
    delegate.initStyleOption(plain, proxy.index(0, COL_FILE))
    assert plain.text == "data/file-00000.bin"
    assert plain.icon.isNull()
    assert not plain.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration
    assert plain.palette.color(plain.palette.ColorRole.Text) != red


def test_every_state_has_its_own_label_and_icon(qtbot):
    from PySide6.QtGui import QImage

    from gui_app.icons import state_icon

    expected = {
        TaskState.QUEUED: "queued",
        TaskState.RUNNING: "running",
        TaskState.DONE: "done",
        TaskState.FAILED: "failed",
        TaskState.CANCELLED: "cancelled",
        TaskState.SKIPPED: "skipped",
    }
    model = TasksModel(icon_for=state_icon)
    model.apply([accepted(6)])
    now = time.time()
    events = [TaskStarted(t, 1, 4242, now, 1) for t in (2, 3, 4, 5, 6)]
    boom = Failure(FailureKind.ERROR, "boom", exc_type="ValueError")
    events += [
        TaskFinished(3, 2, TaskState.DONE, {"digest": "ab"}, None, now, now, 1, 4242),
        TaskFinished(4, 2, TaskState.FAILED, None, boom, now, now, 1, 4242),
        TaskFinished(5, 2, TaskState.CANCELLED, None, None, now, now, 1, 4242),
        TaskFinished(6, 2, TaskState.SKIPPED, {"skipped": "exists"}, None, now, now, 1, 4242),
    ]
    model.apply(events)
    images = {}
    for row, state in enumerate(expected):  # rows in the order of ``expected``
        index = model.index(row, COL_STATE)
        assert index.data() == expected[state], state
        assert index.data(Qt.ItemDataRole.ToolTipRole) == expected[state]
        argb = QImage.Format.Format_ARGB32
        image = index.data(Qt.ItemDataRole.DecorationRole).pixmap(16, 16).toImage().convertToFormat(argb)
        assert image == state_icon(state).pixmap(16, 16).toImage().convertToFormat(argb), state
        images[state] = image
    # Six different pictures: no two states look alike.
    assert len({bytes(img.constBits()) for img in images.values()}) == len(TaskState)
