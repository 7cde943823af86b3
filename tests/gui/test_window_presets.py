"""Presets in the window: the last values of each job come back, named presets are saved, chosen,
renamed, deleted, exported and imported, and the file is the one the CLI reads."""

from __future__ import annotations

import json

import pytest

from core.presets import PresetStore
from tests.gui.conftest import make_files, open_window, save_artifact, shut
from tests.gui.test_window_run import drop_and_start

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]


def test_a_job_comes_back_with_the_values_it_last_ran_with(qtbot, settings, tmp_path):
    w = open_window(qtbot, settings)
    try:
        assert w.setup.set_job("checksum")
        w.setup.params.fields["algorithm"].set_text("md5")
        drop_and_start(qtbot, w, make_files(tmp_path / "in", 1))
    finally:
        shut(qtbot, w)
    assert PresetStore.open().last_params("checksum")["algorithm"] == "md5"
    again = open_window(qtbot, settings)
    try:
        assert again.setup.set_job("compress")
        assert again.setup.set_job("checksum")
        assert again.setup.params.fields["algorithm"].text() == "md5"
    finally:
        shut(qtbot, again)


def test_named_presets_round_trip(qtbot, window, tmp_path):
    setup, bar = window.setup, window.setup.presets
    assert setup.set_job("resize")
    setup.params.fields["width"].set_text("640")
    assert bar.save("small web")
    assert bar.current == "small web"
    setup.params.fields["width"].set_text("1024")
    index = bar.combo.findData("small web")
    bar.combo.setCurrentIndex(index)
    bar.combo.activated.emit(index)  # as when a person picks it
    assert setup.params.fields["width"].text() == "640"
    assert bar.rename("small web", "Web")
    assert PresetStore.open().names() == ["Web"]
    out = tmp_path / "presets.json"
    assert bar.export(str(out))
    assert json.loads(out.read_text())["presets"]["Web"]["params"]["width"] == 640
    bar.delete()
    assert PresetStore.open().names() == []
    assert bar.import_file(str(out)) and PresetStore.open().names() == ["Web"]
    # Choosing a preset of another job switches the job.
    assert setup.set_job("checksum")
    setup.apply_preset(PresetStore.open().get("Web"))
    assert setup.job_name == "resize" and setup.params.fields["width"].text() == "640"
    width = setup.params.fields["width"]
    qtbot.waitUntil(lambda: width.isVisibleTo(setup))  # form rows are shown by a queued call
    save_artifact(setup, "window-setup-presets.png")


def test_a_preset_error_is_said_beside_start(qtbot, window, tmp_path):
    bar = window.setup.presets
    (tmp_path / "bad.json").write_text("{broken")
    assert not bar.import_file(str(tmp_path / "bad.json"))
    assert "Presets not imported" in window.setup.message.text()
    assert not bar.save("   ")
    assert "a preset needs a name" in window.setup.message.text()
    assert window.setup.message.isVisibleTo(window.setup)


def test_the_presets_menu_button_fits_its_text_and_its_menu_arrow(qtbot):
    from PySide6.QtWidgets import QStyle

    from gui_app.presets_bar import PresetsBar

    bar = PresetsBar(None, lambda: "checksum", lambda: {})
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    more, style = bar.more, bar.more.style()
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, more)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, more)
    # The arrow sits beside the text, not over its end: text, arrow and a margin on each side fit.
    assert more.width() >= more.fontMetrics().horizontalAdvance(more.text()) + arrow + 2 * margin
    assert more.menu() is not None and len(more.menu().actions()) == 5  # rename, delete, |, export, import
    save_artifact(bar, "presets-bar.png")
