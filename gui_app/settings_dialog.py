"""The Settings dialog: edits a ``Settings`` with a message beside each invalid field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.engine.api import default_workers
from gui_app.cluster_page import ClusterPage
from gui_app.done_actions import (
    choice_available,
    sound_available,
    sound_unavailable_text,
    unavailable_text,
    when_done_choices,
)
from gui_app.error_label import ErrorLabel
from gui_app.i18n import arg
from gui_app.settings import (
    RETRIES_RANGE,
    WORKERS_RANGE,
    Settings,
    check_retries,
    check_timeout,
    check_workers,
)


def theme_choices() -> list[tuple[str, str]]:
    """(value, label) pairs of the theme setting."""
    return [
        ("system", QCoreApplication.translate("SettingsDialog", "Follow the system")),
        ("light", QCoreApplication.translate("SettingsDialog", "Light")),
        ("dark", QCoreApplication.translate("SettingsDialog", "Dark")),
    ]


def language_choices() -> list[tuple[str, str]]:
    """(value, label) pairs of the language setting; each language is named in itself."""
    return [
        ("system", QCoreApplication.translate("SettingsDialog", "Follow the system")),
        ("en", "English"),
        ("zh_CN", "简体中文"),
    ]


def parse_timeout(text: str) -> float | None:
    """Read the timeout field: empty means no limit; raise ``ValueError`` otherwise if invalid."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            QCoreApplication.translate(
                "SettingsDialog", "Enter a number of seconds, or leave empty for no limit."
            )
        ) from None
    try:
        return check_timeout(value)
    except ValueError:
        raise ValueError(
            QCoreApplication.translate("SettingsDialog", "The timeout must be more than 0 seconds.")
        ) from None


def _range_message(lo: int, hi: int) -> str:
    return arg(QCoreApplication.translate("SettingsDialog", "Enter a whole number from %1 to %2."), lo, hi)


def _default_db_hint() -> str:
    try:
        from core.store import default_db_path
    except ImportError:  # the store is optional for the dialog
        return QCoreApplication.translate("SettingsDialog", "Default location")
    return default_db_path()


class SettingsDialog(QDialog):
    """Edit Brigade's preferences.

    ``exec()`` it; on OK the values are written to ``settings`` and ``changed``
    is emitted, then the caller reads ``settings`` and applies what changed.
    """

    changed = Signal()  # emitted after OK wrote new values to the settings

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(520)
        self.errors: dict[str, ErrorLabel] = {}
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        general = QWidget()
        column = QVBoxLayout(general)
        column.addWidget(self._engine_group())
        column.addWidget(self._appearance_group())
        column.addWidget(self._history_group())
        column.addStretch(1)
        self.tabs.addTab(general, self.tr("General"))
        self.cluster = ClusterPage(settings)
        self.cluster.edited.connect(self.validate)
        self.tabs.addTab(self.cluster, self.tr("Cluster"))
        # The page's fields under the names the dialog used before it had a page of its own.
        self.cluster_address, self.tls = self.cluster.address, self.cluster.tls
        self.errors["cluster_address"] = self.cluster.address_error
        self.errors["cluster_path_map"] = self.cluster.path_map_error
        layout.addWidget(self.tabs)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        layout.addWidget(self.buttons)
        self.load(settings)
        self.validate()

    # -- building ---------------------------------------------------------------------------------

    def _with_error(self, form: QFormLayout, key: str, label: str, field: QWidget) -> None:
        box = QWidget()
        row = QVBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(field)
        self.errors[key] = ErrorLabel()
        self.errors[key].setObjectName(f"{key}Error")
        row.addWidget(self.errors[key])
        form.addRow(label, box)

    def _engine_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Workers and tasks"))
        form = QFormLayout(group)
        self.workers = QSpinBox()
        self.workers.setRange(*WORKERS_RANGE)
        self.workers.setToolTip(self.tr("Worker processes that run tasks at the same time."))
        # The line edit, not the spin box: only it reports text that is not a value yet (empty).
        self.workers.lineEdit().textChanged.connect(self.validate)
        self._with_error(form, "workers", self.tr("Workers:"), self.workers)
        self.timeout = QLineEdit()
        self.timeout.setPlaceholderText(self.tr("No limit"))
        self.timeout.setToolTip(self.tr("Seconds one task may run before it is stopped and failed."))
        self.timeout.textChanged.connect(self.validate)
        self._with_error(form, "timeout", self.tr("Timeout per task (s):"), self.timeout)
        self.retries = QSpinBox()
        self.retries.setRange(*RETRIES_RANGE)
        self.retries.setToolTip(self.tr("How many times a task that failed is run again."))
        self.retries.lineEdit().textChanged.connect(self.validate)
        self._with_error(form, "retries", self.tr("Retries:"), self.retries)
        self.recycle = QSpinBox()
        self.recycle.setRange(0, 1_000_000)
        self.recycle.setSpecialValueText(self.tr("Never"))
        self.recycle.setToolTip(self.tr("Replace a worker process after it ran this many tasks."))
        form.addRow(self.tr("Recycle workers after (tasks):"), self.recycle)
        self.library_log = self._combo(
            [
                ("WARNING", self.tr("Warnings and errors")),
                ("INFO", self.tr("Information")),
                ("DEBUG", self.tr("Everything (debug)")),
            ]
        )
        self.library_log.setToolTip(self.tr("Which lines other libraries (Pillow...) add to a task's log."))
        form.addRow(self.tr("Library log lines:"), self.library_log)
        return group

    def _combo(self, choices: list[tuple[str, str]]) -> QComboBox:
        box = QComboBox()
        for value, label in choices:
            box.addItem(label, value)
        return box

    def _appearance_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Appearance"))
        form = QFormLayout(group)
        self.theme = self._combo(theme_choices())
        form.addRow(self.tr("Theme:"), self.theme)
        self.language = self._combo(language_choices())
        form.addRow(self.tr("Language:"), self.language)
        self.when_done = self._combo(when_done_choices())
        for i, (value, _) in enumerate(when_done_choices()):
            if not choice_available(value):
                self.when_done.model().item(i).setEnabled(False)
                self.when_done.setItemData(i, unavailable_text(), Qt.ItemDataRole.ToolTipRole)
        form.addRow(self.tr("When all batches are done:"), self.when_done)
        self.done_sound = QCheckBox(self.tr("Play a sound when a batch ends"))
        if not sound_available():
            self.done_sound.setEnabled(False)
            self.done_sound.setText(self.tr("Play a sound when a batch ends (unavailable)"))
            self.done_sound.setToolTip(sound_unavailable_text())
        form.addRow("", self.done_sound)
        return group

    def _history_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("History"))
        form = QFormLayout(group)
        self.db_path = QLineEdit()
        self.db_path.setPlaceholderText(_default_db_hint())
        form.addRow(self.tr("Database:"), self._with_browse(self.db_path, self._browse_db))
        return group

    def _with_browse(self, edit: QLineEdit, slot: Callable[[], None]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse…"))
        button.clicked.connect(slot)
        row.addWidget(button)
        return box

    @Slot()
    def _browse_db(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("History database"),
            self.db_path.text() or self.db_path.placeholderText(),
            self.tr("SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.db_path.setText(path)

    # -- values -----------------------------------------------------------------------------------

    def load(self, s: Settings) -> None:
        """Show the values of ``s``."""
        self.workers.setValue(s.workers)
        self.timeout.setText("" if s.timeout is None else f"{s.timeout:g}")
        self.retries.setValue(s.retries)
        self.recycle.setValue(s.recycle_after or 0)
        self._select(self.library_log, s.library_log_level)
        self._select(self.theme, s.theme)
        self._select(self.language, s.language)
        self._select(self.when_done, s.when_done)
        self.done_sound.setChecked(s.done_sound and self.done_sound.isEnabled())
        self.db_path.setText(s.db_path or "")
        if s is not self.cluster.settings:
            self.cluster.settings = s
        self.cluster.load()

    @staticmethod
    def _select(box: QComboBox, value: str) -> None:
        i = box.findData(value)
        box.setCurrentIndex(max(i, 0))

    @Slot()
    def restore_defaults(self) -> None:
        """Put the default values in the fields (saved only on OK)."""
        self.workers.setValue(min(default_workers(), WORKERS_RANGE[1]))
        self.timeout.clear()
        self.retries.setValue(0)
        self.recycle.setValue(0)
        defaults = ((self.theme, "system"), (self.language, "system"), (self.when_done, "nothing"))
        for box, value in (*defaults, (self.library_log, "WARNING")):
            self._select(box, value)
        self.done_sound.setChecked(False)

    def field_errors(self) -> dict[str, str]:
        """Messages for the fields whose values are invalid, by field name."""
        errors: dict[str, str] = {}
        lo, hi = WORKERS_RANGE
        if not _spin_ok(self.workers, check_workers):
            errors["workers"] = _range_message(lo, hi)
        try:
            parse_timeout(self.timeout.text())
        except ValueError as exc:
            errors["timeout"] = str(exc)
        lo, hi = RETRIES_RANGE
        if not _spin_ok(self.retries, check_retries):
            errors["retries"] = _range_message(lo, hi)
        errors.update(self.cluster.field_errors())
        return errors

    @Slot()
    def validate(self) -> bool:
        """Show a message beside each invalid field; enable OK only when all are valid."""
        errors = self.field_errors()
        for key, label in self.errors.items():
            label.show_error(errors.get(key))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not errors)
        return not errors

    def save(self) -> None:
        """Write the fields to the settings (they must be valid)."""
        s = self.settings
        s.workers = self.workers.value()
        s.timeout = parse_timeout(self.timeout.text())
        s.retries = self.retries.value()
        s.recycle_after = self.recycle.value() or None
        s.library_log_level = self.library_log.currentData()
        s.theme = self.theme.currentData()
        s.language = self.language.currentData()
        s.when_done = self.when_done.currentData()
        if self.done_sound.isEnabled():
            s.done_sound = self.done_sound.isChecked()
        s.db_path = self.db_path.text().strip() or None
        self.cluster.save()
        s.sync()

    def accept(self) -> None:
        if not self.validate():
            # Show the page with the problem: the OK button alone does not say where it is.
            if set(self.field_errors()) & {"cluster_address", "cluster_path_map"}:
                self.tabs.setCurrentWidget(self.cluster)
            return
        self.save()
        super().accept()
        self.changed.emit()


def _spin_ok(spin: QSpinBox, check: Callable[[int], int]) -> bool:
    """Whether the text typed in ``spin`` is a value its checker accepts."""
    if not spin.hasAcceptableInput():
        return False
    try:
        check(spin.value())
    except ValueError:
        return False
    return True
