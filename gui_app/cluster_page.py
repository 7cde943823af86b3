"""The "Cluster" settings page: scheduler address, TLS files, path map, and a connection test.

The test connects from a pool thread (it can take seconds, or time out), so
the window never freezes; its result comes back to the GUI thread through
the worker's queued signals. The page checks only what needs no network
(the address's form, the path map); the security checks and the connection
itself run in the test and when the engine starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import create_worker

from core.cluster import INSTALL_HINT, ClusterConfig, ClusterError, PathMap, TlsFiles, dask_available
from core.cluster.config import PLAIN_SCHEMES, SECURE_SCHEMES, SETTINGS_WORDING, parse_local, split_address
from gui_app.controls import count_text
from gui_app.error_label import ErrorLabel
from gui_app.i18n import arg

if TYPE_CHECKING:  # the probe module needs Dask; the page must open without it
    from core.cluster.probe import ClusterInfo

TLS_ROLES = ("ca_file", "cert_file", "key_file")


class ClusterPage(QWidget):
    """Edits the ``cluster_*`` settings and tests the connection.

    Parameters
    ----------
    settings
        The app's ``gui_app.settings.Settings`` (anything with the
        ``cluster_address``, ``cluster_tls``, ``cluster_allow_insecure`` and
        ``cluster_path_map`` properties).
    """

    tested = Signal(bool, str)  # a connection test ended: success, the text shown
    edited = Signal()  # a field changed (the dialog checks the values again)

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clusterPage")
        self.settings = settings
        self._worker: Any = None
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Empty: this computer. tls://host:8786, or local:4"))
        self.address_error = ErrorLabel()
        self.tls: dict[str, QLineEdit] = {role: QLineEdit() for role in TLS_ROLES}
        self.allow_insecure = QCheckBox(self.tr("Allow unencrypted tcp:// to other computers"))
        self.allow_insecure.setToolTip(
            self.tr(
                "Anyone who can reach the scheduler could run code on the workers and read "
                "paths and results. Use only on a network you trust."
            )
        )
        self.path_map = QPlainTextEdit()
        self.path_map.setPlaceholderText(self.tr("One per line: D:\\data=/mnt/data"))
        self.path_map.setToolTip(
            self.tr(
                "When the workers see a shared folder under another name: this computer's "
                "folder, '=', the workers' name for it."
            )
        )
        self.path_map.setTabChangesFocus(True)
        line = self.path_map.fontMetrics().lineSpacing()
        self.path_map.setFixedHeight(4 * line + 12)
        self.path_map_error = ErrorLabel()
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.status = QLabel()
        self.status.setObjectName("clusterStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.workers = QListWidget()
        self.workers.setMinimumHeight(4 * line + 12)
        self.workers.hide()  # until a test found workers: an empty box says nothing
        # As MainWindow applies them: at once while no engine runs, else at the next start.
        self.applies = QLabel(
            self.tr(
                "New cluster settings apply at once if no batch has run yet or the current cluster "
                "could not be used; otherwise when Brigade starts again."
            )
        )
        self.applies.setWordWrap(True)
        self._build()
        self.load()
        self.address.textChanged.connect(self.edited)
        self.path_map.textChanged.connect(self.edited)

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Scheduler address:"), _stacked(self.address, self.address_error))
        labels = (self.tr("CA certificate:"), self.tr("Client certificate:"), self.tr("Client key:"))
        for role, label in zip(TLS_ROLES, labels, strict=True):
            form.addRow(label, self._with_browse(self.tls[role]))
        form.addRow("", self.allow_insecure)
        form.addRow(self.tr("Path map:"), _stacked(self.path_map, self.path_map_error))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        # Below the button, the full width: a refusal explains itself in a few lines.
        layout.addWidget(self.status)
        layout.addWidget(self.workers, 1)
        layout.addWidget(self.applies)
        layout.addStretch(0)

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
        s = self.settings
        self.address.setText(s.cluster_address)
        tls = s.cluster_tls
        for role, edit in self.tls.items():
            edit.setText(tls.get(role, ""))
        self.allow_insecure.setChecked(s.cluster_allow_insecure)
        self.path_map.setPlainText("\n".join(f"{a}={b}" for a, b in s.cluster_path_map))

    def save(self) -> None:
        """Store the page's values (the dialog calls this on OK, once ``field_errors`` is empty)."""
        s = self.settings
        s.cluster_address = self.address.text().strip()
        s.cluster_tls = {role: edit.text().strip() for role, edit in self.tls.items()}
        s.cluster_allow_insecure = self.allow_insecure.isChecked()
        s.cluster_path_map = list(self.path_map_value().pairs)

    def path_map_value(self) -> PathMap:
        """The path map the text describes; ``ValueError`` for a malformed line."""
        lines = [line for line in self.path_map.toPlainText().splitlines() if line.strip()]
        return PathMap.parse(lines)

    def config(self) -> ClusterConfig:
        """The cluster configuration the fields describe; ``ValueError`` for a malformed path map."""
        files = TlsFiles(*(self.tls[role].text().strip() for role in TLS_ROLES))
        return ClusterConfig(
            self.address.text().strip(),
            files,
            self.allow_insecure.isChecked(),
            self.path_map_value(),
            wording=SETTINGS_WORDING,  # refusals point at this page, not at command-line options
        )

    # ------------------------------------------------------------ checks
    def field_errors(self) -> dict[str, str]:
        """Messages for the fields whose values are malformed (no network: the form only)."""
        errors: dict[str, str] = {}
        problem = self.address_problem(self.address.text().strip())
        if problem:
            errors["cluster_address"] = problem
        try:
            self.path_map_value()
        except ValueError:
            errors["cluster_path_map"] = self.tr(
                "Each line is this computer's folder, '=', and the workers' name for it."
            )
        return errors

    def address_problem(self, address: str) -> str | None:
        """Why ``address`` cannot be a scheduler address, or ``None`` (empty: this computer)."""
        if not address:
            return None
        try:
            if parse_local(address):
                return None
            scheme, _, port = split_address(address)
        except ClusterError:
            return self.tr("Use the form tls://host:8786, tcp://host:8786 or local:4 (1 to 256 workers).")
        if scheme not in SECURE_SCHEMES + PLAIN_SCHEMES:
            return arg(self.tr("Unsupported scheme %1://: use tls://, or tcp:// on this computer."), scheme)
        if "://" not in address and port is None:
            return self.tr("Use the form tcp://host:8786 or host:8786.")
        return None

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show ``errors`` (from ``field_errors``) beside their fields."""
        self.address_error.show_error(errors.get("cluster_address"))
        self.path_map_error.show_error(errors.get("cluster_path_map"))

    # ------------------------------------------------------------ connection test
    @Slot()
    def test_connection(self) -> None:
        """Probe the cluster on a pool thread; report workers and cores when it answers."""
        if not self.address.text().strip():
            self._show(False, self.tr("No address: batches run on this computer."), alarm=False)
            return
        errors = self.field_errors()
        if errors:
            self.show_errors(errors)
            self._show(False, next(iter(errors.values())))
            return
        self.test_button.setEnabled(False)
        self.workers.clear()
        self.workers.hide()
        self.status.setStyleSheet("")
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
            memory = arg(self.tr(", %1 GiB"), f"{w.memory / 2**30:.1f}") if w.memory else ""
            brigade = arg(self.tr(", Brigade %1"), w.brigade) if w.brigade else self.tr(", Brigade missing")
            cores = count_text(w.cores, self.tr("%1 core"), self.tr("%1 cores"))
            self.workers.addItem(f"{w.address}: {cores}{memory}{brigade}")
        self.workers.setVisible(self.workers.count() > 0)
        self._show(True, arg(self.tr("Connected: %1"), info.summary()))

    def _show(self, ok: bool, text: str, *, alarm: bool = True) -> None:
        self._worker = None
        self.test_button.setEnabled(True)
        self.status.setText(text)
        self.status.setStyleSheet("color: #d9363e;" if alarm and not ok else "")
        self.tested.emit(ok, text)


def _stacked(field: QWidget, error: QLabel) -> QWidget:
    """``field`` with its error message below it, as one form row."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(error)
    return box


def _probe(config: ClusterConfig) -> ClusterInfo | str:
    """Run on a pool thread: the cluster's description, or why it cannot be used."""
    if not dask_available():
        return INSTALL_HINT
    try:
        from core.cluster.probe import probe_cluster

        return probe_cluster(config)
    except ClusterError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - shown to the person, never raised in the pool thread
        return f"{type(exc).__name__}: {exc}"
