"""Choose the engine that runs batches: the local pool, or a Dask cluster.

The CLI (``--cluster``) and the desktop app (Settings → Cluster) both build
their engine here, so the two make the same choice from the same settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.backend import Backend
    from core.cluster.config import ClusterConfig
    from core.engine import EngineConfig, Recorder


def make_backend(
    cluster: ClusterConfig | None,
    config: EngineConfig,
    recorder: Recorder | None = None,
    *,
    connect: bool = True,
) -> Backend:
    """Return the local ``Engine`` when ``cluster`` is ``None``, else a ``DaskEngine`` for it.

    Parameters
    ----------
    cluster
        Where to run; ``None`` runs on worker processes of this computer.
    config
        The engine settings (the cluster engine uses only ``kill_grace``).
    recorder
        The job store's recorder, if any.
    connect
        Connect to the cluster now (blocks for up to ``cluster.connect_timeout``
        seconds). Without it the engine connects when its loop starts, so a
        caller that must not block (the desktop app) connects on the engine thread.

    Raises
    ------
    ClusterError
        When the cluster backend is not installed, the address is refused by
        the security checks, or (with ``connect``) the cluster cannot be reached.
    """
    if cluster is None:
        from core.engine import Engine

        return Engine(config, recorder)
    # Only a cluster run pays for the cluster code.
    from core.cluster import dask_available
    from core.cluster.config import INSTALL_HINT, ClusterError

    if not dask_available():
        raise ClusterError(INSTALL_HINT)
    from core.cluster.engine import DaskEngine

    engine = DaskEngine(cluster, recorder, config)
    if connect:
        engine.connect()
    return engine
