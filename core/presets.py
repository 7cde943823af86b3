"""Job presets: the last parameters of each job, and named sets of parameters.

One JSON file in the user config folder (``~/.config/brigade/presets.json`` on
Linux), shared by the window and
``brigade-cli run --preset NAME``::

    {"version": 1,
     "last": {"resize": {"width": 800, ...}},
     "presets": {"web thumbnails": {"job": "thumbnail", "params": {"size": 256}}}}

Values are kept as given (plain JSON); the job checks them when a batch is
made, so a preset saved by an older version fails with the job's own message.
The file is rewritten whole through a temporary file and ``os.replace``: a
crash leaves the old file or the new one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.atomic import atomic_output

VERSION = 1
FILE_NAME = "presets.json"


class PresetError(ValueError):
    """A preset that cannot be used, named, read or written; the message says why."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of parameter values for one job."""

    name: str
    job: str
    params: Mapping[str, Any]

    def to_data(self) -> dict[str, Any]:
        return {"job": self.job, "params": dict(self.params)}


def default_path() -> str:
    """Where presets are kept: the user config folder (``XDG_CONFIG_HOME`` on Linux)."""
    import platformdirs  # only when a path is needed

    return os.path.join(platformdirs.user_config_dir("brigade", appauthor=False), FILE_NAME)


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as JSON values; anything else is refused (a preset must load back as it was)."""
    out = {}
    for key, value in params.items():
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise PresetError(f"parameter {key!r}: {type(value).__name__} values cannot be kept in a preset")
        out[str(key)] = value
    return out


def _presets_from(data: Any, source: str) -> dict[str, Preset]:
    if not isinstance(data, dict) or not isinstance(data.get("presets", {}), dict):
        raise PresetError(f"{source}: not a Brigade presets file")
    found = {}
    for name, entry in data.get("presets", {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("job"), str):
            raise PresetError(f"{source}: preset {name!r} names no job")
        params = entry.get("params", {})
        if not isinstance(params, dict):
            raise PresetError(f"{source}: preset {name!r} has no parameter table")
        found[str(name)] = Preset(str(name), entry["job"], _plain(params))
    return found


@dataclass(slots=True)
class PresetStore:
    """The presets file, loaded; every change is written at once.

    Not thread-safe: the window uses it on the GUI thread, the CLI on its main thread.
    """

    path: str = field(default_factory=default_path)
    last: dict[str, dict[str, Any]] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | None = None) -> PresetStore:
        """Load the file at ``path`` (default: ``default_path()``); a missing file is an empty store.

        Raises
        ------
        PresetError
            The file exists but is not a presets file (it is left as it is).
        """
        store = cls(path or default_path())
        try:
            with open(store.path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return store
        except (OSError, ValueError) as exc:
            raise PresetError(f"{store.path}: cannot be read: {exc}") from None
        store.presets = _presets_from(data, store.path)
        last = data.get("last", {})
        if isinstance(last, dict):
            store.last = {str(job): _plain(p) for job, p in last.items() if isinstance(p, dict)}
        return store

    # ------------------------------------------------------------ reading
    def names(self, job: str | None = None) -> list[str]:
        """Preset names (of ``job`` only, if given), sorted without regard to case."""
        names = (p.name for p in self.presets.values() if job is None or p.job == job)
        return sorted(names, key=str.casefold)

    def get(self, name: str) -> Preset:
        try:
            return self.presets[name]
        except KeyError:
            known = ", ".join(self.names()) or "none saved yet"
            raise PresetError(f"no preset named {name!r} (presets: {known})") from None

    def last_params(self, job: str) -> dict[str, Any]:
        """The parameters ``job`` last ran with (empty if never)."""
        return dict(self.last.get(job, {}))

    # ------------------------------------------------------------ changing
    def remember(self, job: str, params: Mapping[str, Any]) -> None:
        """Keep ``params`` as the last ones of ``job``."""
        self.last[job] = _plain(params)
        self.save()

    def put(self, name: str, job: str, params: Mapping[str, Any]) -> Preset:
        """Save (or replace) the preset ``name``."""
        name = name.strip()
        if not name:
            raise PresetError("a preset needs a name")
        preset = Preset(name, job, _plain(params))
        self.presets[name] = preset
        self.save()
        return preset

    def rename(self, old: str, new: str) -> None:
        new = new.strip()
        preset = self.get(old)
        if not new:
            raise PresetError("a preset needs a name")
        if new != old and new in self.presets:
            raise PresetError(f"a preset named {new!r} exists already")
        del self.presets[old]
        self.presets[new] = Preset(new, preset.job, preset.params)
        self.save()

    def delete(self, name: str) -> None:
        self.get(name)
        del self.presets[name]
        self.save()

    # ------------------------------------------------------------ files
    def export(self, path: str, names: list[str] | None = None) -> int:
        """Write the presets ``names`` (default: all) to ``path``; return how many."""
        chosen = [self.get(n) for n in (names if names is not None else self.names())]
        _write_json(path, {"version": VERSION, "presets": {p.name: p.to_data() for p in chosen}})
        return len(chosen)

    def import_file(self, path: str) -> list[str]:
        """Add the presets of ``path`` (a same name is replaced); return their names."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            raise PresetError(f"{path}: cannot be read: {exc}") from None
        found = _presets_from(data, path)
        self.presets.update(found)
        self.save()
        return sorted(found, key=str.casefold)

    def save(self) -> None:
        data = {
            "version": VERSION,
            "last": self.last,
            "presets": {name: p.to_data() for name, p in self.presets.items()},
        }
        _write_json(self.path, data)


def _write_json(path: str, data: Any) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with atomic_output(path, "w") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
    except OSError as exc:
        raise PresetError(f"{path}: cannot be written: {exc.strerror or exc}") from None
