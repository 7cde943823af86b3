"""The Monitor's graph widget: curves mapped into the widget at any size, round axis labels."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from gui_app.monitor_graph import X_STEPS, Y_STEPS, Graph, nice_ticks, set_points, tick_labels
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(30)]

RED = QColor("#ff0000")


def red_pixels(graph: Graph) -> list[tuple[int, int]]:
    """The (x, y) of every pixel where the graph shows pure red."""
    image = graph.grab().toImage()
    return [
        (x, y) for x in range(image.width()) for y in range(image.height()) if image.pixelColor(x, y) == RED
    ]


def red_columns(graph: Graph) -> list[int]:
    """The x of every pixel column where the graph shows pure red."""
    image = graph.grab().toImage()
    return [
        x
        for x in range(image.width())
        if any(image.pixelColor(x, y) == RED for y in range(0, image.height(), 1))
    ]


@pytest.mark.parametrize("width", [200, 211, 333, 900])
def test_the_newest_sample_is_drawn_at_the_right_edge_whatever_the_width(qtbot, width):
    graph = Graph(span=10)
    qtbot.addWidget(graph)
    graph.set_y_range(0, 100)
    curve = graph.add_line(RED, 3)
    set_points(curve, [-10, -5, 0], [50, 50, 50])
    graph.resize(width, 150)
    graph.show()
    columns = red_columns(graph)
    assert columns, "no curve drawn"
    # From the left axis to within the right margin: nothing of the last seconds is cut.
    assert max(columns) >= width - 12 and max(columns) < width
    assert min(columns) < 80
    curve.setVisible(False)
    assert red_columns(graph) == []
    save_artifact(graph, f"panels/monitor_graph_{width}.png")


@pytest.mark.parametrize("width", [200, 211, 900])
def test_a_spike_in_the_newest_sample_reaches_its_value(qtbot, width):
    graph = Graph(span=10)
    qtbot.addWidget(graph)
    graph.set_y_range(0, 100)
    graph.resize(width, 150)
    graph.show()
    curve = graph.add_line(RED, 2)
    set_points(curve, [-10, 0], [100, 100])
    top = min(y for _, y in red_pixels(graph))  # where 100 is drawn
    set_points(curve, [-10, -1, 0], [0, 0, 100])  # only the newest sample is at 100
    spike = [(x, y) for x, y in red_pixels(graph) if y <= top + 2]
    assert spike, "the newest sample is cut off at the right edge"
    assert min(x for x, _ in spike) >= width - 20


def test_an_area_curve_is_filled_down_to_zero(qtbot):
    graph = Graph(span=10)
    qtbot.addWidget(graph)
    graph.set_y_range(0, 10)
    curve = graph.add_area("#00aa00", RED)
    set_points(curve, [-10, 0], [8, 8])
    graph.resize(300, 200)
    graph.show()
    image = graph.grab().toImage()
    x = image.width() // 2
    filled = [y for y in range(image.height()) if image.pixelColor(x, y) == RED]
    assert len(filled) > 80  # from the line at 8 down to the axis at 0


def test_samples_without_a_figure_are_left_out(qtbot):
    graph = Graph(span=10)
    qtbot.addWidget(graph)
    curve = graph.add_line(RED, 1)
    set_points(curve, [-2, -1, 0], [1.0, None, 3.0])
    assert [(p.x(), p.y()) for p in curve.points()] == [(-2, 1), (0, 3)]


@pytest.mark.parametrize(
    ("high", "labels"),
    [
        (100, ["0", "25", "50", "75", "100"]),
        (23.5, ["0", "10", "20", "30"]),
        (8.5, ["0.0", "2.5", "5.0", "7.5", "10.0"]),
        (0, ["0.00", "0.25", "0.50", "0.75", "1.00"]),  # an empty range still has an axis
    ],
)
def test_y_labels_are_round_and_reach_the_top(high, labels):
    assert tick_labels(nice_ticks(0, high, Y_STEPS)) == labels


def test_x_labels_count_seconds_back_to_zero():
    ticks = [-t for t in reversed(nice_ticks(0, 120, X_STEPS))]
    assert tick_labels(ticks) == ["-120", "-90", "-60", "-30", "0"]
