"""The unexpected error that ended an engine's run, as its holder (CLI, window) reports it."""

from __future__ import annotations

import traceback

from core.model import FrozenRecord


class EngineFault(FrozenRecord):
    """An exception that escaped the engine loop: the run ended on it.

    Attributes
    ----------
    stage
        What the engine thread was doing: ``"loop"``, or ``"teardown"`` when
        ending the run failed too.
    message
        One line for people: ``"IndexError: list index out of range"``.
    traceback
        The full traceback, for a log file.
    """

    __slots__ = ("message", "stage", "traceback")

    stage: str
    message: str
    traceback: str

    def __init__(self, stage: str, message: str, traceback: str) -> None:
        self._init(stage=stage, message=message, traceback=traceback)

    @classmethod
    def of(cls, exc: BaseException, stage: str) -> EngineFault:
        """The fault for ``exc``, caught on the engine thread while at ``stage``."""
        try:
            text = str(exc)
        except Exception:  # noqa: BLE001 - a broken __str__ must not hide the fault
            text = "<unprintable>"
        message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return cls(stage, message, "".join(traceback.format_exception(exc)))
