"""Light and dark themes: the Fusion style with a matching palette.

``apply_theme(app, "system")`` follows the system's colour scheme
(``QStyleHints.colorScheme()``) and keeps following it when it changes.
Call on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")

_CG = QPalette.ColorGroup
_CR = QPalette.ColorRole

# (role, active/inactive colour, disabled colour)
_DARK = (
    (_CR.Window, "#2b2d31", "#2b2d31"),
    (_CR.WindowText, "#e6e6e6", "#7f8288"),
    (_CR.Base, "#1e1f22", "#25262a"),
    (_CR.AlternateBase, "#26282c", "#26282c"),
    (_CR.ToolTipBase, "#3a3d42", "#3a3d42"),
    (_CR.ToolTipText, "#f0f0f0", "#9a9da3"),
    (_CR.PlaceholderText, "#8b8e94", "#6a6d72"),
    (_CR.Text, "#e6e6e6", "#7f8288"),
    (_CR.Button, "#35373c", "#2f3135"),
    (_CR.ButtonText, "#e6e6e6", "#7f8288"),
    (_CR.BrightText, "#ff6b6b", "#ff6b6b"),
    (_CR.Light, "#4a4d53", "#4a4d53"),
    (_CR.Midlight, "#3e4046", "#3e4046"),
    (_CR.Mid, "#303236", "#303236"),
    (_CR.Dark, "#1a1b1e", "#1a1b1e"),
    (_CR.Shadow, "#0e0e10", "#0e0e10"),
    (_CR.Highlight, "#2f6fd0", "#3a3d42"),
    (_CR.HighlightedText, "#ffffff", "#9a9da3"),
    (_CR.Link, "#6ea8fe", "#6a8cc0"),
    (_CR.LinkVisited, "#b197fc", "#8a7bc0"),
)


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style."""
    pal = QPalette()
    for role, normal, disabled in _DARK:
        for group in (_CG.Active, _CG.Inactive):
            pal.setColor(group, role, QColor(normal))
        pal.setColor(_CG.Disabled, role, QColor(disabled))
    return pal


def light_palette() -> QPalette:
    """Fusion's own light palette."""
    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def system_is_dark() -> bool:
    """Whether the system asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve_theme(mode: str) -> str:
    """Return ``"light"`` or ``"dark"`` for a theme setting (``"system"`` asks the system)."""
    if mode not in THEMES:
        raise ValueError(f"unknown theme {mode!r}; expected one of {', '.join(THEMES)}")
    if mode == "system":
        return "dark" if system_is_dark() else "light"
    return mode


def palette_is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws light text on a dark window."""
    return palette.color(_CR.Window).lightness() < 128


class _SchemeFollower(QObject):
    """Re-applies the theme when the system scheme changes, while the setting is "system"."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("brigadeSchemeFollower")
        self.mode = "system"
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.on_scheme_changed)

    @Slot(Qt.ColorScheme)
    def on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        app = QApplication.instance()
        if self.mode == "system" and isinstance(app, QApplication):
            _set_palette(app, resolve_theme("system"))


def _set_palette(app: QApplication, resolved: str) -> None:
    app.setPalette(dark_palette() if resolved == "dark" else light_palette())


def apply_theme(app: QApplication, mode: str) -> None:
    """Use the Fusion style with a light or dark palette (``mode``: system, light or dark)."""
    resolved = resolve_theme(mode)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    _set_palette(app, resolved)
    follower = app.findChild(_SchemeFollower, "brigadeSchemeFollower")
    if follower is None:
        follower = _SchemeFollower(app)
    follower.mode = mode
