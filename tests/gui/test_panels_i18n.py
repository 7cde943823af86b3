"""Simplified Chinese: the compiled translation is found, installed, and visible labels change."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from gui_app import i18n
from gui_app.history_panel import HistoryPanel
from gui_app.i18n import arg, find_qm, install_translator, installed_language, resolve_language
from gui_app.monitor_panel import MonitorPanel
from gui_app.settings import Settings
from gui_app.settings_dialog import SettingsDialog
from tests.gui.conftest import save_artifact

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def app(qapp):
    yield qapp
    install_translator(qapp, "en")


def test_the_translation_source_is_complete_and_compiled():
    qm = find_qm("zh_CN")
    assert qm is not None and qm.stat().st_size > 5_000
    ts = qm.with_suffix(".ts")
    root = ET.parse(ts).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 200
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []
    # A compiled file older than its source would ship stale text.
    assert qm.stat().st_mtime >= ts.stat().st_mtime - 1


def test_switching_to_chinese_changes_visible_labels_and_back(app, qtbot, tmp_path):
    history = HistoryPanel(str(tmp_path / "h.sqlite3"))
    monitor = MonitorPanel(lambda: [])
    for w in (history, monitor):
        qtbot.addWidget(w)
        w.show()
    assert history.refresh_button.text() == "Refresh"

    install_translator(app, "zh_CN")
    assert installed_language(app) == "zh_CN"
    # Qt tells every widget with a LanguageChange event; each sets its texts again.
    qtbot.waitUntil(lambda: history.refresh_button.text() == "刷新", timeout=2000)
    assert history.resume_button.text() == "继续"
    assert history.batches.headerData(1, Qt.Orientation.Horizontal) == "作业"
    assert monitor.memory_plot.title() == "已用内存 (GiB)"
    assert save_artifact(history, "panels/history_zh_CN.png").exists()

    install_translator(app, "en")
    qtbot.waitUntil(lambda: history.refresh_button.text() == "Refresh", timeout=2000)
    assert installed_language(app) == "en"
    history.close_store()


def test_dialogs_opened_in_chinese_use_qt_translations_too(app, qtbot, tmp_path):
    install_translator(app, "zh_CN")
    dialog = SettingsDialog(Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "设置"
    assert dialog.timeout.placeholderText() == "不限制"
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text() == "取消"  # from Qt's own qtbase_zh_CN.qm
    assert save_artifact(dialog, "panels/settings_zh_CN.png").exists()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", "zh_CN"), ("zh_SG", "zh_CN"), ("zh_TW", "en"), ("de_DE", "en"), ("en_US", "en")],
)
def test_system_language_follows_the_locale(monkeypatch, locale, expected):
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale(locale)))
    assert resolve_language("system") == expected


def test_unknown_languages_are_refused():
    with pytest.raises(ValueError):
        resolve_language("fr")


def test_arg_fills_numbered_markers_in_any_order():
    assert arg("%2 of %1", "a", "b") == "b of a"
    assert arg("%1 and %10", *range(1, 11)) == "1 and 10"


def translations_update():
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "assets" / "translations" / "update.py"
    spec = importlib.util.spec_from_file_location("translations_update", path)
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    return update


def test_every_refusal_of_a_parameter_is_translated_with_its_markers(app):
    import string

    from gui_app.i18n import job_tr

    templates = translations_update().message_templates()
    assert "{value!r} is not allowed; expected {allowed}" in templates and len(templates) > 10

    def markers(text):
        return sorted(
            f"{name}!{conv}:{spec}" for _, name, spec, conv in string.Formatter().parse(text) if name
        )

    install_translator(app, "zh_CN")
    untranslated = [t for t in templates if job_tr(t) == t]
    broken = [t for t in templates if markers(job_tr(t)) != markers(t)]
    assert untranslated == [] and broken == []


def test_strings_lupdate_cannot_see_inside_f_strings_are_kept(tmp_path):
    update = translations_update()
    source = tmp_path / "panel.py"
    source.write_text(
        "class Panel:\n"
        "    def legend(self):\n"
        "        seen = self.tr('seen')\n"
        "        return f\"{self.tr('total')} {QCoreApplication.translate('Other', 'each')} {seen}\"\n"
    )
    assert update.hidden_strings([source]) == [("Panel", "total"), ("Other", "each")]
    ts = tmp_path / "t.ts"
    ts.write_text("<TS>\n<context>\n    <name>Panel</name>\n</context>\n</TS>\n", encoding="utf-8")
    update.add_hidden_strings(ts, update.hidden_strings([source]), {("Panel", "total"): "总计"})
    found = update.finished_translations(ts)
    assert found == {("Panel", "total"): "总计"}
    assert "<name>Other</name>" in ts.read_text(encoding="utf-8")  # a new context, its string unfinished
    gui = sorted((Path(__file__).resolve().parents[2] / "gui_app").glob("*.py"))
    catalogue = update.finished_translations(find_qm("zh_CN").with_suffix(".ts"))
    assert [s for s in update.hidden_strings(gui) if s not in catalogue] == []
