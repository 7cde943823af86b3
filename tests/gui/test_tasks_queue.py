"""The tasks table as a queue: bulk cancels in one step, batches reordered, sorting off the GUI thread."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from core.events import BatchAccepted, QueueOrdered, TasksCancelled, TaskStarted
from core.model import BatchSpec, TaskState
from gui_app.tasks_model import COL_FILE, COL_STATE, TasksModel
from gui_app.tasks_proxy import TasksProxy

pytestmark = pytest.mark.gui


def accepted(paths: list[str], first_id: int = 1, batch_id: int = 1) -> BatchAccepted:
    spec = BatchSpec("checksum", {}, paths, sizes=[100] * len(paths))
    return BatchAccepted(batch_id, spec, range(first_id, first_id + len(paths)))


def numbered(n: int, prefix: str = "f") -> list[str]:
    return [f"/data/{prefix}{i:06d}.bin" for i in range(n)]


def test_a_bulk_cancel_changes_its_rows_in_one_signal():
    n = 300_000
    model = TasksModel()
    model.apply([accepted(numbered(n)), TaskStarted(1, 1, 4242, time.time(), 1)])
    changes = []
    model.dataChanged.connect(lambda a, b, roles: changes.append((a.row(), b.row())))
    model.apply([TasksCancelled(1, (range(2, n + 1),), time.time())])
    assert changes == [(1, n - 1)]
    assert model.counts.by_state[TaskState.CANCELLED] == n - 1
    assert model.counts.by_state[TaskState.QUEUED] == 0
    assert model.batches[0].counts.by_state[TaskState.RUNNING] == 1
    assert model.state(0) == TaskState.RUNNING and model.state(n - 1) == TaskState.CANCELLED
    assert model.counts.finished == 0  # nothing ran: no throughput, no bytes


def test_a_batch_moved_up_in_the_queue_moves_its_rows_and_keeps_the_selection(qtbot, qtmodeltester):
    model = TasksModel()
    model.apply([accepted(numbered(5, "a")), accepted(numbered(3, "b"), first_id=100, batch_id=2)])
    model.apply([TasksCancelled(1, (range(5, 6),), time.time())])
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    selection = QItemSelectionModel(proxy)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    selection.select(proxy.index(6, 0), flags)  # task 101, the second of batch 2

    model.apply([QueueOrdered((2, 1))])

    assert [b.batch_id for b in model.batches] == [2, 1]
    assert [model.task_id(r) for r in range(8)] == [100, 101, 102, 1, 2, 3, 4, 5]
    assert model.state(7) == TaskState.CANCELLED  # each row keeps its own state
    assert model.counts.by_state[TaskState.CANCELLED] == 1
    (row,) = {i.row() for i in selection.selectedRows()}
    assert model.task_id(proxy.source_row(row)) == 101


def test_sorting_returns_at_once_and_the_rows_move_when_the_order_is_ready(qtbot):
    names = [f"/data/note_{i}.txt" for i in (10, 2, 1, 33, 3)] + numbered(50_000)
    model = TasksModel()
    model.apply([accepted(names)])
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    layouts = []
    proxy.layoutChanged.connect(lambda *a: layouts.append(proxy.index(0, COL_FILE).data()))

    proxy.sort(COL_FILE, Qt.SortOrder.AscendingOrder)

    assert proxy.arranging  # computed on a worker thread: the GUI thread is free meanwhile
    assert proxy.index(0, COL_FILE).data() == "data/note_10.txt"  # unchanged until then
    qtbot.waitUntil(lambda: not proxy.arranging and len(layouts) == 1, timeout=20_000)
    shown = [proxy.index(r, COL_FILE).data() for r in range(5)]
    assert shown == [f"data/f{i:06d}.bin" for i in range(5)]
    proxy.sort(COL_FILE, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not proxy.arranging and len(layouts) == 2, timeout=20_000)
    shown = [proxy.index(r, COL_FILE).data() for r in range(5)]
    assert shown == [f"data/note_{i}.txt" for i in (33, 10, 3, 2, 1)]  # natural order: 10 after 2


def test_a_state_sort_follows_changes_without_blocking(qtbot):
    model = TasksModel()
    model.apply([accepted(numbered(1000))])
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_STATE, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not proxy.arranging, timeout=10_000)
    model.apply([TasksCancelled(1, (range(500, 601),), time.time())])
    qtbot.waitUntil(lambda: proxy.index(0, COL_STATE).data() == "cancelled", timeout=10_000)
    assert model.task_id(proxy.source_row(0)) == 500  # equal keys keep the model's order


def test_a_sort_cleared_while_it_is_made_is_not_shown(qtbot):
    model = TasksModel()
    model.apply([accepted(numbered(50_000)[::-1])])
    proxy = TasksProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_FILE, Qt.SortOrder.AscendingOrder)
    assert proxy.arranging
    proxy.sort(-1)  # back to the model's order before the sorted rows arrive
    # The job's result is delivered before its end (both queued from the worker thread, in order).
    qtbot.waitUntil(lambda: not proxy.arranging, timeout=20_000)
    assert proxy.identity and proxy.index(0, COL_FILE).data() == "data/f049999.bin"
