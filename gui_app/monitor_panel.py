"""The Monitor panel: live graphs of CPU, memory and each worker process, and the throughput.

A ``core.monitor.Monitor`` samples on its own thread; each sample crosses to
the GUI thread through a queued signal, is appended to a rolling window, and
the curves are redrawn (only while the panel is visible).
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from core.monitor import Monitor, Sample
from gui_app.monitor_graph import Curve, Graph, mix, set_points
from gui_app.theme import palette_is_dark

GIB = 1024**3
MIB = 1024**2
# Two rows of graphs when each row gets this height, or when four in a row would be
# narrower than MIN_GRAPH_WIDTH each.
ROW_HEIGHT = 170
STATS_HEIGHT = 80  # the figures and the worker legend above the graphs
MIN_GRAPH_WIDTH = 200  # a Graph's minimum width
MARGINS = 30  # the panel's margins and the spacing between graphs
GAP = "&nbsp;" * 6  # between the CPU and the workers' part of the legend
LEGEND_LIMIT = 8  # more workers than this: their colours repeat, the legend leaves them out

# Tableau 10: distinct hues that stay readable on light and dark backgrounds.
SERIES_COLORS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
TOTAL_COLOR = "#2f7de1"
MEMORY_COLOR = "#59a14f"


def format_rate(files_per_s: float, bytes_per_s: float) -> tuple[str, str]:
    """Texts for a throughput: ("12.5 files/s", "3.40 MB/s")."""
    files = f"{files_per_s:,.1f}" if files_per_s < 1000 else f"{files_per_s:,.0f}"
    mb = bytes_per_s / 1e6
    size = f"{mb:,.2f}" if mb < 100 else f"{mb:,.0f}"
    return files, size


class MonitorPanel(QWidget):
    """Graphs of the machine and the worker processes, one sample per interval.

    Parameters
    ----------
    pids
        Returns the current worker pids; called on the monitor thread, so it
        must be thread-safe (``engine.worker_pids`` is).
    interval
        Seconds between samples.
    window
        Samples kept and drawn (the x axis spans ``window * interval`` seconds).
    """

    sampled = Signal(object)  # a core.monitor.Sample; emitted on the monitor thread

    def __init__(
        self,
        pids: Callable[[], Sequence[int]],
        parent: QWidget | None = None,
        *,
        interval: float = 1.0,
        window: int = 120,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("monitorPanel")
        self.interval = interval
        self.samples: deque[Sample] = deque(maxlen=window)
        self._monitor = Monitor(interval=interval, pids=pids, on_sample=self.sampled.emit)
        # The explicit queued connection is the thread hop: the slot runs on the GUI thread.
        self.sampled.connect(self.add_sample, Qt.ConnectionType.QueuedConnection)
        self._throughput = (0.0, 0.0)
        self._stale = False  # samples arrived that the graphs do not show yet
        self._stopped = False
        self._worker_curves: dict[str, dict[int, Curve]] = {"cpu": {}, "rss": {}}
        self._worker_colors: dict[int, QColor] = {}
        self._next_color = 0
        self._legend_pids: list[int] = []  # the workers the legend names, in order
        self._build()
        self._apply_palette()
        self.retranslate()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.cpu_value, self.memory_value, self.workers_value = QLabel(), QLabel(), QLabel()
        self.files_value, self.bytes_value = QLabel(), QLabel()
        self._stat_titles: list[QLabel] = []
        values = (self.cpu_value, self.memory_value, self.workers_value, self.files_value, self.bytes_value)
        self._stats = [self._stat(value) for value in values]
        self.stats_grid = QGridLayout()
        self.stats_grid.setSpacing(0)
        self.cpu_plot = Graph(self.span)
        self.memory_plot = Graph(self.span)
        self.worker_cpu_plot = Graph(self.span)
        self.worker_rss_plot = Graph(self.span)
        self.cpu_plot.set_y_range(0, 100)
        self.core_curves: list[Curve] = []
        self._core_pen_color = QColor(TOTAL_COLOR)
        self.total_curve = self.cpu_plot.add_line(TOTAL_COLOR, 2.5)
        self.memory_curve = self.memory_plot.add_area(MEMORY_COLOR, _alpha(MEMORY_COLOR, 60))
        self.memory_total_line = self.memory_plot.add_line(MEMORY_COLOR, 1)
        # One legend line for all graphs (a worker has the same colour in both of its graphs),
        # above them: a legend inside a small graph would cover or squeeze its plot.
        self.legend = QLabel()
        self.legend.setObjectName("monitorLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        self.columns = 0
        self._arrange(4)
        # Says when the workers are elsewhere (a cluster): their graphs would otherwise just be empty.
        self.note = QLabel()
        self.note.setObjectName("monitorNote")
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.note)
        layout.addLayout(self.stats_grid)
        layout.addWidget(self.legend)
        layout.addLayout(self.grid, 1)

    def _arrange(self, columns: int) -> None:
        """Lay the four graphs out in ``columns`` columns (4, 2 or 1)."""
        if columns == self.columns:
            return
        self.columns = columns
        # The figures in one line, or in two in a narrow dock (their width would set the panel's).
        per_line = len(self._stats) if columns > 1 else 3
        for i, stat in enumerate(self._stats):
            self.stats_grid.addWidget(stat, i // per_line, i % per_line)
        for i in range(len(self._stats) + 1):
            self.stats_grid.setColumnStretch(i, 1 if i == per_line else 0)  # the rest of the line
        for i, plot in enumerate(self._plots()):
            self.grid.addWidget(plot, i // columns, i % columns)
        for i in range(4):
            self.grid.setColumnStretch(i, 1 if i < columns else 0)
            self.grid.setRowStretch(i, 1 if i < 4 // columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rearrange()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange and self.parentWidget() is not None:
            self.parentWidget().installEventFilter(self)  # its resizes: see _rearrange
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self._rearrange()
        return False

    def _rearrange(self) -> None:
        """Choose the columns for the room there is.

        In a scrolled dock the panel is never narrower than its layout's minimum, which
        four graphs in a row make wide: the room is the scroll area's viewport, the parent.
        """
        room = self.parentWidget().size() if self.parentWidget() is not None else self.size()
        self._arrange(columns_for(room.width(), room.height()))

    def _stat(self, value: QLabel) -> QWidget:
        title = QLabel()
        small = title.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        title.setFont(small)
        big = value.font()
        big.setPointSizeF(big.pointSizeF() * 1.25)
        big.setBold(True)
        value.setFont(big)
        value.setText("\u2013")  # an en dash until the first sample
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._stat_titles.append(title)
        stat = QWidget()
        box = QVBoxLayout(stat)
        box.setSpacing(0)
        box.addWidget(title)
        box.addWidget(value)
        box.setContentsMargins(0, 0, 18, 0)
        return stat

    def set_note(self, text: str) -> None:
        """Show ``text`` above the graphs (empty: hide it)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    @property
    def span(self) -> float:
        """Seconds the x axis covers."""
        return (self.samples.maxlen or 1) * self.interval

    # -- texts and colours ------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every visible text (again, after a language change)."""
        titles = (
            self.tr("CPU"),
            self.tr("Memory"),
            self.tr("Workers"),
            self.tr("Files per second"),
            self.tr("MB per second"),
        )
        for label, text in zip(self._stat_titles, titles, strict=True):
            label.setText(text)
        titles = (
            self.tr("CPU per core and total (%)"),
            self.tr("Memory in use (GiB)"),
            self.tr("CPU per worker (%)"),
            self.tr("Memory per worker (MiB)"),
        )
        # The x axis counts seconds back from now: said on hover, its label would take a graph's row.
        ago = self.tr("x axis: seconds ago")
        for plot, title in zip(self._plots(), titles, strict=True):
            plot.set_title(title)
            plot.setToolTip(f"{title}\n{ago}")
        self._update_legend()
        self._update_labels()

    def _plots(self) -> tuple[Graph, ...]:
        return (self.cpu_plot, self.memory_plot, self.worker_cpu_plot, self.worker_rss_plot)

    def _apply_palette(self) -> None:
        pal = self.palette()
        background = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        for plot in self._plots():
            plot.apply_palette(background, text, muted)
        core_color = QColor(muted)
        core_color.setAlpha(150 if palette_is_dark(pal) else 120)
        for curve in self.core_curves:
            curve.setPen(_pen(core_color, 1))
        self._core_pen_color = core_color
        # The legend's square shows the grey the thin lines appear in over the background.
        self._core_key_color = mix(core_color, background, core_color.alphaF())
        self._update_legend()
        self.memory_total_line.setPen(_pen(muted, 1, Qt.PenStyle.DashLine))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.LanguageChange:
            self.retranslate()
        elif kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    # -- sampling ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the sampling thread runs."""
        return self._monitor.running

    def start(self) -> None:
        """Start sampling (on the monitor's own thread)."""
        self._stopped = False
        self._monitor.start()

    @Slot()
    def stop(self) -> None:
        """Stop sampling and wait for the sampling thread to end; a sample still on its way is dropped."""
        self._monitor.stop()
        self._stopped = True

    @property
    def monitor(self) -> Monitor:
        """The sampler (for its cost figures)."""
        return self._monitor

    def set_throughput(self, files_per_s: float, bytes_per_s: float) -> None:
        """Show the current throughput (the caller computes it from finished tasks)."""
        self._throughput = (max(0.0, files_per_s), max(0.0, bytes_per_s))
        self._update_labels()

    @Slot(object)
    def add_sample(self, sample: Sample) -> None:
        """Append a sample and redraw if the graphs are seen (GUI thread)."""
        if self._stopped:
            return  # taken just before stop() and delivered after it
        self.samples.append(sample)
        self._update_labels()
        if self.seen:
            self.redraw()
        else:
            self._stale = True  # drawn when next exposed (paintEvent)

    @property
    def seen(self) -> bool:
        """Whether any part of the panel is on screen.

        A dock tabbed behind another stays "visible" to Qt, with an empty
        visible region: redrawing it would cost the GUI thread for nothing.
        """
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._stale = True  # samples kept arriving while hidden
        QTimer.singleShot(0, self._redraw_if_stale)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._stale:
            # Exposed again (its dock tab raised): draw after this paint, not inside it.
            QTimer.singleShot(0, self._redraw_if_stale)

    @Slot()
    def _redraw_if_stale(self) -> None:
        if self._stale and self.seen:
            self.redraw()

    # -- drawing ----------------------------------------------------------------------------------

    def _update_labels(self) -> None:
        files, size = format_rate(*self._throughput)
        self.files_value.setText(files)
        self.bytes_value.setText(size)
        if not self.samples:
            return
        s = self.samples[-1]
        self.cpu_value.setText(f"{s.cpu_total:.0f}%")
        self.memory_value.setText(f"{s.memory_used / GIB:.1f} / {s.memory_total / GIB:.1f} GiB")
        self.workers_value.setText(str(len(s.workers)))

    def redraw(self) -> None:
        """Draw the samples of the window (GUI thread)."""
        self._stale = False
        if not self.samples:
            return
        last = self.samples[-1].time
        x = [s.time - last for s in self.samples]
        self._draw_cpu(x)
        self._draw_memory(x)
        self._draw_workers(x)

    def _draw_cpu(self, x: list[float]) -> None:
        cores = len(self.samples[-1].cpu_per_core)
        while len(self.core_curves) < cores:
            self.core_curves.append(self.cpu_plot.add_line(self._core_pen_color, 1))
            self.cpu_plot.raise_to_top(self.total_curve)  # the total stays over the cores
        for c, curve in enumerate(self.core_curves):
            # A sample taken with another core count (hot-plug) has no figure for the missing cores.
            values = [s.cpu_per_core[c] if c < len(s.cpu_per_core) else None for s in self.samples]
            set_points(curve, x, values) if c < cores else curve.clear()
        set_points(self.total_curve, x, [s.cpu_total for s in self.samples])

    def _draw_memory(self, x: list[float]) -> None:
        total = self.samples[-1].memory_total / GIB
        set_points(self.memory_curve, x, [s.memory_used / GIB for s in self.samples])
        set_points(self.memory_total_line, [-self.span, 0.0], [total, total])
        self.memory_plot.set_y_range(0, total)

    def _draw_workers(self, x: list[float]) -> None:
        cpu: dict[int, list[float | None]] = {}
        rss: dict[int, list[float | None]] = {}
        for j, s in enumerate(self.samples):
            for w in s.workers:
                if w.pid not in cpu:
                    cpu[w.pid], rss[w.pid] = [None] * len(self.samples), [None] * len(self.samples)
                cpu[w.pid][j] = w.cpu_percent
                rss[w.pid][j] = w.rss / MIB
        self._sync_worker_curves(list(cpu))
        for pid in cpu:
            set_points(self._worker_curves["cpu"][pid], x, cpu[pid])
            set_points(self._worker_curves["rss"][pid], x, rss[pid])
        top_cpu = max((v for values in cpu.values() for v in values if v is not None), default=0.0)
        top_rss = max((v for values in rss.values() for v in values if v is not None), default=0.0)
        self.worker_cpu_plot.set_y_range(0, max(100.0, top_cpu))
        # From zero, so a worker's size reads against nothing rather than against its neighbour.
        self.worker_rss_plot.set_y_range(0, max(1.0, top_rss))

    def _sync_worker_curves(self, pids: list[int]) -> None:
        """Add curves for new pids, remove those of pids gone from the whole window."""
        for key, plot in (("cpu", self.worker_cpu_plot), ("rss", self.worker_rss_plot)):
            curves = self._worker_curves[key]
            for pid in [p for p in curves if p not in pids]:
                plot.remove(curves.pop(pid))
            for pid in pids:
                if pid not in curves:
                    curves[pid] = plot.add_line(self._color_for(pid), 1.8)
        for pid in [p for p in self._worker_colors if p not in pids]:
            del self._worker_colors[pid]
        if pids != self._legend_pids:
            self._legend_pids = pids
            self._update_legend()

    def _update_legend(self) -> None:
        """Name the CPU graph's lines, and each worker's colour while the colours do not repeat."""
        # One entry for all cores: their thin grey lines are alike on purpose.
        total, cores = _key(TOTAL_COLOR, self.tr("total")), _key(self._core_key_color, self.tr("each core"))
        text = f"{self.tr('CPU')}: {total} {cores}"
        pids = self._legend_pids
        if 0 < len(pids) <= LEGEND_LIMIT:
            keys = " ".join(_key(self._worker_colors[pid], f"PID {pid}") for pid in pids)
            text += f"{GAP}{self.tr('Workers')}: {keys}"
        self.legend.setText(text)

    def _color_for(self, pid: int) -> QColor:
        if pid not in self._worker_colors:
            self._worker_colors[pid] = QColor(SERIES_COLORS[self._next_color % len(SERIES_COLORS)])
            self._next_color += 1
        return self._worker_colors[pid]

    def worker_pids_drawn(self) -> list[int]:
        """Pids that have a curve now (for tests and tooltips)."""
        return list(self._worker_curves["cpu"])


def _key(color: QColor | str, name: str) -> str:
    """A legend entry: a square of the curve's colour and its name (rich text)."""
    unbroken = html.escape(name).replace(" ", "&nbsp;")  # a narrow legend wraps between entries only
    return f'<span style="color:{QColor(color).name()}">\u25a0</span>&nbsp;{unbroken}&nbsp;'


def columns_for(width: int, height: int) -> int:
    """Columns of graphs for this room (4, 2 or 1).

    One above the other in a narrow dock, two by two when each row keeps a
    readable height (or four in a row would be too narrow), else four in a row.
    """
    if width < 2 * MIN_GRAPH_WIDTH + MARGINS:
        return 1
    return 2 if height >= 2 * ROW_HEIGHT + STATS_HEIGHT or width < 4 * MIN_GRAPH_WIDTH + MARGINS else 4


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width)
    pen.setStyle(style)
    return pen


def _alpha(color: str, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c
