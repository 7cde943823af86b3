"""Command-line options that send a run to a Dask cluster instead of the local pool."""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False  # no ``typing`` at run time: ``run`` loads this module before its first task
if TYPE_CHECKING:
    from typing import Any

    from core.backend import Backend
    from core.cluster.config import ClusterConfig
    from core.engine import EngineConfig, Recorder


def add_arguments(parser: Any, default_help: str = "") -> None:
    """Add the cluster options to ``parser`` (``default_help``: what no ``--cluster`` means)."""
    g = parser.add_argument_group("cluster (Dask; needs pip install 'brigade[cluster]')")
    g.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tls://host:8786), or start local:N worker processes on 127.0.0.1"
        + default_help,
    )
    add_connection_arguments(g)
    g.add_argument(
        "--path-map",
        action="append",
        default=[],
        metavar="SRC=DST",
        help="workers see the folder SRC of this computer as DST (repeatable)",
    )


def add_connection_arguments(g: Any) -> None:
    """Add how to reach a scheduler safely: the TLS files and the insecure opt-in."""
    g.add_argument(
        "--allow-insecure",
        action="store_true",
        help="accept plain tcp:// to another computer (unencrypted; anyone on the network can use it)",
    )
    g.add_argument("--tls-ca", metavar="FILE", default="", help="CA certificate of the cluster (PEM)")
    g.add_argument("--tls-cert", metavar="FILE", default="", help="this client's certificate (PEM)")
    g.add_argument("--tls-key", metavar="FILE", default="", help="this client's private key (PEM)")


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

    quiet_dask_logging()
    try:
        engine = make_backend(cluster, config, recorder)
    except ClusterError as exc:
        raise UsageError(str(exc)) from None
    require_capable_worker(engine)
    return engine


def require_capable_worker(engine: Any) -> None:
    """Exit (``ExitCode.CLUSTER_LOST``) with one line unless a worker can run this Brigade's tasks."""
    from core.cli.exitcodes import ExitCode
    from core.cluster.config import ClusterError

    try:
        problem = engine.check_workers().problem()
    except ClusterError as exc:
        problem = str(exc)
    if problem:
        engine.disconnect()
        print(f"brigade-cli: {problem}", file=sys.stderr)
        raise SystemExit(ExitCode.CLUSTER_LOST)


def quiet_dask_logging() -> None:
    """Keep Dask's own log records (reconnect attempts, tracebacks) off the terminal.

    Brigade says what happened to the run in one line of its own (a lost
    scheduler, no worker); Dask's records of it, a traceback a second while
    it reconnects, are dropped. Dask sets its handlers up when it is imported.
    """
    import logging

    try:
        import distributed  # noqa: F401 - its import installs the handlers taken off here
    except ImportError:
        return  # make_backend says how to install it
    # Dask gives some of its loggers handlers of their own (``distributed.client``...).
    names = [n for n in logging.root.manager.loggerDict if n == "distributed" or n.startswith("distributed.")]
    for name in names:
        logging.getLogger(name).handlers.clear()
    logging.getLogger("distributed").propagate = False
