"""Run batches on a Dask cluster (optional: ``pip install 'brigade[cluster]'``).

The configuration, address checks and path mapping import nothing from Dask;
``DaskEngine`` and ``probe_cluster`` load it on first use and raise
``ClusterError`` with the install hint when it is missing. Every name is
loaded on first use, so a local run that only passes through
``core.cluster.factory`` loads none of them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from core.cluster.config import (
        INSTALL_HINT,
        ClusterConfig,
        ClusterError,
        TlsFiles,
        check_address,
        config_from_settings,
        is_loopback,
        parse_local,
    )
    from core.cluster.engine import DaskEngine
    from core.cluster.pathmap import PathMap
    from core.cluster.probe import ClusterInfo, WorkerInfo, probe_cluster

__all__ = [
    "INSTALL_HINT",
    "ClusterConfig",
    "ClusterError",
    "ClusterInfo",
    "DaskEngine",
    "PathMap",
    "TlsFiles",
    "WorkerInfo",
    "check_address",
    "config_from_settings",
    "dask_available",
    "is_loopback",
    "parse_local",
    "probe_cluster",
]

_NEEDS_DASK = {
    "DaskEngine": "core.cluster.engine",
    "probe_cluster": "core.cluster.probe",
    "ClusterInfo": "core.cluster.probe",
    "WorkerInfo": "core.cluster.probe",
}
_CONFIG_NAMES = (
    "INSTALL_HINT",
    "ClusterConfig",
    "ClusterError",
    "TlsFiles",
    "check_address",
    "config_from_settings",
    "is_loopback",
    "parse_local",
)
_PLAIN = {name: "core.cluster.config" for name in _CONFIG_NAMES} | {"PathMap": "core.cluster.pathmap"}


def dask_available() -> bool:
    """Whether the optional ``distributed`` package is installed."""
    return importlib.util.find_spec("distributed") is not None


def __getattr__(name: str) -> Any:
    module = _PLAIN.get(name)
    if module is None:
        module = _NEEDS_DASK.get(name)
        if module is None:
            raise AttributeError(f"module 'core.cluster' has no attribute {name!r}")
        if not dask_available():
            from core.cluster.config import INSTALL_HINT, ClusterError

            raise ClusterError(INSTALL_HINT)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
