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
