"""Typed parameters: parsing, checking, defaults, and checks across several values."""

from __future__ import annotations

import pytest

from core.params import Param, ParamError, Params, ParamType, parse_assignments, resolve_params
from core.registry import BUILTIN, load_ref

LEVEL = Param("level", ParamType.INT, 5, minimum=0, maximum=9)
RATIO = Param("ratio", ParamType.FLOAT, 0.5, minimum=0.0, maximum=1.0)
MODE = Param("mode", ParamType.CHOICE, "fast", choices=("fast", "small"))
FLAG = Param("flag", ParamType.BOOL, False)
NAME = Param("name", ParamType.STR, "")


@pytest.mark.parametrize(
    ("param", "text", "value"),
    [
        (LEVEL, "7", 7),
        (LEVEL, "08", 8),
        (LEVEL, "0x3", 3),
        (RATIO, "0.25", 0.25),
        (MODE, "small", "small"),
        (FLAG, "yes", True),
        (FLAG, "Off", False),
        (NAME, "a=b c", "a=b c"),
    ],
)
def test_parse_turns_text_into_checked_values(param, text, value):
    assert param.parse(text) == value


@pytest.mark.parametrize(
    ("param", "text", "allowed"),
    [
        (LEVEL, "10", "a whole number from 0 to 9"),
        (LEVEL, "2.5", "a whole number from 0 to 9"),
        (LEVEL, "many", "a whole number from 0 to 9"),
        (RATIO, "1.5", "a number from 0 to 1"),
        (MODE, "medium", "one of fast, small"),
        (FLAG, "perhaps", "true or false"),
    ],
)
def test_bad_values_name_the_parameter_and_what_is_allowed(param, text, allowed):
    with pytest.raises(ParamError) as info:
        param.parse(text)
    assert f"parameter '{param.name}'" in str(info.value)
    assert allowed in str(info.value)


def test_validate_accepts_python_values_and_refuses_wrong_types():
    assert LEVEL.validate(3.0) == 3
    assert RATIO.validate(1) == 1.0
    with pytest.raises(ParamError):
        LEVEL.validate(True)
    with pytest.raises(ParamError):
        NAME.validate(3)


def test_resolve_fills_defaults_and_refuses_unknown_names():
    spec = (LEVEL, MODE)
    assert resolve_params(spec, {"mode": "small"}) == {"level": 5, "mode": "small"}
    with pytest.raises(ParamError, match="unknown parameter 'speed'; this job takes: level, mode"):
        resolve_params(spec, {"speed": 1})


def test_parse_assignments_reads_key_value_pairs():
    assert parse_assignments((LEVEL, NAME), ["level=2", "name=x=y"]) == {"level": 2, "name": "x=y"}
    with pytest.raises(ParamError, match="write it as name=value"):
        parse_assignments((LEVEL,), ["level"])


def _small_needs_low_level(values):
    if values["mode"] == "small" and values["level"] > 3:
        raise ParamError("parameter 'level': at most 3 when mode is small")


def test_checks_across_values_run_after_each_value_is_valid():
    spec = Params((LEVEL, MODE), checks=(_small_needs_low_level,))
    assert isinstance(spec, tuple) and len(spec) == 2
    assert resolve_params(spec, {"mode": "small", "level": 2}) == {"level": 2, "mode": "small"}
    with pytest.raises(ParamError, match="at most 3 when mode is small"):
        parse_assignments(spec, ["mode=small"])  # the default level 5 is checked too


@pytest.mark.parametrize("job", sorted(BUILTIN))
def test_every_builtin_job_describes_its_parameters_fully(job):
    cls = load_ref(BUILTIN[job])
    assert cls.name == job and cls.title and cls.description
    for p in cls.params:
        assert p.label and p.help, f"{job}.{p.name} needs a label and help"
        if p.type is ParamType.CHOICE:
            assert p.default in p.choices
    names = [p.name for p in cls.params]
    assert len(names) == len(set(names))


def test_a_refusal_keeps_its_template_names_and_fields_for_a_translation():
    with pytest.raises(ParamError) as info:
        LEVEL.parse("lots")
    exc = info.value
    assert exc.names == ("level",)
    assert exc.reason.template == "{value!r} is not allowed; expected {allowed}"
    assert exc.reason.fields["value"] == "lots"
    shouting = {"{value!r} is not allowed; expected {allowed}": "NOT {value!r}, BUT {allowed}"}
    translated = exc.message.render(lambda t: shouting.get(t, t.upper() if "{" not in t else t))
    assert translated == "parameter 'level': NOT 'lots', BUT A WHOLE NUMBER FROM 0 TO 9"


def test_a_translation_that_breaks_a_marker_falls_back_to_english():
    exc = ParamError("{level} is too high", "level", level=12)
    assert (
        exc.message.render(lambda t: t.replace("{level}", "{niveau}")) == "parameter 'level': 12 is too high"
    )


def test_a_plain_message_and_several_names_read_as_before():
    assert str(ParamError("parameter 'x': no braces {here}")) == "parameter 'x': no braces {here}"
    both = ParamError("give at least one (0 means no limit)", "width", "height")
    assert str(both) == "parameters 'width' and 'height': give at least one (0 means no limit)"
    assert both.names[0] == "width"


def test_a_refusal_crosses_a_process_boundary_whole():
    import pickle

    exc = pickle.loads(pickle.dumps(ParamError("{n} is odd", "level", n=3)))
    assert (
        str(exc) == "parameter 'level': 3 is odd"
        and exc.names == ("level",)
        and exc.reason.fields == {"n": 3}
    )


def test_every_refusal_in_core_has_a_literal_template():
    """A template built at run time (an f-string) could not be found in the translation catalogue."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    built = []
    for path in [root / "core" / "params.py", *sorted((root / "core" / "processors").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ParamError":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    built.append(f"{path.name}:{node.lineno}")
    assert built == []
