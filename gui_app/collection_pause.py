"""Hold Python's cyclic garbage collector off while a flood of engine events is in flight.

Cancelling a million queued tasks makes a million finished-task events, which
live for seconds in the engine, the store's writer and the bridge's queue.
Each full collection meanwhile walks every one of them and frees nothing (the
events hold no cycles), stopping every thread of the app: at a million events,
close to a second each, several times. Reference counting still frees each
event as soon as it is drained; the collector comes back when the flood is
over (or after ``MAX_SECONDS``, whatever happens).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

FLOOD = 50_000  # tasks changed by one command from which collections are held off
MAX_SECONDS = 120.0  # the collector is never held off longer than this


class CollectionPause:
    """One hold at a time, released by ``check`` (called on the GUI thread's tick)."""

    def __init__(self) -> None:
        self._done: Callable[[], bool] | None = None
        self._since = 0.0

    @property
    def held(self) -> bool:
        return self._done is not None

    def hold(self, tasks: int, done: Callable[[], bool]) -> None:
        """Hold collections off if ``tasks`` is a flood, until ``done()`` says it has passed."""
        if tasks < FLOOD:
            return
        if self._done is None:
            self._since = time.monotonic()
            gc.disable()
        previous = self._done
        self._done = done if previous is None else (lambda: previous() and done())

    def check(self, backlog: int) -> None:
        """Let the collector run again once the flood is drained (``backlog`` events left)."""
        if self._done is None:
            return
        if (backlog == 0 and self._done()) or time.monotonic() - self._since > MAX_SECONDS:
            self.release()

    def release(self) -> None:
        if self._done is not None:
            self._done = None
            gc.enable()
