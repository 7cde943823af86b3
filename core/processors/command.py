"""Command job: run a program on each file, as GNU parallel does.

Placeholders, replaced inside each argument (so a name with spaces stays one
argument): ``{}`` the input path, ``{.}`` the path without its extension,
``{/}`` the file name, ``{//}`` the folder, ``{/.}`` the name without its
extension, ``{ext}`` the extension (``.jpg``), ``{o}`` the output path.
Without "use shell" the command is split like a POSIX shell would (quotes
work) and run directly, never through a shell.

The program runs in a process group of its own; cancelling the task, its
timeout, or the death of the worker kill the whole group.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import signal
import subprocess
import threading
from collections.abc import Mapping
from typing import IO, Any

from core.params import Param, ParamError, Params, ParamType
from core.processor import Cancelled, Processor, TaskContext

POLL_SECONDS = 0.05
KILL_GRACE = 2.0
_PLACEHOLDER = re.compile(r"\{(|\.|/|//|/\.|ext|o)\}")


class CommandFailedError(Exception):
    """The program ended with a non-zero exit code or was killed by a signal."""


def placeholders(path: str, output: str | None) -> dict[str, str]:
    """The values of every placeholder for ``path`` (and the staged output)."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    values = {
        "": path,
        ".": os.path.splitext(path)[0],
        "/": name,
        "//": folder or ".",
        "/.": stem,
        "ext": ext,
    }
    if output is not None:
        values["o"] = output
    return values


def expand(template: str, values: Mapping[str, str], quote: bool = False) -> str:
    """Replace the placeholders in ``template`` (shell-quoted when ``quote``)."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value is None:
            raise ValueError("{o} is used but no output is planned")
        return shlex.quote(value) if quote else value

    return _PLACEHOLDER.sub(one, template)


def build_args(command: str, values: Mapping[str, str], shell: bool) -> list[str] | str:
    """The argument list (or, with ``shell``, the command line) to run."""
    if shell:
        return expand(command, values, quote=True)
    return [expand(arg, values) for arg in shlex.split(command)]


def _check_command(values: Mapping[str, Any]) -> None:
    command = values["command"].strip()
    if not command:
        raise ParamError("parameter 'command': give the program to run, e.g. command='gzip -k {}'")
    if not values["shell"]:
        try:
            shlex.split(command)
        except ValueError as exc:
            raise ParamError(
                f"parameter 'command': {command!r} cannot be split into arguments: {exc}"
            ) from None


class Command(Processor):
    """Run a program on each file; its exit code decides the task's state."""

    name = "command"
    title = "Run a command"
    description = (
        "Run a program on each file. Placeholders: {} path, {.} path without extension, {/} name, "
        "{//} folder, {/.} name without extension, {ext} extension, {o} output path."
    )
    params = Params(
        (
            Param(
                "command",
                ParamType.STR,
                "",
                label="Command",
                help="Program and arguments, with placeholders.",
            ),
            Param(
                "shell",
                ParamType.BOOL,
                False,
                label="Use shell",
                help="Run the command through the shell (pipes, globs); placeholders are quoted.",
            ),
            Param(
                "output_ext",
                ParamType.STR,
                "",
                label="Output extension",
                help="Extension of {o} (e.g. .png); empty keeps the input's.",
            ),
        ),
        checks=(_check_command,),
    )
    result_columns = ("exit_code",)
    writes_outputs = True
    side_effects = True  # the command does what it does each time it runs

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """An output exists only when the command uses ``{o}``."""
        if "{o}" not in params.get("command", ""):
            return None
        ext = params.get("output_ext", "")
        if not ext:
            return name
        return os.path.splitext(name)[0] + (ext if ext.startswith(".") else "." + ext)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Run the program; done on exit code 0, failed otherwise."""
        name = self.output_name(os.path.basename(path), params)
        if name is None:
            return {"exit_code": run_program(path, params, None, ctx)}
        with ctx.stage_output(name) as out:
            code = run_program(path, params, out.temp, ctx)
            if not os.path.lexists(out.temp):
                raise CommandFailedError("the command succeeded but did not write its output {o}")
        return {"exit_code": code, "output": out.path}


def run_program(path: str, params: Mapping[str, Any], output: str | None, ctx: TaskContext) -> int:
    """Start the program in its own process group, stream its output into the log, wait."""
    shell = bool(params["shell"])
    args = build_args(params["command"], placeholders(path, output), shell)
    ctx.logger.info("$ %s", args if isinstance(args, str) else shlex.join(args))
    try:
        proc = _start(args, shell)
    except FileNotFoundError as exc:
        raise CommandFailedError(f"program not found: {exc.filename}") from None
    except PermissionError as exc:
        raise CommandFailedError(f"program not executable: {exc.filename}") from None
    track = getattr(ctx, "track_child_group", None)
    if track and os.name != "nt":
        track(proc.pid)  # the group id is the child's pid (a new session)
    readers = [_pump(proc.stdout, ctx.logger, logging.INFO), _pump(proc.stderr, ctx.logger, logging.WARNING)]
    try:
        code = _wait(proc, ctx)
    finally:
        if proc.poll() is None:
            _kill_group(proc)
        elif os.name != "nt":
            # Background children of a finished program would hold its pipes open.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        for reader in readers:
            reader.join(timeout=5)
        untrack = getattr(ctx, "untrack_child_group", None)
        if untrack and os.name != "nt":
            untrack(proc.pid)
    if code != 0:
        raise CommandFailedError(_describe_exit(code))
    return code


def _start(args: list[str] | str, shell: bool) -> subprocess.Popen[bytes]:
    kwargs: dict[str, Any] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
    }
    if os.name == "nt":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        kwargs["start_new_session"] = True
    return subprocess.Popen(args, shell=shell, **kwargs)


def _wait(proc: subprocess.Popen[bytes], ctx: TaskContext) -> int:
    while True:
        try:
            return proc.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            if ctx.cancelled():
                _kill_group(proc)
                raise Cancelled("cancelled; the command's process group was stopped") from None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM the whole group, then KILL what is left after a grace period."""
    if os.name == "nt":
        proc.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=KILL_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        # Children of the program may outlive it: the group goes in any case.
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _pump(stream: IO[bytes] | None, logger: logging.Logger, level: int) -> threading.Thread:
    def loop() -> None:
        assert stream is not None
        with stream:
            for raw in stream:
                logger.log(level, "%s", raw.decode(errors="replace").rstrip("\r\n"))

    thread = threading.Thread(target=loop, name="brigade-command-output", daemon=True)
    thread.start()
    return thread


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
