"""Keyboard and screen readers: every control can be named, reached with Tab, and shows its focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QWidget,
)

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def spoken_name(w: QWidget, labels: dict[int, str]) -> str:
    """What a screen reader says for ``w``: its accessible name, its text, or its label's text."""
    if w.accessibleName():
        return w.accessibleName()
    if isinstance(w, QAbstractButton) and (w.text() or w.toolTip()):
        return w.text() or w.toolTip()
    return labels.get(id(w), "")


def test_every_control_has_a_name_and_takes_the_keyboard_focus(qtbot, window):
    qtbot.waitUntil(lambda: window.history is not None, timeout=20_000)
    labels = {id(label.buddy()): label.text() for label in window.findChildren(QLabel) if label.buddy()}
    for form in window.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and field and label.widget() and field.widget():
                labels[id(field.widget())] = getattr(label.widget(), "text", lambda: "")()
    history = window.history  # the History panel names its own controls (tested with it)
    controls = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView))
        and not isinstance(w, QHeaderView)
        and w.isVisibleTo(window)
        and not (history is not None and history.isAncestorOf(w))
    ]
    assert len(controls) > 15
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in controls if not spoken_name(w, labels)]
    assert unnamed == []
    unreachable = [
        f"{type(w).__name__} {w.objectName()}"
        for w in controls
        if not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) and not isinstance(w, QAbstractButton)
    ]
    assert unreachable == []
