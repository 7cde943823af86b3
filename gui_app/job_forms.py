"""The forms of the job setup: parameters generated from ``Param``s, the output policy, the dry run."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.discovery import display_path
from core.model import BatchSpec
from core.output import COLLISION_RULES, DEFAULT_SUBFOLDER, OutputError, OutputPolicy, plan_batch
from core.params import Param, ParamError, ParamType, resolve_params
from gui_app.controls import count_text
from gui_app.error_label import ERROR_COLOUR, ErrorLabel
from gui_app.i18n import error_tr, job_tr, reason_tr


class ParamField(QWidget):
    """An editor for one ``Param`` with its validation message beside it."""

    changed = Signal()

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.error = ErrorLabel(self)
        self.editor = self._make_editor()
        self.editor.setToolTip(job_tr(param.help))
        self.editor.setAccessibleName(job_tr(param.label or param.name))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        self.validate()

    def _make_editor(self) -> QWidget:
        p = self.param
        if p.type is ParamType.BOOL:
            box = QCheckBox(self)
            box.setChecked(bool(p.default))
            box.toggled.connect(self._on_edit)
            return box
        if p.type is ParamType.CHOICE:
            combo = QComboBox(self)
            for choice in p.choices:  # shown translated, given to the job as written
                combo.addItem(job_tr(choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(str(p.default))))
            combo.currentIndexChanged.connect(self._on_edit)
            return combo
        edit = QLineEdit(self)
        edit.setText("" if p.default is None else str(p.default))
        edit.setPlaceholderText(job_tr(p.allowed()))
        edit.textChanged.connect(self._on_edit)
        return edit

    def text(self) -> str:
        e = self.editor
        if isinstance(e, QCheckBox):
            return "true" if e.isChecked() else "false"
        if isinstance(e, QComboBox):
            return str(e.currentData())
        assert isinstance(e, QLineEdit)
        return e.text()

    def set_text(self, text: str) -> None:
        e = self.editor
        if isinstance(e, QCheckBox):
            e.setChecked(text.lower() in ("1", "true", "yes", "on"))
        elif isinstance(e, QComboBox):
            e.setCurrentIndex(e.findData(text))
        elif isinstance(e, QLineEdit):
            e.setText(text)

    def value(self) -> Any:
        """The checked value; raises ``ParamError`` for a refused one."""
        return self.param.parse(self.text())

    def validate(self) -> bool:
        try:
            self.value()
        except ParamError as exc:
            self.show_error(reason_tr(exc))
            return False
        self.show_error("")
        return True

    def show_error(self, message: str) -> None:
        """Show why the value is refused beside the editor (``""`` clears it)."""
        self.error.show_error(message)
        # A screen reader says why along with the field's name, as a sighted person reads it beside it.
        self.editor.setAccessibleDescription(message)
        self.editor.setStyleSheet(f"QLineEdit {{ border: 1px solid {ERROR_COLOUR}; }}" if message else "")

    @Slot()
    def _on_edit(self, *_: Any) -> None:
        self.validate()
        self.changed.emit()


class ParamsForm(QWidget):
    """The form of a job's parameters, generated from its ``Param``s."""

    validityChanged = Signal(bool)  # noqa: N815 - Qt naming;whether every field holds an allowed value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, ParamField] = {}
        self._spec: Iterable[Param] = ()
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def set_params(self, params: Iterable[Param]) -> None:
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.fields = {}
        self._spec = params
        for p in params:
            f = ParamField(p, self)
            f.changed.connect(self._on_changed)
            self.fields[p.name] = f
            self._layout.addRow(self.tr("%1:").replace("%1", job_tr(p.label or p.name)), f)
        if not self.fields:
            self._layout.addRow(QLabel(self.tr("This job has no options."), self))
        self._on_changed()

    @property
    def valid(self) -> bool:
        return all(f.error.isHidden() for f in self.fields.values())

    def values(self) -> dict[str, Any]:
        """Every value, checked; raises ``ParamError`` naming the first bad one."""
        return {name: f.value() for name, f in self.fields.items()}

    @Slot()
    def _on_changed(self) -> None:
        if self.fields and all(f.validate() for f in self.fields.values()):
            self._check_together()
        self.validityChanged.emit(self.valid)

    def _check_together(self) -> None:
        """Run the job's checks of values that go together; show a refusal beside its field."""
        try:
            resolve_params(self._spec, self.values())  # type: ignore[arg-type]
        except ParamError as exc:
            # A plugin's plain message names its parameter only in its text.
            named = re.match(r"parameter '([^']+)'", str(exc))
            name = exc.names[0] if exc.names else named.group(1) if named else ""
            (self.fields.get(name) or next(iter(self.fields.values()))).show_error(reason_tr(exc))


class OutputForm(QGroupBox):
    """Where a job that writes files puts them: folder, name template, collision rule."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Output"), parent)
        self.folder = QLineEdit(self)
        self.folder.setPlaceholderText(self.tr("Beside each input, in a subfolder"))
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.subfolder = QLineEdit(DEFAULT_SUBFOLDER, self)
        self.template = QLineEdit("{stem}{ext}", self)
        self.template.setToolTip(
            self.tr("Fields: {stem} {ext} {name} {job} {n} {parent}; e.g. {stem}-{n:04d}{ext}")
        )
        self.collision = QComboBox(self)
        labels = {
            "skip": self.tr("Skip the task"),
            "overwrite": self.tr("Overwrite"),
            "keep": self.tr("Keep both"),
        }
        for key in COLLISION_RULES:
            self.collision.addItem(labels.get(key, key), key)
        self.mirror = QCheckBox(self.tr("Mirror the input folders"), self)
        self.mirror.setChecked(True)
        self.in_place = QCheckBox(self.tr("Replace the input files (in place)"), self)
        self.keep_backup = QCheckBox(self.tr("Keep a backup of each original"), self)
        self.keep_backup.setEnabled(False)
        self.in_place.toggled.connect(self.keep_backup.setEnabled)
        self.error = ErrorLabel(self)
        form = QFormLayout(self)
        form.addRow(self.tr("Folder:"), row)
        form.addRow(self.tr("Subfolder:"), self.subfolder)
        form.addRow(self.tr("Name:"), self.template)
        form.addRow(self.tr("If it exists:"), self.collision)
        form.addRow("", self.mirror)
        form.addRow("", self.in_place)
        form.addRow("", self.keep_backup)
        form.addRow(self.error)

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Output folder"))
        if folder:
            self.folder.setText(folder)

    def policy(self, roots: Iterable[str] = ()) -> dict[str, Any]:
        """The output policy as plain data (``BatchSpec.output``); raises ``OutputError``."""
        try:
            policy = OutputPolicy(
                folder=self.folder.text().strip() or None,
                subfolder=self.subfolder.text().strip(),
                mirror=self.mirror.isChecked(),
                roots=tuple(os.path.abspath(r) for r in roots if os.path.isdir(r)),
                template=self.template.text().strip() or "{stem}{ext}",
                collision=str(self.collision.currentData()),
                in_place=self.in_place.isChecked(),
                keep_backup=self.keep_backup.isChecked(),
            )
        except OutputError as exc:
            self.error.show_error(str(exc))
            raise
        self.error.show_error("")
        return policy.to_data()


def plan_outputs(spec: BatchSpec) -> tuple[list[str], list[str]]:
    """One line per task (input, planned output, action) and the collisions; touches no file."""
    plan = plan_batch(spec)
    lines = []
    for t in plan.tasks:
        src = display_path(t.input)
        if t.target is None:
            lines.append(src)
        else:
            final = f" → {display_path(t.final)}" if t.final else ""
            lines.append(f"{src}  →  {display_path(t.target)}  [{t.action}{final}]")
    return lines, [c.describe() for c in plan.collisions]


class PreviewDialog(QDialog):
    """The dry run: every task with its planned output, and any collisions. Touches no file."""

    def __init__(self, spec: BatchSpec, parent: QWidget | None = None, limit: int = 5000) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Dry run"))
        try:
            pairs, problems = plan_outputs(spec)
        except (OutputError, ParamError) as exc:
            pairs, problems = [], [error_tr(exc)]
        lines = pairs[:limit]
        if len(pairs) > limit:
            lines.append(self.tr("… and %n more", "", len(pairs) - limit))
        head = count_text(
            len(pairs),
            self.tr("%1 task of job '%2'; nothing is run or written."),
            self.tr("%1 tasks of job '%2'; nothing is run or written."),
        ).replace("%2", spec.job)
        if problems:
            head += "\n" + self.tr("Collisions:") + "\n" + "\n".join(problems[:50])
        self.summary = QLabel(head, self)
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit("\n".join(lines), self)
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(720, 480)
