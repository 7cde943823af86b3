"""Command-line options that choose the job store (history) of a run."""

from __future__ import annotations

import argparse
from typing import Any

from core.engine import Recorder


def add_arguments(parser: Any) -> None:
    """Add the history options to ``parser``."""


def open_recorder(args: argparse.Namespace) -> Recorder | None:
    """Return the recorder that keeps this run's history, or ``None``."""
    return None
