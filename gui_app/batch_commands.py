"""The window's commands to the engine: submit, pause, resume, cancel, retry, clear, resume from history.

A mixin of ``MainWindow`` (GUI thread only): the commands share the window's
engine, store, model and status bar. Every refusal is said in the window.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from core.model import BatchOptions, BatchSpec, TaskState
from core.params import ParamError
from core.registry import UnknownJobError, processor_class
from gui_app.controls import count_text
from gui_app.i18n import error_tr
from gui_app.tasks_model import BatchRows

if TYPE_CHECKING:  # a type checker sees the window's attributes; at run time a plain mixin
    from gui_app.main_window import MainWindow

    _Base = MainWindow
else:
    _Base = object

log = logging.getLogger("brigade.gui")
REPORT_MS = 15_000  # how long a failed action's message stays in the status bar


class BatchCommands(_Base):
    """Engine commands of the main window."""

    def batch_options(self) -> BatchOptions:
        """Run options of the next batch, from the settings."""
        return BatchOptions(timeout=self.settings.timeout, retries=self.settings.retries)

    def report(self, text: str) -> None:
        """Say in the window that an action failed, and why (also logged)."""
        log.warning("%s", text)
        self.statusBar().showMessage(text, REPORT_MS)

    @Slot(object)
    def submit(self, spec: BatchSpec) -> bool:
        """Queue a batch on the engine; say a refusal in the window (``refusal`` keeps it)."""
        self.refusal = ""
        engine = self.engine
        if engine is None or (self.cluster is not None and not self.engine_ready):
            why = self.engine_error or self.tr("the cluster is not connected yet")
            self.refusal = self.tr("Nothing will run: %1").replace("%1", why)
        else:
            accepted = self.accepted
            try:
                engine.submit(spec)
            except (ParamError, UnknownJobError) as exc:
                self.refusal = error_tr(exc)
            else:
                self.collections.hold(len(spec.paths), lambda: self.accepted > accepted)
        if self.refusal:
            self.report(self.refusal)
            return False
        self._note_job(spec.job)
        self.submitted[id(spec.paths)] = time.monotonic()
        if not self.model.counts.unfinished:
            self._rates.reset()
        return True

    @Slot(object)
    def start_from_setup(self, spec: BatchSpec) -> None:
        """Start the job setup's batch; a refusal is shown beside Start, the files stay chosen."""
        self.setup.say("" if self.submit(spec) else self.refusal)

    def _note_job(self, job: str) -> None:
        """Tell the model the job's title and result columns, before its results arrive."""
        try:
            cls = processor_class(job)
            self.model.set_result_columns(job, cls.result_columns, cls.title)
        except Exception:  # noqa: BLE001 - a plugin may fail here; its tasks will say why
            log.debug("no result columns for %s", job)

    @Slot()
    def pause(self) -> None:
        if (engine := self.engine) is None:
            self.report(self.tr("Cannot pause: no engine runs batches"))
            return
        engine.pause()
        self.paused = True
        self.clocks.pause(time.monotonic())
        self._update_actions()

    @Slot()
    def resume(self) -> None:
        if (engine := self.engine) is None:
            self.report(self.tr("Cannot resume: no engine runs batches"))
            return
        engine.resume()
        self.paused = False
        self.clocks.follow(self.model.batches, time.monotonic(), paused=False)
        self._update_actions()

    @Slot(list)
    def cancel(self, task_ids: list[int]) -> None:
        if (engine := self.engine) is not None:
            engine.cancel(task_ids)

    @Slot()
    def cancel_selected(self) -> None:
        self.cancel(self.view.selected_task_ids())

    @Slot(list)
    def remove(self, task_ids: list[int]) -> None:
        """Take the queued tasks among ``task_ids`` out of the queue; say what was left running."""
        known = [
            (t, row) for t, row in zip(task_ids, map(self.model.row_of, task_ids), strict=True) if row >= 0
        ]
        states = [self.model.state(row) for _, row in known]
        queued = [t for (t, _), s in zip(known, states, strict=True) if s == TaskState.QUEUED]
        self._remove_queued(queued, states.count(TaskState.RUNNING))

    def _remove_queued(self, queued: list[int], running: int) -> None:
        """Take ``queued`` out of the queue; say so, and how many of the chosen tasks keep running."""
        if not queued or (engine := self.engine) is None:
            self.report(self.tr("Nothing removed: only queued tasks can be taken out of the queue"))
            return
        engine.remove(queued)
        text = count_text(len(queued), self.tr("Removed %1 queued task"), self.tr("Removed %1 queued tasks"))
        if running:
            text += " · " + count_text(
                running,
                self.tr("%1 running task keeps running (Cancel stops it)"),
                self.tr("%1 running tasks keep running (Cancel stops them)"),
            )
        self.statusBar().showMessage(text, 10_000)

    @Slot()
    def remove_selected(self) -> None:
        # Read from the selection's row spans: a select-all of a big batch looks up no task by id.
        queued = self.view.selected_task_ids((TaskState.QUEUED,))
        self._remove_queued(queued, len(self.view.selected_task_ids((TaskState.RUNNING,))))

    @Slot()
    def move_batch_up(self) -> None:
        self._move_batch(-1)

    @Slot()
    def move_batch_down(self) -> None:
        self._move_batch(1)

    def _move_batch(self, offset: int) -> None:
        """Move the batch of the current task (or the one chosen in the filter) in the engine's queue."""
        current = self.view.currentIndex()
        if current.isValid():
            batch: BatchRows | None = self.model.batch_of(self.view.proxy.source_row(current.row()))
        else:
            chosen = self.tasks.filter_bar.batch_id
            batch = next((b for b in self.model.batches if b.batch_id == chosen), None)
        if batch is None:
            self.report(self.tr("Select a task of the batch to move"))
        elif not batch.counts.by_state[TaskState.QUEUED] or batch.batch_id not in self._live:
            self.report(self.tr("Batch %1 has no queued tasks to move").replace("%1", str(batch.batch_id)))
        elif (engine := self.engine) is not None:
            engine.move_batch(batch.batch_id, offset)

    def _count(self, state: TaskState) -> int:
        return self.model.counts.by_state[state]

    @Slot()
    def cancel_all(self) -> None:
        if (engine := self.engine) is not None:
            self.collections.hold(self._count(TaskState.QUEUED), lambda: self._count(TaskState.QUEUED) == 0)
            engine.cancel_batch(None)

    @Slot()
    def retry_failed(self) -> None:
        if (engine := self.engine) is not None:
            self.collections.hold(self._count(TaskState.FAILED), lambda: self._count(TaskState.FAILED) == 0)
            engine.retry_failed(None)
        for b in self.model.batches:
            if b.batch_id not in self._live:
                rows = range(b.first, b.first + b.count)
                self.retry([b.ids[r - b.first] for r in rows if self.model.state(r) == TaskState.FAILED])

    @Slot(list)
    def retry(self, task_ids: list[int]) -> None:
        """Run tasks again: the engine's own ones directly, those of past batches through the store."""
        live, past = [], {}
        for tid in task_ids:
            row = self.model.row_of(tid)
            if row < 0:
                continue
            bid = self.model.batch_of(row).batch_id
            if bid in self._live:
                live.append(tid)
            else:
                past.setdefault(bid, set()).add(tid)
        engine = self.engine
        if live and engine is not None:
            engine.retry(live)
        for bid, wanted in past.items():
            self._retry_past(bid, wanted)

    def _retry_past(self, batch_id: int, wanted: set[int]) -> None:
        from core.store import StoreError

        try:
            spec = (
                self.store.retry_spec(batch_id, failed=True, cancelled=True)
                if self.store is not None
                else None
            )
        except StoreError as exc:
            self.report(
                self.tr("Cannot retry batch %1: %2").replace("%1", str(batch_id)).replace("%2", str(exc))
            )
            return
        if spec is None or spec.task_ids is None:
            self.report(self.tr("Batch %1 has nothing to retry").replace("%1", str(batch_id)))
            return
        chosen = spec.only(wanted)
        if chosen.paths:
            self.submit(chosen)

    @Slot()
    def clear_finished(self) -> None:
        before = {b.batch_id for b in self.model.batches}
        removed = self.model.clear_finished()
        engine = self.engine
        for bid in before - {b.batch_id for b in self.model.batches}:
            if engine is not None:
                engine.forget(bid)
            self._live.discard(bid)
            self.clocks.forget(bid)
        if removed:
            self.statusBar().showMessage(
                count_text(
                    removed, self.tr("Cleared %1 finished task"), self.tr("Cleared %1 finished tasks")
                ),
                5000,
            )
        self._update_actions()

    @Slot(int)
    def resume_batch(self, batch_id: int) -> None:
        """Queue the unfinished tasks of a past batch again (from the history panel)."""
        from core.store import StoreError

        name = str(batch_id)
        if batch_id in self._live and any(b.batch_id == batch_id and b.active for b in self.model.batches):
            self.report(self.tr("Batch %1 is already running").replace("%1", name))
            return
        if self.store is None:
            self.report(self.tr("Cannot resume batch %1: history is disabled").replace("%1", name))
            return
        try:
            spec = self.store.resume_spec(batch_id)
        except StoreError as exc:
            self.report(self.tr("Cannot resume batch %1: %2").replace("%1", name).replace("%2", str(exc)))
            return
        if spec is None or not spec.paths:
            self.report(self.tr("Batch %1 has nothing left to run").replace("%1", name))
            return
        if self.submit(spec):
            self.statusBar().showMessage(self.tr("Resuming batch %1").replace("%1", name), 5000)

    @Slot(int)
    def open_batch(self, batch_id: int) -> None:
        """Show a past batch's tasks in the table (from the history panel)."""
        from core.store import StoreError

        if self.store is not None and not any(b.batch_id == batch_id for b in self.model.batches):
            try:
                batch = self.store.batch(batch_id)
                tasks = self.store.tasks(batch_id) if batch is not None else []
            except StoreError as exc:
                self.report(
                    self.tr("Cannot open batch %1: %2").replace("%1", str(batch_id)).replace("%2", str(exc))
                )
                return
            if batch is not None:
                self._note_job(batch.job)
                roots = batch.extra.get("roots", ()) if isinstance(batch.extra, dict) else ()
                self.model.add_past_batch(batch_id, batch.job, tasks, roots)
                self._rates.reset()  # loaded tasks are not throughput
        rows = [b.first for b in self.model.batches if b.batch_id == batch_id]
        if rows:
            self.view.select_task(self.model.task_id(rows[0]))
            self._update_actions()
