"""The History panel over a real database written by real batches on real worker processes."""

from __future__ import annotations

import csv
import json
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from core.engine import Engine, EngineConfig
from core.events import TaskFinished
from core.model import BatchOptions, BatchSpec, TaskState
from core.store import JobStore
from gui_app import history_models
from gui_app.history_panel import HistoryPanel
from gui_app.theme import apply_theme, palette_is_dark
from tests.gui.conftest import make_files, save_artifact
from tests.gui.jobs import SLOW

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def _spec(paths, seconds: float = 0.0) -> BatchSpec:
    return BatchSpec(SLOW, {"seconds": seconds, "lines": 3}, [str(p) for p in paths], BatchOptions())


def _finished_batch(store: JobStore, folder) -> int:
    """Eight files, two of which fail: a finished batch with logs and tracebacks."""
    good = make_files(folder / "good", 6, b"ok")
    bad = make_files(folder / "bad", 2, b"fail", prefix="bad")
    with Engine(EngineConfig(workers=2), recorder=store.recorder()) as engine:
        handle = engine.submit(_spec(good + bad))
        assert handle.wait(60) is not None
        return handle.batch_id


def _stopped_batch(store: JobStore, folder) -> int:
    """Twelve slow files on one worker, shut down after two: a stopped batch with tasks left."""
    paths = make_files(folder / "slow", 12, b"slow")
    two_done = threading.Event()
    seen = [0]

    def listener(events) -> None:  # engine thread
        seen[0] += sum(isinstance(e, TaskFinished) for e in events)
        if seen[0] >= 2:
            two_done.set()

    engine = Engine(EngineConfig(workers=1), recorder=store.recorder()).start()
    try:
        engine.add_listener(listener)
        handle = engine.submit(_spec(paths, seconds=0.3))
        assert two_done.wait(60)
    finally:
        engine.shutdown(interrupt=True, timeout=30)
    return handle.batch_id


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A database with a finished batch (6 done, 2 failed) and a stopped one."""
    folder = tmp_path_factory.mktemp("history")
    db = str(folder / "history.sqlite3")
    with JobStore.open(db) as store:
        finished = _finished_batch(store, folder)
        stopped = _stopped_batch(store, folder)
    return db, finished, stopped


def settle(qtbot, p: HistoryPanel) -> None:
    """Until every question the panel asked its reader thread has its answer."""
    qtbot.waitUntil(lambda: not p.busy, timeout=10_000)


@pytest.fixture
def panel(qtbot, history):
    p = HistoryPanel(history[0])  # reads the list at once, on its reader thread: no refresh needed
    qtbot.addWidget(p)
    p.resize(1100, 640)
    p.show()
    settle(qtbot, p)
    yield p
    p.close_store()


def test_the_panel_never_reads_the_store_on_the_gui_thread(qtbot, history, monkeypatch):
    import threading as th

    gui = th.current_thread()
    reads: list[bool] = []
    original = JobStore.tasks

    def watched(self, *args, **kwargs):
        reads.append(th.current_thread() is gui)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(JobStore, "tasks", watched)
    p = HistoryPanel(history[0])
    qtbot.addWidget(p)
    settle(qtbot, p)
    p.select_batch(history[1])
    settle(qtbot, p)
    assert p.tasks.rowCount() == 8 and reads and not any(reads)
    p.close_store()


def test_lists_batches_newest_first_with_status_and_counts(panel, history):
    _, finished, stopped = history
    model = panel.batches
    assert [b.id for b in model.rows] == [stopped, finished]
    view_ids = [panel.batches_proxy.index(r, 0).data(history_models.ID_ROLE) for r in range(2)]
    assert view_ids == [stopped, finished]
    done = model.batch_at(model.row_of(finished))
    assert done.status == "finished" and done.total == 8
    assert done.counts[TaskState.DONE] == 6 and done.counts[TaskState.FAILED] == 2
    row = panel.batches_proxy.mapFromSource(model.index(model.row_of(finished), 0)).row()
    texts = [panel.batches_proxy.index(row, c).data() for c in range(len(model.COLUMNS))]
    assert texts[1] == "Slow (test)"  # the job's title, as the tasks table names it
    assert texts[3] == "Finished" and texts[4:7] == ["8", "6", "2"]
    assert model.batch_at(model.row_of(stopped)).status == "stopped"
    assert not panel.message.isVisible()


def test_a_batch_shows_its_tasks_filtered_by_state_and_a_failed_task_its_log(panel, qtbot, history):
    _, finished, _ = history
    assert panel.select_batch(finished)
    settle(qtbot, panel)
    assert panel.tasks.rowCount() == 8
    assert f"Batch {finished}" in panel.tasks_title.text()

    panel.set_state_filter(TaskState.FAILED)
    settle(qtbot, panel)
    assert panel.tasks.rowCount() == 2
    assert all(t.state == TaskState.FAILED for t in panel.tasks.rows)
    reason = panel.tasks.index(0, 5).data()
    assert "refused content" in reason

    panel.task_view.selectRow(0)
    settle(qtbot, panel)
    log = panel.log_view.toPlainText()
    assert "line 1 of" in log and "about to fail" in log
    assert "ValueError" in log and "Traceback" in log  # the stored traceback follows the lines

    panel.set_state_filter(TaskState.DONE)
    settle(qtbot, panel)
    assert panel.tasks.rowCount() == 6
    assert panel.log_view.toPlainText() == ""  # the selection went with the old rows
    panel.task_view.selectRow(0)
    settle(qtbot, panel)
    assert "ERROR" not in panel.log_view.toPlainText()
    assert panel.tasks.index(0, 5).data() == "2"  # the Slow job's result: the file's size


def test_tasks_are_read_a_page_at_a_time(panel, qtbot, history, monkeypatch):
    monkeypatch.setattr(history_models, "PAGE", 3)
    _, finished, _ = history
    asked: list[tuple[int, int]] = []
    panel.tasks.pageWanted.connect(lambda _request, _batch, _states, after, rows: asked.append((after, rows)))
    panel.task_view.setFixedHeight(60)  # room for a row or two: the view asks for one page only
    panel.select_batch(finished)
    settle(qtbot, panel)
    assert panel.tasks.rowCount() == 3 and asked == [(0, 3)]
    last_id = panel.tasks.rows[-1].id + 4
    assert not panel.select_task(last_id)  # not listed yet: pages are fetched until it is
    settle(qtbot, panel)
    assert panel.selected_task_id() == last_id and panel.tasks.rowCount() == 9 - 1
    assert [rows for _, rows in asked] == [3, 3, 3]  # by key, after the last id of each page
    assert [after for after, _ in asked[1:]] == [panel.tasks.rows[2].id, panel.tasks.rows[5].id]
    assert [t.index for t in panel.tasks.rows] == list(range(8))


def test_resume_is_offered_for_a_stopped_batch_only_and_open_emits_the_id(panel, qtbot, history):
    _, finished, stopped = history
    panel.select_batch(finished)
    assert not panel.resume_button.isEnabled() and panel.open_button.isEnabled()
    with qtbot.waitSignal(panel.openRequested, timeout=2000) as opened:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [finished]

    panel.select_batch(stopped)
    assert panel.resume_button.isEnabled()
    with qtbot.waitSignal(panel.resumeRequested, timeout=2000) as resumed:
        qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
    assert resumed.args == [stopped]
    left = panel.batches.batch_at(panel.batches.row_of(stopped))
    assert left.counts[TaskState.QUEUED] + left.counts[TaskState.FAILED] > 0


def test_refresh_keeps_the_selection(panel, qtbot, history):
    _, finished, _ = history
    panel.select_batch(finished)
    panel.set_state_filter(TaskState.FAILED)
    settle(qtbot, panel)
    task_id = panel.tasks.rows[1].id
    panel.select_task(task_id)
    panel.refresh()
    settle(qtbot, panel)
    assert panel.selected_batch_id() == finished
    assert panel.selected_task_id() == task_id
    assert "about to fail" in panel.log_view.toPlainText()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_through_the_button_writes_every_task(panel, history, tmp_path, monkeypatch, fmt):
    _, finished, _ = history
    target = tmp_path / f"out.{fmt}"
    asked = []

    def save_name(parent, caption, name, filters):
        asked.append((caption, name, filters))
        return str(target), filters

    # The file dialog is the only stand-in: the export itself runs for real.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    panel.select_batch(finished)
    button = panel.export_csv_button if fmt == "csv" else panel.export_json_button
    button.click()
    assert asked and asked[0][1] == f"brigade-batch-{finished}.{fmt}"
    text = target.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        data = json.loads(text)
        rows = data["tasks"] if isinstance(data, dict) else data
    assert len(rows) == 8
    assert "8" in panel.message.text() and str(target) in panel.message.text()


def test_an_unusable_database_is_reported_not_fatal(qtbot, tmp_path):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not SQLite, just text " * 100)
    p = HistoryPanel(str(bad))
    qtbot.addWidget(p)
    p.show()
    settle(qtbot, p)
    assert p.batches.rowCount() == 0
    assert p.message.isVisible() and "not available" in p.message.text()
    assert not p.resume_button.isEnabled() and not p.export_csv_button.isEnabled()


def test_an_empty_history_says_so(qtbot, tmp_path):
    p = HistoryPanel(str(tmp_path / "new.sqlite3"))
    qtbot.addWidget(p)
    p.show()
    settle(qtbot, p)
    assert p.message.isVisible() and "No batches yet" in p.message.text()
    p.close_store()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(panel, qtbot, history, theme):
    app = QApplication.instance()
    apply_theme(app, theme)
    # The palette reaches widgets through posted events.
    qtbot.waitUntil(lambda: palette_is_dark(panel.palette()) == (theme == "dark"), timeout=2000)
    try:
        _, finished, _ = history
        panel.select_batch(finished)
        panel.set_state_filter(None)
        settle(qtbot, panel)
        failed_row = next(i for i, t in enumerate(panel.tasks.rows) if t.state == TaskState.FAILED)
        panel.task_view.selectRow(failed_row)
        settle(qtbot, panel)
        assert save_artifact(panel, f"panels/history_{theme}.png").stat().st_size > 10_000
    finally:
        apply_theme(app, "light")


def test_the_task_number_column_fits_the_last_task_not_only_the_first_page(qtbot, tmp_path):
    total = history_models.PAGE * 3  # the first page holds 3-digit numbers, the batch 4-digit ones
    paths = [str(tmp_path / "in" / f"f{i:05d}.bin") for i in range(total)]
    db = str(tmp_path / "history.sqlite3")
    with JobStore.open(db) as store:
        recorder = store.recorder()  # a batch queued and stopped: no process needed
        recorder.start()
        batch_id, _ = recorder.open_batch(BatchSpec("checksum", {}, paths))
        recorder.close()
    p = HistoryPanel(db)
    qtbot.addWidget(p)
    p.resize(1100, 640)
    p.show()
    settle(qtbot, p)
    p.select_batch(batch_id)
    settle(qtbot, p)
    assert p.tasks.rowCount() == history_models.PAGE
    view = p.task_view
    assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(str(total))
    p.close_store()


def test_stopping_a_reader_whose_thread_qt_already_deleted_is_quiet(qtbot):
    import shiboken6

    from gui_app.history_reader import start_reader, stop_reader

    _reader, thread = start_reader(None)
    stop_reader(thread)
    shiboken6.delete(thread)  # as at the app's exit, before the panel's ``destroyed`` hook runs
    stop_reader(thread)  # must neither raise nor touch the deleted thread
