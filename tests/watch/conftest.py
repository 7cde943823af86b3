"""A real engine with real history, a watch service on it, and a log of what the rules said."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest

from core.engine import Engine, EngineConfig
from core.store.recorder import StoreRecorder
from core.watch import FileEnded, FilesQueued, RuleState, RuleStatus, WatchEvent, WatchService, make_rule

SETTLE = 0.3  # short in tests: files are written at once, or in pieces well inside it
WAIT = 30.0  # seconds any awaited event may take on a loaded machine


class Heard:
    """Every WatchEvent the rules sent, with a way to wait for one (fed on the rules' threads)."""

    def __init__(self) -> None:
        self.events: list[WatchEvent] = []
        self.stamps: list[float] = []
        self._cond = threading.Condition()

    def __call__(self, event: WatchEvent) -> None:
        with self._cond:
            self.events.append(event)
            self.stamps.append(time.time())
            self._cond.notify_all()

    def wait(self, predicate: Callable[[Heard], bool], timeout: float = WAIT) -> None:
        with self._cond:
            heard = self._cond.wait_for(lambda: predicate(self), timeout)
            assert heard, f"not heard in time: {self.summary()}"

    def queued(self) -> list[str]:
        """Every path queued, in order (a path queued twice appears twice)."""
        return [p for e in list(self.events) if isinstance(e, FilesQueued) for p in e.paths]

    def ended(self, state: str | None = None) -> list[FileEnded]:
        return [e for e in list(self.events) if isinstance(e, FileEnded) and state in (None, e.state)]

    def statuses(self) -> list[RuleStatus]:
        return [e for e in list(self.events) if isinstance(e, RuleStatus)]

    def state(self) -> RuleState | None:
        statuses = self.statuses()
        return statuses[-1].state if statuses else None

    def summary(self) -> str:
        last = self.statuses()[-1:] or None
        return f"{len(self.queued())} queued, {len(self.ended())} ended, last status {last}"


class Watching:
    """Starts engines and services on one history database; stops them all at the end."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._running: list[tuple[Engine, WatchService]] = []

    def start(self, *rules, **limits) -> tuple[WatchService, Heard]:
        heard = Heard()
        engine = Engine(EngineConfig(workers=2), StoreRecorder.open(self.db)).start()
        service = WatchService(engine, self.db, heard)
        for rule in rules:
            service.add(rule, **limits)
        self._running.append((engine, service))
        return service.start(), heard

    def stop(self, service: WatchService) -> None:
        for engine, s in list(self._running):
            if s is service:
                self._running.remove((engine, s))
                s.stop_intake()
                engine.shutdown()
                assert s.close(WAIT)

    def stop_all(self) -> None:
        for _, service in list(self._running):
            self.stop(service)


@pytest.fixture
def watching(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    db = str(tmp_path / "history.sqlite3")
    monkeypatch.setenv("BRIGADE_DB", db)
    w = Watching(db)
    yield w
    w.stop_all()


@pytest.fixture
def inbox(tmp_path) -> str:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return str(folder)


def rule(folder: str, job: str = "checksum", **options):
    options.setdefault("settle", SETTLE)
    params = options.pop("params", {"algorithm": "xxh3_64"} if job == "checksum" else {})
    return make_rule(folder, job, params, **options)


def write(path: str, data: bytes | str = b"data") -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path
