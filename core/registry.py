"""Find jobs by name: the built-in ones and those of installed plugins.

A job is named by a *reference* ``"module:Class"``; the engine sends the
reference to worker processes, which import it themselves, so a plugin that
fails to import fails its tasks and never the app.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from core.processor import Processor

ENTRY_POINT_GROUP = "brigade.processors"

BUILTIN: dict[str, str] = {
    "checksum": "core.processors.checksum:Checksum",
    "verify": "core.processors.verify:Verify",
    "compress": "core.processors.compress:Compress",
    "decompress": "core.processors.compress:Decompress",
    "resize": "core.processors.images:Resize",
    "thumbnail": "core.processors.images:Thumbnail",
    "convert-image": "core.processors.images:ConvertImage",
    "transcode": "core.processors.text:Transcode",
    "line-endings": "core.processors.text:LineEndings",
    "replace": "core.processors.text:Replace",
    "text-stats": "core.processors.text:TextStats",
    "command": "core.processors.command:Command",
}


class UnknownJobError(LookupError):
    """No job has the given name."""


@dataclass(slots=True)
class JobInfo:
    """A job that can be run (or a plugin that failed to load, with its error).

    Read-only by contract, not frozen.
    """

    name: str
    ref: str
    origin: str
    error: str | None = None


def load_ref(ref: str) -> type[Processor]:
    """Import the processor class named by ``"module:Class"``.

    A module not found on ``sys.path`` is looked for once more in the plugin
    folder (a worker process learns of that folder only here).
    """
    module_name, _, attr = ref.partition(":")
    try:
        obj = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name.split(".")[0]:
            raise
        from core.plugins import ensure_on_path

        ensure_on_path()
        obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Processor)):
        raise TypeError(f"{ref} is not a Processor subclass")
    return obj


@cache
def plugin_jobs() -> tuple[JobInfo, ...]:
    """Jobs declared by installed packages in the ``brigade.processors`` group."""
    found = []
    from importlib.metadata import entry_points  # slow to import: only when plugins are listed

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"plugin {ep.dist.name if ep.dist else ep.value}"
        try:
            cls = load_ref(ep.value)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is listed, not fatal
            found.append(JobInfo(ep.name, ep.value, origin, f"{type(exc).__name__}: {exc}"))
            continue
        found.append(JobInfo(cls.name or ep.name, ep.value, origin))
    return tuple(found)


def all_jobs() -> list[JobInfo]:
    """Every job: built-in, then installed plugins, then the plugin folder.

    Broken plugins carry their error; a plugin job whose name is taken
    already is listed with an error saying by whom, and never replaces it.
    """
    from core.plugins import folder_jobs

    jobs = [JobInfo(name, ref, "built-in") for name, ref in BUILTIN.items()]
    owner = {name: "built-in" for name in BUILTIN}
    for info in (*plugin_jobs(), *folder_jobs()):
        if info.error is None and info.name in owner:
            info = JobInfo(info.name, info.ref, info.origin, f"the name is taken by {owner[info.name]}")
        jobs.append(info)
        if info.error is None:
            owner[info.name] = info.origin
    return jobs


def refresh() -> None:
    """Forget what was found, so newly installed or dropped plugins are seen."""
    from core.plugins import folder_jobs

    plugin_jobs.cache_clear()
    folder_jobs.cache_clear()


def job_ref(name: str) -> str:
    """Return the reference of the job called ``name``.

    A name of the form ``"package.module:Class"`` is taken as a reference
    itself, so a job can be run without registering it first.
    """
    if name in BUILTIN:
        return BUILTIN[name]
    if ":" in name:
        try:
            load_ref(name)
        except Exception as exc:
            raise UnknownJobError(f"job '{name}' could not be loaded: {type(exc).__name__}: {exc}") from exc
        return name
    broken = None
    for info in all_jobs():
        if info.name == name:
            if not info.error:
                return info.ref
            broken = broken or info
    if broken is not None:
        raise UnknownJobError(f"job '{name}' could not be loaded: {broken.error}")
    names = ", ".join(i.name for i in all_jobs() if not i.error)
    raise UnknownJobError(f"unknown job '{name}'; available: {names}")


def processor_class(name: str) -> type[Processor]:
    """Return the processor class of the job called ``name``."""
    return load_ref(job_ref(name))
