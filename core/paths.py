"""Where Brigade keeps its files on this computer."""

from __future__ import annotations

APP_NAME = "brigade"


def data_dir() -> str:
    """The user data folder (``~/.local/share/brigade`` on Linux), shared by history and plugins."""
    import platformdirs  # only when a path is needed: a worker never asks

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


def log_dir() -> str:
    """The user log folder (``~/.local/state/brigade/log`` on Linux): unexpected errors, with tracebacks."""
    import platformdirs

    return platformdirs.user_log_dir(APP_NAME, appauthor=False)
