"""Help → User guide: open Brigade's guide (its README) with the system's viewer."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices

from gui_app.icons import assets_dirs

GUIDE = "README.md"


def guide_path() -> Path | None:
    """The guide shipped with this copy: beside the assets of a checkout or of a frozen bundle."""
    roots = [d.parent for d in assets_dirs()]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.insert(0, Path(frozen))
    return next((r / GUIDE for r in roots if (r / GUIDE).is_file()), None)


def open_guide() -> str:
    """Open the guide; return why it could not be, or ``""``."""
    path = guide_path()
    if path is None:
        return QCoreApplication.translate("Guide", "The guide is not installed with this copy of Brigade")
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return QCoreApplication.translate("Guide", "No application could open the guide (%1)").replace(
            "%1", str(path)
        )
    return ""
