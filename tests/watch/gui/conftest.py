"""The window tests' fixtures (a temp database and settings, a shown window, the thread check)."""

from tests.gui.conftest import db_path, no_thread_left_behind, settings, window  # noqa: F401
