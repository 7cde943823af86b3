"""A watch rule: which folder, which files, which job, and what happens to an input afterwards."""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.output import DEFAULT_SUBFOLDER, OutputError, OutputPolicy
from core.params import ParamError, resolve_params
from core.registry import UnknownJobError, processor_class

DEFAULT_SETTLE = 2.0
DEFAULT_RESCAN = 60.0


class RuleError(ValueError):
    """A rule that cannot work: an unknown job, a bad parameter, a missing confirmation."""


class OnDone(enum.StrEnum):
    """What becomes of an input once its task is done."""

    KEEP = "keep"
    MOVE = "move"  # to the rule's done folder
    DELETE = "delete"  # only with ``confirm_delete``


@dataclass(frozen=True, slots=True)
class WatchRule:
    """One watched folder and the job run on each file that lands in it.

    Attributes
    ----------
    name
        Names the rule in history and in the watch table; a file done under
        one name is not done under another.
    folder
        The watched folder (absolute).
    job, params
        The job's name and its checked parameters.
    recursive
        Watch sub-folders too.
    include, exclude
        Globs on the file name or the path relative to ``folder``; no
        ``include`` means every file.
    output
        The output policy (``OutputPolicy.to_data()``), ``None`` for a job
        that writes no file.
    on_done
        Keep, move (to ``done_folder``) or delete the input of a done task.
    done_folder, failed_folder
        Where done inputs (``on_done = move``) and failed inputs go;
        ``None``: failed inputs stay where they are.
    confirm_delete
        Must be true for ``on_done = delete``.
    settle
        Seconds a file's size and mtime must stay unchanged before it is queued.
    rescan
        Seconds between full rescans of the folder, for shares whose changes
        send no events (0: never, events only).
    digest
        Tell a file's content by its digest, not by its size and mtime.
    """

    name: str
    folder: str
    job: str
    params: Mapping[str, Any] = field(default_factory=dict)
    recursive: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    output: Mapping[str, Any] | None = None
    on_done: OnDone = OnDone.KEEP
    done_folder: str | None = None
    failed_folder: str | None = None
    confirm_delete: bool = False
    settle: float = DEFAULT_SETTLE
    rescan: float = DEFAULT_RESCAN
    digest: bool = False

    def policy(self) -> OutputPolicy | None:
        """The output policy, or ``None`` when the job writes nothing."""
        return None if self.output is None else OutputPolicy.from_data(self.output)

    def output_subtrees(self) -> tuple[str, ...]:
        """Folders under which this rule's own files land: never inputs."""
        folders = [self.done_folder, self.failed_folder]
        policy = self.policy()
        if policy is not None and policy.folder:
            folders.append(policy.folder)
        return tuple(os.path.abspath(f) for f in folders if f)

    def output_folder_names(self) -> tuple[str, ...]:
        """Names of the output folders made beside each input (``brigade-<job>``)."""
        policy = self.policy()
        if policy is None or policy.folder or not policy.subfolder:
            return ()
        return (os.path.normpath(policy.subfolder.format(job=self.job)).split(os.sep)[0],)


def make_rule(
    folder: str,
    job: str,
    params: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    output: Mapping[str, Any] | None = None,
    **options: Any,
) -> WatchRule:
    """Build a checked rule; raise ``RuleError`` for anything that would not work.

    ``params`` are typed values (they are validated against the job);
    ``output`` is policy data, defaulted for a job that writes files.
    """
    folder = os.path.abspath(os.path.expanduser(folder))
    try:
        cls = processor_class(job)
        checked = resolve_params(cls.params, dict(params or {}))
    except (UnknownJobError, ParamError) as exc:
        raise RuleError(str(exc)) from None
    writes = cls.writes_outputs and cls.writes_with(checked)
    policy_data = _output_data(output, writes, folder)
    for key in ("done_folder", "failed_folder"):
        if options.get(key):
            options[key] = os.path.abspath(os.path.expanduser(options[key]))
    _check_types(options)
    if "on_done" in options:
        options["on_done"] = _on_done(options["on_done"])
    rule = WatchRule(name or default_name(folder, job), folder, job, checked, output=policy_data, **options)
    check_rule(rule)
    return rule


_FLAGS = ("recursive", "confirm_delete", "digest")
_SECONDS = ("settle", "rescan")


def _check_types(options: dict[str, Any]) -> None:
    """Check and normalise the types of ``WatchRule``'s options (a rule file may hold anything)."""
    for key in _FLAGS:
        if key in options and not isinstance(options[key], bool):
            raise RuleError(f"{key} must be true or false")
    for key in _SECONDS:
        if key in options:
            if isinstance(options[key], bool) or not isinstance(options[key], int | float):
                raise RuleError(f"{key} must be a number of seconds")
            options[key] = float(options[key])
    for key in ("include", "exclude"):
        globs = options.get(key, ())
        if isinstance(globs, str) or not all(isinstance(g, str) for g in globs):
            raise RuleError(f"{key} must be a list of globs")
        options[key] = tuple(globs)


def default_name(folder: str, job: str) -> str:
    """A rule's name when none is given: its job and folder."""
    return f"{job} on {folder}"


def _on_done(value: Any) -> OnDone:
    try:
        return OnDone(value)
    except ValueError:
        allowed = ", ".join(v.value for v in OnDone)
        raise RuleError(f"on_done {value!r} is not allowed; expected one of {allowed}") from None


def _output_data(output: Mapping[str, Any] | None, writes: bool, folder: str) -> dict[str, Any] | None:
    if not writes and not output:
        return None
    data = {"subfolder": DEFAULT_SUBFOLDER, **(output or {})}
    data.setdefault("roots", [folder])
    try:
        policy = OutputPolicy.from_data(data)
    except (OutputError, TypeError) as exc:
        raise RuleError(f"output: {exc}") from None
    if policy.in_place:
        # Replacing the input in the watched folder would look like new content and run again.
        raise RuleError("output: in-place mode cannot be used in a watched folder")
    return policy.to_data()


def check_rule(rule: WatchRule) -> None:
    """Raise ``RuleError`` unless the rule's options go together."""
    if rule.settle < 0:
        raise RuleError("settle must be 0 or more seconds")
    if rule.rescan < 0:
        raise RuleError("rescan must be 0 (never) or more seconds")
    if rule.on_done is OnDone.MOVE and not rule.done_folder:
        raise RuleError("on_done = move needs a done_folder")
    if rule.on_done is OnDone.DELETE and not rule.confirm_delete:
        raise RuleError("on_done = delete removes every processed input: confirm it with confirm_delete")
    if not rule.name.strip():
        raise RuleError("a rule needs a name")
