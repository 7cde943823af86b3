"""Drop files on the window, run them on real workers, watch the rows."""

from __future__ import annotations

import hashlib
import os

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from core.model import TaskState
from gui_app.tasks_model import COL_RESULT
from tests.gui.conftest import make_files, save_artifact
from tests.gui.jobs import SLOW

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def drop_paths(widget, paths) -> None:
    """Drag ``paths`` over ``widget`` and drop them, with real Qt drag events."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = widget.rect().center()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drop zone refused file URLs"
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, drop)
    assert drop.isAccepted()


def use_slow_job(window, **params) -> None:
    setup = window.setup
    if setup.job.findData(SLOW) < 0:
        setup.job.addItem("Slow (test)", SLOW)
    assert setup.set_job(SLOW)
    for name, value in params.items():
        setup.params.fields[name].set_text(str(value))


def drop_and_start(qtbot, window, paths) -> None:
    setup = window.setup
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        drop_paths(setup.drop, paths)
    assert setup.start_btn.isEnabled()
    before = window.model.rowCount()
    qtbot.mouseClick(setup.start_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == before + setup_count(paths), timeout=10_000)


def setup_count(paths) -> int:
    return sum(1 for p in paths if os.path.isfile(p) and not str(p).endswith(".hold"))


def rows_in(window, state: TaskState) -> list[int]:
    return window.model.rows_in_states([state])


def trigger(menu, name: str) -> None:
    action = menu.findChild(QAction, name)
    assert action is not None and action.isEnabled(), f"menu action {name} is not available"
    action.trigger()


def test_dropped_folder_runs_to_done_with_digests(qtbot, window, tmp_path):
    files = make_files(tmp_path / "in", 5, b"brigade ")
    os.mkfifo(tmp_path / "in" / "pipe")
    with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
        drop_paths(window.setup.drop, [tmp_path / "in"])
    summary = window.setup.summary.text()
    assert "5 files" in summary and "1 skipped" in summary
    assert window.setup.set_job("checksum")
    qtbot.mouseClick(window.setup.start_btn, Qt.MouseButton.LeftButton)
    # The FIFO the walk could not use is a row too, skipped with why: nothing dropped is lost.
    qtbot.waitUntil(lambda: window.model.rowCount() == 6, timeout=10_000)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 5, timeout=60_000)
    model = window.model
    (fifo,) = rows_in(window, TaskState.SKIPPED)
    assert os.path.basename(model.path(fifo)) == "pipe" and "FIFO" in model.index(fifo, COL_RESULT).data()
    done = rows_in(window, TaskState.DONE)
    for row in done:
        path = model.path(row)
        with open(path, "rb") as f:
            expected = hashlib.sha256(f.read()).hexdigest()
        assert model.index(row, COL_RESULT).data() == expected
        assert model.worker(row) in set(window.bridge.engine.worker_pids) | {model.worker(row)}
        assert model.worker(row) > 0
    assert {os.path.basename(model.path(r)) for r in done} == {f.name for f in files}
    window._on_tick()
    assert "done 5" in window.status.counts.text() and "skipped 1" in window.status.counts.text()
    assert window.status.progress.value() == window.status.progress.maximum() == 6
    save_artifact(window, "window-walk-skipped-row.png")


def test_failing_file_shows_reason_and_log(qtbot, window, tmp_path):
    use_slow_job(window, seconds=0, lines=2)
    good = make_files(tmp_path, 2, b"ok")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"this will fail")
    drop_and_start(qtbot, window, [*good, bad])
    model = window.model
    qtbot.waitUntil(lambda: model.counts.unfinished == 0, timeout=60_000)
    failed = rows_in(window, TaskState.FAILED)
    assert [model.path(r) for r in failed] == [str(bad)]
    reason = model.index(failed[0], COL_RESULT).data()
    assert "refused content" in reason and "error" in reason
    assert window.view.select_task(model.task_id(failed[0]))
    qtbot.waitUntil(lambda: "about to fail" in window.log.text(), timeout=10_000)
    text = window.log.text()
    assert "line 1 of" in text and "line 2 of" in text
    assert "refused content" in text and "ValueError" in text
    assert len(rows_in(window, TaskState.DONE)) == 2


def test_cancel_and_retry_from_the_context_menu(qtbot, window, tmp_path):
    use_slow_job(window, seconds=0, lines=0)
    files = make_files(tmp_path, 4)
    for f in files:
        (tmp_path / (f.name + ".hold")).write_bytes(b"")
    drop_and_start(qtbot, window, files)
    model, view = window.model, window.view
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.RUNNING)) == 2, timeout=30_000)
    view.selectAll()
    assert len(view.selected_task_ids()) == 4
    trigger(view.build_menu(), "cancel")
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.CANCELLED)) == 4, timeout=30_000)
    menu = view.build_menu()
    assert not menu.findChild(QAction, "cancel").isEnabled()
    for f in files:
        os.remove(str(f) + ".hold")
    trigger(menu, "retry")
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 4, timeout=30_000)
    assert model.result_text(0) == "1"


def test_pause_and_resume(qtbot, window, tmp_path):
    use_slow_job(window, seconds=0.2, lines=0)
    files = make_files(tmp_path, 8)
    hold = tmp_path / (files[0].name + ".hold")
    hold.write_bytes(b"")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: bool(rows_in(window, TaskState.RUNNING)), timeout=30_000)
    window.actions_.pause.trigger()
    assert window.actions_.resume.isEnabled()
    hold.unlink()
    qtbot.waitUntil(lambda: not rows_in(window, TaskState.RUNNING), timeout=30_000)
    done = len(rows_in(window, TaskState.DONE))
    assert done < 8
    qtbot.wait(800)  # an observation window: nothing may start while paused
    assert len(rows_in(window, TaskState.DONE)) == done
    assert not rows_in(window, TaskState.RUNNING)
    window.actions_.resume.trigger()
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 8, timeout=30_000)


def test_options_form_refuses_a_bad_value(qtbot, window, tmp_path):
    use_slow_job(window)
    with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
        drop_paths(window.setup.drop, make_files(tmp_path, 1))
    field = window.setup.params.fields["seconds"]
    assert window.setup.start_btn.isEnabled()
    field.set_text("abc")
    assert field.error.isVisibleTo(window.setup)
    assert "from 0 to 10" in field.error.text()
    assert not window.setup.start_btn.isEnabled()
    assert not window.actions_.start.isEnabled()
    field.set_text("11")
    assert not field.error.isHidden() and not window.setup.start_btn.isEnabled()
    field.set_text("0.5")
    assert field.error.isHidden() and window.setup.start_btn.isEnabled()


def test_files_dropped_on_the_table_go_to_the_job_setup(qtbot, window, tmp_path):
    files = make_files(tmp_path, 3)
    with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
        drop_paths(window.view.viewport(), files)
    assert window.setup.found.count == 3 and window.setup.start_btn.isEnabled()


def test_a_batch_end_names_its_skipped_tasks_only_when_there_are_some(qapp):
    from gui_app.task_text import finished_text

    plain = finished_text({TaskState.DONE: 5, TaskState.FAILED: 1}, 2.0)
    assert plain == "5 done, 1 failed, 0 cancelled in 2.0 s"
    with_skips = finished_text({TaskState.DONE: 5, TaskState.SKIPPED: 3}, 0.25)
    assert with_skips == "5 done, 0 failed, 0 cancelled, 3 skipped in 0.2 s"
