"""The Monitor panel: real samples of real processes cross to the GUI thread and become curves."""

from __future__ import annotations

import subprocess
import sys
import threading

import psutil
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from gui_app.monitor_panel import MonitorPanel, format_rate
from gui_app.theme import apply_theme, palette_is_dark
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]

SPIN = "import time\nend = time.time() + 30\nwhile time.time() < end: pass"
HOLD = "import time\nx = bytearray(60_000_000)\ntime.sleep(30)"


@pytest.fixture
def workers():
    procs = [subprocess.Popen([sys.executable, "-c", code]) for code in (SPIN, HOLD)]
    yield procs
    for p in procs:
        p.kill()
        p.wait(10)


@pytest.fixture
def panel(qtbot, workers):
    pids = [p.pid for p in workers]
    p = MonitorPanel(lambda: list(pids), interval=0.1, window=40)
    qtbot.addWidget(p)
    p.resize(900, 560)
    p.show()
    p.pids = pids  # the list the pid source reads; tests change it
    yield p
    p.stop()


def test_samples_arrive_on_the_gui_thread_and_draw_every_series(panel, qtbot, workers):
    emitted_on = []
    panel.sampled.connect(
        lambda s: emitted_on.append(threading.current_thread().name), Qt.ConnectionType.DirectConnection
    )
    panel.start()
    spinner, holder = workers
    qtbot.waitUntil(
        lambda: (
            len(panel.samples) >= 5
            and any(w.pid == spinner.pid and w.cpu_percent > 30 for w in panel.samples[-1].workers)
        ),
        timeout=20_000,
    )
    # Emitted on the monitor thread; the panel's queued slot drew on this one.
    assert set(emitted_on) == {"brigade-monitor"}
    assert panel.running
    cores = psutil.cpu_count()
    assert len(panel.core_curves) == cores
    x, y = points(panel.total_curve)
    assert 0 <= max(y) <= 100
    assert len(x) == len(panel.samples) and x[-1] == 0 and x == sorted(set(x))
    assert set(panel.worker_pids_drawn()) == {spinner.pid, holder.pid}
    _, rss = points(panel._worker_curves["rss"][holder.pid])
    assert max(rss) > 60  # MiB: the 60 MB buffer it holds
    assert panel.workers_value.text() == "2"
    assert panel.cpu_value.text().endswith("%")
    assert "GiB" in panel.memory_value.text()


def shown_text(label):
    """The text a rich-text label shows, spaces as spaces."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText().replace("\xa0", " ")


def points(series):
    """The x and y values of a curve."""
    return [p.x() for p in series.points()], [p.y() for p in series.points()]


def test_a_worker_that_goes_away_loses_its_curve_once_out_of_the_window(panel, qtbot, workers):
    spinner, holder = workers
    panel.start()
    qtbot.waitUntil(lambda: set(panel.worker_pids_drawn()) == {spinner.pid, holder.pid}, timeout=20_000)
    panel.pids.remove(holder.pid)
    # Kept while its past samples are in the window (40 samples), then dropped.
    qtbot.waitUntil(lambda: panel.worker_pids_drawn() == [spinner.pid], timeout=20_000)
    assert all(holder.pid not in {w.pid for w in s.workers} for s in panel.samples)


def test_stop_ends_the_sampling_thread(panel, qtbot):
    panel.start()
    qtbot.waitUntil(lambda: len(panel.samples) >= 2, timeout=10_000)
    panel.stop()
    assert not panel.running
    count = len(panel.samples)
    qtbot.wait(300)  # would have brought three more samples
    assert len(panel.samples) == count


def test_throughput_labels():
    assert format_rate(12.345, 3_400_000) == ("12.3", "3.40")
    assert format_rate(25_000, 512e6) == ("25,000", "512")


def test_set_throughput_updates_the_labels(panel):
    panel.set_throughput(42.0, 7_500_000)
    assert (panel.files_value.text(), panel.bytes_value.text()) == ("42.0", "7.50")
    panel.set_throughput(-1, -1)  # a rate is never shown negative
    assert (panel.files_value.text(), panel.bytes_value.text()) == ("0.0", "0.00")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_and_plot_colours_follow_the_theme(panel, qtbot, theme):
    app = QApplication.instance()
    apply_theme(app, theme)
    try:
        qtbot.waitUntil(lambda: palette_is_dark(panel.palette()) == (theme == "dark"), timeout=2000)
        panel.start()
        panel.set_throughput(118.5, 42.7e6)
        qtbot.waitUntil(lambda: len(panel.samples) >= 25, timeout=20_000)
        panel.stop()
        background = panel.cpu_plot.background()
        assert (background.lightness() < 128) == (theme == "dark")
        assert save_artifact(panel, f"panels/monitor_{theme}.png").stat().st_size > 10_000
    finally:
        apply_theme(app, "light")


def test_the_monitor_shows_all_four_graphs_at_the_default_window_size(qtbot, window):
    from PySide6.QtWidgets import QScrollArea

    window.monitor_dock.raise_()
    qtbot.waitUntil(lambda: window.monitor is not None and len(window.monitor.samples) >= 2, timeout=20_000)
    panel = window.monitor
    qtbot.waitUntil(lambda: panel.columns == 4, timeout=5000)
    area = window.monitor_dock.widget()
    assert isinstance(area, QScrollArea)
    qtbot.wait(50)  # the layout settles after the re-arrangement
    assert not area.verticalScrollBar().isVisible(), "graphs hidden behind a scroll bar"
    for plot in panel._plots():
        assert plot.isVisible() and plot.height() >= 120 and plot.width() >= 200
    # The legend names the CPU lines and each worker, above the graphs, never over a plot.
    legend = shown_text(panel.legend)
    assert "total" in legend and "each core" in legend
    assert panel.worker_pids_drawn() and all(f"PID {pid}" in legend for pid in panel.worker_pids_drawn())
    assert panel.legend.geometry().bottom() < min(p.geometry().top() for p in panel._plots())
    save_artifact(window, "window-monitor-default-size.png")


def test_a_tall_panel_shows_the_graphs_two_by_two_and_a_low_one_in_a_row(panel, qtbot):
    panel.resize(900, 600)
    qtbot.waitUntil(lambda: len({p.geometry().top() for p in panel._plots()}) == 2, timeout=5000)
    assert panel.columns == 2 and all(p.height() >= 170 for p in panel._plots())
    save_artifact(panel, "panels/monitor_tall.png")
    panel.resize(900, 230)
    qtbot.waitUntil(lambda: len({p.geometry().top() for p in panel._plots()}) == 1, timeout=5000)
    assert panel.columns == 4
    save_artifact(panel, "panels/monitor_row.png")


def test_a_monitor_in_a_narrow_dock_stacks_its_graphs_and_draws_the_newest_samples(qtbot, window):
    dock = window.monitor_dock
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.show()
    window.resizeDocks([dock], [330], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: window.monitor is not None and len(window.monitor.samples) >= 3, timeout=20_000)
    panel, area = window.monitor, dock.widget()
    qtbot.waitUntil(lambda: panel.columns == 1, timeout=5000)
    qtbot.waitUntil(lambda: panel.width() <= area.viewport().width(), timeout=5000)
    # Every graph lies inside the room the dock gives: no horizontal scrolling, nothing cut at the right.
    assert not area.horizontalScrollBar().isVisible()
    for plot in panel._plots():
        assert plot.geometry().right() < area.viewport().width()
    assert panel.total_curve.points()[-1].x() == 0  # the newest sample, at the right edge
    save_artifact(window, "window-monitor-narrow-dock.png")
    save_artifact(dock, "monitor-narrow-dock.png")
