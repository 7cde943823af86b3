"""Jobs from the plugin folder: Python files and packages dropped into the user's data directory.

Installed packages declare jobs through the ``brigade.processors`` entry-point
group (see ``core.registry``); this module adds the simpler way: put
``myjobs.py`` (or a package folder) into ``plugin_dir()``. Every
``Processor`` subclass with a ``name`` defined in the module becomes a job,
or only those listed in its ``PROCESSORS`` sequence when it has one.

A module that fails to import is listed with its error; it never stops the
app. Worker processes import plugin modules by name, so the folder is put on
``sys.path`` (at the end: an installed module of the same name wins, and the
plugin is then reported as shadowed).
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from types import ModuleType

from core.processor import Processor
from core.registry import JobInfo

PLUGIN_DIR_ENV = "BRIGADE_PLUGIN_DIR"


def plugin_dir() -> str:
    """The plugin folder: ``$BRIGADE_PLUGIN_DIR``, else ``plugins`` in the user data folder."""
    override = os.environ.get(PLUGIN_DIR_ENV)
    if override:
        return os.path.abspath(override)
    from core.paths import data_dir

    return os.path.join(data_dir(), "plugins")


def ensure_on_path(folder: str | None = None) -> str:
    """Put the plugin folder on ``sys.path`` (once) and return it."""
    folder = folder or plugin_dir()
    if folder not in sys.path:
        sys.path.append(folder)
    return folder


def module_names(folder: str) -> list[str]:
    """Importable names in ``folder``: ``name.py`` files and ``name/__init__.py`` packages."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    names = []
    for e in entries:
        if e.name.startswith((".", "_")):
            continue
        if e.is_file() and e.name.endswith(".py"):
            names.append(e.name[:-3])
        elif e.is_dir() and os.path.isfile(os.path.join(e.path, "__init__.py")):
            names.append(e.name)
    return [n for n in names if n.isidentifier()]


def processors_of(module: ModuleType) -> list[type[Processor]]:
    """The jobs a plugin module offers."""
    listed = getattr(module, "PROCESSORS", None)
    if listed is not None:
        return [c for c in listed if isinstance(c, type) and issubclass(c, Processor)]
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Processor)
        and obj.__module__ == module.__name__
        and obj.name
    ]


@cache
def folder_jobs(folder: str | None = None) -> tuple[JobInfo, ...]:
    """Jobs found in the plugin folder (modules that failed to import carry their error)."""
    folder = ensure_on_path(folder)
    found: list[JobInfo] = []
    for name in module_names(folder):
        origin = f"plugin folder {os.path.join(folder, name)}"
        try:
            module = importlib.import_module(name)
            _check_location(module, folder)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is listed, not fatal
            found.append(JobInfo(name, name, origin, f"{type(exc).__name__}: {exc}"))
            continue
        for cls in processors_of(module):
            found.append(JobInfo(cls.name, f"{module.__name__}:{cls.__qualname__}", origin))
    return tuple(found)


def _check_location(module: ModuleType, folder: str) -> None:
    where = os.path.abspath(getattr(module, "__file__", None) or "")
    if not where.startswith(os.path.abspath(folder) + os.sep):
        raise ImportError(f"the name is taken by {where or 'a built-in module'}; rename the plugin file")
