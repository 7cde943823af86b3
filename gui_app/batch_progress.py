"""Batches as units: each one's running time, and the figures of the batches still running.

Plain Python (no Qt): the window's tick and its engine commands feed the
clocks; the status bar, the title and the batch filter read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gui_app.tasks_model import BatchRows, Counts


@dataclass(slots=True)
class RunClock:
    """Time a batch spent running: stopped while paused or finished, restarted by a retry."""

    total: float = 0.0
    since: float | None = None  # monotonic time it last started running; None while stopped

    def run(self, now: float) -> None:
        if self.since is None:
            self.since = now

    def stop(self, now: float) -> None:
        if self.since is not None:
            self.total += now - self.since
            self.since = None

    def elapsed(self, now: float) -> float:
        return self.total + (now - self.since if self.since is not None else 0.0)


@dataclass
class BatchClocks:
    """One ``RunClock`` per batch of this session. GUI thread only."""

    clocks: dict[int, RunClock] = field(default_factory=dict)

    def follow(self, batches: Iterable[BatchRows], now: float, *, paused: bool) -> None:
        """Run the clocks of batches with unfinished tasks (unless paused); stop the others."""
        for b in batches:
            clock = self.clocks.get(b.batch_id)
            if b.active and not paused:
                if clock is None:
                    clock = self.clocks[b.batch_id] = RunClock()
                clock.run(now)
            elif clock is not None:
                clock.stop(now)

    def start(self, batch_id: int, now: float) -> None:
        """A batch was accepted: its clock runs from now (before its first results arrive)."""
        self.clocks.setdefault(batch_id, RunClock()).run(now)

    def pause(self, now: float) -> None:
        for clock in self.clocks.values():
            clock.stop(now)

    def elapsed(self, batch_id: int, now: float) -> float | None:
        """Seconds ``batch_id`` has run in this session, ``None`` if it never ran here."""
        clock = self.clocks.get(batch_id)
        return clock.elapsed(now) if clock is not None else None

    def forget(self, batch_id: int) -> None:
        self.clocks.pop(batch_id, None)


@dataclass(slots=True)
class Progress:
    """The figures of a set of batches: counts, running time and estimated time left."""

    counts: Counts
    elapsed: float | None
    eta: float | None
    batches: int

    @property
    def done(self) -> int:
        return self.counts.total - self.counts.unfinished

    @property
    def percent(self) -> int:
        total = self.counts.total
        return 100 * self.done // total if total else 0


def progress_of(batches: Iterable[BatchRows], clocks: BatchClocks, now: float) -> Progress:
    """Figures of ``batches`` together; the ETA assumes the pace they have had so far."""
    counts, elapsed, n = Counts(), None, 0
    for b in batches:
        n += 1
        counts.add(b.counts)
        e = clocks.elapsed(b.batch_id, now)
        if e is not None:
            elapsed = max(elapsed or 0.0, e)
    eta = None
    if elapsed and counts.finished and counts.unfinished:
        eta = elapsed / counts.finished * counts.unfinished
    return Progress(counts, elapsed, eta, n)


def running(batches: Iterable[BatchRows]) -> list[BatchRows]:
    """The batches with tasks queued or running."""
    return [b for b in batches if b.active]
