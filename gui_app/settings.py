"""The app's preferences: a typed wrapper over QSettings.

Values are checked on the way in (a setter raises ``ValueError``) and on the
way out (a hand-edited or stale file falls back to the default), so the rest
of the app always sees valid, typed values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from PySide6.QtCore import QSettings

from core.engine.api import default_workers

if TYPE_CHECKING:
    from core.cluster import ClusterConfig

THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
WHEN_DONE = ("nothing", "quit", "sleep", "shutdown")
LIBRARY_LOG_LEVELS = ("WARNING", "INFO", "DEBUG")  # other libraries' lines kept in task logs, from
TLS_KEYS = ("ca_file", "cert_file", "key_file")

T = TypeVar("T")

WORKERS_RANGE = (1, 256)
RETRIES_RANGE = (0, 10)


def _whole_number(value: int, name: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}")
    return value


def check_workers(value: int) -> int:
    """Return ``value`` if it is a valid worker count, else raise ``ValueError``."""
    return _whole_number(value, "workers", *WORKERS_RANGE)


def check_timeout(value: float | None) -> float | None:
    """Return ``value`` if it is ``None`` or a positive number of seconds, else raise ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError("timeout must be empty (no limit) or more than 0 seconds")
    return float(value)


def check_retries(value: int) -> int:
    """Return ``value`` if it is a valid retry count, else raise ``ValueError``."""
    return _whole_number(value, "retries", *RETRIES_RANGE)


def check_recycle_after(value: int | None) -> int | None:
    """Return ``value`` if it is ``None`` or a positive task count, else raise ``ValueError``."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("recycle after must be empty (never) or at least 1 task")
    return value


def _choice(allowed: tuple[str, ...], name: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        return value

    return check


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


class Stored(Generic[T]):
    """A preference kept under ``key`` in a ``Settings``' QSettings, as an attribute.

    ``check`` returns a valid value or raises ``ValueError``: a value set is
    checked before it is stored, and a stored one that fails (hand-edited,
    stale) reads as ``default``, as does a missing one.
    """

    def __init__(self, key: str, default: T, check: Callable[[Any], T]) -> None:
        self.key, self.default, self.check = key, default, check

    @overload
    def __get__(self, settings: None, owner: type[Settings]) -> Stored[T]: ...
    @overload
    def __get__(self, settings: Settings, owner: type[Settings]) -> T: ...
    def __get__(self, settings: Settings | None, owner: type[Settings]) -> T | Stored[T]:
        if settings is None:
            return self
        return settings._get(self.key, self.default, self.check)  # type: ignore[no-any-return]

    def __set__(self, settings: Settings, value: T) -> None:
        settings._set(self.key, self.check(value))


class Settings:
    """Brigade's preferences, read and written through ``QSettings``.

    Parameters
    ----------
    qsettings
        Where to keep them; by default the per-user native store of
        organisation "Brigade", application "Brigade". Tests pass a QSettings
        on a temporary ini file.
    """

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qsettings = qsettings if qsettings is not None else QSettings("Brigade", "Brigade")

    # -- raw access -------------------------------------------------------------------------------

    def _get(self, key: str, default: Any, check: Any) -> Any:
        raw = self.qsettings.value(key, None)
        if raw is None or raw == "":
            return default
        try:
            return check(_parse(raw, default))
        except (TypeError, ValueError):
            return default  # a hand-edited or stale value: keep the app usable

    def _set(self, key: str, value: Any) -> None:
        self.qsettings.setValue(key, "" if value is None else value)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.qsettings.sync()

    # -- engine -----------------------------------------------------------------------------------

    @property
    def workers(self) -> int:
        """Worker processes (default: one per core)."""
        return self._get("engine/workers", min(default_workers(), WORKERS_RANGE[1]), check_workers)

    @workers.setter
    def workers(self, value: int) -> None:
        self._set("engine/workers", check_workers(value))

    timeout = Stored("engine/timeout", None, check_timeout)
    """Seconds one task may run, or ``None`` for no limit."""

    retries = Stored("engine/retries", 0, check_retries)
    """How many times a failed task is run again."""

    library_log_level = Stored(
        "engine/library_log_level", "WARNING", _choice(LIBRARY_LOG_LEVELS, "log level")
    )
    """The least level of other libraries' log lines kept in task logs (``"WARNING"`` by default)."""

    recycle_after = Stored("engine/recycle_after", None, check_recycle_after)
    """Replace a worker after this many tasks (``None``: never)."""

    # -- appearance -------------------------------------------------------------------------------

    theme = Stored("ui/theme", "system", _choice(THEMES, "theme"))
    """``"system"``, ``"light"`` or ``"dark"``."""

    language = Stored("ui/language", "system", _choice(LANGUAGES, "language"))
    """``"system"``, ``"en"`` or ``"zh_CN"``."""

    when_done = Stored("ui/when_done", "nothing", _choice(WHEN_DONE, "when done"))
    """What to do when every batch has finished: one of ``WHEN_DONE``."""

    done_sound = Stored("ui/done_sound", False, _check_bool)
    """Play a sound when a batch ends (off by default)."""

    # -- history and cluster ----------------------------------------------------------------------

    @property
    def db_path(self) -> str | None:
        """The history database, or ``None`` for the default location."""
        return self._get("store/db_path", None, str)

    @db_path.setter
    def db_path(self, value: str | None) -> None:
        self._set("store/db_path", value or None)

    @property
    def cluster_address(self) -> str:
        """A Dask scheduler address (``tcp://host:8786``), or ``""`` to run locally."""
        return self._get("cluster/address", "", str)

    @cluster_address.setter
    def cluster_address(self, value: str) -> None:
        self._set("cluster/address", value.strip())

    @property
    def cluster_tls(self) -> dict[str, str]:
        """TLS files for the cluster: any of ``ca_file``, ``cert_file``, ``key_file``."""
        return self._get("cluster/tls", {}, _check_tls)

    @cluster_tls.setter
    def cluster_tls(self, value: dict[str, str]) -> None:
        clean = {k: v for k, v in _check_tls(value).items() if v}
        self._set("cluster/tls", json.dumps(clean, sort_keys=True) if clean else None)

    cluster_allow_insecure = Stored("cluster/allow_insecure", False, _check_bool)
    """Accept plain ``tcp://`` to another computer (unencrypted; off by default)."""

    @property
    def cluster_path_map(self) -> list[tuple[str, str]]:
        """Desktop folder prefixes and the workers' names for them, as (desktop, worker) pairs."""
        return self._get("cluster/path_map", [], check_path_map)

    @cluster_path_map.setter
    def cluster_path_map(self, value: list[tuple[str, str]]) -> None:
        pairs = check_path_map(value)
        self._set("cluster/path_map", json.dumps(pairs) if pairs else None)

    def cluster_config(self) -> ClusterConfig | None:
        """Where batches run: ``None`` for this computer, else the cluster these settings describe."""
        address = self.cluster_address
        if not address:
            return None
        from core.cluster import PathMap, config_from_settings

        return config_from_settings(
            address,
            self.cluster_tls,
            allow_insecure=self.cluster_allow_insecure,
            path_map=PathMap.from_pairs(self.cluster_path_map),
        )


def check_path_map(value: Any) -> list[tuple[str, str]]:
    """Return ``value`` as (desktop, worker) pairs of non-empty paths, else raise ``ValueError``."""
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list | tuple):
        raise ValueError("a path map is a list of (desktop path, worker path) pairs")
    pairs = []
    for pair in value:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(p, str) and p.strip() for p in pair)
        ):
            raise ValueError("each path map entry is a desktop path and a worker path")
        pairs.append((pair[0].strip(), pair[1].strip()))
    return pairs


def _check_tls(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("cluster TLS must map file roles to paths")
    unknown = set(value) - set(TLS_KEYS)
    if unknown:
        raise ValueError(f"unknown TLS file roles: {', '.join(sorted(unknown))}")
    return dict(value)


def _parse(raw: Any, default: Any) -> Any:
    """Turn what QSettings returns (strings in ini files) into the default's type."""
    if not isinstance(raw, str):
        return raw
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float) or (default is None and _looks_numeric(raw)):
        return float(raw) if "." in raw or "e" in raw.lower() else int(raw)
    return raw


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
