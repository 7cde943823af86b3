"""The engine's side of the control variable: set on a thread of its own.

Setting a Dask ``Variable`` waits for the scheduler. When the scheduler has
just gone, the client may not know yet and the call waits for its reconnect
attempts; on the engine thread that would stall Ctrl-C and the scheduler
watch. Here only the newest value waits, on this thread: the engine hands
it over and goes on.
"""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

log = logging.getLogger("brigade.cluster")


class ControlSender:
    """Sets the Dask ``Variable`` ``name`` to the newest value handed to ``put``, in order."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self._cond = threading.Condition()
        self._value: Any = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="brigade-dask-control", daemon=True)
        self._thread.start()

    def put(self, value: Any) -> None:
        """Send a copy of ``value`` (the engine goes on changing its own); an older unsent one is dropped."""
        with self._cond:
            self._value = copy.deepcopy(value)
            self._cond.notify()

    def close(self) -> None:
        """Stop the thread; a value not sent yet is dropped (the variable is deleted next)."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        from distributed import Variable

        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._value is not None)
                if self._closed:
                    return
                value, self._value = self._value, None
            try:
                Variable(self.name, client=self.client).set(value)
            except Exception:
                # The engine's scheduler watch tells people (once) when the scheduler is lost.
                log.debug("could not update the cluster's control variable", exc_info=True)
