"""Where the history database is, unless a command line says otherwise."""

from __future__ import annotations

import os

from core.paths import data_dir

ENV_VAR = "BRIGADE_DB"


def default_db_path() -> str:
    """``$BRIGADE_DB`` if set, else ``history.sqlite3`` in the user data folder."""
    return os.environ.get(ENV_VAR) or os.path.join(data_dir(), "history.sqlite3")
