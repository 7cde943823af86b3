"""Where Brigade keeps its files on this computer."""

from __future__ import annotations

APP_NAME = "brigade"


def data_dir() -> str:
    """The user data folder (``~/.local/share/brigade`` on Linux), shared by history and plugins."""
    import platformdirs  # only when a path is needed: a worker never asks

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)
