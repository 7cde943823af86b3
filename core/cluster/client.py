"""A Dask ``Client`` on an event loop thread of its own, which always ends with it.

``distributed.Client(address)`` starts a shared "IO loop" thread and, when it
cannot connect (nobody listening, a refused TLS handshake), raises without
stopping that thread: every failed attempt leaves one thread behind, which a
desktop app that retries (the "Test connection" button, new settings) piles
up. Here the loop belongs to us: it stops when connecting fails and when the
client is closed.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from typing import Any

_LOOP_ATTR = "_brigade_loop"


class ClientLoop:
    """A Tornado IO loop running on a daemon thread until ``stop``."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.loop: Any = None
        self._stop: asyncio.Event | None = None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="brigade-dask-client", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the Dask client's event loop did not start")

    def _run(self, ready: threading.Event) -> None:
        from tornado.ioloop import IOLoop

        async def main() -> None:
            self.loop = IOLoop.current()
            self._stop = asyncio.Event()
            ready.set()
            await self._stop.wait()

        asyncio.run(main())

    def stop(self, timeout: float = 10.0) -> None:
        """End the loop and wait for its thread (idempotent)."""
        if self.loop is not None and self._stop is not None and self._thread.is_alive():
            self.loop.add_callback(self._stop.set)
        self._thread.join(timeout)


def open_client(address: str, security: Any, timeout: float) -> Any:
    """Connect a ``distributed.Client`` to ``address`` on a loop of its own; close it with ``close_client``.

    Raises
    ------
    Exception
        Whatever ``distributed.Client`` raises; the loop thread is stopped first.
    """
    from distributed import Client

    finalize_failed_clients()
    owner = ClientLoop()
    try:
        client = Client(address, security=security, timeout=timeout, set_as_default=False, loop=owner.loop)
    except BaseException:
        owner.stop()
        raise
    setattr(client, _LOOP_ATTR, owner)
    return client


def finalize_failed_clients() -> None:
    """Close now, by a collection, the ``Client`` objects of earlier failed connections.

    A ``Client`` whose constructor raised can be left "connecting", in a
    reference cycle. Its ``__del__`` closes it whenever a collection happens
    to run, which may be inside the next ``Client``'s start while that holds
    ``LoopRunner``'s class-wide lock: ``close`` then waits for that lock
    forever, on the thread that holds it. Collected here, before a new
    client, no such lock is held.
    """
    gc.collect()


def close_client(client: Any) -> None:
    """Close ``client``, then stop the loop ``open_client`` gave it (if it has one)."""
    owner = getattr(client, _LOOP_ATTR, None)
    try:
        client.close()
    finally:
        if owner is not None:
            owner.stop()
