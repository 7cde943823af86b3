"""One window per person: a second ``brigade PATH...`` hands its paths to the running window.

The first instance listens on a local socket (a Unix socket, or a named pipe on
Windows) named after the settings file, so two people, or two test runs with
their own settings, never meet. A later launch connects, sends its paths as one
JSON line and exits; the window adds them to the job setup and comes forward.
macOS sends "open these files" as ``QFileOpenEvent``s to the application
instead: ``FileOpenFilter`` turns them into the same call.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, Signal, Slot
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 1000  # a running window answers at once; past this it is taken as gone


def server_name(settings_file: str) -> str:
    """The socket name for the person owning ``settings_file`` (short: Unix sockets allow ~100 bytes)."""
    key = hashlib.sha256(os.path.abspath(settings_file).encode("utf-8", "surrogateescape")).hexdigest()
    return f"brigade-{key[:16]}"


def command_line_paths(arguments: list[str]) -> list[str]:
    """The paths among the arguments left after Qt took its own (options start with ``-``)."""
    return [os.path.abspath(a) for a in arguments if a and not a.startswith("-")]


def forward(name: str, paths: list[str]) -> bool:
    """Send ``paths`` to the window listening on ``name``; ``False`` when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(QByteArray(json.dumps(paths).encode("utf-8", "surrogateescape") + b"\n"))
    sent = socket.waitForBytesWritten(CONNECT_MS)
    socket.disconnectFromServer()
    return sent


class PathServer(QObject):
    """Listens for later launches; ``pathsReceived`` carries their paths. GUI thread only."""

    pathsReceived = Signal(list)  # noqa: N815 - Qt naming;paths sent by a later launch (may be empty)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        """Start listening; a socket left by a crashed window is removed first."""
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _on_connection(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._on_ready)
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    @Slot()
    def _on_ready(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode("utf-8", "surrogateescape")
            try:
                paths = json.loads(line)
            except ValueError:
                continue  # not a launch of Brigade: ignored
            if isinstance(paths, list):
                self.pathsReceived.emit([p for p in paths if isinstance(p, str)])


class FileOpenFilter(QObject):
    """Application event filter: macOS "open with" events become ``open_paths([path])``."""

    def __init__(self, open_paths: Callable[[list[str]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.open_paths = open_paths

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent) and event.file():
            self.open_paths([event.file()])
            return True
        return False
