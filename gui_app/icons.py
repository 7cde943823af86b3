"""Icons: one per task state (drawn, so they need no files) and the application icon.

Everything here must be called on the GUI thread after the QApplication exists.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QLinearGradient, QPainter, QPainterPath, QPen, QPixmap

from core.model import TaskState

# Mid-tone colours that read on light and dark backgrounds alike.
STATE_COLORS: dict[TaskState, str] = {
    TaskState.QUEUED: "#8a9099",
    TaskState.RUNNING: "#2f7de1",
    TaskState.DONE: "#2e9e44",
    TaskState.FAILED: "#d9363e",
    TaskState.CANCELLED: "#d48806",
    TaskState.SKIPPED: "#7b61c4",
}

ICON_SIZES = (16, 24, 32, 48)
APP_ICON_NAMES = ("icons/brigade.svg", "brigade.svg", "icons/brigade.png", "brigade.png")


def assets_dirs() -> list[Path]:
    """Folders that may hold Brigade's assets, most specific first.

    A frozen bundle unpacks them under ``sys._MEIPASS``; a checkout (or an
    editable install) has them beside the packages.
    """
    dirs = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "assets")
    here = Path(__file__).resolve().parent
    dirs += [here / "assets", here.parent / "assets"]
    return [d for d in dirs if d.is_dir()]


def find_asset(relative: str) -> Path | None:
    """Return the first existing ``assets/<relative>``, or ``None``."""
    for d in assets_dirs():
        p = d / relative
        if p.is_file():
            return p
    return None


def state_color(state: TaskState) -> QColor:
    """The colour that stands for ``state`` in icons, bars and graphs."""
    return QColor(STATE_COLORS[state])


@cache
def state_icon(state: TaskState) -> QIcon:
    """A small round icon for ``state``: a coloured disc with a white glyph."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(_state_pixmap(state, size))
    return icon


def _state_pixmap(state: TaskState, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 16.0, size / 16.0)  # glyphs are drawn on a 16x16 grid
    color = state_color(state)
    if state == TaskState.QUEUED:
        # Hollow: nothing has happened to it yet.
        p.setPen(QPen(color, 1.6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QRectF(2.3, 2.3, 11.4, 11.4))
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QPointF(8, 8), 1.6, 1.6)
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
        _draw_glyph(p, state)
    p.end()
    return pm


def _draw_glyph(p: QPainter, state: TaskState) -> None:
    pen = QPen(
        QColor("white"), 1.9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    if state == TaskState.RUNNING:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("white"))
        path.moveTo(6.2, 4.8)
        path.lineTo(11.4, 8)
        path.lineTo(6.2, 11.2)
        path.closeSubpath()
    elif state == TaskState.DONE:
        path.moveTo(4.8, 8.2)
        path.lineTo(7.1, 10.5)
        path.lineTo(11.3, 5.8)
    elif state == TaskState.FAILED:
        path.moveTo(5.5, 5.5)
        path.lineTo(10.5, 10.5)
        path.moveTo(10.5, 5.5)
        path.lineTo(5.5, 10.5)
    elif state == TaskState.CANCELLED:
        path.moveTo(5, 8)
        path.lineTo(11, 8)
    else:  # SKIPPED: a "fast forward" mark
        path.moveTo(4.8, 5.5)
        path.lineTo(7.6, 8)
        path.lineTo(4.8, 10.5)
        path.moveTo(8.4, 5.5)
        path.lineTo(11.2, 8)
        path.lineTo(8.4, 10.5)
    p.drawPath(path)


@cache
def app_icon() -> QIcon:
    """Brigade's icon: ``assets/icons/brigade.svg`` (or a PNG) if present, else a drawn one."""
    for name in APP_ICON_NAMES:
        path = find_asset(name)
        if path is not None:
            icon = QIcon(str(path))
            if not icon.isNull():
                return icon
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(_drawn_app_pixmap(size))
    return icon


def _drawn_app_pixmap(size: int) -> QPixmap:
    """A rounded tile with three task rows: a dot (the cook) and a bar (the order)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64.0, size / 64.0)
    grad = QLinearGradient(0, 0, 0, 64)
    grad.setColorAt(0, QColor("#3b82f6"))
    grad.setColorAt(1, QColor("#1d4ed8"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(QRectF(3, 3, 58, 58), 13, 13)
    rows = ((STATE_COLORS[TaskState.DONE], 30), ("#ffffff", 22), ("#ffffff", 14))
    for i, (dot, length) in enumerate(rows):
        y = 18 + i * 14
        p.setBrush(QColor(dot))
        p.drawEllipse(QPointF(17, y), 4.5, 4.5)
        p.setBrush(QColor(255, 255, 255, 230))
        p.drawRoundedRect(QRectF(26, y - 3.5, length, 7), 3.5, 3.5)
    p.end()
    return pm
