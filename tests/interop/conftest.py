"""Outputs checked with the reference tools people use; a test skips, saying why, when its tool is missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.processors.conftest import engine  # the fixture, shared through __all__

__all__ = ["engine", "need", "tool"]


def need(name: str) -> str:
    """The path of the tool ``name``, or skip the test saying it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it with apt where it can)")
    return path


def tool(
    *args: str, cwd: str | os.PathLike[str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a reference tool in the C.UTF-8 locale; with ``ok``, fail the test unless it exits 0."""
    env = dict(os.environ, LC_ALL="C.UTF-8")
    done = subprocess.run(
        [need(args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    if ok:
        assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}{done.stderr}"
    return done
