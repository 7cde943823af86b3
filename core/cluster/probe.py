"""Test a cluster connection: which workers there are, their cores, and whether they have Brigade."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """What ``probe_cluster`` found."""

    address: str
    workers: tuple[WorkerInfo, ...]

    @property
    def cores(self) -> int:
        return sum(w.cores for w in self.workers)

    def summary(self) -> str:
        """One line for people: workers, cores, and any worker without (this) Brigade."""
        n = len(self.workers)
        text = f"{n} worker{'s' if n != 1 else ''}, {self.cores} core{'s' if self.cores != 1 else ''}"
        missing = [w for w in self.workers if w.brigade is None]
        other = [w for w in self.workers if w.brigade not in (None, __version__)]
        if missing:
            text += f"; {len(missing)} without Brigade installed (their tasks would fail)"
        if other:
            text += f"; {len(other)} with another Brigade version"
        return text


def probe_cluster(config: ClusterConfig, timeout: float = 10.0) -> ClusterInfo:
    """Connect, list the workers and their cores, and disconnect. Blocks: call it off the GUI thread.

    Raises
    ------
    ClusterError
        When the address is refused by the security checks or the scheduler cannot be reached.
    """
    config.checked()
    n = config.local_workers
    if n:
        local = tuple(WorkerInfo(f"local worker {i + 1}", str(i), 1, 0, __version__) for i in range(n))
        return ClusterInfo(config.address, local)
    from core.cluster.client import close_client, open_client

    try:
        client = open_client(config.address, security_of(config), timeout)
    except Exception as exc:
        raise ClusterError(f"cannot connect to {config.address}: {type(exc).__name__}: {exc}") from exc
    try:
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
    finally:
        close_client(client)
    return ClusterInfo(config.address, found)


def _versions(client: object) -> dict[str, str | None]:
    from core.cluster.remote import brigade_version

    try:
        out = client.run(brigade_version, on_error="return")  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - reported as unknown
        return {}
    return {a: v if isinstance(v, str) else None for a, v in out.items()}
