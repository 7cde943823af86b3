"""``brigade-cli cluster check ADDRESS``: whether a cluster can run Brigade's tasks."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli import cluster_args
from core.cli.exitcodes import ExitCode


def register(sub: Any) -> None:
    """Add the ``cluster`` sub-command and its ``check``."""
    p = sub.add_parser("cluster", help="check a Dask cluster before running batches on it")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="list the workers and whether each can run this Brigade's tasks",
        description="Exit status 0: at least one worker can run tasks; 5: none can, or no scheduler.",
    )
    check.add_argument("address", metavar="ADDRESS", help="tls://host:8786, tcp://127.0.0.1:8786 or local:N")
    cluster_args.add_connection_arguments(check)
    check.set_defaults(handler=check_command, path_map=[])


def check_command(args: argparse.Namespace) -> int:
    """Print the cluster's workers; 0 if one can run tasks, ``CLUSTER_LOST`` if none can."""
    from core.cluster.config import ClusterError
    from core.cluster.probe import probe_cluster

    args.cluster = args.address
    config = cluster_args.cluster_config(args)
    assert config is not None  # an address was given
    cluster_args.quiet_dask_logging()
    try:
        info = probe_cluster(config, timeout=config.connect_timeout)
    except ClusterError as exc:
        print(f"brigade-cli: {exc}", file=sys.stderr)
        return ExitCode.CLUSTER_LOST
    for w in info.workers:
        state = "ok" if w.capable else ("no Brigade" if w.brigade is None else f"Brigade {w.brigade}")
        print(f"{w.address}  {w.cores} core{'s' if w.cores != 1 else ''}  {state}")
    problem = info.problem()
    print(f"{info.address}: {problem or info.summary()}", file=sys.stderr)
    return ExitCode.CLUSTER_LOST if problem else ExitCode.OK
