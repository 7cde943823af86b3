"""Command job: run a program on each file, as GNU parallel does.

Placeholders, replaced inside each argument (so a name with spaces stays one
argument): ``{}`` the input path, ``{.}`` the path without its extension,
``{/}`` the file name, ``{//}`` the folder, ``{/.}`` the name without its
extension, ``{ext}`` the extension (``.jpg``), ``{o}`` the output path,
``{#}`` the task's number in the batch (from 1) and ``{%}`` the worker slot
(from 1). Any other ``{word}`` is refused before the batch runs. A name that
begins with ``-`` is passed as ``./-name`` where it starts an argument, as
``find -execdir`` does, so the program never takes it for an option.
Without "use shell" the command is split like a POSIX shell would (quotes
work) and run directly, never through a shell.

The program runs in a process group of its own; cancelling the task, its
timeout, or the death of the worker kill the whole group. Its output goes to
the task's log (the first lines and the last ones, when there are more than
the log keeps); the last line it prints on stdout is the task's ``line``.
"""

from __future__ import annotations

import collections
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

from core.engine.lines import cut_line, read_lines
from core.params import Param, ParamError, Params, ParamType
from core.processor import LINE, Cancelled, Processor, RetryableError, TaskContext

POLL_SECONDS = 0.05
KILL_GRACE = 2.0
LINE_CHARS = 500  # the most of the last stdout line kept in the result
TAIL_LINES = 1000  # of a long output, the last lines kept in the log (the first ones fill the rest)
DEFAULT_LOG_LIMIT = 10_000
READER_GRACE = 30.0  # seconds to read what a finished program wrote (a busy machine logs slowly)
_PLACEHOLDER = re.compile(r"\{(|\.|/|//|/\.|ext|o|#|%)\}")
# What looks like a placeholder: braces around a short word, not shell or awk code ("{print $1}", "${HOME}").
_LOOKS_LIKE = re.compile(r"(?<!\$)\{([A-Za-z0-9_./#%-]*)\}")
_AT_START = ("", ".", "/", "/.")  # placeholders whose value may begin with "-"


class CommandFailedError(Exception):
    """The program ended with a non-zero exit code or was killed by a signal."""


def placeholders(path: str, output: str | None, number: int = 1, slot: int = 1) -> dict[str, str]:
    """The values of every placeholder for ``path`` (and the staged output, task number and slot)."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    values = {
        "": path,
        ".": os.path.splitext(path)[0],
        "/": name,
        "//": folder or ".",
        "/.": stem,
        "ext": ext,
        "#": str(number),
        "%": str(slot),
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
        if value.startswith("-") and m.group(1) in _AT_START and _starts_word(template, m.start(), quote):
            value = "./" + value  # never an option: "-n.txt" would be read as one
        return shlex.quote(value) if quote else value

    return _PLACEHOLDER.sub(one, template)


def _starts_word(template: str, at: int, shell: bool) -> bool:
    """Whether position ``at`` of one argument (or of a shell line) begins a word."""
    if not shell:
        return at == 0
    return at == 0 or template[at - 1] in " \t\n;|&(<>='\""


def build_args(command: str, values: Mapping[str, str], shell: bool) -> list[str] | str:
    """The argument list (or, with ``shell``, the command line) to run."""
    if shell:
        return expand(command, values, quote=True)
    return [expand(arg, values) for arg in shlex.split(command)]


def unknown_placeholders(command: str) -> list[str]:
    """The ``{word}`` parts of ``command`` that are not placeholders."""
    return [m.group(0) for m in _LOOKS_LIKE.finditer(command) if not _PLACEHOLDER.fullmatch(m.group(0))]


def parse_codes(text: str) -> frozenset[int]:
    """``"1,75-78"`` as a set of exit codes; ``ValueError`` for anything else."""
    codes: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        if not 0 < first <= last <= 255:
            raise ValueError(f"{part!r} is not an exit code from 1 to 255")
        codes.update(range(first, last + 1))
    return frozenset(codes)


def _check_command(values: Mapping[str, Any]) -> None:
    command = values["command"].strip()
    if not command:
        raise ParamError("give the program to run, e.g. {example}", "command", example="command='gzip -k {}'")
    unknown = unknown_placeholders(command)
    if unknown:
        raise ParamError(
            "unknown placeholder {placeholder}; use {known}",
            "command",
            placeholder=unknown[0],
            known="{} {.} {/} {//} {/.} {ext} {o} {#} {%}",
        )
    if not values["shell"]:
        try:
            shlex.split(command)
        except ValueError as exc:
            raise ParamError(
                "{command!r} cannot be split into arguments: {reason}",
                "command",
                command=command,
                reason=str(exc),
            ) from None
    try:
        parse_codes(values["retry_on"])
    except ValueError as exc:
        raise ParamError("{reason}; expected e.g. 75 or 1,75-78", "retry_on", reason=str(exc)) from None


class Command(Processor):
    """Run a program on each file; its exit code decides the task's state."""

    name = "command"
    title = "Run a command"
    description = (
        "Run a program on each file. Placeholders: {} path, {.} path without extension, {/} name, "
        "{//} folder, {/.} name without extension, {ext} extension, {o} output path, {#} task number, "
        "{%} worker slot. The last line the program prints is the task's result."
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
            Param(
                "retry_on",
                ParamType.STR,
                "",
                label="Retry on exit codes",
                help="Exit codes worth another attempt (with retries), e.g. 75 or 1,75-78.",
            ),
        ),
        checks=(_check_command,),
    )
    result_columns = ("exit_code", LINE)
    writes_outputs = True
    side_effects = True  # the command does what it does each time it runs

    @classmethod
    def result_line(cls, path: str, result: Any) -> str | None:
        """The last line the program printed on stdout, as GNU parallel would show it."""
        line = result.get(LINE) if isinstance(result, dict) else None
        return line or None

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
            code, line = run_program(path, params, None, ctx)
            return {"exit_code": code, LINE: line}
        with ctx.stage_output(name) as out:
            code, line = run_program(path, params, out.temp, ctx)
            if not os.path.lexists(out.temp):
                raise CommandFailedError("the command succeeded but did not write its output {o}")
        return {"exit_code": code, LINE: line, "output": out.path}


def run_program(
    path: str, params: Mapping[str, Any], output: str | None, ctx: TaskContext
) -> tuple[int, str]:
    """Start the program in its own process group, stream its output into the log, wait.

    Returns the exit code (0) and the last line of stdout; raises
    ``CommandFailedError`` (``RetryableError`` for a code in ``retry_on``).
    """
    shell = bool(params["shell"])
    values = placeholders(path, output, getattr(ctx, "index", 0) + 1, getattr(ctx, "worker_slot", 1))
    args = build_args(params["command"], values, shell)
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
    log = OutputLog(ctx.logger, getattr(ctx, "log_limit", DEFAULT_LOG_LIMIT))
    readers = [_pump(proc.stdout, log, logging.INFO), _pump(proc.stderr, log, logging.WARNING)]
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
            # The group is dead, so its pipes close: only a program that left its group (setsid)
            # could hold them open, and it does not hold the task for longer than this.
            reader.join(timeout=READER_GRACE)
        log.finish()
        untrack = getattr(ctx, "untrack_child_group", None)
        if untrack and os.name != "nt":
            untrack(proc.pid)
    if code != 0:
        said = log.last[logging.WARNING] or log.last[logging.INFO]
        message = _describe_exit(code) + (f": {said}" if said else "")
        if code > 0 and code in parse_codes(params.get("retry_on", "")):
            raise RetryableError(message)
        raise CommandFailedError(message)
    return code, log.last[logging.INFO]


class OutputLog:
    """The program's output lines into the task's log: the first ones, then the last ``TAIL_LINES``.

    The task's log keeps ``limit`` lines; a long output's end (where the
    error usually is) matters as much as its start, so the lines in between
    are counted and left out instead of the end. Fed from two reader threads.
    """

    def __init__(self, logger: logging.Logger, limit: int) -> None:
        self.logger = logger
        self.tail_size = max(1, min(TAIL_LINES, limit // 2))
        self.head = max(0, limit - self.tail_size - 8)  # room for the command line and notes
        self.tail: collections.deque[tuple[int, str]] = collections.deque(maxlen=self.tail_size)
        self.seen = 0
        self.lock = threading.Lock()
        self.last = {logging.INFO: "", logging.WARNING: ""}

    def add(self, level: int, text: str) -> None:
        with self.lock:
            self.seen += 1
            if text.strip():
                self.last[level] = cut_line(text, LINE_CHARS)
            if self.seen <= self.head:
                self.logger.log(level, "%s", text)
            else:
                self.tail.append((level, text))

    def finish(self) -> None:
        with self.lock:
            left_out = self.seen - self.head - len(self.tail)
            if left_out > 0:
                self.logger.warning("... %d lines of output left out ...", left_out)
            for level, text in self.tail:
                self.logger.log(level, "%s", text)
            self.tail.clear()


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


def _pump(stream: IO[bytes] | None, log: OutputLog, level: int) -> threading.Thread:
    def loop() -> None:
        assert stream is not None
        with stream:
            for line in read_lines(stream):
                log.add(level, line)

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
