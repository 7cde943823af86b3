"""The "Cluster" settings page: scheduler address, TLS files, and a connection test.

The test connects from a pool thread (it can take seconds, or time out), so
the window never freezes; its result comes back to the GUI thread through
the worker's queued signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import create_worker

from core.cluster import ClusterConfig, ClusterError, TlsFiles

if TYPE_CHECKING:  # the probe module needs Dask; the page must open without it
    from core.cluster.probe import ClusterInfo

TLS_ROLES = ("ca_file", "cert_file", "key_file")


class ClusterPage(QWidget):
    """Edits ``settings.cluster_address`` and ``settings.cluster_tls``; tests the connection.

    Parameters
    ----------
    settings
        The app's ``gui_app.settings.Settings`` (anything with ``cluster_address``
        and ``cluster_tls`` properties).
    """

    tested = Signal(bool, str)  # a connection test ended: success, the text shown

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._worker: Any = None
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Empty: this computer; tls://host:8786; local:4"))
        self.tls: dict[str, QLineEdit] = {role: QLineEdit() for role in TLS_ROLES}
        self.allow_insecure = QCheckBox(self.tr("Allow unencrypted tcp:// to other computers"))
        self.allow_insecure.setToolTip(
            self.tr(
                "Anyone who can reach the scheduler could run code on the workers and read "
                "paths and results. Use only on a network you trust."
            )
        )
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.workers = QListWidget()
        self._build()
        self.load()

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Scheduler address:"), self.address)
        labels = (self.tr("CA certificate:"), self.tr("Client certificate:"), self.tr("Client key:"))
        for role, label in zip(TLS_ROLES, labels, strict=True):
            form.addRow(label, self._with_browse(self.tls[role]))
        form.addRow("", self.allow_insecure)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        layout.addWidget(self.workers, 1)

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse…"))
        button.clicked.connect(lambda: self._browse(edit))
        row.addWidget(button)
        return box

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a PEM file"), edit.text(), self.tr("PEM files (*.pem *.crt *.key);;All (*)")
        )
        if path:
            edit.setText(path)

    # ------------------------------------------------------------ settings
    def load(self) -> None:
        """Show the stored settings."""
        self.address.setText(self.settings.cluster_address)
        tls = self.settings.cluster_tls
        for role, edit in self.tls.items():
            edit.setText(tls.get(role, ""))

    def save(self) -> None:
        """Store the page's values (the dialog calls this on OK/Apply)."""
        self.settings.cluster_address = self.address.text().strip()
        self.settings.cluster_tls = {role: edit.text().strip() for role, edit in self.tls.items()}

    def config(self) -> ClusterConfig:
        """The cluster configuration the fields describe."""
        files = TlsFiles(*(self.tls[role].text().strip() for role in TLS_ROLES))
        return ClusterConfig(self.address.text().strip(), files, self.allow_insecure.isChecked())

    # ------------------------------------------------------------ connection test
    @Slot()
    def test_connection(self) -> None:
        """Probe the cluster on a pool thread; report workers and cores when it answers."""
        if not self.address.text().strip():
            self._show(False, self.tr("No address: batches run on this computer."))
            return
        self.test_button.setEnabled(False)
        self.workers.clear()
        self.status.setText(self.tr("Connecting…"))
        self._worker = create_worker(_probe, self.config(), _start_thread=False)
        self._worker.returned.connect(self._on_result)
        self._worker.start()

    @Slot(object)
    def _on_result(self, info: ClusterInfo | str) -> None:
        if isinstance(info, str):
            self._show(False, info)
            return
        for w in info.workers:
            memory = f", {w.memory / 2**30:.1f} GiB" if w.memory else ""
            brigade = f", Brigade {w.brigade}" if w.brigade else self.tr(", Brigade missing")
            self.workers.addItem(f"{w.address}: {w.cores} cores{memory}{brigade}")
        self._show(True, self.tr("Connected: %s") % info.summary())

    def _show(self, ok: bool, text: str) -> None:
        self._worker = None
        self.test_button.setEnabled(True)
        self.status.setText(text)
        self.tested.emit(ok, text)


def _probe(config: ClusterConfig) -> ClusterInfo | str:
    """Run on a pool thread: the cluster's description, or why it cannot be used."""
    try:
        from core.cluster.probe import probe_cluster

        return probe_cluster(config)
    except ClusterError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - shown to the person, never raised in the pool thread
        return f"{type(exc).__name__}: {exc}"
