from __future__ import annotations

import hashlib
import os
import sys

import pytest

from core.discovery import Filters, discover
from core.engine import Engine, EngineConfig
from core.model import BatchOptions, BatchSpec
from core.store import JobStore

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOB = "tests.store.jobs:CountingJob"


def make_files(folder, n: int, size: int = 64) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(n):
        p = os.path.join(folder, f"f{i:04d}.bin")
        with open(p, "wb") as f:
            f.write(hashlib.sha256(str(i).encode()).digest() * (size // 32))
        paths.append(p)
    return paths


def spec_for(folder, job: str = "checksum", params=None, options=None) -> BatchSpec:
    found = discover([str(folder)], Filters())
    return BatchSpec(
        job, params or {}, found.paths, options or BatchOptions(), sizes=found.sizes, mtimes=found.mtimes
    )


def run_spec(store: JobStore, spec: BatchSpec, workers: int = 2, timeout: float = 60):
    """Run one batch through a real engine recording into ``store``; return (batch id, finished event)."""
    with Engine(EngineConfig(workers=workers), recorder=store.recorder()) as engine:
        handle = engine.submit(spec)
        finished = handle.wait(timeout)
        assert finished is not None, "the batch did not finish in time"
        return handle.batch_id, finished


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "core.cli", *args]


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "history.sqlite3")


@pytest.fixture
def store(db):
    s = JobStore.open(db)
    yield s
    s.close()
