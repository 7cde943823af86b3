"""Command-line options that send a run to a Dask cluster instead of the local pool."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # no ``typing`` at run time: ``run`` loads this module before its first task
if TYPE_CHECKING:
    from typing import Any

    from core.backend import Backend
    from core.cluster.config import ClusterConfig
    from core.engine import EngineConfig, Recorder


def add_arguments(parser: Any) -> None:
    """Add the cluster options to ``parser``."""
    g = parser.add_argument_group("cluster (Dask; needs pip install 'brigade[cluster]')")
    g.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tls://host:8786), or start local:N worker processes on 127.0.0.1",
    )
    g.add_argument(
        "--allow-insecure",
        action="store_true",
        help="accept plain tcp:// to another computer (unencrypted; anyone on the network can use it)",
    )
    g.add_argument("--tls-ca", metavar="FILE", default="", help="CA certificate of the cluster (PEM)")
    g.add_argument("--tls-cert", metavar="FILE", default="", help="this client's certificate (PEM)")
    g.add_argument("--tls-key", metavar="FILE", default="", help="this client's private key (PEM)")
    g.add_argument(
        "--path-map",
        action="append",
        default=[],
        metavar="SRC=DST",
        help="workers see the folder SRC of this computer as DST (repeatable)",
    )


def cluster_config(args: argparse.Namespace) -> ClusterConfig | None:
    """Return the checked cluster configuration the options describe, or ``None`` for the local pool.

    Raises
    ------
    core.cli.UsageError
        For cluster options without ``--cluster``, a malformed path map, or an unsafe address.
    """
    from core.cli import UsageError

    address = (getattr(args, "cluster", None) or "").strip()
    if not address:
        if args.tls_ca or args.tls_cert or args.tls_key or args.path_map or args.allow_insecure:
            raise UsageError("--tls-*, --path-map and --allow-insecure need --cluster")
        return None
    # Imported only for a cluster run: a local run starts sooner without them.
    from core.cluster.config import ClusterConfig, ClusterError, TlsFiles
    from core.cluster.pathmap import PathMap

    tls = TlsFiles(args.tls_ca, args.tls_cert, args.tls_key)
    try:
        path_map = PathMap.parse(args.path_map)
        return ClusterConfig(address, tls, args.allow_insecure, path_map).checked()
    except (ValueError, ClusterError) as exc:
        raise UsageError(str(exc)) from None


def make_engine(args: argparse.Namespace, config: EngineConfig, recorder: Recorder | None) -> Backend:
    """Return the engine that runs this batch: the local pool unless a cluster was asked for.

    A cluster engine is connected here, so an unreachable scheduler is a clear
    error before anything runs.
    """
    from core.cli import UsageError
    from core.cluster.factory import make_backend

    cluster = cluster_config(args)
    if cluster is None:
        return make_backend(None, config, recorder)
    from core.cluster.config import ClusterError

    try:
        return make_backend(cluster, config, recorder)
    except ClusterError as exc:
        raise UsageError(str(exc)) from None
