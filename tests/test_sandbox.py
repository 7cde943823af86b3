"""The test run never reaches the real home folder, settings or history."""

from __future__ import annotations

import os

from core.paths import data_dir
from core.store.location import default_db_path
from tests.conftest import SANDBOX


def test_history_and_user_folders_are_inside_the_sandbox():
    real_home = os.path.expanduser("~")
    assert real_home.startswith(SANDBOX)
    assert default_db_path().startswith(SANDBOX)
    assert data_dir().startswith(SANDBOX)


def test_qt_settings_are_inside_the_sandbox(qapp):
    from PySide6.QtCore import QSettings

    assert QSettings("Brigade", "Brigade").fileName().startswith(SANDBOX)
