"""Select-all of a big table: task ids come from the selection's row spans, never index by index."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from core.events import BatchAccepted
from core.model import BatchSpec, TaskState
from gui_app.tasks_model import ROOT_INDEX, TasksModel
from gui_app.tasks_proxy import TasksProxy
from gui_app.tasks_view import TasksView

pytestmark = pytest.mark.gui

ROWS = 30_000  # far more than are painted, so per-row work stands out from the paint's own


class CountingProxy(TasksProxy):
    """A ``TasksProxy`` counting the indexes Qt (or our code) asks it for."""

    asked = 0

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = ROOT_INDEX
    ) -> QModelIndex:
        self.asked += 1
        return super().index(row, column, parent)


def two_batches(first: int, second: int) -> TasksModel:
    model = TasksModel()
    for batch_id, n, first_id in ((1, first, 1), (2, second, 10_000_001)):
        paths = [f"/data/b{batch_id}/file-{i:06d}.bin" for i in range(n)]
        spec = BatchSpec("checksum", {}, paths, sizes=[100] * n)
        model.apply([BatchAccepted(batch_id, spec, range(first_id, first_id + n))])
    return model


@pytest.fixture
def view(qtbot):
    proxy = CountingProxy()
    proxy.setSourceModel(two_batches(ROWS - 100, 100))
    view = TasksView(proxy)
    view.resize(800, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_select_all_and_its_task_ids_ask_for_no_index_per_row(view, qtbot):
    proxy = view.proxy
    proxy.asked = 0
    view.selectAll()
    view.repaint()  # the headers and the table painted with every row selected
    view.horizontalHeader().repaint()
    ids = view.selected_task_ids()
    assert ids == [*range(1, ROWS - 100 + 1), *range(10_000_001, 10_000_101)]
    assert view.selected_rows() == list(range(ROWS))
    assert proxy.asked < ROWS // 10  # the rows painted, not every row (nor every cell) of the table


def test_selected_ids_follow_the_sorted_view_and_filter_by_state(view, qtbot):
    model = view.tasks
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not view.proxy.arranging, timeout=30_000)
    view.selectRow(0)
    view.selectionModel().select(
        view.proxy.index(2, 0),
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
    )
    top = [model.task_id(view.proxy.source_row(r)) for r in (0, 2)]
    assert view.selected_task_ids() == top
    assert view.selected_task_ids((TaskState.QUEUED,)) == top
    assert view.selected_task_ids((TaskState.DONE,)) == []


def test_the_menu_of_a_select_all_offers_what_its_states_allow(view):
    view.selectAll()
    enabled = {a.objectName(): a.isEnabled() for a in view.build_menu().actions() if a.objectName()}
    assert enabled["remove"] and enabled["cancel"] and enabled["copy"]
    assert not enabled["retry"] and not enabled["copy_result"]


def test_the_menu_finds_the_few_rows_with_an_output_or_a_result_among_a_select_all(view, qtbot):
    from core.events import TaskFinished
    from core.model import Failure, FailureKind

    model = view.tasks
    view.selectAll()
    enabled = {a.objectName(): a for a in view.build_menu().actions() if a.objectName()}
    assert not enabled["open"].isEnabled() and not enabled["copy_result"].isEnabled()
    # Deep in the table, one task wrote an output and another failed.
    wrote, failed = model.task_id(20_000), model.task_id(25_000)
    bad = Failure(FailureKind.ERROR, "bad")
    model.apply(
        [
            TaskFinished(wrote, 2, TaskState.DONE, None, None, 1.0, 2.0, 1, 7, outputs=("/out/a.gz",)),
            TaskFinished(failed, 2, TaskState.FAILED, None, bad, 1.0, 2.0, 1, 7),
        ]
    )
    enabled = {a.objectName(): a for a in view.build_menu().actions() if a.objectName()}
    assert enabled["open"].isEnabled() and enabled["copy_result"].isEnabled()
    assert model.first_output(view.selected_rows()) == "/out/a.gz"
    with qtbot.waitSignal(view.showLogRequested) as shown:
        enabled["log"].trigger()
    assert shown.args == [model.task_id(0)]  # the first selected row's, not one per row
