"""Closing while tasks run: finish, pause for later (then resume from history), or cancel."""

from __future__ import annotations

import pytest

from core.model import TaskState
from core.store import JobStore
from gui_app.main_window import CloseChoice
from tests.gui.conftest import close_window, make_files, open_window, shut
from tests.gui.test_window_run import drop_and_start, rows_in, trigger, use_slow_job

pytestmark = [pytest.mark.gui, pytest.mark.timeout(180)]


def close_with(qtbot, window, choice: CloseChoice) -> None:
    window.close_choice = lambda: choice
    window.close()


def test_pause_for_later_then_resume_from_history(qtbot, settings, window, tmp_path, db_path):
    use_slow_job(window, seconds=0.3, lines=1)
    drop_and_start(qtbot, window, make_files(tmp_path, 8))
    qtbot.waitUntil(lambda: bool(rows_in(window, TaskState.RUNNING)), timeout=30_000)
    close_with(qtbot, window, CloseChoice.PAUSE)
    qtbot.waitUntil(lambda: window._can_close, timeout=30_000)
    assert not window.isVisible() and not window.engine_running

    store = JobStore.open(db_path)
    try:
        batch = store.batches()[0]
        done, queued = batch.counts.get(TaskState.DONE, 0), batch.counts.get(TaskState.QUEUED, 0)
        assert done >= 1 and queued >= 1 and done + queued == 8, batch.counts
        assert batch.status == "stopped"
        spec = store.resume_spec(batch.id)
        assert spec is not None and len(spec.paths) == queued
    finally:
        store.close()

    again = open_window(qtbot, settings)
    try:
        qtbot.waitUntil(lambda: again.history is not None, timeout=10_000)
        # Listed without pressing Refresh: the panel reads the history as it is made.
        qtbot.waitUntil(lambda: again.history.select_batch(batch.id), timeout=10_000)
        again.open_batch(batch.id)
        assert again.model.rowCount() == 8
        assert len(rows_in(again, TaskState.DONE)) == done
        # A task of the earlier session: its log comes from the store.
        first_done = rows_in(again, TaskState.DONE)[0]
        assert again.view.select_task(again.model.task_id(first_done))
        assert "line 1 of" in again.log.text()
        again.resume_batch(batch.id)
        qtbot.waitUntil(lambda: len(rows_in(again, TaskState.DONE)) == 8, timeout=60_000)
        assert again.model.rowCount() == 8  # resumed in place, not added twice
        close_window(qtbot, again)
    finally:
        shut(qtbot, again)
    store = JobStore.open(db_path)
    try:
        assert store.batch(batch.id).counts.get(TaskState.DONE, 0) == 8
    finally:
        store.close()


def test_cancel_on_close_stops_everything(qtbot, window, tmp_path, db_path):
    use_slow_job(window, seconds=0, lines=0)
    files = make_files(tmp_path, 6)
    for f in files:
        (tmp_path / (f.name + ".hold")).write_bytes(b"")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.RUNNING)) == 2, timeout=30_000)
    pids = window.bridge.engine.worker_pids
    close_with(qtbot, window, CloseChoice.CANCEL)
    qtbot.waitUntil(lambda: window._can_close, timeout=30_000)
    assert window.bridge.engine.worker_pids == ()
    assert pids
    store = JobStore.open(db_path)
    try:
        assert store.batches()[0].counts.get(TaskState.CANCELLED, 0) == 6
    finally:
        store.close()


def test_finish_keeps_running_and_closes_when_done(qtbot, window, tmp_path, db_path):
    use_slow_job(window, seconds=0.2, lines=0)
    drop_and_start(qtbot, window, make_files(tmp_path, 4))
    qtbot.waitUntil(lambda: bool(rows_in(window, TaskState.RUNNING)), timeout=30_000)
    close_with(qtbot, window, CloseChoice.FINISH)
    assert window.isVisible() and window.quit_when_finished
    qtbot.waitUntil(lambda: window._can_close, timeout=60_000)
    assert len(rows_in(window, TaskState.DONE)) == 4


def test_dont_close_leaves_the_window_open(qtbot, window, tmp_path):
    use_slow_job(window, seconds=0, lines=0)
    files = make_files(tmp_path, 2)
    for f in files:
        (tmp_path / (f.name + ".hold")).write_bytes(b"")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: bool(rows_in(window, TaskState.RUNNING)), timeout=30_000)
    close_with(qtbot, window, CloseChoice.STAY)
    assert window.isVisible() and window.engine_running and not window.closing


def test_retry_a_failed_task_of_a_past_batch(qtbot, settings, window, tmp_path, db_path):
    use_slow_job(window, seconds=0, lines=1)
    good = make_files(tmp_path, 2)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fail")
    drop_and_start(qtbot, window, [*good, bad])
    qtbot.waitUntil(lambda: window.model.counts.unfinished == 0, timeout=30_000)
    batch_id = window.model.batches[0].batch_id
    close_window(qtbot, window)
    bad.write_bytes(b"fine now")
    again = open_window(qtbot, settings)
    try:
        again.open_batch(batch_id)
        failed = rows_in(again, TaskState.FAILED)
        assert len(failed) == 1 and again.view.select_task(again.model.task_id(failed[0]))
        menu = again.view.build_menu()
        trigger(menu, "retry")
        qtbot.waitUntil(lambda: len(rows_in(again, TaskState.DONE)) == 3, timeout=30_000)
        assert again.model.rowCount() == 3
        close_window(qtbot, again)
    finally:
        shut(qtbot, again)
