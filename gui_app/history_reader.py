"""The History panel's queries, run on a thread of their own so the window never waits on the store.

::

    HistoryPanel (GUI thread)                 HistoryReader (its QThread)
      wantBatches(request, limit)     ──►       read_batches ─► JobStore.batches
      wantTasks(request, batch, ...)  ──►       read_tasks   ─► JobStore.tasks (one page, by key)
      wantLog(request, task, limit)   ──►       read_log     ─► JobStore.task, log_lines
      _on_batches / _on_tasks / _on_log  ◄──    batchesRead / tasksRead / logRead / failed

Every hop is a queued signal; the reader owns its own read connection, opened
on its thread. Each request carries a number, so the panel drops the answer
to a question it no longer asks (another batch was selected meanwhile).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.model import TaskState
from core.store import JobStore, StoreError


class HistoryReader(QObject):
    """Reads the history at ``path``; every slot runs on the reader's thread."""

    batchesRead = Signal(int, object)  # noqa: N815 - request, list[BatchRow]
    tasksRead = Signal(int, object)  # noqa: N815 - request, list[TaskRow] (one page)
    logRead = Signal(int, object)  # noqa: N815 - request, (TaskRow | None, list[LogRow])
    failed = Signal(int, str)  # request, why the history cannot be read (one line)

    def __init__(self, path: str | None) -> None:
        super().__init__()
        self.path = path
        self._store: JobStore | None = None

    def _opened(self) -> JobStore:
        if self._store is None:
            self._store = JobStore.open(self.path)
        return self._store

    @Slot(int, int)
    def read_batches(self, request: int, limit: int) -> None:
        """The newest ``limit`` batches."""
        try:
            self.batchesRead.emit(request, self._opened().batches(limit))
        except StoreError as exc:
            self.failed.emit(request, str(exc))

    @Slot(int, int, object, int, int)
    def read_tasks(self, request: int, batch_id: int, states: object, after: int, limit: int) -> None:
        """A page of a batch's tasks in ``states`` (``None``: all) whose ids follow ``after``."""
        wanted: frozenset[TaskState] | None = states  # type: ignore[assignment]
        try:
            page = self._opened().tasks(batch_id, wanted, limit, after=after)
            self.tasksRead.emit(request, page)
        except StoreError as exc:
            self.failed.emit(request, str(exc))

    @Slot(int, int, int)
    def read_log(self, request: int, task_id: int, limit: int) -> None:
        """A task as stored now, and its first ``limit`` log lines."""
        try:
            store = self._opened()
            self.logRead.emit(request, (store.task(task_id), store.log_lines(task_id, limit)))
        except StoreError as exc:
            self.failed.emit(request, str(exc))

    @Slot()
    def close(self) -> None:
        """Close the read connection (it opens again on the next read)."""
        if self._store is not None:
            self._store.close()
            self._store = None


def start_reader(path: str | None) -> tuple[HistoryReader, QThread]:
    """A reader for ``path`` moved to a new, started thread."""
    thread = QThread()
    thread.setObjectName("historyReader")
    reader = HistoryReader(path)
    reader.moveToThread(thread)
    thread.finished.connect(reader.close)  # on the reader's thread, as its last act
    thread.start()
    return reader, thread


def stop_reader(thread: QThread) -> None:
    """End the reader's thread (its connection closes as it ends) and wait for it."""
    thread.quit()
    thread.wait()
