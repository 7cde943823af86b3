"""The output policy: where a job's files go, what they are called, and what wins a collision.

The policy is plain data (``OutputPolicy.to_data()``) carried by
``BatchSpec.output`` to every worker. The same functions answer two
questions: in the worker, "where does this task write?" (``resolve``, then
``staged`` to write there safely); before a run, "what will the batch write,
and do two tasks want the same path?" (``plan_batch``, ``find_collisions``).

Writing follows one path whatever the job: a temporary file in the target
folder, moved into place only when the task succeeded, so a failed or
cancelled task leaves neither a partial output nor a temporary file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.atomic import BACKUP_SUFFIX, OnTemp, keep_stat, link_or_rename, open_temp, temp_file, temp_path
from core.processor import Skip

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import IO, Any

COLLISION_RULES = ("skip", "overwrite", "keep")
TEMPLATE_FIELDS = ("stem", "ext", "name", "job", "n", "parent")
DEFAULT_SUBFOLDER = "brigade-{job}"
_UNIQUE_LIMIT = 10_000
# Suffixes a job adds to a whole name: ``keep`` numbers the name inside them (``a (1).txt.gz``).
_WRAPPERS = frozenset(
    (".gz", ".bz2", ".xz", ".zst", ".zip", ".b2", ".md5", ".sha1", ".sha256", ".sha512", ".sha3_256")
) | {".xxh64", ".xxh3_64", ".xxh128"}


class OutputError(ValueError):
    """An output policy that cannot work (a bad template, an unknown rule)."""


@dataclass(slots=True, frozen=True)
class OutputPolicy:
    """Where outputs go.

    Attributes
    ----------
    folder
        Output folder; ``None`` puts each output beside its input, in
        ``subfolder``.
    subfolder
        Folder made beside each input when ``folder`` is ``None`` (may use
        ``{job}``); ``""`` writes beside the input itself.
    mirror
        With ``folder``: recreate each input's folders below its root.
    roots
        The folders the inputs were found in (the dropped ones), for ``mirror``.
    template
        Output name: ``{stem}``, ``{ext}``, ``{name}``, ``{job}``, ``{n}``
        (1-based position in the batch, e.g. ``{n:04d}``), ``{parent}``.
    collision
        When the output exists: ``skip`` the task, ``overwrite`` it, or
        ``keep`` both (the new file gets ``name (1).ext``).
    in_place
        Write beside the input and replace it: the original is kept as a
        backup until the new file is in place, then removed.
    keep_backup
        In place: keep the original as ``name.brigade-bak``.
    """

    folder: str | None = None
    subfolder: str = DEFAULT_SUBFOLDER
    mirror: bool = True
    roots: tuple[str, ...] = ()
    template: str = "{stem}{ext}"
    collision: str = "skip"
    in_place: bool = False
    keep_backup: bool = False

    def __post_init__(self) -> None:
        if self.collision not in COLLISION_RULES:
            allowed = ", ".join(COLLISION_RULES)
            raise OutputError(f"collision rule {self.collision!r} is not allowed; expected one of {allowed}")
        check_template(self.template)
        if self.subfolder:
            check_template(self.subfolder, what="subfolder", allow_sep=True)

    def to_data(self) -> dict[str, Any]:
        """Plain data for ``BatchSpec.output`` (and the store)."""
        return {
            "folder": self.folder,
            "subfolder": self.subfolder,
            "mirror": self.mirror,
            "roots": list(self.roots),
            "template": self.template,
            "collision": self.collision,
            "in_place": self.in_place,
            "keep_backup": self.keep_backup,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> OutputPolicy:
        """Rebuild a policy from ``to_data()`` output; ``None`` gives the defaults."""
        if not data:
            return cls()
        known = set(cls.__slots__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise OutputError(f"unknown output option {unknown[0]!r}; expected {', '.join(sorted(known))}")
        values = dict(data)
        values["roots"] = tuple(os.path.abspath(r) for r in values.get("roots", ()))
        return cls(**values)


def check_template(template: str, what: str = "name template", allow_sep: bool = False) -> None:
    """Raise ``OutputError`` unless ``template`` formats into a usable name."""
    import string  # only when a template is checked

    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise OutputError(f"{what} {template!r}: {exc}") from None
    for f in fields:
        if f not in TEMPLATE_FIELDS:
            allowed = ", ".join("{" + x + "}" for x in TEMPLATE_FIELDS)
            raise OutputError(f"{what} {template!r}: unknown field {{{f}}}; allowed: {allowed}")
    try:
        sample = render(template, "x.txt", "job", 0, "folder")
    except (ValueError, TypeError) as exc:
        raise OutputError(f"{what} {template!r}: {exc}") from None
    if not sample.strip() or sample in (".", ".."):
        raise OutputError(f"{what} {template!r} gives an empty name")
    if not allow_sep and ("/" in sample or os.sep in sample):
        raise OutputError(f"{what} {template!r} must give a file name, not a path")


def render(template: str, name: str, job: str, index: int, parent: str) -> str:
    """Fill ``template`` for the output ``name`` of the task at ``index``."""
    stem, ext = split_name(name)
    return template.format(stem=stem, ext=ext, name=name, job=job, n=index + 1, parent=parent)


def split_name(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and extension (``.tar.gz`` counts as one)."""
    stem, ext = os.path.splitext(name)
    inner_stem, inner = os.path.splitext(stem)
    if inner == ".tar":
        return inner_stem, inner + ext
    return stem, ext


# ---------------------------------------------------------------------------
# Where one task writes


# Not frozen, like the records of the batch plan: one is built per task, and a
# frozen record costs several times as much to build.
@dataclass(slots=True)
class Target:
    """The resolved output of one task."""

    path: str
    input: str
    collision: str
    in_place: bool = False
    keep_backup: bool = False

    @property
    def replaces_input(self) -> bool:
        """Whether the output takes the input's own place."""
        return self.in_place and _same_path(self.path, self.input)


def resolve(policy: OutputPolicy, path: str, job: str, index: int, name: str) -> Target:
    """Return where the output ``name`` of the task on ``path`` goes."""
    src = os.path.abspath(path)
    folder = os.path.dirname(src)
    file_name = render(policy.template, name, job, index, os.path.basename(folder))
    if policy.in_place:
        out_dir = folder
    elif policy.folder is None:
        out_dir = os.path.join(folder, policy.subfolder.format(job=job)) if policy.subfolder else folder
    else:
        out_dir = os.path.abspath(policy.folder)
        if policy.mirror:
            out_dir = os.path.join(out_dir, relative_folder(src, policy.roots))
    target = os.path.normpath(os.path.join(out_dir, file_name))
    return Target(target, src, policy.collision, policy.in_place, policy.keep_backup)


def relative_folder(path: str, roots: Sequence[str]) -> str:
    """The folder of ``path`` relative to the deepest root holding it ("" if none)."""
    folder = os.path.dirname(path)
    best = ""
    for root in roots:
        if (folder == root or folder.startswith(root.rstrip(os.sep) + os.sep)) and len(root) > len(best):
            best = root
    return os.path.relpath(folder, best) if best and folder != best else ""


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


_cached: tuple[Any, OutputPolicy] | None = None


def policy_of(data: Mapping[str, Any] | None) -> OutputPolicy:
    """``OutputPolicy.from_data`` with a one-entry cache: a chunk's tasks share one policy."""
    global _cached
    if _cached is not None and _cached[0] == data:
        return _cached[1]
    policy = OutputPolicy.from_data(data)
    _cached = (dict(data) if data else data, policy)
    return policy


def check_target(target: Target) -> None:
    """Refuse to overwrite the input; raise ``Skip`` if the rule skips an existing output."""
    if not target.in_place and _same_path(target.path, target.input):
        raise OutputError(f"the output would overwrite its input {target.input}; ask for in-place mode")
    if target.collision == "skip" and not target.replaces_input and os.path.lexists(target.path):
        raise Skip(f"output exists: {target.path}")


# ---------------------------------------------------------------------------
# Writing one output safely


@dataclass(slots=True)
class Staged:
    """An output being written: write ``temp`` (or ``file``); ``path`` is set on success.

    Set ``like`` to a file's path to give the output that file's permission
    bits and modification time, as gzip gives its archive the input's.
    """

    target: Target
    temp: str
    file: IO[Any] | None = None
    path: str | None = None
    like: str | None = None


@contextlib.contextmanager
def staged(target: Target, mode: str | None = None, on_temp: OnTemp | None = None) -> Iterator[Staged]:
    """Stage ``target``: a temporary file in its folder, committed when the block succeeds.

    Parameters
    ----------
    target
        From ``resolve``.
    mode
        Open the temporary file in this mode (``"wb"``, ``"w"``) as
        ``Staged.file``; ``None`` leaves it closed and removed, for a program
        that creates its output itself.
    on_temp
        Told ``(temp, True)`` once the temporary file exists and
        ``(temp, False)`` once it is gone, so a killed worker's temporary
        file is removed by whoever cleans up after it.
    """
    check_target(target)
    folder = os.path.dirname(target.path)
    os.makedirs(folder, exist_ok=True)
    # Keep the extension last: programs and libraries pick formats by it.
    with temp_file(folder, split_name(os.path.basename(target.path))[1], on_temp) as (fd, temp):
        out = Staged(target, temp)
        if mode is None:
            os.close(fd)
            os.unlink(temp)
        else:
            out.file = open_temp(fd, mode)
        with out.file or contextlib.nullcontext():
            yield out
        if out.like is not None and os.path.lexists(temp):
            keep_stat(out.like, temp)
        out.path = commit(target, temp)


def commit(target: Target, temp: str) -> str:
    """Move ``temp`` into place by the target's rule; return the final path."""
    if not os.path.lexists(temp):
        raise FileNotFoundError(f"no output was written (expected {os.path.basename(target.path)})")
    if target.replaces_input:
        _replace_input(target, temp)
        return target.path
    final = _place(target, temp)
    if target.in_place:
        # The original stayed untouched until the new file was in place.
        if target.keep_backup:
            _link_unique(target.input, target.input + BACKUP_SUFFIX, move=True)
        else:
            os.unlink(target.input)
    return final


def _place(target: Target, temp: str) -> str:
    if target.collision == "overwrite":
        os.replace(temp, target.path)
        return target.path
    if target.collision == "skip":
        try:
            link_or_rename(temp, target.path)
        except FileExistsError:
            raise Skip(f"output exists: {target.path}") from None
        return target.path
    return _link_unique(temp, target.path, move=True)


def _link_unique(src: str, wanted: str, move: bool) -> str:
    """Give ``src`` the first free name of ``wanted``, ``wanted (1)``, ... and return it."""
    for candidate in unique_names(wanted):
        try:
            link_or_rename(src, candidate) if move else os.link(src, candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free name for {wanted} after {_UNIQUE_LIMIT} tries")


def unique_names(path: str) -> Iterator[str]:
    """``path``, then ``stem (1).ext``, ``stem (2).ext``, ... beside it."""
    yield path
    folder, name = os.path.split(path)
    stem, ext = split_name(name)
    inner_stem, inner = split_name(stem)
    if ext.lower() in _WRAPPERS and inner and inner_stem:
        stem, ext = inner_stem, inner + ext
    for i in range(1, _UNIQUE_LIMIT):
        yield os.path.join(folder, f"{stem} ({i}){ext}")


def _replace_input(target: Target, temp: str) -> None:
    """Replace the input with ``temp``, keeping a backup until the new file is in place."""
    src = target.input
    # An edit in place keeps what the file was: its mode, owner (where allowed) and date.
    keep_stat(src, temp, owner=True)
    with open(temp, "rb+") as f:
        # The original is about to go: the new bytes must be on disk first.
        os.fsync(f.fileno())
    backup = temp_path(os.path.dirname(src), BACKUP_SUFFIX)
    try:
        os.link(src, backup)
    except OSError:
        shutil.copy2(src, backup)
    os.replace(temp, src)
    if target.keep_backup:
        _link_unique(backup, src + BACKUP_SUFFIX, move=True)
    else:
        os.unlink(backup)


# ---------------------------------------------------------------------------
# Planning a whole batch before it runs


@dataclass(slots=True)
class Planned:
    """What one task would write, for dry runs."""

    index: int
    input: str
    target: str | None
    action: str  # "write", "skip", "overwrite", "keep", "replace input", "none"
    final: str | None = None  # for "keep": the name it would get now


@dataclass(slots=True)
class Collision:
    """Two or more tasks that would write one path, or a task that would overwrite an input."""

    target: str
    inputs: tuple[str, ...]
    reason: str

    def describe(self) -> str:
        """One line for people."""
        more = " ..." if len(self.inputs) > 3 else ""
        return f"{self.target}: {self.reason} ({', '.join(self.inputs[:3])}{more})"


@dataclass(slots=True)
class BatchPlan:
    """Every task's planned output, and the collisions among them."""

    tasks: list[Planned] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    writes: bool = False


def plan_batch(spec: Any, probe: bool = True, writes_only: bool = False) -> BatchPlan:
    """Plan the outputs of ``spec`` (a ``BatchSpec``) without writing anything.

    Parameters
    ----------
    spec
        The batch; its job is looked up in the registry.
    probe
        Look at the disk (one ``lstat`` per output) to tell which outputs
        exist already; without it every action is "write".
    writes_only
        List only the tasks that write a file (what a collision check needs).

    Raises
    ------
    OutputError
        For a policy that cannot work.
    core.params.ParamError, core.registry.UnknownJobError
        For a bad job or parameter.
    """
    from core.params import resolve_params
    from core.registry import processor_class

    cls = processor_class(spec.job)
    params = resolve_params(cls.params, spec.params)
    policy = OutputPolicy.from_data(spec.output)
    writes = cls.writes_outputs and cls.writes_with(params)
    plan = BatchPlan(writes=writes)
    if writes_only and not writes:
        return plan  # a checksum without manifest: 20,000 paths need no look
    for index, path in enumerate(spec.paths):
        name = cls.output_name(os.path.basename(path), params) if writes else None
        if name is None:
            if not writes_only:
                plan.tasks.append(Planned(index, path, None, "none"))
            continue
        target = resolve(policy, path, spec.job, index, name)
        plan.tasks.append(_planned(index, path, target, probe))
    plan.collisions = _collisions(plan.tasks, spec.paths)
    return plan


def _planned(index: int, path: str, target: Target, probe: bool) -> Planned:
    if target.replaces_input:
        return Planned(index, path, target.path, "replace input")
    if not probe or not os.path.lexists(target.path):
        return Planned(index, path, target.path, "write")
    if target.collision == "keep":
        final = next(p for p in unique_names(target.path) if not os.path.lexists(p))
        return Planned(index, path, target.path, "keep", final)
    return Planned(index, path, target.path, target.collision)


def _collisions(tasks: list[Planned], inputs: Sequence[str]) -> list[Collision]:
    by_target: dict[str, list[Planned]] = {}
    for t in tasks:
        if t.target is not None:
            by_target.setdefault(os.path.normcase(t.target), []).append(t)
    if not by_target:
        return []  # nothing is written (a checksum without manifest): no input needs resolving
    found = [
        Collision(same[0].target or key, tuple(t.input for t in same), f"{len(same)} tasks would write it")
        for key, same in by_target.items()
        if len(same) > 1
    ]
    for path in inputs:
        key = os.path.normcase(os.path.abspath(path))
        for t in by_target.get(key, ()):
            if t.action != "replace input":
                found.append(Collision(t.target or key, (t.input,), "it is an input of this batch"))
    return found


def find_collisions(spec: Any) -> list[Collision]:
    """Return the output paths two tasks of ``spec`` would both write (or an input they would overwrite).

    Call it on a ``BatchSpec`` before submitting; an empty list means the
    batch may run. Reads nothing from the disk.
    """
    from core.registry import processor_class

    if not processor_class(spec.job).writes_outputs:
        return []
    return plan_batch(spec, probe=False, writes_only=True).collisions
