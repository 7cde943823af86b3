# ruff: noqa: RUF001 - Chinese text, with its full-width punctuation, is the point of these tests
"""Simplified Chinese everywhere: a window opened in zh_CN shows no English word a person would read."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)

from gui_app.i18n import install_translator, job_tr
from gui_app.tasks_model import duration_text
from tests.gui.conftest import close_window, open_window, save_artifact, shut

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

# Names and formats that stay as they are in every language.
KEEP = re.compile(
    # Quoted values, and names of encodings, files and groups (cp1252, md5sum, .png, \\g<name>) first.
    r"'[^']*'|[\w\\.<>-]*[\d_\\.<>-][\w\\.<>-]*"
    r"|xxh\*|GPS|IPTC|Pillow|gbk|Brigade|Dask|CPU|GiB|MiB|KiB|PID|JPEG|PNG|WebP|TIFF|EXIF|XMP|BOM|CSV|JSON|BSD|NAME|Python|Qt|MIT"
    r"|gzip|bz2|xz|zstd|zip|LF|CRLF|CR|\{[^}]*\}|shell|auto|sidecar|Ctrl|Shift|Del|Return|Alt"
)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str) -> list[str]:
    return ENGLISH_WORD.findall(KEEP.sub("", text.replace("&", "")))


def shown_text(label: QLabel) -> str:
    """What a label shows: a rich-text label's words without its markup."""
    if label.textFormat() == Qt.TextFormat.PlainText or "<" not in label.text():
        return label.text()
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) of every text a person can read in the window now."""
    found: list[tuple[str, str]] = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window):
            continue
        name = f"{type(w).__name__} {w.objectName()}"
        if isinstance(w, QLabel):
            found.append((name, shown_text(w)))
        elif isinstance(w, QAbstractButton):
            found += [(name, w.text()), (name + " tooltip", w.toolTip())]
        elif isinstance(w, QGroupBox):
            found.append((name, w.title()))
        elif isinstance(w, QComboBox):
            found += [(f"{name} item", w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QLineEdit):
            found.append((name + " placeholder", w.placeholderText()))
    for dock in window.findChildren(QDockWidget):
        found.append(("dock", dock.windowTitle()))
    for menu in window.menuBar().findChildren(QMenu):
        found += [("menu", a.text()) for a in menu.actions()]
    model = window.model
    found += [
        ("header", str(model.headerData(c, Qt.Orientation.Horizontal))) for c in range(model.columnCount())
    ]
    for i in range(window.setup.job.count()):
        window.setup.job.setCurrentIndex(i)  # every job's description and parameter form
        found.append(("job help", window.setup.job_help.text()))
        for field in window.setup.params.fields.values():
            label = window.setup.params._layout.labelForField(field)
            found.append(("param label", label.text() if label is not None else ""))
            found.append(("param tooltip", field.editor.toolTip()))
            if isinstance(field.editor, QLineEdit):
                found.append(("param placeholder", field.editor.placeholderText()))
    return [(where, t) for where, t in found if t]


def test_a_window_opened_in_chinese_has_no_english_left(qtbot, qapp, settings):
    install_translator(qapp, "zh_CN")
    try:
        window = open_window(qtbot, settings)
        try:
            qtbot.waitUntil(lambda: window.monitor is not None and window.history is not None, timeout=20_000)
            window.setup.set_job("resize")
            width = window.setup.params.fields["width"]
            qtbot.waitUntil(lambda: width.isVisibleTo(window))  # form rows are shown by a queued call
            save_artifact(window, "window_zh_CN.png")
            left = [(where, t, english_words(t)) for where, t in visible_texts(window) if english_words(t)]
            assert left == [], "\n".join(map(str, left))
            check_inline_errors(qtbot, window)
            close_window(qtbot, window)
        finally:
            shut(qtbot, window)
    finally:
        install_translator(qapp, "en")


def check_inline_errors(qtbot, window) -> None:
    """A refused value and a refused pair of values are explained beside their field, in Chinese."""
    setup = window.setup
    setup.set_job("resize")
    width = setup.params.fields["width"]
    qtbot.waitUntil(lambda: width.isVisibleTo(window))
    width.set_text("wide")
    assert width.error.isVisibleTo(window)
    assert width.error.text() == "不允许 'wide'；应为不小于 0 的整数"
    width.set_text("0")
    setup.params.fields["height"].set_text("0")  # the job's own check: at least one of the two
    assert width.error.isVisibleTo(window) and width.error.text() == "请给出宽度、高度或两者（0 表示不限制）"
    save_artifact(setup, "setup_inline_error_zh_CN.png")
    shown = width.error.text()
    texts = visible_texts(window)  # the error label first: the walk over every job's form comes last
    assert shown in [t for _, t in texts]
    left = [(where, t, english_words(t)) for where, t in texts if english_words(t)]
    assert left == [], "\n".join(map(str, left))


def test_job_strings_and_durations_follow_the_language(qapp):
    install_translator(qapp, "zh_CN")
    try:
        assert job_tr("Resize images") == "缩放图片"
        assert duration_text(75) == "1 分 15 秒"
    finally:
        install_translator(qapp, "en")
    assert job_tr("Resize images") == "Resize images"
    assert duration_text(75) == "1 min 15 s"
