"""The main window: assembles the panels, the actions, the status bar and the close dialog.

It owns no business logic: the engine runs behind ``EngineBridge``, tasks live
in ``TasksModel``, each panel is its own widget. This file wires them.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import TYPE_CHECKING, Any

import psutil
from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QWidget,
)

from core.events import (
    BatchAccepted,
    BatchFinished,
    Event,
    TaskFinished,
    TaskLog,
    TaskProgress,
    TaskStarted,
    WorkerEvent,
)
from core.model import TaskState
from core.presets import PresetError, PresetStore
from gui_app.batch_commands import BatchCommands
from gui_app.batch_progress import BatchClocks, progress_of, running
from gui_app.close_dialog import CloseChoice, ask_close_choice
from gui_app.collection_pause import CollectionPause
from gui_app.controls import Actions, RateMeter, StatusWidgets, count_text, title_text
from gui_app.done_actions import DoneActions
from gui_app.history_banner import HistoryBanner
from gui_app.icons import app_icon, state_icon
from gui_app.job_setup import DropZone, JobSetup
from gui_app.log_panel import LogPanel
from gui_app.notify import Notifier
from gui_app.settings import Settings
from gui_app.task_text import finished_text
from gui_app.tasks_model import BatchRows, TasksModel
from gui_app.tasks_view import TasksPane

if TYPE_CHECKING:
    from core.backend import Backend
    from core.cluster import ClusterConfig
    from gui_app.engine_bridge import EngineBridge

log = logging.getLogger("brigade.gui")


def open_store(path: str | None) -> tuple[Any, str | None]:
    """Open the job store; return ``(store, None)`` or ``(None, reason)``."""
    try:
        from core.store import JobStore
    except ImportError as exc:
        return None, str(exc)
    try:
        return JobStore.open(path), None
    except Exception as exc:  # noqa: BLE001 - StoreError and OS errors alike: run without history
        return None, str(exc)


def lower_priority(pid: int) -> None:
    """Run a worker process below normal priority, so a busy pool never makes the window lag.

    On an idle machine this costs the workers nothing; on a loaded one the
    window is served first, which is what a person watching it expects.
    """
    if os.environ.get("BRIGADE_WORKER_PRIORITY") == "normal":
        return
    try:
        proc = psutil.Process(pid)
        below = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", None)
        proc.nice(below if below is not None else 10)
    except (psutil.Error, OSError):
        log.debug("could not lower the priority of worker %s", pid)


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area, so a dock can be smaller than its minimum size."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class MainWindow(BatchCommands, QMainWindow):
    """Brigade's window. GUI thread only."""

    batchFinished = Signal(object)  # noqa: N815 - Qt naming;a BatchFinished, after the model saw it

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        self._late_done = False
        self._shown_once = False
        self._restored = False
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Brigade")
        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)  # files dropped anywhere go to the job setup
        self.paused = False
        self.closing = False
        self.quit_when_finished = False
        self._can_close = False
        self.clocks = BatchClocks()  # each batch's running time
        self.collections = CollectionPause()  # the collector waits while a million events pass
        self.accepted = 0  # batches the engine accepted in this session
        # When each batch not yet accepted was submitted, by its path list (the engine never copies it).
        self.submitted: dict[int, float] = {}
        self.refusal = ""  # why the last submit was refused
        self._rates = RateMeter()
        self._language = settings.language
        self._live: set[int] = set()  # batches the engine knows (accepted in this session)
        self._actions_key: tuple[bool, ...] = ()  # what the actions' states last depended on
        self.monitor: Any = None
        self.history: Any = None
        self.watch: Any = None  # the Watch panel (gui_app.watch_panel), made with the engine
        self._history_stale = False
        self.store: Any = None  # JobStore, opened with the engine
        self.store_error: str | None = None
        # Made after the first paint (start_engine): the engine and store imports are not free.
        self.bridge: EngineBridge | None = None
        self.cluster: ClusterConfig | None = None  # where the engine runs batches (None: here)
        self.engine_error: str | None = None  # why no engine can run batches (a cluster problem)
        self.model = TasksModel(self, icon_for=state_icon)
        self._build()
        self._connect()
        self._restore_layout()

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        self.tasks = TasksPane(self.model, self)
        self.view = self.tasks.view
        self.setCentralWidget(self.tasks)
        self.history_banner = HistoryBanner(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.history_banner)
        self.actions_ = Actions(self)
        self.addToolBar(self.actions_.toolbar(self))
        self.setup = JobSetup(self.batch_options, self, presets=self._open_presets())
        scroll = scrolled(self.setup)
        scroll.setMinimumWidth(340)
        self.setup_dock = self._dock(
            "setupDock", self.tr("Job setup"), scroll, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.log = LogPanel(self)
        self.log.set_store(self.store)
        self.log_dock = self._dock(
            "logDock", self.tr("Log"), self.log, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.monitor_dock = self._dock(
            "monitorDock",
            self.tr("Monitor"),
            QLabel(self.tr("Starting…")),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.history_dock = self._dock(
            "historyDock",
            self.tr("History"),
            QLabel(self.tr("Starting…")),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.tabifyDockWidget(self.log_dock, self.monitor_dock)
        self.tabifyDockWidget(self.monitor_dock, self.history_dock)
        self.log_dock.raise_()
        # The job setup runs the full height; the table gets most of the rest.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.status = StatusWidgets(self.statusBar())
        self.where = QLabel(self.statusBar())  # where batches run, when that is not this computer
        self.where.setObjectName("whereLabel")
        self.where.hide()
        self.statusBar().addPermanentWidget(self.where)
        self.done = DoneActions(self.settings, self, self.report, lambda: self.model.counts.unfinished)
        self.notifier = Notifier(self, chime=self.done.chime)
        self._build_menus()
        self.resize(1280, 820)

    def _open_presets(self) -> PresetStore | None:
        """The presets file; when it cannot be read, say so and run without presets."""
        try:
            return PresetStore.open()
        except PresetError as exc:
            self.report(self.tr("Presets unavailable: %1").replace("%1", str(exc)))
            return None

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        a = self.actions_
        bar = self.menuBar()
        file = bar.addMenu(self.tr("&File"))
        file.addActions([a.add_files, a.add_folder])
        file.addSeparator()
        file.addAction(a.settings)
        file.addSeparator()
        file.addAction(a.quit)
        run = bar.addMenu(self.tr("&Run"))
        run.addActions([a.start, a.pause, a.resume])
        run.addSeparator()
        run.addActions([a.remove_selected, a.move_up, a.move_down])
        run.addSeparator()
        run.addActions([a.cancel_selected, a.cancel_all, a.retry_failed, a.clear_finished])
        run.addSeparator()
        run.addMenu(self.done.menu(run))
        view = bar.addMenu(self.tr("&View"))
        for dock in (self.setup_dock, self.log_dock, self.monitor_dock, self.history_dock):
            view.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([a.guide, a.about])

    def _connect(self) -> None:
        a, v, s = self.actions_, self.view, self.setup
        a.add_files.triggered.connect(s.choose_files)
        a.add_folder.triggered.connect(s.choose_folder)
        a.start.triggered.connect(s.start)
        a.pause.triggered.connect(self.pause)
        a.resume.triggered.connect(self.resume)
        a.remove_selected.triggered.connect(self.remove_selected)
        a.move_up.triggered.connect(self.move_batch_up)
        a.move_down.triggered.connect(self.move_batch_down)
        a.cancel_selected.triggered.connect(self.cancel_selected)
        a.cancel_all.triggered.connect(self.cancel_all)
        a.retry_failed.triggered.connect(self.retry_failed)
        a.clear_finished.triggered.connect(self.clear_finished)
        a.settings.triggered.connect(self.open_settings)
        a.about.triggered.connect(self.show_about)
        a.guide.triggered.connect(self.show_guide)
        a.quit.triggered.connect(self.close)
        s.startRequested.connect(self.start_from_setup)
        s.readyChanged.connect(self._update_actions)
        s.start_folder = str(
            self.settings.qsettings.value("paths/last_folder", "") or os.path.expanduser("~")
        )
        s.folderUsed.connect(self._remember_folder)
        v.cancelRequested.connect(self.cancel)
        v.removeRequested.connect(self.remove)
        v.retryRequested.connect(self.retry)
        v.showLogRequested.connect(self.show_log)
        v.actionFailed.connect(self.report)
        v.currentTaskChanged.connect(self._on_current_task)
        v.selectionModel().selectionChanged.connect(self._update_actions)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()

    # ------------------------------------------------------------ start-up
    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if not self._restored:
                self.resizeDocks([self.setup_dock], [360], Qt.Orientation.Horizontal)
                self.resizeDocks([self.log_dock], [260], Qt.Orientation.Vertical)

    def event(self, event: QEvent) -> bool:
        if not self._late_done and event.type() == QEvent.Type.Paint:
            self._late_done = True
            # After the first paint: workers spawn and heavy panels import without delaying it.
            QTimer.singleShot(0, self.late_init)
        return super().event(event)

    @Slot()
    def late_init(self) -> None:
        """Start the engine and build the monitor and history panels."""
        if self.closing:
            return
        self.start_engine()
        if self.monitor is None:
            self._build_monitor()
        if self.history is None:
            self._build_history()
        if self.watch is None and not self.closing:
            from gui_app import watch_panel

            self.watch = watch_panel.install(self)
        # Everything made so far (modules, widgets, plots) lives as long as the window: moved out
        # of the collector's generations, a full collection scans only what a batch made, so a
        # collection during a batch holds the interpreter lock no longer than that batch's objects need.
        gc.freeze()

    def start_engine(self) -> EngineBridge | None:
        """Open the history and start the engine thread, once; return the bridge.

        The engine follows the settings: worker processes here, or the Dask
        cluster of Settings → Cluster (``core.cluster.factory.make_backend``,
        as the CLI's ``--cluster``). A cluster connects on the engine thread;
        the job setup waits for it. ``None`` when the cluster settings are refused.
        """
        if self.bridge is None and self.engine_error is None:
            from core.cluster import ClusterError
            from core.cluster.factory import make_backend
            from core.engine import EngineConfig
            from gui_app.engine_bridge import EngineBridge

            if self.store is None and self.store_error is None:
                self.store, self.store_error = open_store(self.settings.db_path)
                self.log.set_store(self.store)
                if self.store_error:
                    self.statusBar().showMessage(
                        self.tr("History disabled: %1").replace("%1", self.store_error)
                    )
            s = self.settings
            level = logging.getLevelName(s.library_log_level)
            config = EngineConfig(workers=s.workers, recycle_after=s.recycle_after, log_level=level)
            try:
                self.cluster = s.cluster_config()
                recorder = self.store.recorder() if self.store is not None else None
                self.history_banner.listen(recorder)
                # Only the security checks run here; connecting waits for the engine thread.
                engine = make_backend(self.cluster, config, recorder, connect=False)
            except (ClusterError, ValueError) as exc:
                self._engine_failed(str(exc))
                return None
            self.bridge = EngineBridge(parent=self, engine=engine)
            self.bridge.events.connect(self._on_events)
            self.bridge.ready.connect(self._on_engine_ready)
            self.bridge.stopped.connect(self._on_engine_stopped)
            self._show_where()
            if not self.closing:
                self.bridge.start()
        return self.bridge

    @property
    def engine(self) -> Backend | None:
        """The engine (started on first use), or ``None`` when the cluster cannot be used.

        Its methods are thread-safe commands.
        """
        bridge = self.start_engine()
        return bridge.engine if bridge is not None else None

    @property
    def engine_running(self) -> bool:
        return self.bridge is not None and self.bridge.running

    @property
    def engine_ready(self) -> bool:
        """Whether the engine runs and, for a cluster, is connected."""
        return self.engine_running and self.bridge is not None and self.bridge.is_ready

    def _show_where(self) -> None:
        """Say where batches run; a cluster's job setup waits until it is connected."""
        if self.cluster is None:
            self.where.hide()
            return
        address = self.cluster.address
        self.where.setStyleSheet("")
        self.where.setText(self.tr("Dask: %1").replace("%1", address))
        self.where.setToolTip(self.tr("Batches run on the Dask cluster at %1").replace("%1", address))
        self.where.show()
        self.setup.setEnabled(False)
        self.statusBar().showMessage(self.tr("Connecting to the Dask cluster at %1…").replace("%1", address))

    @Slot()
    def _on_engine_ready(self) -> None:
        if self.cluster is None or self.closing:
            return
        self.setup.setEnabled(True)
        self._update_actions()
        self.statusBar().showMessage(
            self.tr("Connected: batches run on the Dask cluster at %1").replace("%1", self.cluster.address),
            10_000,
        )

    def _engine_failed(self, reason: str) -> None:
        """No engine can run batches: say why, plainly, and run nothing (never locally instead)."""
        self.engine_error = reason
        self.setup.setEnabled(False)
        self.where.setText(self.tr("Cluster unavailable"))
        self.where.setStyleSheet("color: #d9363e;")
        self.where.setToolTip(reason)
        self.where.show()
        self.statusBar().showMessage(
            self.tr("Nothing will run: %1. Change the address in Settings → Cluster.").replace("%1", reason)
        )
        if self.monitor is not None:
            self.monitor.set_note(reason)
        self._update_actions()

    def _build_monitor(self) -> None:
        try:
            from gui_app.monitor_panel import MonitorPanel
        except ImportError as exc:
            self.monitor_dock.setWidget(QLabel(self.tr("Monitor unavailable: %1").replace("%1", str(exc))))
            return
        self.monitor = MonitorPanel(self._worker_pids, self)
        if self.cluster is not None:
            self.monitor.set_note(
                self.tr(
                    "Batches run on the Dask cluster at %1. The worker graphs show only workers "
                    "on this computer; the others are remote."
                ).replace("%1", self.cluster.address)
            )
        if self.engine_error is not None:
            self.monitor.set_note(self.engine_error)
        self.monitor_dock.setWidget(scrolled(self.monitor))
        self.monitor.start()

    def _worker_pids(self) -> tuple[int, ...]:
        """The engine's workers on this computer; called on the monitor thread."""
        bridge = self.bridge  # one read: the window may replace its bridge meanwhile
        return bridge.engine.worker_pids if bridge is not None else ()

    def _build_history(self) -> None:
        try:
            from gui_app.history_panel import HistoryPanel
        except ImportError as exc:
            self.history_dock.setWidget(QLabel(self.tr("History unavailable: %1").replace("%1", str(exc))))
            return
        path = (
            self.store.path
            if self.store is not None and hasattr(self.store, "path")
            else self.settings.db_path
        )
        self.history = HistoryPanel(path if self.store is not None else None, self)
        self.history.resumeRequested.connect(self.resume_batch)
        self.history.openRequested.connect(self.open_batch)
        self.history_dock.setWidget(scrolled(self.history))
        self.history_dock.visibilityChanged.connect(self._on_history_shown)

    # ------------------------------------------------------------ events
    @Slot(list)
    def _on_events(self, events: list[Event]) -> None:
        now = time.monotonic()
        self.model.apply(events)  # one tick's events: the table hears of them once
        self.log.on_events(events)
        shown, accepted = self.log_task, self.accepted
        for ev in events:
            kind = type(ev)
            if kind is TaskLog or kind is TaskStarted or kind is TaskProgress:
                continue  # the bulk of every slice: nothing more to do here
            if kind is TaskFinished:
                if ev.task_id == shown:  # type: ignore[union-attr]
                    self._on_current_task(shown)
            elif kind is BatchFinished:
                self._on_batch_finished(ev)  # type: ignore[arg-type]
            elif kind is BatchAccepted:
                self._live.add(ev.batch_id)  # type: ignore[union-attr]
                self.accepted += 1
                self._refresh_history()  # the batch is in the history from now on
                # From the Start press: a batch may run and end before its first drain tick.
                since = self.submitted.pop(id(ev.spec.paths), now)  # type: ignore[union-attr]
                if not self.paused:
                    self.clocks.start(ev.batch_id, since)  # type: ignore[union-attr]
            elif kind is WorkerEvent and ev.exitcode is None and self.cluster is None:  # type: ignore[union-attr]
                # Only our own pool: a cluster's workers belong to whoever started them.
                lower_priority(ev.pid)  # type: ignore[union-attr]
        self.clocks.follow(self.model.batches, now, paused=self.paused)
        c = self.model.counts
        key = (c.unfinished > 0, c.by_state[TaskState.FAILED] > 0, c.total > c.unfinished)
        if key != self._actions_key:  # asking the widgets costs Qt calls: only when it matters
            self._actions_key = key
            self._update_actions()
        if self.accepted != accepted:
            self._on_tick()  # the status bar names the new batch now, not at the next tick

    @property
    def log_task(self) -> int:
        return self.log._task

    def _on_batch_finished(self, ev: BatchFinished) -> None:
        counts = {TaskState(k): v for k, v in ev.counts.items()}
        if not ev.stopped and not self.closing:
            ran = self.clocks.elapsed(ev.batch_id, time.monotonic())  # running time, pauses left out
            text = finished_text(counts, ev.elapsed if ran is None else ran)
            self.notifier.notify(self.tr("Batch %1 finished").replace("%1", str(ev.batch_id)), text)
        self._refresh_history()
        self.batchFinished.emit(ev)
        if self.model.counts.unfinished == 0:
            self._on_all_finished()

    def _on_all_finished(self) -> None:
        self._on_tick()
        if self.quit_when_finished and not self.closing:
            QTimer.singleShot(0, self.close)
        elif not self.closing:
            self.done.all_finished()

    @Slot()
    def _refresh_history(self, *_: Any) -> None:
        """Reload the history list now if it is seen, else when it is next shown (it reads the store)."""
        if self.history is None:
            return
        self._history_stale = not self.history_dock.isVisible() or self.history_dock.visibleRegion().isEmpty()
        if not self._history_stale:
            self.history.refresh()

    @Slot(bool)
    def _on_history_shown(self, visible: bool) -> None:
        if visible and self._history_stale and self.history is not None:
            self._history_stale = False
            self.history.refresh()

    @Slot(int)
    def _on_current_task(self, task_id: int) -> None:
        if task_id < 0:
            self.log.show_task(-1)
            return
        row = self.model.row_of(task_id)
        finished = row >= 0 and self.model.state(row).terminal
        detail = self.model.detail(row) if row >= 0 else None
        header = footer = ""
        if detail is not None and detail.failure is not None:
            header = detail.failure.describe()
            footer = detail.failure.traceback.rstrip() if detail.failure.traceback else ""
        if detail is not None and detail.log_dropped:
            dropped = count_text(
                detail.log_dropped,
                self.tr("%1 more line was counted but not kept"),
                self.tr("%1 more lines were counted but not kept"),
            )
            footer = f"{footer}\n{dropped}" if footer else dropped
        self.log.show_task(task_id, finished=finished, header=header, footer=footer)

    @Slot(int)
    def show_log(self, task_id: int) -> None:
        self.view.select_task(task_id)
        self._on_current_task(task_id)
        self.log_dock.show()
        self.log_dock.raise_()

    # ------------------------------------------------------------ periodic
    @Slot()
    def _on_tick(self) -> None:
        now = time.monotonic()
        self.collections.check(self.bridge.backlog if self.bridge is not None else 0)
        self.clocks.follow(self.model.batches, now, paused=self.paused)
        c = self.model.counts
        rate = self._rates.sample(c.finished, c.bytes_done)
        active = running(self.model.batches)
        shown = self.status_batches(active)
        self.status.show(
            progress_of(shown, self.clocks, now), rate, paused=self.paused, label=self._batches_label(shown)
        )
        self.tasks.filter_bar.show_batches(self.model.batches, self.clocks, now)
        self.model.refresh_running()
        if self.monitor is not None:
            self.monitor.set_throughput(rate.files, rate.bytes)
        self._update_actions()
        # The taskbar shows the title: progress of the running batches, visible with the window minimised.
        self.setWindowTitle(title_text(progress_of(active, self.clocks, now)) if active else "Brigade")

    def status_batches(self, active: list[BatchRows]) -> list[BatchRows]:
        """The batches the status bar speaks of: the one chosen, else the running ones, else the last."""
        chosen = self.tasks.filter_bar.batch_id
        if chosen is not None:
            return [b for b in self.model.batches if b.batch_id == chosen]
        return active or self.model.batches[-1:]

    def _batches_label(self, batches: list[BatchRows]) -> str:
        if len(batches) == 1:
            return self.tr("Batch %1:").replace("%1", str(batches[0].batch_id))
        return self.tr("%1 running batches:").replace("%1", str(len(batches))) if batches else ""

    # ------------------------------------------------------------ drops anywhere on the window
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if DropZone.local_paths(event) and self.setup.isEnabled():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = DropZone.local_paths(event)
        if paths and self.setup.isEnabled():
            event.acceptProposedAction()
            self.setup.add_paths(paths)
            self.setup_dock.show()

    @Slot(list)
    def open_paths(self, paths: list[str]) -> None:
        """Paths from the command line, a later launch or the system: add them and come forward."""
        if paths:
            self.setup.add_paths(paths)
            self.setup_dock.show()
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    @Slot()
    def _update_actions(self, *_: Any) -> None:
        self.actions_.update_state(
            self.model.counts,
            paused=self.paused,
            has_selection=self.view.selectionModel().hasSelection(),
            can_start=self.setup.start_btn.isEnabled() and not self.closing,
        )

    # ------------------------------------------------------------ settings and dialogs
    @Slot()
    def open_settings(self) -> None:
        from gui_app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.changed.connect(self.apply_settings)
        dialog.exec()
        dialog.deleteLater()

    @Slot()
    def apply_settings(self) -> None:
        """Apply what can change while running: workers, theme, language, when done."""
        from gui_app.i18n import install_translator
        from gui_app.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.theme)
            if self.settings.language != self._language:
                install_translator(app, self.settings.language)
                self._language = self.settings.language
                # Panels built from translated strings pick the language up on the next start.
                self.statusBar().showMessage(
                    self.tr("The new language applies fully after a restart"), 10_000
                )
        if self.bridge is not None and self.cluster is None:
            self.bridge.engine.set_workers(self.settings.workers)
        self.done.sync()
        self._apply_cluster_settings()

    def _apply_cluster_settings(self) -> None:
        """Use changed cluster settings now if no engine runs batches, else from the next start."""
        try:
            wanted = self.settings.cluster_config()
        except ValueError:
            return
        if wanted == self.cluster and self.engine_error is None:
            return
        if self.engine_error is None and self.engine_running:
            self.statusBar().showMessage(
                self.tr("The new cluster settings apply when Brigade starts again"), 10_000
            )
            return
        # The engine never ran a batch (refused, unreachable, or not started): try the new settings.
        if self.bridge is not None:
            self.bridge.stopped.disconnect(self._on_engine_stopped)
            self.bridge.shutdown(interrupt=True, timeout=5.0)
            self.bridge.deleteLater()
            self.bridge = None
        self.engine_error = None
        self.setup.setEnabled(True)
        self.where.hide()
        if self.monitor is not None:
            self.monitor.set_note("")
        self.start_engine()

    @Slot(str)
    def _remember_folder(self, folder: str) -> None:
        """The file dialogs open where the person last took files from."""
        self.settings.qsettings.setValue("paths/last_folder", folder)

    @Slot()
    def show_guide(self) -> None:
        from gui_app.guide import open_guide

        if failure := open_guide(self):
            self.report(failure)

    @Slot()
    def show_about(self) -> None:
        from gui_app.about import show_about

        show_about(self)

    # ------------------------------------------------------------ closing
    def close_choice(self) -> CloseChoice:
        """Ask what to do with unfinished tasks (tests replace this method)."""
        return ask_close_choice(self, self.model.counts.unfinished)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._can_close:
            event.accept()
            return
        event.ignore()
        if self.closing:
            return
        if self.model.counts.unfinished and self.engine_running:
            choice = self.close_choice()
            if choice is CloseChoice.STAY:
                return
            if choice is CloseChoice.FINISH:
                self.quit_when_finished = True
                self.statusBar().showMessage(self.tr("Brigade will close when every task has finished"))
                return
            if choice is CloseChoice.CANCEL:
                self.cancel_all()
        self._begin_close()

    def _begin_close(self) -> None:
        """Stop the engine without blocking; the window closes once it has stopped."""
        self.closing = True
        self.setup.setEnabled(False)
        self._update_actions()
        self._save_layout()
        if self.watch is not None:
            self.watch.stop_intake()
        if self.bridge is not None and self.bridge.running:
            self.statusBar().showMessage(self.tr("Stopping: waiting for running tasks to end…"))
            self.bridge.stop(interrupt=False)
        else:
            self._on_engine_stopped()

    @Slot()
    def _on_engine_stopped(self) -> None:
        bridge = self.bridge
        if not self.closing and self.cluster is not None and bridge and not bridge.is_ready and bridge.error:
            self._engine_failed(bridge.error)  # it never connected
            return
        if not self.closing:
            reason = (self.bridge.error if self.bridge else None) or self.tr("unknown reason")
            self.statusBar().showMessage(self.tr("The engine stopped: %1").replace("%1", reason))
            self.setup.setEnabled(False)
            return
        self.release()
        self._can_close = True
        self.close()

    def release(self) -> None:
        """Stop everything the window started: engine thread, workers, samplers, store."""
        self._tick.stop()
        self.collections.release()
        self.setup.shutdown()
        if self.monitor is not None:
            self.monitor.stop()
        if self.bridge is not None:
            self.bridge.shutdown(interrupt=True, timeout=15.0)
        if self.watch is not None:
            self.watch.close_service()
        self.notifier.close()
        if self.history is not None:
            self.history.close_store()  # its reader thread
        if self.store is not None:
            self.store.close()
            self.store = None
            self.log.set_store(None)

    # ------------------------------------------------------------ layout persistence
    def _save_layout(self) -> None:
        q = self.settings.qsettings
        q.setValue("window/geometry", self.saveGeometry())
        q.setValue("window/state", self.saveState())

    def _restore_layout(self) -> None:
        q = self.settings.qsettings
        geometry, state = q.value("window/geometry"), q.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self._restored = self.restoreState(state)
