"""Typed job parameters: one description drives CLI flags, GUI forms and checks."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any


@dataclass(slots=True, frozen=True)
class Message:
    """English text with named fields, which a window translates by its English template.

    ``core`` knows no Qt: the window passes its translation function to
    ``render`` (``gui_app.i18n.job_tr``), and ``assets/translations/update.py``
    collects every literal template given to ``Message`` or ``ParamError`` in
    ``core/``. A field that is itself a ``Message`` is translated too; other
    fields (values, names, a library's own error text) are shown as they are.

    Attributes
    ----------
    template
        The English text; ``{name}`` markers (with ``!r`` or a format spec,
        as ``str.format`` takes them) are filled from ``fields``. Without
        fields the text is shown as written, braces included.
    fields
        The values of the markers.
    """

    template: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The text, translated by ``translate`` (English when ``None``), with its fields filled."""
        text = translate(self.template) if translate is not None else self.template
        if not self.fields:
            return text
        values = {k: v.render(translate) if isinstance(v, Message) else v for k, v in self.fields.items()}
        try:
            return text.format_map(values)
        except (KeyError, IndexError, ValueError):
            # A translation that lost or broke a marker: the English text still says it right.
            return self.template.format_map(values)

    def __str__(self) -> str:
        return self.render()


class ParamError(ValueError):
    """A parameter value was refused; the message names it and what is allowed.

    ``ParamError("{value!r} is not allowed", "level", value=7)`` reads
    "parameter 'level': 7 is not allowed": a literal template (translated by
    its English text, see :class:`Message`), the names of the parameters it
    is about (the first is the field a form marks), then the template's
    fields. A plain message, as plugins write them, works as before.

    Attributes
    ----------
    names
        The parameters the refusal is about, most relevant first.
    reason
        Why, without the names.
    """

    def __init__(self, template: str, *names: str, **fields: Any) -> None:
        self.names = names
        self.reason = Message(template, fields)
        super().__init__(str(self.message))

    @property
    def message(self) -> Message:
        """The whole message: which parameters, then why."""
        if not self.names:
            return self.reason
        return Message("{where}: {reason}", {"where": _where(self.names), "reason": self.reason})


def _where(names: tuple[str, ...]) -> Message:
    if len(names) == 1:
        return Message("parameter '{name}'", {"name": names[0]})
    return Message(
        "parameters {names} and '{last}'",
        {"names": ", ".join(f"'{n}'" for n in names[:-1]), "last": names[-1]},
    )


class ParamType(enum.StrEnum):
    """The kinds of value a parameter holds."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    PATH = "path"


_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n", ""}


@dataclass(slots=True, frozen=True)
class Param:
    """One parameter of a job.

    Attributes
    ----------
    name
        Key in the params mapping and in ``-p name=value``.
    type
        Kind of value.
    default
        Value used when none is given.
    label
        Short text for forms.
    help
        One sentence for tooltips and ``--describe``.
    choices
        Allowed values, for ``CHOICE``.
    minimum, maximum
        Inclusive bounds, for ``INT`` and ``FLOAT``.
    """

    name: str
    type: ParamType
    default: Any
    label: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def allowed(self) -> str:
        """Describe the allowed values in a few words."""
        if self.type is ParamType.CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.type is ParamType.BOOL:
            return "true or false"
        if self.type in (ParamType.INT, ParamType.FLOAT):
            kind = "a whole number" if self.type is ParamType.INT else "a number"
            return kind + _bounds_text(self.minimum, self.maximum)
        return "text" if self.type is ParamType.STR else "a path"

    def parse(self, text: str) -> Any:
        """Turn command-line text into a checked value."""
        if self.type is ParamType.BOOL:
            low = text.strip().lower()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise self._error(text)
        if self.type is ParamType.INT:
            try:
                # Plain decimal first: "08" is eight, not an octal error.
                return self.validate(int(text) if text.strip().lstrip("+-").isdigit() else int(text, 0))
            except ValueError:
                raise self._error(text) from None
        if self.type is ParamType.FLOAT:
            try:
                return self.validate(float(text))
            except ValueError:
                raise self._error(text) from None
        return self.validate(text)

    def validate(self, value: Any) -> Any:
        """Check a value of the right Python type; return it normalised."""
        if self.type is ParamType.BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, str):
                return self.parse(value)
            raise self._error(value)
        if self.type in (ParamType.INT, ParamType.FLOAT):
            return self._validate_number(value)
        if not isinstance(value, str):
            raise self._error(value)
        if self.type is ParamType.CHOICE and value not in self.choices:
            raise self._error(value)
        return value

    def _validate_number(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                return self.parse(value)
            raise self._error(value)
        if self.type is ParamType.INT:
            if isinstance(value, float) and not value.is_integer():
                raise self._error(value)
            value = int(value)
        else:
            value = float(value)
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise self._error(value)
        return value

    def _error(self, value: Any) -> ParamError:
        # The allowed values' text is a job string of its own (collected with the job's labels).
        allowed = Message(self.allowed())
        return ParamError(
            "{value!r} is not allowed; expected {allowed}", self.name, value=value, allowed=allowed
        )


def _bounds_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    if high is not None:
        return f" of at most {high:g}"
    return ""


Check = Callable[[Mapping[str, "Any"]], None]  # quoted: ``typing`` is not imported at run time


class Params(tuple[Param, ...]):
    """A job's parameters plus checks that look at several values together.

    A plain tuple of :class:`Param` works everywhere a ``Params`` does; use
    this class when a value's allowed range depends on another value (a
    compression level depends on the format, for instance)::

        params = Params((Param("format", ...), Param("level", ...)), checks=(check_level,))

    Each check receives the resolved values and raises :class:`ParamError`.
    """

    checks: tuple[Check, ...]

    def __new__(cls, params: Iterable[Param], checks: Iterable[Check] = ()) -> Params:
        self = super().__new__(cls, params)
        self.checks = tuple(checks)
        return self


def resolve_params(spec: Sequence[Param], given: Mapping[str, Any]) -> dict[str, Any]:
    """Fill defaults and check every given value against ``spec``.

    Raises
    ------
    ParamError
        For an unknown name, a value that is not allowed, or values that do
        not go together (the checks of a :class:`Params`).
    """
    known = {p.name: p for p in spec}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise _unknown(unknown[0], known)
    values = {p.name: p.validate(given[p.name]) if p.name in given else p.default for p in spec}
    for check in getattr(spec, "checks", ()):
        check(values)
    return values


def parse_assignments(spec: Sequence[Param], items: Iterable[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings (as given to ``-p``) into checked values."""
    known = {p.name: p for p in spec}
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParamError("write it as name=value", item)
        if key not in known:
            raise _unknown(key, known)
        values[key] = known[key].parse(text)
    return resolve_params(spec, values)


def _unknown(name: str, known: Mapping[str, Param]) -> ParamError:
    takes = ", ".join(known) if known else Message("none")
    return ParamError("unknown parameter '{name}'; this job takes: {takes}", name=name, takes=takes)
