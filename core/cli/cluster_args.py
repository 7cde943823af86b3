"""Command-line options that send a run to a Dask cluster instead of the local pool."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from core.backend import Backend
    from core.cluster.config import ClusterConfig
    from core.engine import EngineConfig, Recorder
    from core.model import BatchSpec


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
    g.add_argument(
        "--no-worker-timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="interrupt the tasks (resumable) when no worker ran one for this long (default: 60)",
    )
    g.add_argument(
        "--lost-timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="end the run when the scheduler is lost this long, reconnecting included (default: 30)",
    )


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


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
        return _with_limits(ClusterConfig(address, tls, args.allow_insecure, path_map), args).checked()
    except (ValueError, ClusterError) as exc:
        raise UsageError(str(exc)) from None


def _with_limits(config: ClusterConfig, args: argparse.Namespace) -> ClusterConfig:
    """``config`` with the options' run-time limits (``cluster check`` has none: it runs no tasks)."""
    import dataclasses

    return dataclasses.replace(
        config,
        no_worker_timeout=getattr(args, "no_worker_timeout", config.no_worker_timeout),
        lost_timeout=getattr(args, "lost_timeout", config.lost_timeout),
    )


def make_engine(
    args: argparse.Namespace,
    config: EngineConfig,
    recorder: Recorder | None,
    cluster: ClusterConfig | bool | None = True,
) -> Backend:
    """Return the engine that runs this batch: the local pool unless a cluster was asked for.

    A cluster engine is connected here, so an unreachable scheduler is a clear
    error before anything runs, and its workers are asked whether they can
    run the tasks. ``cluster``: the configuration to use, or ``True`` to read
    it from the options.
    """
    from core.cli import UsageError
    from core.cluster.factory import make_backend

    if cluster is True:
        cluster = cluster_config(args)
    if not cluster:
        return make_backend(None, config, recorder)
    from core.cluster.config import ClusterError

    quiet_dask_logging()
    try:
        engine = make_backend(cluster, config, recorder)
    except ClusterError as exc:
        raise UsageError(str(exc)) from None
    require_capable_worker(engine)
    return engine


HERE = "here"
_WHERE_KEYS = ("backend", "scheduler", "path_map")


def rerun_engine(
    args: argparse.Namespace, spec: BatchSpec, config: EngineConfig, recorder: Recorder | None
) -> tuple[Backend, BatchSpec, str]:
    """The engine that runs a stored batch again, the spec to give it, and where that is (for people).

    Without ``--cluster`` the batch runs where it ran before (its ``extra``
    says so, with its path map); ``--cluster here`` runs it on this computer.
    """
    from core.cli import UsageError

    stored = spec.extra
    address = (args.cluster or "").strip()
    cluster: ClusterConfig | None
    if address == HERE:
        args.cluster = None
        cluster = cluster_config(args)
    elif not address and stored.get("backend") == "dask":
        from core.cluster.config import ClusterConfig, ClusterError, TlsFiles
        from core.cluster.pathmap import PathMap

        pairs = (
            PathMap.parse(args.path_map) if args.path_map else PathMap.from_pairs(stored.get("path_map", ()))
        )
        tls = TlsFiles(args.tls_ca, args.tls_cert, args.tls_key)
        try:
            where = str(stored["scheduler"])
            cluster = _with_limits(ClusterConfig(where, tls, args.allow_insecure, pairs), args).checked()
        except ClusterError as exc:
            raise UsageError(
                f"{exc} (the batch ran there; --cluster here runs it on this computer)"
            ) from None
    else:
        cluster = cluster_config(args)
    if cluster is None:  # this computer: the batch no longer says it runs on a cluster
        spec = spec.replace(extra={k: v for k, v in stored.items() if k not in _WHERE_KEYS})
    engine = make_engine(args, config, recorder, cluster)
    where = "on this computer" if cluster is None else f"on the Dask cluster at {cluster.address}"
    return engine, spec, where


def where_it_ran(extra: Mapping[str, Any]) -> str:
    """Where a stored batch ran, for people: ``here`` or the scheduler's address."""
    return str(extra.get("scheduler", HERE)) if extra.get("backend") == "dask" else HERE


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
        # A logger of theirs without a handler would reach Python's last-resort handler, which prints.
        logging.getLogger(name).handlers[:] = [logging.NullHandler()]
    logging.getLogger("distributed").propagate = False
