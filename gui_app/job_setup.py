"""Job setup: what to run on which files.

A drop zone (and Add files / Add folder buttons) collects paths; a walk on a
background thread expands folders with the include/exclude filters; the
job's forms (``gui_app.job_forms``) check each value as it is typed; a
dry-run preview lists planned outputs. Start emits a ready ``BatchSpec``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import humanize
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.discovery import Discovery, Filters, discover, display_path
from core.model import BatchOptions, BatchSpec
from core.output import (
    OutputError,
    find_collisions,
)
from core.params import ParamError
from core.presets import Preset, PresetError, PresetStore
from core.processor import Processor
from core.registry import all_jobs, processor_class
from gui_app.controls import count_text
from gui_app.error_label import ErrorLabel
from gui_app.i18n import error_tr, job_tr
from gui_app.job_forms import OutputForm, ParamsForm, PreviewDialog
from gui_app.presets_bar import PresetsBar
from gui_app.task_text import MAX_ROOTS


def split_patterns(text: str) -> tuple[str, ...]:
    """``"*.jpg; *.png, raw/*"`` -> ``("*.jpg", "*.png", "raw/*")``."""
    return tuple(p for p in re.split(r"[;,\s]+", text.strip()) if p)


class DropZone(QFrame):
    """A framed area that accepts dropped files and folders (local URLs only)."""

    pathsDropped = Signal(list)  # noqa: N815 - Qt naming;local paths, in the order dropped

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dropZone")
        self.setMinimumHeight(72)
        self.label = QLabel(self.tr("Drop files or folders here"), self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self._set_hover(False)

    def _set_hover(self, on: bool) -> None:
        border = "palette(highlight)" if on else "palette(mid)"
        self.setStyleSheet(f"#dropZone {{ border: 2px dashed {border}; border-radius: 8px; }}")

    @staticmethod
    def local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.local_paths(event):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self.local_paths(event):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: Any) -> None:  # noqa: N802
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_hover(False)
        paths = self.local_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.pathsDropped.emit(paths)


class _Walk(QObject):
    """Runs ``discover`` on a plain thread; ``done`` hops back to the GUI thread (queued)."""

    done = Signal(int, object)  # generation, Discovery

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self.generation = 0

    def start(self, roots: list[str], filters: Filters) -> None:
        self.generation += 1
        gen = self.generation
        self.join()

        def work() -> None:
            self.done.emit(gen, discover(roots, filters, natural=True))

        self._thread = threading.Thread(target=work, name="brigade-discover", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


class JobSetup(QWidget):
    """The left-hand panel: inputs, job, options, output, preview, Start."""

    startRequested = Signal(object)  # noqa: N815 - Qt naming;a BatchSpec, validated, ready to submit
    discovered = Signal()  # a walk finished and the summary is up to date
    readyChanged = Signal(bool)  # noqa: N815 - Qt naming;whether Start can run now
    folderUsed = Signal(str)  # noqa: N815 - Qt naming;the folder files were just chosen from

    def __init__(
        self,
        options: Callable[[], BatchOptions] | None = None,
        parent: QWidget | None = None,
        presets: PresetStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.options = options or BatchOptions
        self.presets_store = presets  # None: no presets (the bar says why when used)
        self.roots: list[str] = []
        self.start_folder = os.path.expanduser("~")  # where the file dialogs open
        self.found: Discovery = Discovery()
        self.walking = False
        self._walk = _Walk(self)
        self._walk.done.connect(self._on_walked)
        self._refilter = QTimer(self, singleShot=True, interval=300)
        self._refilter.timeout.connect(self.rescan)
        self._build()
        self._load_jobs()

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        self.drop = DropZone(self)
        self.drop.setAccessibleName(self.tr("Drop files or folders here"))
        self.drop.pathsDropped.connect(self.add_paths)
        self.add_files_btn = QPushButton(self.tr("Add files…"), self)
        self.add_folder_btn = QPushButton(self.tr("Add folder…"), self)
        self.clear_btn = QPushButton(self.tr("Clear"), self)
        self.add_files_btn.clicked.connect(self.choose_files)
        self.add_folder_btn.clicked.connect(self.choose_folder)
        self.clear_btn.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        for b in (self.add_files_btn, self.add_folder_btn, self.clear_btn):
            buttons.addWidget(b)
        self.include = QLineEdit(self)
        self.include.setAccessibleName(self.tr("Include"))
        self.include.setPlaceholderText(self.tr("e.g. *.jpg; *.png"))
        self.exclude = QLineEdit(self)
        self.exclude.setAccessibleName(self.tr("Exclude"))
        self.exclude.setPlaceholderText(self.tr("e.g. *.tmp; .git"))
        self.recursive = QCheckBox(self.tr("Sub-folders"), self)
        self.recursive.setChecked(True)
        self.hidden = QCheckBox(self.tr("Hidden files"), self)
        self.earlier_outputs = QCheckBox(self.tr("Earlier outputs"), self)
        self.earlier_outputs.setToolTip(
            self.tr("Also walk Brigade's own output folders (brigade-…) found inside the dropped folders")
        )
        flags = QHBoxLayout()
        flags.addWidget(self.recursive)
        flags.addWidget(self.hidden)
        flags.addWidget(self.earlier_outputs)
        flags.addStretch(1)
        filters = QFormLayout()
        filters.addRow(self.tr("Include:"), self.include)
        filters.addRow(self.tr("Exclude:"), self.exclude)
        filters.addRow(flags)
        for w in (self.include, self.exclude):
            w.textChanged.connect(self._refilter.start)
        for c in (self.recursive, self.hidden, self.earlier_outputs):
            c.toggled.connect(self._refilter.start)
        self.summary = QLabel(self.tr("No files yet."), self)
        self.summary.setWordWrap(True)
        inputs = QGroupBox(self.tr("Files"), self)
        box = QVBoxLayout(inputs)
        box.addWidget(self.drop)
        box.addLayout(buttons)
        box.addLayout(filters)
        box.addWidget(self.summary)

        self.job = QComboBox(self)
        self.job.setAccessibleName(self.tr("Job"))
        self.job.currentIndexChanged.connect(self._on_job)
        self.job_help = QLabel(self)
        self.job_help.setWordWrap(True)
        self.job_help.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.params = ParamsForm(self)
        self.params.validityChanged.connect(self._update_start)
        self.params.validityChanged.connect(self._update_output)
        job_box = QGroupBox(self.tr("Job"), self)
        jl = QVBoxLayout(job_box)
        self.presets = PresetsBar(self.presets_store, lambda: self.job_name, self.params.values, self)
        self.presets.chosen.connect(self.apply_preset)
        self.presets.failed.connect(self.say)
        jl.addWidget(self.job)
        jl.addWidget(self.presets)
        jl.addWidget(self.job_help)
        jl.addWidget(self.params)
        self.output = OutputForm(self)

        self.preview_btn = QPushButton(self.tr("Preview (dry run)…"), self)
        self.preview_btn.clicked.connect(self.preview)
        self.start_btn = QPushButton(self.tr("Start"), self)
        self.start_btn.setDefault(True)
        self.start_btn.clicked.connect(self.start)
        self.message = ErrorLabel(self)
        self.message.setObjectName("startMessage")
        run = QHBoxLayout()
        run.addWidget(self.preview_btn)
        run.addWidget(self.start_btn, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(inputs)
        layout.addWidget(job_box)
        layout.addWidget(self.output)
        layout.addWidget(self.message)
        layout.addLayout(run)
        layout.addStretch(1)
        self._update_start()

    def _load_jobs(self) -> None:
        for info in all_jobs():
            label = info.name
            if not info.error:
                try:
                    label = job_tr(processor_class(info.name).title) or info.name
                except Exception as exc:  # noqa: BLE001 - a broken plugin is listed, not fatal
                    info = type(info)(info.name, info.ref, info.origin, f"{type(exc).__name__}: {exc}")
            self.job.addItem(label, info.name)
            i = self.job.count() - 1
            if info.error:
                self.job.setItemText(i, self.tr("%1 (failed to load)").replace("%1", label))
                self.job.setItemData(i, info.error, Qt.ItemDataRole.ToolTipRole)
                item = self.job.model().item(i)  # type: ignore[attr-defined]
                item.setEnabled(False)

    # ------------------------------------------------------------ job and options
    @property
    def job_name(self) -> str:
        return str(self.job.currentData() or "")

    def processor(self) -> type[Processor] | None:
        try:
            return processor_class(self.job_name) if self.job_name else None
        except Exception:  # noqa: BLE001
            return None

    def set_job(self, name: str) -> bool:
        i = self.job.findData(name)
        if i >= 0:
            self.job.setCurrentIndex(i)
        return i >= 0

    @Slot(int)
    def _on_job(self, _index: int) -> None:
        cls = self.processor()
        self.params.set_params(cls.params if cls else ())
        if self.presets_store is not None:  # the values this job last ran with
            self.set_values(self.presets_store.last_params(self.job_name))
        self.presets.refresh()
        self.job_help.setText(job_tr(cls.description) if cls else "")
        self._update_output()
        self._update_start()

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Put ``values`` in the form (names the job does not know are left out)."""
        for name, value in values.items():
            field = self.params.fields.get(name)
            if field is not None:
                field.set_text("" if value is None else str(value))

    @Slot(object)
    def apply_preset(self, preset: Preset) -> None:
        """Show ``preset``'s job with its values."""
        if preset.job != self.job_name and not self.set_job(preset.job):
            self.say(
                self.tr("The job of preset %1 is not available: %2")
                .replace("%1", preset.name)
                .replace("%2", preset.job)
            )
            return
        self.set_values(preset.params)
        self.presets.refresh(select=preset.name)

    def writes_outputs(self) -> bool:
        """Whether the job, with the parameters shown, writes files (so the output form matters)."""
        cls = self.processor()
        if cls is None or not cls.writes_outputs:
            return False
        try:
            return cls.output_name("input.dat", self.params.values()) is not None
        except Exception:  # noqa: BLE001 - a refused value: keep the form visible while it is fixed
            return True

    @Slot()
    def _update_output(self, *_: Any) -> None:
        self.output.setVisible(self.writes_outputs())

    # ------------------------------------------------------------ inputs
    @Slot()
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files"), self.dialog_folder())
        if files:
            self.start_folder = os.path.dirname(files[0])
            self.folderUsed.emit(self.start_folder)
            self.add_paths(files)

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add folder"), self.dialog_folder())
        if folder:
            self.start_folder = os.path.dirname(os.path.normpath(folder)) or folder
            self.folderUsed.emit(self.start_folder)
            self.add_paths([folder])

    def dialog_folder(self) -> str:
        """Where the file dialogs open: the folder used last, else the home folder."""
        return self.start_folder if os.path.isdir(self.start_folder) else os.path.expanduser("~")

    @Slot(list)
    def add_paths(self, paths: list[str]) -> None:
        """Add dropped or chosen files and folders, then walk them again."""
        for p in paths:
            if p not in self.roots:
                self.roots.append(p)
        self.rescan()

    @Slot()
    def clear(self) -> None:
        self.roots = []
        self.found = Discovery()
        self._walk.generation += 1
        self.walking = False
        self._show_summary()

    def filters(self) -> Filters:
        return Filters(
            include=split_patterns(self.include.text()),
            exclude=split_patterns(self.exclude.text()),
            hidden=self.hidden.isChecked(),
            recursive=self.recursive.isChecked(),
            outputs=self.earlier_outputs.isChecked(),
        )

    @Slot()
    def rescan(self) -> None:
        if not self.roots:
            self.clear()
            return
        self.walking = True
        self.summary.setText(self.tr("Looking for files…"))
        self._update_start()
        self._walk.start(list(self.roots), self.filters())

    @Slot(int, object)
    def _on_walked(self, generation: int, found: Discovery) -> None:
        if generation != self._walk.generation:
            return  # a newer walk is on its way
        self.found = found
        self.walking = False
        self._show_summary()
        self.discovered.emit()

    def _show_summary(self) -> None:
        f = self.found
        if not self.roots:
            text = self.tr("No files yet.")
        else:
            size = humanize.naturalsize(f.total_bytes, binary=True)
            text = count_text(f.count, self.tr("%1 file"), self.tr("%1 files")) + ", " + size
            if f.skipped:
                text += ", " + self.tr("%n skipped", "", len(f.skipped))
            if f.hidden:
                text += ", " + self.tr("%n hidden left out", "", f.hidden)
            if f.outputs:
                text += ", " + count_text(
                    len(f.outputs),
                    self.tr("%1 earlier output folder left out"),
                    self.tr("%1 earlier output folders left out"),
                )
        self.summary.setText(text)
        lines = [f"{display_path(s.path)}: {s.reason}" for s in f.skipped[:30]]
        lines += [self.tr("%1: earlier outputs").replace("%1", display_path(p)) for p in f.outputs[:30]]
        tip = "\n".join(lines)
        self.summary.setToolTip(tip)
        self._update_start()

    # ------------------------------------------------------------ start and preview
    @Slot()
    def _update_start(self, *_: Any) -> None:
        ok = self.params.valid and not self.walking and self.found.count > 0
        changed = ok != self.start_btn.isEnabled()
        self.start_btn.setEnabled(ok)
        self.preview_btn.setEnabled(ok)
        if changed:
            self.readyChanged.emit(ok)

    def build_spec(self) -> BatchSpec:
        """The batch the form describes; raises ``ParamError`` for a refused value."""
        cls = self.processor()
        output = self.output.policy(self.roots) if cls is not None and self.writes_outputs() else None
        f = self.found
        return BatchSpec(
            self.job_name,
            self.params.values(),
            f.paths,
            self.options(),
            sizes=f.sizes,
            mtimes=f.mtimes,
            output=output,
            # Stored with the batch: the table shows each path below the folder it was found in.
            extra={"roots": self.roots[:MAX_ROOTS]},
        )

    def _checked_spec(self) -> BatchSpec | None:
        try:
            spec = self.build_spec()
        except (ParamError, OutputError, ValueError) as exc:
            self.say(error_tr(exc))
            return None
        self.say("")
        return spec

    def say(self, text: str) -> None:
        """Show why Start did nothing, above the Start button (``""`` hides it)."""
        self.message.show_error(text)

    @Slot()
    def preview(self) -> None:
        spec = self._checked_spec()
        if spec is not None:
            PreviewDialog(spec, self).exec()

    @Slot()
    def start(self) -> None:
        """Emit ``startRequested`` with the batch, unless something is refused."""
        if not self.start_btn.isEnabled():
            return
        spec = self._checked_spec()
        if spec is None:
            return
        problems = [c.describe() for c in find_collisions(spec)] if spec.output is not None else []
        if problems:
            self.say(self.tr("Two tasks would write the same file:") + "\n" + "\n".join(problems[:5]))
            return
        self._remember(spec)
        # The selection stays: a refused batch can be fixed and started again, and the
        # same files can run another job. Clear empties it. What the walk could not use
        # is in the batch too, ended skipped with why: the table and the history name it.
        self.startRequested.emit(spec.with_skipped([(s.path, s.reason) for s in self.found.skipped]))

    def _remember(self, spec: BatchSpec) -> None:
        """Keep the values for the next time this job is chosen."""
        if self.presets_store is None:
            return
        try:
            self.presets_store.remember(spec.job, spec.params)
        except PresetError as exc:
            self.say(self.tr("The parameters could not be remembered: %1").replace("%1", str(exc)))

    def shutdown(self) -> None:
        """Wait for a walk in progress (bounded), so no thread outlives the window."""
        self._walk.generation += 1
        self._walk.join(5.0)
