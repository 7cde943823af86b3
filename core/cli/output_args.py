"""Command-line options of the output policy, and the dry-run listing."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.discovery import display_path
from core.model import BatchSpec


def add_arguments(parser: Any) -> None:
    """Add the output-policy options to ``parser``."""


def output_from_args(args: argparse.Namespace) -> dict[str, Any] | None:
    """Return the output policy (plain data) the options describe, or ``None``."""
    return None


def print_dry_run(spec: BatchSpec) -> int:
    """List every task the batch would run, touching no file; return the exit code."""
    for path in spec.paths:
        print(f"would run {spec.job} on {display_path(path)}")
    print(f"{len(spec.paths)} tasks; nothing was run", file=sys.stderr)
    return 0
