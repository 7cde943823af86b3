"""The Watch panel: watch rules with on/off switches, what each is doing, and the files it queued.

::

    rule threads ── WatchEvent ─► _Relay.push (appends; signals only when the queue was empty)
                                      │ queued signal
                                      ▼
    GUI thread                    WatchPanel._drain: every waiting event in one pass
                                  (rules table: state and counts; recent files: last RECENT)

The rules' tasks go through the window's engine, so they appear in the task
table and the history like any batch. The rules are kept in
``watch-rules.json`` beside the history database, a rule file that
``brigade-cli watch`` runs as well; which rules are switched off is a setting.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.backend import Backend
from core.discovery import display_path
from core.watch import (
    FileEnded,
    FilesQueued,
    OnDone,
    RuleError,
    RuleStatus,
    WatchEvent,
    WatchRule,
    WatchService,
    load_rules,
    make_rule,
    save_rules,
)

RULES_FILE = "watch-rules.json"
OFF_KEY = "watch/off"  # names of the rules switched off
RECENT = 500  # files listed in the recent table
STOP_WAIT = 1.0  # seconds the closing window waits for the rules to withdraw their tasks
COLUMNS = ("On", "Rule", "Folder", "Job", "State", "Waiting", "In engine", "Done", "Failed")
RULE_WIDTHS = (34, 170, 220, 80, 130, 64, 72, 56, 56)
RECENT_COLUMNS = ("Time", "File", "Result", "Rule")
RECENT_WIDTHS = (70, 440, 200, 170)
STATE = 4


class _Relay(QObject):
    """Carries the rules' events to the GUI thread in batches."""

    arrived = Signal()  # events wait in the queue (emitted on a rule's thread, received queued)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._queue: collections.deque[WatchEvent] = collections.deque()

    def push(self, event: WatchEvent) -> None:
        """Any thread: queue ``event``; signal only if the queue was empty (a burst costs one signal)."""
        with self._lock:
            first = not self._queue
            self._queue.append(event)
        if first:
            self.arrived.emit()

    def take(self) -> list[WatchEvent]:
        with self._lock:
            events = list(self._queue)
            self._queue.clear()
        return events


class WatchPanel(QWidget):
    """Rules, their switches and state, and the files they queued. GUI thread only."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchPanel")
        self._window = window
        self._service: WatchService | None = None
        self.dock: QDockWidget | None = None
        self._rules: list[WatchRule] = []
        self._rules_path = ""
        self._relay = _Relay()
        self._relay.arrived.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._build()

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        self.add_btn = QPushButton(self.tr("Watch a folder…"), self)
        self.add_btn.setToolTip(self.tr("Run the job chosen in Job setup on each file landing in a folder"))
        self.load_btn = QPushButton(self.tr("Add rule file…"), self)
        self.remove_btn = QPushButton(self.tr("Remove"), self)
        self.message = QLabel(self)
        self.message.setObjectName("watchMessage")
        buttons = QHBoxLayout()
        for w in (self.add_btn, self.load_btn, self.remove_btn):
            buttons.addWidget(w)
        buttons.addWidget(self.message, 1)
        self.rules_table = _table(self, [self.tr(c) for c in COLUMNS], RULE_WIDTHS)
        self.recent = _table(self, [self.tr(c) for c in RECENT_COLUMNS], RECENT_WIDTHS)
        self.rules_table.setAccessibleName(self.tr("Watch rules"))
        self.recent.setAccessibleName(self.tr("Files the rules took lately"))
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.rules_table)
        split.addWidget(self.recent)
        split.setSizes([2, 3])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self.add_btn.clicked.connect(self.choose_folder)
        self.load_btn.clicked.connect(self.choose_rule_file)
        self.remove_btn.clicked.connect(self.remove_selected)
        self.rules_table.itemChanged.connect(self._on_item_changed)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.add_btn, self.load_btn, self.remove_btn):
            w.setEnabled(on)

    # ------------------------------------------------------------ the service
    def attach(self, engine: Backend, db_path: str) -> None:
        """Run the saved rules on ``engine``, keeping their progress in ``db_path``."""
        self._rules_path = os.path.join(os.path.dirname(os.path.abspath(db_path)), RULES_FILE)
        self._service = WatchService(engine, db_path, self._relay.push, forget_batches=False)
        self._service.start()
        self._set_enabled(True)
        if os.path.exists(self._rules_path):
            try:
                self._add(load_rules(self._rules_path), save=False)
            except RuleError as exc:
                self._say(str(exc))

    def stop_intake(self) -> None:
        """Queue nothing more (the window is closing); tasks not started yet run at the next start.

        Waits for each rule's thread to withdraw its tasks from the engine (at once, unless it
        is in the middle of handing a batch over), at most ``STOP_WAIT`` seconds in all.
        """
        if self._service is not None:
            self._service.stop_intake(STOP_WAIT)
        self._set_enabled(False)

    def close_service(self) -> None:
        """End the rules' threads (after the engine stopped); idempotent."""
        service, self._service = self._service, None
        if service is not None:
            service.close()

    # ------------------------------------------------------------ rules
    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Watch a folder"))
        if folder:
            self.watch_folder(folder)

    def watch_folder(self, folder: str) -> bool:
        """Add a rule: the job, parameters and outputs of Job setup, on ``folder``."""
        setup = self._window.setup
        try:
            output = setup.output.policy([folder]) if setup.writes_outputs() else None
            rule = make_rule(folder, setup.job_name, setup.params.values(), output=output)
        except (RuleError, ValueError) as exc:
            self._say(str(exc))
            return False
        return self._add([rule])

    @Slot()
    def choose_rule_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Add watch rules"), "", self.tr("Rule files (*.toml *.json)")
        )
        if path:
            self.add_rule_file(path)

    def add_rule_file(self, path: str) -> bool:
        try:
            rules = load_rules(path)
        except RuleError as exc:
            self._say(str(exc))
            return False
        return self._add(rules)

    def _add(self, rules: list[WatchRule], save: bool = True) -> bool:
        assert self._service is not None
        known = {r.name for r in self._rules}
        clash = [r.name for r in rules if r.name in known]
        if clash:
            self._say(self.tr("A rule named %1 is already watched").replace("%1", clash[0]))
            return False
        if save and not all(self._confirm_delete(r) for r in rules):
            return False
        off = set(self._off())
        for rule in rules:
            self._service.add(rule, enabled=rule.name not in off)
            self._rules.append(rule)
            self._add_row(rule, rule.name not in off)
        if save:
            save_rules(self._rules_path, self._rules)
        self._say("")
        return True

    def _confirm_delete(self, rule: WatchRule) -> bool:
        if rule.on_done is not OnDone.DELETE:
            return True
        text = self.tr("Rule %1 deletes every input of %2 once its task is done. Watch it?")
        answer = QMessageBox.question(
            self, self.tr("Delete processed files?"), text.replace("%1", rule.name).replace("%2", rule.folder)
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def remove_selected(self) -> None:
        """Stop watching the selected rule (its history and progress stay)."""
        row = self.rules_table.currentRow()
        if row < 0 or self._service is None:
            return
        rule = self._rules.pop(row)
        self._service.remove(rule.name)
        self.rules_table.removeRow(row)
        save_rules(self._rules_path, self._rules)

    def _add_row(self, rule: WatchRule, on: bool) -> None:
        table = self.rules_table
        row = table.rowCount()
        table.blockSignals(True)
        table.insertRow(row)
        switch = QTableWidgetItem()
        switch.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        )
        switch.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        table.setItem(row, 0, switch)
        texts = (rule.name, display_path(rule.folder), rule.job, self.tr("starting"), "0", "0", "0", "0")
        for col, text in enumerate(texts, start=1):
            table.setItem(row, col, _cell(text))
        table.blockSignals(False)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or self._service is None:
            return
        name = self._rules[item.row()].name
        on = item.checkState() == Qt.CheckState.Checked
        self._service.set_enabled(name, on)
        off = set(self._off()) - {name} if on else {*self._off(), name}
        self._window.settings.qsettings.setValue(OFF_KEY, sorted(off))

    def _off(self) -> list[str]:
        value = self._window.settings.qsettings.value(OFF_KEY, [])
        return [value] if isinstance(value, str) else list(value or [])

    # ------------------------------------------------------------ events (GUI thread)
    @Slot()
    def _drain(self) -> None:
        rows = {r.name: i for i, r in enumerate(self._rules)}
        recent: list[tuple[str, str, str]] = []
        for event in self._relay.take():
            if isinstance(event, RuleStatus) and event.rule in rows:
                self._show_status(rows[event.rule], event)
            elif isinstance(event, FilesQueued):
                recent.extend((event.rule, p, self.tr("queued")) for p in event.paths)
            elif isinstance(event, FileEnded):
                result = event.state + (f": {event.error}" if event.error else "")
                if event.moved_to:
                    result += " → " + display_path(event.moved_to)
                recent.append((event.rule, event.path, result))
        self._show_recent(recent[-RECENT:])

    def _show_status(self, row: int, status: RuleStatus) -> None:
        state = self.tr(status.state.value) + (f": {status.reason}" if status.reason else "")
        counts = status.counts
        values = (state, status.pending, status.queued, counts.get("done", 0), counts.get("failed", 0))
        for col, value in enumerate(values, start=STATE):
            item = self.rules_table.item(row, col)
            if item is not None:
                item.setText(str(value))
        if status.reason:
            self.rules_table.item(row, STATE).setToolTip(status.reason)

    def _show_recent(self, entries: list[tuple[str, str, str]]) -> None:
        if not entries:
            return
        table = self.recent
        table.setUpdatesEnabled(False)
        now = time.strftime("%H:%M:%S")
        for rule, path, result in entries:
            table.insertRow(0)
            for col, text in enumerate((now, display_path(path), result, rule)):
                table.setItem(0, col, _cell(text))
        table.setRowCount(min(table.rowCount(), RECENT))
        table.setUpdatesEnabled(True)

    def _say(self, text: str) -> None:
        self.message.setText(text)


def _table(parent: QWidget, headers: list[str], widths: tuple[int, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # long paths keep their start and end
    table.setWordWrap(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate(widths):
        table.setColumnWidth(col, width)
    return table


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


def install(window: Any) -> WatchPanel:
    """Add the Watch dock to ``window`` beside its History, and run the saved rules on its engine.

    Without an engine, or without a history to keep the rules' progress in,
    the panel says why and its buttons stay off.
    """
    from core.store.location import default_db_path

    engine = window.engine
    panel = WatchPanel(window)
    panel.dock = QDockWidget(QCoreApplication.translate("MainWindow", "Watch"), window)
    panel.dock.setObjectName("watchDock")
    panel.dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel.dock)
    window.tabifyDockWidget(window.history_dock, panel.dock)
    panel.dock.show()
    if engine is None or window.store is None:
        reason = window.store_error or window.engine_error or ""
        why = QCoreApplication.translate("MainWindow", "Watch folders need the engine and the history: %1")
        panel._say(why.replace("%1", reason))
        return panel
    panel.attach(engine, window.settings.db_path or default_db_path())
    return panel
