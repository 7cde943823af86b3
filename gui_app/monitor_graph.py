"""One graph of the Monitor: line curves over the last seconds, drawn with QPainter.

The Monitor's graphs need only a few short polylines redrawn once a second,
which Qt's painter does on its own. The plotting libraries that could draw them
cost more than they give here: pyqtgraph needs numpy (whose OpenBLAS alone was a
quarter of the installed app) and Qt's OpenGL bindings, and Qt Charts is
offered under the GPL only, not under the LGPL the rest of Qt comes with.

Everything is laid out inside the widget's own rectangle on each paint, so the
newest samples (the right edge) show whatever size the widget has. The graphs
have no legend of their own: the panel names the curves above them, where a
legend takes no room from a small plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QLine, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

LABEL_POINT_SIZE = 8.0
TITLE_POINT_SIZE = 9.0
TICKS = 5  # at most, on each axis
PAD = 4.0  # pixels between the labels, the axes and the widget's edge
Y_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)  # round steps between y labels, times a power of ten
X_STEPS = (1.0, 2.0, 3.0, 5.0, 6.0, 10.0)  # seconds read best in 10s, 15s, 30s


class Curve:
    """One line of a graph: its pen, its points and, for an area, the brush that fills down to zero."""

    def __init__(self, graph: Graph, pen: QPen, fill: QBrush | None = None) -> None:
        self._graph = graph
        self._pen = pen
        self.fill = fill
        self._polygon = QPolygonF()
        self._visible = True

    def replace(self, points: list[QPointF]) -> None:
        self._polygon = QPolygonF(points)
        self._graph.update()

    def clear(self) -> None:
        self.replace([])

    def points(self) -> list[QPointF]:
        return [self._polygon.at(i) for i in range(self._polygon.size())]

    def pen(self) -> QPen:
        return QPen(self._pen)

    def setPen(self, pen: QPen) -> None:  # noqa: N802 - the name Qt's own series use
        self._pen = pen
        self._graph.update()

    def isVisible(self) -> bool:  # noqa: N802 - as above
        return self._visible

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - as above
        self._visible = visible
        self._graph.update()


class Graph(QWidget):
    """Curves over an x axis that counts ``span`` seconds back to now (0, at the right).

    Parameters
    ----------
    span
        Seconds the x axis covers.
    """

    def __init__(self, span: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span = span
        self._curves: list[Curve] = []
        self._title = ""
        self._y_ticks = nice_ticks(0.0, 1.0, Y_STEPS)
        self._x_ticks = [-t for t in reversed(nice_ticks(0.0, span, X_STEPS)) if t <= span]
        self._colors = (
            QColor(Qt.GlobalColor.white),
            QColor(Qt.GlobalColor.black),
            QColor(Qt.GlobalColor.gray),
        )
        self._grid_color = QColor(Qt.GlobalColor.lightGray)
        self.setMinimumSize(200, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paints every pixel itself

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # The minimum: the panel's height for its width (its legend wraps) adds the graphs' hints,
        # and in a scrolled dock a larger hint would add a scroll bar where the graphs fit.
        return self.minimumSize()

    # -- curves -------------------------------------------------------------------------------

    def add_line(self, color: QColor | str, width: float) -> Curve:
        """A new curve, drawn over the others."""
        curve = Curve(self, _pen(color, width))
        self._curves.append(curve)
        return curve

    def add_area(self, color: QColor | str, fill: QColor) -> Curve:
        """A new curve filled down to zero."""
        curve = Curve(self, _pen(color, 2), QBrush(fill))
        self._curves.append(curve)
        return curve

    def raise_to_top(self, curve: Curve) -> None:
        """Draw ``curve`` over the others."""
        self._curves.remove(curve)
        self._curves.append(curve)
        self.update()

    def remove(self, curve: Curve) -> None:
        """Take a curve off the graph."""
        self._curves.remove(curve)
        self.update()

    def curves(self) -> list[Curve]:
        """The curves, the one drawn on top last."""
        return list(self._curves)

    # -- axes and looks -----------------------------------------------------------------------

    def set_title(self, text: str) -> None:
        self._title = text
        self.update()

    def title(self) -> str:
        return self._title

    def set_y_range(self, low: float, high: float) -> None:
        """Show ``low`` to at least ``high``, widened to a round last label."""
        ticks = nice_ticks(low, high, Y_STEPS)
        if ticks != self._y_ticks:
            self._y_ticks = ticks
            self.update()

    def y_range(self) -> tuple[float, float]:
        return self._y_ticks[0], self._y_ticks[-1]

    def apply_palette(self, background: QColor, text: QColor, muted: QColor) -> None:
        """Colour the graph like the widgets around it (light or dark theme)."""
        self._colors = (QColor(background), QColor(text), QColor(muted))
        # Opaque: the faint grid drawn as a blend of the axis colour into the background.
        self._grid_color = mix(muted, background, 0.27)
        self.update()

    def background(self) -> QColor:
        return QColor(self._colors[0])

    # -- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        background, text, muted = self._colors
        painter = QPainter(self)
        painter.fillRect(self.rect(), background)
        plot = self._draw_frame(painter, text, muted)
        if plot.width() > 1 and plot.height() > 1:
            # Only the curves are antialiased: the grid's straight lines are crisp (and cheap) without.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setClipRect(plot.adjusted(-2, -2, 2, 2))  # a thick line at the edge keeps its width
            to_pixels = self._to_pixels(plot)
            for curve in self._curves:
                if curve.isVisible() and not curve._polygon.isEmpty():
                    self._draw_curve(painter, to_pixels.map(curve._polygon), plot, curve)
        painter.end()

    def _draw_frame(self, painter: QPainter, text: QColor, muted: QColor) -> QRectF:
        """Draw the title, the grid and the axis labels; return the plot area."""
        title_font, label_font = QFont(self.font()), QFont(self.font())
        title_font.setPointSizeF(TITLE_POINT_SIZE)
        label_font.setPointSizeF(LABEL_POINT_SIZE)
        labels = QFontMetricsF(label_font)
        title_height = QFontMetricsF(title_font).height() + PAD
        y_labels = tick_labels(self._y_ticks)
        left = PAD + max(labels.horizontalAdvance(s) for s in y_labels) + PAD
        plot = QRectF(self.rect()).adjusted(left, title_height + PAD, -PAD - 6, -(labels.height() + 2 * PAD))
        painter.setPen(text)
        painter.setFont(title_font)
        painter.drawText(
            QRectF(0, PAD / 2, self.width(), title_height), Qt.AlignmentFlag.AlignCenter, self._title
        )
        painter.setFont(label_font)
        half = labels.height() / 2
        to_pixels = self._to_pixels(plot)
        ys = [round(to_pixels.map(QPointF(0, v)).y()) for v in self._y_ticks]
        xs = [round(to_pixels.map(QPointF(v, 0)).x()) for v in self._x_ticks]
        for y, label in zip(ys, y_labels, strict=True):
            box = QRectF(PAD, y - half, left - 2 * PAD, 2 * half)
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for x, label in zip(xs, tick_labels(self._x_ticks), strict=True):
            box = QRectF(x - 40, plot.bottom() + PAD, 80, labels.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        painter.setPen(self._grid_color)
        left_x, right_x, top_y, bottom_y = (
            round(plot.left()),
            round(plot.right()),
            round(plot.top()),
            round(plot.bottom()),
        )
        painter.drawLines(
            [QLine(left_x, y, right_x, y) for y in ys] + [QLine(x, top_y, x, bottom_y) for x in xs]
        )
        painter.setPen(QPen(muted, 1))
        painter.drawLines(
            [QLine(left_x, bottom_y, right_x, bottom_y), QLine(left_x, top_y, left_x, bottom_y)]
        )
        return plot

    def _draw_curve(self, painter: QPainter, line: QPolygonF, plot: QRectF, curve: Curve) -> None:
        if curve.fill is not None:
            zero = self._to_pixels(plot).map(QPointF(0.0, 0.0)).y()
            area = QPolygonF(line)
            area.append(QPointF(line.last().x(), zero))
            area.append(QPointF(line.first().x(), zero))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(curve.fill)
            painter.drawPolygon(area)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(curve._pen)
        painter.drawPolyline(line)

    def _to_pixels(self, plot: QRectF) -> QTransform:
        """Maps (seconds ago, value) to the widget's pixels: 0 s at the plot's right edge."""
        low, high = self._y_ticks[0], self._y_ticks[-1]
        sx, sy = plot.width() / self.span, plot.height() / (high - low)
        return QTransform(sx, 0.0, 0.0, -sy, plot.right(), plot.bottom() + low * sy)


def nice_ticks(low: float, high: float, steps: Sequence[float]) -> list[float]:
    """At most ``TICKS`` round values from ``low`` up to at least ``high``, a step from ``steps`` apart.

    The step is one of ``steps`` times a power of ten: 0, 25, 50, 75, 100 for a
    percentage, 0, 10, 20, 30 for 23.5 GiB.
    """
    if not high > low:
        high = low + 1.0
    raw = (high - low) / (TICKS - 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in steps if s * magnitude >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9) * step
    count = math.ceil((high - first) / step - 1e-9)
    return [first + i * step for i in range(count + 1)]


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """The labels of evenly spaced ``ticks``, with the decimals their step needs ("2.5", "5.0")."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if round(step, decimals) != round(step, decimals + 1):
        decimals += 1  # 2.5, 0.25
    return [f"{v + 0.0:.{decimals}f}" for v in ticks]  # + 0.0: no "-0"


def set_points(curve: Curve, x: Sequence[float], y: Sequence[float | None]) -> None:
    """Replace the curve's points; a ``None`` value is a sample without a figure, left out."""
    curve.replace([QPointF(a, b) for a, b in zip(x, y, strict=True) if b is not None])


def mix(color: QColor, background: QColor, share: float) -> QColor:
    """``share`` of ``color`` over ``background``, as one opaque colour."""
    pairs = zip(color.getRgbF()[:3], background.getRgbF()[:3], strict=True)
    return QColor.fromRgbF(*(c * share + b * (1 - share) for c, b in pairs))


def _pen(color: QColor | str, width: float) -> QPen:
    pen = QPen(QColor(color))
    pen.setWidthF(width)
    return pen
