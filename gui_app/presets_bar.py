"""The presets row of the job setup: choose, save, rename, delete, export and import presets.

The presets themselves live in ``core.presets`` (one JSON file, shared with
``brigade-cli run --preset``). The job setup also fills each job's form with
the parameters it last ran with. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QMenu,
    QPushButton,
    QWidget,
)

from core.presets import PresetError, PresetStore
from gui_app.i18n import error_tr


class PresetsBar(QWidget):
    """A combo of the current job's presets, a Save button and a menu for the rest.

    Parameters
    ----------
    store
        The presets file (``None``: it could not be read; the bar says why when used).
    job
        Returns the job shown in the setup.
    values
        Returns the form's values (raises ``ParamError`` for a refused one).
    """

    chosen = Signal(object)  # a core.presets.Preset to put in the form
    failed = Signal(str)  # why a presets action did nothing

    def __init__(
        self,
        store: PresetStore | None,
        job: Callable[[], str],
        values: Callable[[], Mapping[str, Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._job, self._values = job, values
        self.combo = QComboBox(self)
        self.combo.setObjectName("presetBox")
        self.combo.setAccessibleName(self.tr("Preset"))
        self.combo.activated.connect(self._on_activated)
        self.save_btn = QPushButton(self.tr("Save preset…"), self)
        self.save_btn.clicked.connect(self.ask_save)
        # A push button with a menu: its size makes room for the menu arrow beside the text, where a
        # tool button in instant-popup mode draws the arrow over the end of the text.
        self.more = QPushButton(self.tr("Presets"), self)
        self.more.setAccessibleName(self.tr("More preset actions"))
        menu = QMenu(self.more)
        self.rename_action = menu.addAction(self.tr("Rename…"), self.ask_rename)
        self.delete_action = menu.addAction(self.tr("Delete"), self.delete)
        menu.addSeparator()
        menu.addAction(self.tr("Export…"), self.ask_export)
        menu.addAction(self.tr("Import…"), self.ask_import)
        self.more.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.save_btn)
        layout.addWidget(self.more)
        self.refresh()

    # ------------------------------------------------------------ the list
    @property
    def current(self) -> str | None:
        """The preset chosen in the combo, ``None`` for none."""
        return self.combo.currentData()

    def refresh(self, select: str | None = None) -> None:
        """List the current job's presets again (after a job change or an edit)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("No preset"), None)
        if self.store is not None:
            for name in self.store.names(self._job()):
                self.combo.addItem(name, name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(select)) if select else 0)
        self.combo.blockSignals(False)
        has = self.current is not None
        self.rename_action.setEnabled(has)
        self.delete_action.setEnabled(has)

    @Slot(int)
    def _on_activated(self, _index: int) -> None:
        name = self.current
        self.rename_action.setEnabled(name is not None)
        self.delete_action.setEnabled(name is not None)
        if name is not None and self.store is not None:
            self.chosen.emit(self.store.get(name))

    def _usable(self) -> PresetStore | None:
        if self.store is None:
            self.failed.emit(self.tr("Presets are unavailable: the presets file could not be read"))
        return self.store

    # ------------------------------------------------------------ actions (ask_* open a dialog first)
    @Slot()
    def ask_save(self) -> None:
        name, ok = QInputDialog.getText(
            self, self.tr("Save preset"), self.tr("Name:"), text=self.current or ""
        )
        if ok:
            self.save(name)

    def save(self, name: str) -> bool:
        """Save the form's values as the preset ``name`` of the current job."""
        done = self._attempt(
            lambda store: store.put(name, self._job(), self._values()), self.tr("Preset not saved: %1")
        )
        if done:
            self.refresh(select=name.strip())
        return done

    @Slot()
    def ask_rename(self) -> None:
        old = self.current
        if old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename preset"), self.tr("New name:"), text=old)
        if ok:
            self.rename(old, new)

    def rename(self, old: str, new: str) -> bool:
        done = self._attempt(lambda store: store.rename(old, new), self.tr("Preset not renamed: %1"))
        if done:
            self.refresh(select=new.strip())
        return done

    @Slot()
    def delete(self) -> None:
        name = self.current
        if name is not None:
            self._attempt(lambda store: store.delete(name), self.tr("Preset not deleted: %1"))
            self.refresh()

    @Slot()
    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export presets"), "brigade-presets.json", self.tr("Presets (*.json)")
        )
        if path:
            self.export(path)

    def export(self, path: str) -> bool:
        """Write every preset to ``path``."""
        return self._attempt(lambda store: store.export(path), self.tr("Presets not exported: %1"))

    @Slot()
    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import presets"), "", self.tr("Presets (*.json)")
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> bool:
        """Add the presets of ``path``."""
        done = self._attempt(lambda store: store.import_file(path), self.tr("Presets not imported: %1"))
        if done:
            self.refresh(select=self.current)
        return done

    def _attempt(self, change: Callable[[PresetStore], object], failure: str) -> bool:
        """Apply ``change`` to the store; say ``failure`` (with the reason for %1) if it is refused."""
        if (store := self._usable()) is None:
            return False
        try:
            change(store)
        except (PresetError, ValueError) as exc:  # ValueError: a value the form refuses
            self.failed.emit(failure.replace("%1", error_tr(exc)))
            return False
        return True
