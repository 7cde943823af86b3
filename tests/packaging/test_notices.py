"""The Qt notice names the exact Qt and PySide6 shipped and where their source is published."""

from __future__ import annotations

import importlib.metadata as metadata

from PySide6.QtCore import qVersion

from gui_app.notices import qt_notice


def test_qt_notice_names_the_versions_shipped_and_where_their_source_is() -> None:
    notice = qt_notice()
    pyside = metadata.version("PySide6-Essentials")
    qt = qVersion()
    minor = ".".join(qt.split(".")[:2])
    assert notice.version == pyside
    assert f"ships Qt {qt} " in notice.text and f"(PySide6 and Shiboken6) {pyside}." in notice.text
    source = f"https://download.qt.io/archive/qt/{minor}/{qt}/single/qt-everywhere-src-{qt}.tar.xz"
    assert source in notice.text
    assert f"PySide6-{pyside}-src" in notice.text and f"pyside-setup.git (tag v{pyside})" in notice.text
    assert "on request" not in notice.text  # a promise replaced by where the source is
    assert "$" not in notice.text.split("GNU LESSER GENERAL PUBLIC LICENSE")[0]  # every field filled in
    assert "How to replace the Qt libraries" in notice.text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in notice.text and "GNU GENERAL PUBLIC LICENSE" in notice.text
