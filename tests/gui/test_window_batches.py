"""Batches as units, a Start that keeps the files, earlier outputs left out, failures said in the window."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from core.model import TaskState
from gui_app.batch_progress import BatchClocks, RunClock
from gui_app.tasks_model import COL_FILE
from tests.gui.conftest import make_files, save_artifact
from tests.gui.test_window_run import drop_and_start, drop_paths, rows_in, use_slow_job

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def walk(qtbot, window, paths) -> None:
    with qtbot.waitSignal(window.setup.discovered, timeout=10_000):
        drop_paths(window.setup.drop, paths)


def test_earlier_outputs_are_left_out_and_counted_in_the_summary(qtbot, window, tmp_path):
    make_files(tmp_path / "in", 3)
    make_files(tmp_path / "in" / "brigade-compress", 3)
    walk(qtbot, window, [tmp_path / "in"])
    setup = window.setup
    assert setup.found.count == 3
    assert "1 earlier output folder left out" in setup.summary.text()
    assert "brigade-compress" in setup.summary.toolTip()
    qtbot.wait(50)  # the summary's new height is laid out by a posted event
    save_artifact(window, "window-setup-outputs-left-out.png")
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        setup.earlier_outputs.setChecked(True)
    assert setup.found.count == 6


def test_a_refused_start_keeps_the_files_and_says_why_beside_the_field(qtbot, window, tmp_path):
    make_files(tmp_path / "in", 2)
    walk(qtbot, window, [tmp_path / "in"])
    setup = window.setup
    assert setup.set_job("command")
    field = setup.params.fields["command"]
    # An empty command is refused as the form is filled, beside its field: Start waits for it.
    qtbot.waitUntil(lambda: field.error.isVisibleTo(setup))  # new form rows are shown by a queued call
    assert "give the program to run" in field.error.text()
    assert not setup.start_btn.isEnabled()
    save_artifact(setup, "window-setup-inline-error.png")
    field.set_text("true {}")
    assert field.error.isHidden() and setup.start_btn.isEnabled()
    # A refusal by the engine is said above Start, and the files stay chosen.
    window.engine_error = "the test says no"
    bridge, window.bridge = window.bridge, None
    try:
        qtbot.mouseClick(setup.start_btn, Qt.MouseButton.LeftButton)
    finally:
        window.bridge, window.engine_error = bridge, None
    assert "the test says no" in setup.message.text() and setup.message.isVisibleTo(setup)
    assert setup.found.count == 2 and setup.roots
    # A successful start keeps them too: the same files can run another job.
    qtbot.mouseClick(setup.start_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    assert setup.found.count == 2 and setup.message.isHidden()


def test_each_batch_has_its_own_progress_and_the_title_speaks_of_running_ones(qtbot, window, tmp_path):
    done_files = make_files(tmp_path / "first", 6)
    window.setup.set_job("checksum")
    drop_and_start(qtbot, window, done_files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 6, timeout=30_000)
    window.setup.clear()
    held = make_files(tmp_path / "second", 4)
    for p in held:
        p.with_name(p.name + ".hold").write_bytes(b"")
    use_slow_job(window, seconds=0)
    drop_and_start(qtbot, window, held)
    second = window.model.batches[-1]
    qtbot.waitUntil(lambda: second.counts.by_state[TaskState.RUNNING] == 2, timeout=30_000)
    window._on_tick()
    # The finished batch of six is not part of the figures: 0 of 4 done, not 6 of 10.
    assert window.windowTitle() == "Brigade — 0%"
    assert window.status.progress.maximum() == 4 and window.status.progress.value() == 0
    assert "done" not in window.status.counts.text()
    first = window.model.batches[0]
    assert first.counts.by_state[TaskState.DONE] == 6 and not first.active
    box = window.tasks.filter_bar.batch_box
    assert box.count() == 3  # every batch, and each batch on its own
    assert "6 / 6" in box.itemText(1) and "0 / 4" in box.itemText(2)
    # Choosing a batch shows its rows only, and the status bar speaks of it.
    box.setCurrentIndex(1)
    assert window.view.model().rowCount() == 6
    window._on_tick()
    assert window.status.progress.maximum() == 6 and window.status.progress.value() == 6
    save_artifact(window, "window-batches.png")
    box.setCurrentIndex(0)
    assert window.view.model().rowCount() == 10
    for p in held:
        p.with_name(p.name + ".hold").unlink()
    qtbot.waitUntil(lambda: not second.active, timeout=30_000)
    window._on_tick()
    assert window.windowTitle() == "Brigade"


def test_the_file_column_shows_the_path_below_the_dropped_folder(qtbot, window, tmp_path):
    nested = make_files(tmp_path / "drop" / "deep" / "er", 1)
    window.setup.set_job("checksum")
    walk(qtbot, window, [tmp_path / "drop"])
    qtbot.mouseClick(window.setup.start_btn, Qt.MouseButton.LeftButton)
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    assert model.index(0, COL_FILE).data() == "deep/er/" + nested[0].name
    assert model.index(0, COL_FILE).data(Qt.ItemDataRole.ToolTipRole) == str(nested[0])


def test_a_batch_clock_stops_while_paused_and_when_finished():
    clock = RunClock()
    clock.run(10.0)
    clock.stop(12.0)  # paused for 100 s
    clock.run(112.0)
    assert clock.elapsed(113.0) == pytest.approx(3.0)
    clocks = BatchClocks()
    assert clocks.elapsed(1, 0.0) is None


def test_elapsed_excludes_pauses_and_a_retry_adds_only_its_own_time(qtbot, window, tmp_path):
    files = make_files(tmp_path / "in", 2)
    (tmp_path / "in" / "f001.txt").write_bytes(b"fail")
    use_slow_job(window, seconds=0)
    drop_and_start(qtbot, window, files)
    batch = window.model.batches[-1]
    qtbot.waitUntil(lambda: not batch.active, timeout=30_000)
    first_run = window.clocks.elapsed(batch.batch_id, time.monotonic())
    assert first_run is not None and first_run < 10
    # Paused: the clock of a batch does not move.
    window.pause()
    window.retry_failed()
    qtbot.waitUntil(lambda: batch.active, timeout=10_000)
    frozen = window.clocks.elapsed(batch.batch_id, time.monotonic())
    qtbot.wait(300)
    assert window.clocks.elapsed(batch.batch_id, time.monotonic()) == pytest.approx(frozen, abs=0.01)
    window.resume()
    qtbot.waitUntil(lambda: not batch.active, timeout=30_000)
    total = window.clocks.elapsed(batch.batch_id, time.monotonic())
    assert total < first_run + 5  # the 300 ms pause is not in it
    row = rows_in(window, TaskState.FAILED)[0]
    assert 0 <= window.model.duration(row) < 2  # the last attempt only


def test_resume_of_a_running_batch_is_refused_in_the_window(qtbot, window, tmp_path):
    held = make_files(tmp_path / "in", 1)
    held[0].with_name(held[0].name + ".hold").write_bytes(b"")
    use_slow_job(window, seconds=0)
    drop_and_start(qtbot, window, held)
    batch = window.model.batches[-1]
    window.resume_batch(batch.batch_id)
    assert "already running" in window.statusBar().currentMessage()
    held[0].with_name(held[0].name + ".hold").unlink()
    qtbot.waitUntil(lambda: not batch.active, timeout=30_000)


def test_a_store_refusal_is_said_in_the_window(qtbot, window):
    from core.store import StoreError

    def refuse(batch_id):
        raise StoreError(f"batch {batch_id} is still running (pid 1)")

    window.store.resume_spec = refuse
    window.resume_batch(99)
    assert "Cannot resume batch 99: batch 99 is still running" in window.statusBar().currentMessage()


def test_results_elide_at_the_end_with_the_whole_text_in_the_tooltip_and_copy(qtbot, window, tmp_path):
    from PySide6.QtGui import QGuiApplication

    from gui_app.tasks_model import COL_RESULT
    from tests.gui.test_window_run import trigger

    files = make_files(tmp_path / "in", 1)
    files[0].write_bytes(b"fail")
    use_slow_job(window, seconds=0)
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.FAILED)) == 1, timeout=30_000)
    view = window.view
    assert view.textElideMode() == Qt.TextElideMode.ElideRight
    tip = window.model.index(0, COL_RESULT).data(Qt.ItemDataRole.ToolTipRole)
    assert f"refused content in {files[0]}" in tip
    view.select_task(window.model.task_id(0))
    trigger(view.build_menu(), "copy_result")
    assert f"refused content in {files[0]}" in QGuiApplication.clipboard().text()


def test_a_failed_show_in_file_manager_is_said_in_the_window(qtbot, window, tmp_path):
    from tests.gui.test_window_run import trigger

    files = make_files(tmp_path / "in", 1)
    window.setup.set_job("checksum")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 1, timeout=30_000)
    files[0].unlink()
    window.view.select_task(window.model.task_id(0))
    trigger(window.view.build_menu(), "show")
    assert "no longer exists" in window.statusBar().currentMessage()


def test_a_multi_line_result_shows_its_last_line():
    from gui_app.tasks_model import result_text

    result = {"last_line": "compiling\nall 3 tests passed\n"}
    assert result_text(result, ("last_line",)) == "all 3 tests passed"


def test_a_command_shows_its_last_output_line_as_the_result(qtbot, window, tmp_path):
    from gui_app.tasks_model import COL_RESULT

    files = make_files(tmp_path / "in", 1)
    window.setup.set_job("command")
    window.setup.params.fields["command"].set_text("sh -c 'echo working; echo all 3 checks passed' {}")
    drop_and_start(qtbot, window, files)
    qtbot.waitUntil(lambda: len(rows_in(window, TaskState.DONE)) == 1, timeout=30_000)
    assert window.model.index(0, COL_RESULT).data() == "all 3 checks passed"


def test_a_finished_batch_is_announced_with_its_counts(qtbot, window, tmp_path):
    files = make_files(tmp_path / "in", 2)
    files[1].write_bytes(b"fail")
    use_slow_job(window, seconds=0)
    with qtbot.waitSignal(window.batchFinished, timeout=30_000):
        drop_and_start(qtbot, window, files)
    batch = window.model.batches[-1].batch_id
    assert window.notifier.last_route in ("tray", "status bar")
    if window.notifier.last_route == "status bar":
        message = window.statusBar().currentMessage()
        assert f"Batch {batch} finished" in message and "1 done, 1 failed, 0 cancelled" in message


def test_the_status_bar_names_a_new_batch_as_soon_as_it_is_accepted(qtbot, window, tmp_path):
    window._tick.stop()  # the status bar may not wait for its periodic refresh
    held = make_files(tmp_path / "in", 3)
    for p in held:
        p.with_name(p.name + ".hold").write_bytes(b"")
    use_slow_job(window, seconds=0)
    assert window.status.counts.text() == "No tasks"
    drop_and_start(qtbot, window, held)
    qtbot.waitUntil(lambda: window.accepted == 1, timeout=10_000)
    text = window.status.counts.text()
    assert text != "No tasks" and ("queued" in text or "running" in text), text
    save_artifact(window, "status-new-batch.png")
