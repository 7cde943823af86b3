"""The frozen build, made once per test run and shared by every packaging test.

``packaging/build.py`` runs at most once per pytest session, into a temporary
folder (never the worktree's ``dist/``). Set ``BRIGADE_FROZEN_DIST`` to a
``dist`` folder that build.py already filled to test that build instead.
Nothing here installs into the host: packages are unpacked with
``dpkg-deb -x`` into temporary roots.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 1800  # seconds; two shared cores can be slow, a hang is not
BUILD_LOCK = "/tmp/brigade-build.lock"


@dataclass(frozen=True)
class Build:
    """What ``packaging/build.py`` made: the bundle folder, the packages and the archive."""

    dist: Path
    bundle: Path
    debs: dict[str, Path]  # package name -> .deb
    tarball: Path
    report: dict[str, object]


def say(text: str) -> None:
    """Print a figure for ``pytest -s`` (sizes, timings)."""
    print(f"[frozen] {text}", file=sys.stderr)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The bundle and installers, built once per session (or reused from ``BRIGADE_FROZEN_DIST``)."""
    reuse = os.environ.get("BRIGADE_FROZEN_DIST")
    if reuse:
        dist = Path(reuse).resolve()
    else:
        dist = tmp_path_factory.mktemp("frozen") / "dist"
        command = [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist)]
        command += ["--work", str(dist.parent / "work")]
        say("building: " + " ".join(command))
        # One build at a time on the machine (PyInstaller takes every core): the same lock
        # as `flock /tmp/brigade-build.lock python packaging/build.py`.
        with open(BUILD_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            subprocess.run(command, check=True, cwd=ROOT, timeout=BUILD_TIMEOUT)
    report = json.loads((dist / "artifacts.json").read_text())
    artifacts = [Path(a["path"]) for a in report["artifacts"]]
    debs = {p.name.split("_")[0]: p for p in artifacts if p.suffix == ".deb"}
    tarball = next(p for p in artifacts if p.name.endswith(".tar.gz"))
    return Build(dist, Path(report["bundle"]), debs, tarball, report)


def unpack(debs: list[Path], root: Path) -> Path:
    """Unpack ``debs`` into ``root`` the way dpkg would install them, without touching the host."""
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=300)
    return root


@pytest.fixture(scope="session")
def installed(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both packages unpacked into a throw-away root; returns the root."""
    return unpack(list(built.debs.values()), tmp_path_factory.mktemp("debroot"))


@pytest.fixture(scope="session")
def cli_only(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only the ``brigade-cli`` package unpacked into a throw-away root: a server install."""
    return unpack([built.debs["brigade-cli"]], tmp_path_factory.mktemp("cliroot"))


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment whose home, settings, data and history all live under ``home``."""
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "BRIGADE_DB": str(home / "history.sqlite3"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.update(extra)
    return env
