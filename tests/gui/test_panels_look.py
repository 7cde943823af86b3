"""Theme, icons, the About box and notifications."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from core import __version__
from core.model import TaskState
from gui_app import icons, theme
from gui_app.about import AboutDialog, show_about
from gui_app.icons import app_icon, state_color, state_icon
from gui_app.notify import Notifier
from gui_app.theme import apply_theme, palette_is_dark, resolve_theme
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def app(qapp):
    yield qapp
    apply_theme(qapp, "light")


def test_light_and_dark_use_fusion_with_a_matching_palette(app):
    apply_theme(app, "dark")
    assert app.style().name().lower() == "fusion"
    pal = app.palette()
    assert palette_is_dark(pal)
    assert pal.color(QPalette.ColorRole.Text).lightness() > 200
    assert pal.color(QPalette.ColorRole.Base).lightness() < 60
    apply_theme(app, "light")
    assert not palette_is_dark(app.palette())


def test_system_follows_the_style_hints_colour_scheme(app, monkeypatch):
    scheme = {"now": Qt.ColorScheme.Dark}

    class Hints:  # QStyleHints cannot be told a scheme on the offscreen platform
        colorSchemeChanged = QGuiApplication.styleHints().colorSchemeChanged  # noqa: N815

        def colorScheme(self):  # noqa: N802
            return scheme["now"]

    monkeypatch.setattr(theme.QGuiApplication, "styleHints", staticmethod(lambda: Hints()))
    assert resolve_theme("system") == "dark"
    apply_theme(app, "system")
    assert palette_is_dark(app.palette())
    scheme["now"] = Qt.ColorScheme.Light
    follower = app.findChild(theme._SchemeFollower, "brigadeSchemeFollower")
    follower.on_scheme_changed(Qt.ColorScheme.Light)  # what the real signal calls
    assert not palette_is_dark(app.palette())
    apply_theme(app, "dark")  # a chosen theme is no longer overridden by the system
    follower.on_scheme_changed(Qt.ColorScheme.Light)
    assert palette_is_dark(app.palette())


def test_an_unknown_theme_is_refused(app):
    with pytest.raises(ValueError, match="unknown theme"):
        apply_theme(app, "sepia")


def test_every_state_has_a_distinct_icon(app):
    images = {}
    for state in TaskState:
        icon = state_icon(state)
        assert not icon.isNull() and {16, 32} <= {s.width() for s in icon.availableSizes()}
        image = icon.pixmap(16, 16).toImage()
        images[state] = bytes(image.constBits())
        assert state_icon(state) is icon  # drawn once
    assert len(set(images.values())) == len(TaskState)
    assert state_color(TaskState.FAILED).red() > 180


def test_app_icon_comes_from_assets_or_is_drawn(app, monkeypatch):
    icon = app_icon()
    assert not icon.isNull() and icon.pixmap(64, 64).width() == 64
    app_icon.cache_clear()
    monkeypatch.setattr(icons, "find_asset", lambda name: None)
    try:
        drawn = app_icon()
        assert not drawn.isNull() and 256 in {s.width() for s in drawn.availableSizes()}
    finally:
        app_icon.cache_clear()


def test_about_box_shows_name_version_and_icon(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Brigade" in dialog.title.text() and __version__ in dialog.title.text()
    assert "batch file jobs" in dialog.description.text()
    assert "Qt" in dialog.details.text()
    assert save_artifact(dialog, "panels/about.png").stat().st_size > 3_000


def test_show_about_is_modal_and_returns_when_closed(qtbot):
    closed = []

    def close_it():
        box = QApplication.activeModalWidget()
        closed.append(isinstance(box, AboutDialog))
        box.reject()

    QTimer.singleShot(100, close_it)
    show_about(None)
    assert closed == [True]


def test_without_a_tray_a_notification_goes_to_the_status_bar(qtbot):
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has none
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    notifier = Notifier(window)
    notifier.notify("Batch 3 finished", "8 done, 2 failed")
    assert notifier.last_route == "status bar"
    assert window.statusBar().currentMessage() == "Batch 3 finished — 8 done, 2 failed"


def test_a_fallback_callback_takes_precedence_over_the_status_bar(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    got = []
    notifier = Notifier(window, fallback=lambda title, text: got.append((title, text)))
    notifier.notify("Done", "all good")
    assert got == [("Done", "all good")] and notifier.last_route == "callback"
    assert window.statusBar().currentMessage() == ""


def test_with_a_tray_the_message_goes_there(qtbot, monkeypatch):
    window = QMainWindow()
    qtbot.addWidget(window)
    shown = []
    # The offscreen platform has no tray: pretend it has one, and record the real call's arguments.
    monkeypatch.setattr(Notifier, "tray_available", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *a: shown.append(a[:2]))
    notifier = Notifier(window)
    notifier.notify("Batch 1 finished", "12 done")
    assert notifier.last_route == "tray" and shown == [("Batch 1 finished", "12 done")]
    assert notifier._tray is not None and not notifier._tray.icon().isNull()
    notifier.close()
    assert notifier._tray is None
