"""``brigade-cli watch``: run a job on each file that lands in a folder, until stopped.

The first Ctrl-C (or a SIGTERM, as ``systemctl --user stop`` sends) stops
cleanly: nothing more is queued, tasks not started yet are withdrawn (the
next start runs them), running ones finish. A second Ctrl-C cancels those.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from core.cli import output_args, store_args
from core.cli.exitcodes import ExitCode
from core.discovery import display_path
from core.watch import (
    FileEnded,
    FilesQueued,
    RuleError,
    RuleState,
    RuleStatus,
    WatchEvent,
    WatchRule,
    WatchService,
    load_rules,
    make_rule,
)

PRINT_EVERY = 0.2  # seconds: the main thread prints what the rules reported meanwhile


def register(sub: Any) -> None:
    """Add the ``watch`` sub-command."""
    p = sub.add_parser(
        "watch",
        help="run a job on each file that lands in a folder, until Ctrl-C",
        description="Watch a folder (or the rules of a TOML/JSON rule file) and run a job on each file "
        "once it has stopped changing. Files already done are not run again unless their content "
        "changed; progress is kept in the history database. See docs/watch.md.",
    )
    p.add_argument("target", metavar="RULE-FILE|DIR", help="a rule file (.toml, .json), or a folder")
    p.add_argument("--job", "-j", help="job name, with a folder (see 'brigade-cli jobs')")
    p.add_argument(
        "-p", dest="params", action="append", default=[], metavar="KEY=VALUE", help="job parameter"
    )
    p.add_argument("--rule-name", help="the rule's name in history (default: the job and the folder)")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="take only matching files")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out matching paths")
    p.add_argument("--no-recursive", action="store_true", help="do not watch sub-folders")
    p.add_argument("--settle", type=float, default=2.0, metavar="SECONDS", help="unchanged this long (2)")
    p.add_argument(
        "--rescan", type=float, default=60.0, metavar="SECONDS", help="full rescan period, 0: never (60)"
    )
    p.add_argument("--digest", action="store_true", help="tell changed content by digest, not size+mtime")
    p.add_argument(
        "--on-done", choices=("keep", "move", "delete"), default="keep", help="what becomes of a done input"
    )
    p.add_argument("--done-folder", metavar="DIR", help="where --on-done move puts done inputs")
    p.add_argument("--failed-folder", metavar="DIR", help="where failed inputs go (default: they stay)")
    p.add_argument("--yes-delete", action="store_true", help="confirm --on-done delete")
    p.add_argument("--workers", "-w", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--json", action="store_true", help="print one JSON line per event on stdout")
    output_args.add_arguments(p)
    store_args.add_db_argument(p)
    p.set_defaults(handler=watch_command)


def rules_from_args(args: argparse.Namespace) -> list[WatchRule]:
    """The rules the command line names; ``UsageError`` for a mistake."""
    from core.cli import UsageError

    if args.workers < 0:
        raise UsageError("--workers must be 0 (one per core) or more")
    try:
        if os.path.isfile(args.target):
            if args.job:
                raise UsageError("a rule file names its job: leave out --job")
            return load_rules(args.target)
        if not args.job:
            raise UsageError("watching a folder needs --job (or give a rule file)")
        return [_rule_from_options(args)]
    except RuleError as exc:
        raise UsageError(str(exc)) from None


def _rule_from_options(args: argparse.Namespace) -> WatchRule:
    from core.params import ParamError, parse_assignments
    from core.registry import UnknownJobError, processor_class

    try:
        cls = processor_class(args.job)
        params = parse_assignments(cls.params, args.params)
    except (ParamError, UnknownJobError) as exc:
        raise RuleError(str(exc)) from None
    args.paths = [args.target]  # the output policy's root
    output = output_args.output_from_args(args, cls.writes_outputs and cls.writes_with(params))
    return make_rule(
        args.target,
        args.job,
        params,
        name=args.rule_name,
        output=output,
        recursive=not args.no_recursive,
        include=args.include,
        exclude=args.exclude,
        settle=args.settle,
        rescan=args.rescan,
        digest=args.digest,
        on_done=args.on_done,
        done_folder=args.done_folder,
        failed_folder=args.failed_folder,
        confirm_delete=args.yes_delete,
    )


def watch_command(args: argparse.Namespace) -> int:
    """Watch until stopped; return 0 after a clean stop, 130 after Ctrl-C, 3 if a rule could not run."""
    from core.engine import Engine, EngineConfig
    from core.store.location import default_db_path

    rules = rules_from_args(args)
    db_path = args.db or default_db_path()
    recorder = store_args.open_recorder(args)
    if recorder is None:
        print("brigade-cli: watch keeps its progress in the history database: cannot run", file=sys.stderr)
        return ExitCode.ENGINE_ERROR
    events: queue.SimpleQueue[WatchEvent] = queue.SimpleQueue()
    engine = Engine(EngineConfig(workers=args.workers), recorder)
    service = WatchService(engine, db_path, events.put)
    for rule in rules:
        service.add(rule)
    stop = _Stop(engine)
    printer = _Printer(args.json)
    engine_died = False
    with stop.installed():
        engine.start()
        service.start()
        while not stop.asked.wait(PRINT_EVERY):
            printer.drain(events)
            if len(printer.failed_rules) == len(rules):
                break  # nothing left to watch
            engine_died = engine.wait_stopped(0)
            if engine_died:
                print("brigade-cli: the engine stopped on an error (see the log above)", file=sys.stderr)
                break
        print("stopping: running tasks finish (Ctrl-C again to cancel them)", file=sys.stderr)
        service.stop_intake()
        engine.shutdown()
    service.close()
    printer.drain(events)
    if printer.failed_rules or engine_died:
        return ExitCode.ENGINE_ERROR
    return ExitCode.INTERRUPTED if stop.interrupted else ExitCode.OK


class _Stop:
    """The first Ctrl-C or SIGTERM asks for a clean stop; a second Ctrl-C cancels the running tasks."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.asked = threading.Event()
        self.interrupted = False

    def __call__(self, signum: int, frame: Any) -> None:
        if signum == signal.SIGINT:
            self.interrupted = True
        if self.asked.is_set():
            print("cancelling running tasks", file=sys.stderr)
            self.engine.cancel_batch(None)
        self.asked.set()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {s: signal.signal(s, self) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


class _Printer:
    """Prints the rules' events on the main thread: one line each, or one JSON line with ``--json``."""

    def __init__(self, json_lines: bool) -> None:
        self.json_lines = json_lines
        self.failed_rules: set[str] = set()
        self._states: dict[str, tuple[RuleState, str]] = {}

    def drain(self, events: queue.SimpleQueue[WatchEvent]) -> None:
        while True:
            try:
                event = events.get_nowait()
            except queue.Empty:
                break
            self.show(event)
        sys.stdout.flush()

    def show(self, event: WatchEvent) -> None:
        if isinstance(event, RuleStatus):
            self._status(event)
        elif self.json_lines:
            print(json.dumps(_as_json(event)))
        elif isinstance(event, FilesQueued):
            print(f"queued {len(event.paths)} file(s) in batch {event.batch_id} [{event.rule}]")
        elif isinstance(event, FileEnded):
            print(_ended_line(event))

    def _status(self, event: RuleStatus) -> None:
        if event.state is RuleState.FAILED:
            self.failed_rules.add(event.rule)
        key = (event.state, event.reason)
        if self._states.get(event.rule) == key:
            return
        self._states[event.rule] = key
        if self.json_lines:
            print(json.dumps(_as_json(event)))
            return
        reason = f": {event.reason}" if event.reason else ""
        print(f"[{event.rule}] {event.state.value}{reason}", file=sys.stderr)


def _ended_line(event: FileEnded) -> str:
    line = f"{event.state:<9} {display_path(event.path)}"
    if event.moved_to:
        line += f" -> {display_path(event.moved_to)}"
    if event.error:
        line += f": {event.error}"
    return line


def _as_json(event: WatchEvent) -> dict[str, Any]:
    if isinstance(event, RuleStatus):
        return {"event": "status", "rule": event.rule, "state": event.state.value, "reason": event.reason}
    if isinstance(event, FilesQueued):
        paths = [display_path(p) for p in event.paths]
        return {"event": "queued", "rule": event.rule, "batch": event.batch_id, "paths": paths}
    return {
        "event": "ended",
        "rule": event.rule,
        "path": display_path(event.path),
        "task": event.task_id,
        "state": event.state,
        "moved_to": event.moved_to and display_path(event.moved_to),
        "error": event.error,
    }
