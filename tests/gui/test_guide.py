"""Help → User guide: the README and docs/*.md rendered in a window of the app, frozen or not."""

from __future__ import annotations

import sys

import pytest

from gui_app.guide import BUNDLE_FOLDER, GuideWindow, guide_root, open_guide
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


def test_help_user_guide_shows_every_page_in_a_window(qtbot, window):
    window.actions_.guide.trigger()
    guide = window.findChild(GuideWindow, "guideWindow")
    assert guide is not None and guide.isVisible()
    assert guide.windowTitle() == "User guide"  # the menu item's words, without the mnemonic
    titles = [guide.contents.item(i).text() for i in range(guide.contents.count())]
    assert titles[0] == "Brigade" and len(titles) == 4  # the README, then docs/cluster, plugins, watch
    assert "Drop files and folders" in guide.browser.toPlainText()
    save_artifact(guide, "guide.png")
    guide.contents.setCurrentRow(titles.index(next(t for t in titles if "lugin" in t)))
    assert "plugin" in guide.browser.toPlainText().lower()
    window.actions_.guide.trigger()  # again: the same window comes forward, no second one
    assert len(window.findChildren(GuideWindow)) == 1


def test_a_frozen_app_reads_the_guide_from_its_bundle(tmp_path, monkeypatch, qtbot):
    bundled = tmp_path / BUNDLE_FOLDER
    (bundled / "docs").mkdir(parents=True)
    (bundled / "README.md").write_text("# Bundled\n\nThe copy inside the app.\n", encoding="utf-8")
    (bundled / "docs" / "watch.md").write_text("# Watch folders\n", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert guide_root() == bundled
    guide = GuideWindow(bundled)
    qtbot.addWidget(guide)
    assert "The copy inside the app." in guide.browser.toPlainText()
    assert guide.contents.count() == 2


def test_without_a_guide_the_reason_is_given(tmp_path, monkeypatch):
    import gui_app.guide as guide

    monkeypatch.setattr(guide, "guide_root", lambda: None)
    assert "not installed" in open_guide()
