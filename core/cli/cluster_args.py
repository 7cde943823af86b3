"""Command-line options that send a run to a Dask cluster instead of the local pool."""

from __future__ import annotations

import argparse
from typing import Any

from core.engine import Engine, EngineConfig, Recorder


def add_arguments(parser: Any) -> None:
    """Add the cluster options to ``parser``."""


def make_engine(args: argparse.Namespace, config: EngineConfig, recorder: Recorder | None) -> Engine:
    """Return the engine that runs this batch: the local pool unless a cluster was asked for."""
    return Engine(config, recorder)
