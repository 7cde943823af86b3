"""The processor contract: what a job is, and what a task may ask of the engine.

A processor runs inside a worker process, once per file::

    class Upper(Processor):
        name = "upper"
        title = "Upper-case text"
        params = (Param("suffix", ParamType.STR, ".upper"),)

        def run(self, path, params, ctx):
            with open(path, "rb") as src, ctx.atomic_output(path + params["suffix"]) as dst:
                dst.write(src.read().upper())
            return {"bytes": os.path.getsize(path)}

``run`` returns plain data (str, int, float, bool, None, bytes, and lists,
tuples and dicts of them) or ``None``; anything else fails the task with a
clear message.
"""

from __future__ import annotations

# Neither ``typing`` nor ``logging`` at run time: the CLI loads this module
# before its first task, and needs neither.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping
    from contextlib import AbstractContextManager
    from typing import IO, Any, ClassVar, Protocol

    from core.params import Param
else:
    # ``TaskContext`` is a protocol for type checkers; at run time, where
    # nothing checks against it, it is a plain class that documents it.
    Protocol = object


# The result key of a task's one-line answer (a command's last line of output): tables,
# ``--json`` and exports show it; a job lists it in ``result_columns`` to have it shown.
LINE = "line"


class Cancelled(Exception):  # noqa: N818 - a state, not an error
    """Raised inside a task when someone cancelled it; the task ends cancelled."""


class Skip(Exception):  # noqa: N818 - a state, not an error
    """Raised by a processor to end the task as skipped, with the message as reason."""


class RetryableError(Exception):
    """A failure worth another attempt (a busy resource, a flaky mount)."""


class TaskContext(Protocol):
    """What a running task may use. Given to ``Processor.run`` as ``ctx``."""

    task_id: int
    logger: logging.Logger
    index: int  # the task's position in its batch, from 0

    @property
    def worker_slot(self) -> int:
        """The worker slot running this task, from 1 (GNU parallel's ``{%}``)."""
        return 1

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress; cheap to call often (the engine rate-limits it)."""

    def cancelled(self) -> bool:
        """Return whether someone asked this task to stop."""

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if someone asked this task to stop."""

    def output_path(self, name: str) -> str:
        """Return where the output called ``name`` goes under the batch's output policy.

        Raises :class:`Skip` when the policy skips existing outputs and this
        one exists, so a job calls it (or ``write_output``) before its work.
        """

    def write_output(self, name: str, mode: str = "wb") -> AbstractContextManager[Any]:
        """Stage the output called ``name`` and open it.

        Yields an object with ``file`` (open in ``mode``), ``temp`` and, once
        the block ends, ``path``. The file is moved into place by the policy's collision rule when the
        block ends without an exception; otherwise nothing is left behind.
        """

    def stage_output(self, name: str) -> AbstractContextManager[Any]:
        """Stage the output called ``name`` without opening it.

        Write to ``temp`` by path (for a library or a program that takes a
        file name); ``path`` is set once the block ends.
        """

    def atomic_output(
        self, target: str, mode: str = "wb", *, replace: bool = True
    ) -> AbstractContextManager[IO[Any]]:
        """Open a temporary file beside ``target``, moved into place on success.

        On an exception (or cancellation) the temporary file is removed and
        ``target`` is untouched. With ``replace=False`` an existing ``target``
        is an error instead of being replaced.
        """


class Processor:
    """Base class of every job.

    Attributes
    ----------
    name
        Stable identifier, used on the command line and in history.
    title
        Human name for menus.
    description
        One or two sentences for help texts.
    params
        Typed parameters with defaults.
    result_columns
        Keys of the result mapping worth showing as table columns.
    writes_outputs
        Whether the job writes files (through ``ctx.write_output`` or
        ``ctx.stage_output``); the output-policy form is shown only then.
    side_effects
        Whether running a task twice does something twice besides writing its
        outputs (a command does what it says). For such a job, and for any job
        writing files, a worker killed mid-batch reruns only the task it was
        running; otherwise it may also rerun tasks it had finished but not yet
        reported (their ends are sent in batches, which is faster).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    result_columns: ClassVar[tuple[str, ...]] = ()
    writes_outputs: ClassVar[bool] = False
    side_effects: ClassVar[bool] = False

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """Return the name of the output made from an input called ``name``.

        ``None`` means the task writes no file (with these parameters). The
        output policy's name template gets ``{stem}`` and ``{ext}`` from it;
        dry runs and collision checks use it before anything runs.
        """
        return name if cls.writes_outputs else None

    @classmethod
    def writes_with(cls, params: Mapping[str, Any]) -> bool:
        """Whether tasks with these (resolved) parameters may write files.

        ``False`` lets collision checks and the GUI's output form skip the
        batch's paths altogether; a job whose outputs depend on its
        parameters (a checksum's optional manifest) says so here.
        """
        return cls.writes_outputs

    @classmethod
    def result_line(cls, path: str, result: Any) -> str | None:
        """Return a done task's result as one line of text, in the job's natural form.

        ``brigade-cli run`` prints it on stdout, one line per task (a checksum
        job prints exactly what ``sha256sum`` would). The default: the path,
        a tab, and the result's fields as ``key=value``. Called in the worker
        that ran the task, so a batch's lines are made in parallel.
        """
        if not isinstance(result, dict) or not result:
            return path
        fields = " ".join(f"{k}={v}" for k, v in result.items() if v is not None)
        return f"{path}\t{fields}"

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any] | None:
        """Process one file and return its result fields."""
        raise NotImplementedError
