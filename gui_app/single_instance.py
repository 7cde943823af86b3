"""One window per person: a second ``brigade PATH...`` hands its paths to the running window.

The first instance listens on a local socket (a Unix socket, or a named pipe on
Windows) named after the settings file, so two people, or two test runs with
their own settings, never meet. A later launch connects, sends its paths and
exits; the window adds them to the job setup and comes forward. The standard
library's ``multiprocessing.connection`` does the talking (Qt's network module
would add its libraries to every bundle); its listener waits on a thread of its
own and hands what it receives to the GUI thread with a queued signal.
macOS sends "open these files" as ``QFileOpenEvent``s to the application
instead: ``FileOpenFilter`` turns them into the same call.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Client, Listener

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QFileOpenEvent

STOP = "stop"  # what the window sends itself to end its listener


def server_name(settings_file: str) -> str:
    """A short name for the person owning ``settings_file`` (Unix socket paths allow ~100 bytes)."""
    key = hashlib.sha256(os.path.abspath(settings_file).encode("utf-8", "surrogateescape")).hexdigest()
    return f"brigade-{key[:16]}"


def _address(name: str) -> tuple[str, str]:
    if sys.platform == "win32":
        return rf"\\.\pipe\{name}", "AF_PIPE"
    return os.path.join(tempfile.gettempdir(), f"{name}.sock"), "AF_UNIX"


def _authkey(name: str) -> bytes:
    # Not a secret (the socket file is the user's own, mode 0600): it tells Brigade from strangers.
    return hashlib.sha256(b"brigade-open-paths:" + name.encode()).digest()


def command_line_paths(arguments: list[str]) -> list[str]:
    """The paths among the arguments left after Qt took its own (options start with ``-``)."""
    return [os.path.abspath(a) for a in arguments if a and not a.startswith("-")]


def forward(name: str, paths: list[str]) -> bool:
    """Send ``paths`` to the window listening on ``name``; ``False`` when none runs."""
    address, family = _address(name)
    try:
        with Client(address, family, authkey=_authkey(name)) as conn:
            conn.send(list(paths))
    except (OSError, EOFError):  # no window (or a socket left by one that crashed)
        return False
    return True


class PathServer(QObject):
    """Listens for later launches; ``pathsReceived`` carries their paths to the GUI thread."""

    pathsReceived = Signal(list)  # noqa: N815 - Qt naming;paths sent by a later launch (may be empty)
    _received = Signal(list)  # emitted on the listener thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        # The explicit queued connection is the thread hop: the slot runs on the GUI thread.
        self._received.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def listen(self) -> bool:
        """Start listening; a socket left by a crashed window is replaced."""
        address, family = _address(self.name)
        if family == "AF_UNIX" and os.path.exists(address):
            os.unlink(address)  # forward() found nobody answering on it
        try:
            self._listener = Listener(address, family, authkey=_authkey(self.name))
        except OSError:
            return False
        if family == "AF_UNIX":
            os.chmod(address, 0o600)
        self._thread = threading.Thread(target=self._serve, name="brigade-open-paths", daemon=True)
        self._thread.start()
        return True

    def _serve(self) -> None:
        """Accept launches until ``close`` sends ``STOP``. Listener thread."""
        listener = self._listener
        assert listener is not None
        while True:
            try:
                with listener.accept() as conn:
                    message = conn.recv()
            except (OSError, EOFError, ValueError):
                continue  # a stranger, or a launch that died while sending
            if message == STOP:
                return
            if isinstance(message, list):
                self._received.emit([p for p in message if isinstance(p, str)])

    @Slot(list)
    def _deliver(self, paths: list[str]) -> None:
        self.pathsReceived.emit(paths)

    def close(self) -> None:
        """Stop listening and wait for the listener thread (bounded)."""
        thread, listener = self._thread, self._listener
        self._thread = self._listener = None
        if thread is None or listener is None:
            return
        address, family = _address(self.name)
        try:
            with Client(address, family, authkey=_authkey(self.name)) as conn:
                conn.send(STOP)
        except (OSError, EOFError):
            pass
        thread.join(5.0)
        listener.close()


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
