"""Run batches on a Dask cluster (optional: ``pip install 'brigade[cluster]'``).

The configuration, address checks and path mapping import nothing from Dask;
``DaskEngine`` and ``probe_cluster`` load it on first use and raise
``ClusterError`` with the install hint when it is missing.
"""

from __future__ import annotations

import importlib.util
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
from core.cluster.pathmap import PathMap

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

_LAZY = {
    "DaskEngine": "core.cluster.engine",
    "probe_cluster": "core.cluster.probe",
    "ClusterInfo": "core.cluster.probe",
    "WorkerInfo": "core.cluster.probe",
}


def dask_available() -> bool:
    """Whether the optional ``distributed`` package is installed."""
    return importlib.util.find_spec("distributed") is not None


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'core.cluster' has no attribute {name!r}")
    if not dask_available():
        raise ClusterError(INSTALL_HINT)
    return getattr(importlib.import_module(module), name)
