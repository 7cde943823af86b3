"""A refused parameter is explained beside its field, to the eye and to a screen reader, in any language."""

from __future__ import annotations

import pytest

from core.params import Param, ParamError, Params, ParamType
from core.registry import processor_class
from gui_app.i18n import error_tr, install_translator
from gui_app.job_forms import ParamsForm

pytestmark = [pytest.mark.gui, pytest.mark.timeout(30)]

LOW = Param("low", ParamType.INT, 1, label="Low")
HIGH = Param("high", ParamType.INT, 5, label="High")


def _plugin_check(values):
    if values["low"] > values["high"]:
        raise ParamError("parameter 'high': must not be below low")  # a plugin's plain message


def _named_check(values):
    if values["low"] == values["high"]:
        raise ParamError("{n} twice", "high", "low", n=values["low"])


@pytest.fixture
def form(qtbot):
    form = ParamsForm()
    qtbot.addWidget(form)
    form.set_params(Params((LOW, HIGH), checks=(_plugin_check, _named_check)))
    form.show()
    return form


def test_a_refused_pair_is_shown_beside_the_field_it_names_first(form):
    form.fields["low"].set_text("5")
    high = form.fields["high"]
    assert high.error.isVisible() and high.error.text() == "5 twice"
    assert high.editor.accessibleDescription() == "5 twice"  # read out with the field
    assert form.fields["low"].error.isHidden() and not form.valid
    form.fields["low"].set_text("9")  # a plugin's plain message names its field in its text
    assert high.error.text() == "must not be below low"
    form.fields["low"].set_text("2")
    assert form.valid and high.error.isHidden() and high.editor.accessibleDescription() == ""


def test_a_refusal_from_a_job_is_said_in_chinese(qapp):
    params = processor_class("compress").params
    form = ParamsForm()
    try:
        install_translator(qapp, "zh_CN")
        form.set_params(params)
        form.fields["format"].set_text("gzip")
        form.fields["level"].set_text("15")
        assert form.fields["level"].error.text() == "gzip 不允许级别 15；应为 0（默认）或 1 到 9"  # noqa: RUF001
        with pytest.raises(ParamError) as info:
            form.fields["level"].param.parse("many")
        assert error_tr(info.value).startswith("参数 'level'：不允许 'many'")  # noqa: RUF001
    finally:
        install_translator(qapp, "en")
        form.deleteLater()
    with pytest.raises(ParamError) as info:
        params[0].parse("rar")
    assert error_tr(info.value) == str(info.value)  # English: the core's own text
