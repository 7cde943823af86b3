"""Test a cluster: which workers there are, their cores, and whether they can run Brigade's tasks.

The desktop's "Test connection", ``brigade-cli cluster check`` and the check
``brigade-cli run --cluster`` makes before submitting all ask the same
question here: can at least one worker import this version of Brigade?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import __version__
from core.cluster.config import ClusterConfig, ClusterError, security_of


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One Dask worker as the scheduler describes it."""

    address: str
    name: str
    cores: int
    memory: int
    brigade: str | None  # Brigade's version there, or None when it cannot import it

    @property
    def capable(self) -> bool:
        """Whether it runs this Brigade's tasks (the same version: tasks travel as its own records)."""
        return self.brigade == __version__


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """What ``probe_cluster`` found."""

    address: str
    workers: tuple[WorkerInfo, ...]

    @property
    def cores(self) -> int:
        return sum(w.cores for w in self.workers)

    @property
    def capable(self) -> tuple[WorkerInfo, ...]:
        """The workers that can run this Brigade's tasks."""
        return tuple(w for w in self.workers if w.capable)

    def summary(self) -> str:
        """One line for people: workers, cores, and any worker without (this) Brigade."""
        n = len(self.workers)
        text = f"{n} worker{'s' if n != 1 else ''}, {self.cores} core{'s' if self.cores != 1 else ''}"
        missing = [w for w in self.workers if w.brigade is None]
        other = [w for w in self.workers if w.brigade not in (None, __version__)]
        if missing:
            text += f"; {len(missing)} cannot import Brigade"
        if other:
            text += f"; {len(other)} with another Brigade version"
        return text

    def problem(self) -> str | None:
        """Why no task could run here (one line), or ``None`` when a worker can run them."""
        if self.capable:
            return None
        if not self.workers:
            return f"the Dask scheduler at {self.address} has no worker"
        return (
            f"no worker at {self.address} can run Brigade {__version__} tasks ({self.summary()}); "
            "install the same Brigade, Python and plugins on the workers (docs/cluster.md)"
        )


def probe_cluster(config: ClusterConfig, timeout: float = 10.0) -> ClusterInfo:
    """Connect, list the workers and their cores, and disconnect. Blocks: call it off the GUI thread.

    Raises
    ------
    ClusterError
        When the address is refused by the security checks or the scheduler cannot be reached.
    """
    config.checked()
    if config.local_workers:
        return probe_local(config)
    from core.cluster.client import close_client, open_client

    try:
        client = open_client(config.address, security_of(config), timeout)
    except Exception as exc:
        raise ClusterError(f"cannot connect to {config.address}: {type(exc).__name__}: {exc}") from exc
    try:
        return describe(client, config.address)
    finally:
        close_client(client)


def probe_local(config: ClusterConfig) -> ClusterInfo:
    """What ``local:N`` will be: N one-core workers running this very Brigade."""
    n = config.local_workers
    local = tuple(WorkerInfo(f"local worker {i + 1}", str(i), 1, 0, __version__) for i in range(n))
    return ClusterInfo(config.address, local)


def describe(client: Any, address: str) -> ClusterInfo:
    """The workers of a connected ``client``'s scheduler, each with the Brigade version it can import."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    versions = _versions(client)
    found = tuple(
        WorkerInfo(
            address,
            str(info.get("name", address)),
            int(info.get("nthreads", 0)),
            int(info.get("memory_limit") or 0),
            versions.get(address),
        )
        for address, info in sorted(workers.items())
    )
    return ClusterInfo(address, found)


def _versions(client: Any) -> dict[str, str | None]:
    from core.cluster.remote import brigade_version

    # A worker that cannot import Brigade cannot unpickle the call either: it answers an error.
    try:
        out = client.run(brigade_version, on_error="return")
    except Exception:  # noqa: BLE001 - reported as unknown
        return {}
    return {a: v if isinstance(v, str) else None for a, v in out.items()}
