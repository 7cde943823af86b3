"""What a task leaves behind when its Dask worker dies: a command's process group, a temp output.

A worker process reports each such resource as it takes it (``wire.RESOURCE``),
as a local worker does. The local engine cleans up after a dead worker itself;
on a cluster, the engine does it where it can reach: temp files through the
shared filesystem, process groups on this computer, or through a surviving
worker on the dead one's host.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import warnings
from collections.abc import Iterable, Iterator

log = logging.getLogger("brigade.cluster")


def remove(groups: Iterable[int], temps: Iterable[str]) -> None:
    """Kill the process groups ``groups`` and delete the files ``temps`` (those already gone are fine).

    Runs on the engine's computer, or on a Dask worker of the dead worker's host.
    """
    for pgid in groups:
        with contextlib.suppress(OSError, AttributeError):
            os.killpg(pgid, signal.SIGKILL)  # type: ignore[attr-defined,unused-ignore]
    for temp in temps:
        with contextlib.suppress(OSError):
            os.unlink(temp)


@contextlib.contextmanager
def dask_warnings_logged() -> Iterator[None]:
    """Send the warnings Dask raises meanwhile (a busy dashboard port, say) to the log, not the terminal."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        log.info("dask: %s", warning.message)
