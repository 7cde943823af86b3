"""``brigade-cli run``: run one job over files and folders."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from core.cli import cluster_args, output_args, store_args
from core.cli.exitcodes import ExitCode
from core.engine import EngineConfig
from core.model import BatchOptions, BatchSpec, TaskState
from core.params import ParamError, parse_assignments, resolve_params
from core.registry import UnknownJobError, processor_class

TYPE_CHECKING = False  # no ``typing`` at run time: every millisecond before the first task counts
if TYPE_CHECKING:
    from typing import Any

    from core.backend import Backend
    from core.cli.progress import Printer
    from core.discovery import Discovery
    from core.engine import Recorder


def register(sub: Any) -> None:
    """Add the ``run`` sub-command."""
    p = sub.add_parser("run", help="run a job on files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (walked recursively)")
    p.add_argument("--job", "-j", help="job name (see 'brigade-cli jobs'); optional with --preset")
    p.add_argument(
        "-p", dest="params", action="append", default=[], metavar="KEY=VALUE", help="job parameter"
    )
    p.add_argument(
        "--preset",
        metavar="NAME",
        help="the job and parameters of a preset saved in the window; -p overrides",
    )
    p.add_argument("--workers", "-w", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--timeout", type=float, default=None, help="seconds a task may run")
    p.add_argument("--retries", type=int, default=0, help="runs again after a retryable failure")
    p.add_argument("--json", action="store_true", help="print one JSON line per task on stdout")
    p.add_argument("--dry-run", action="store_true", help="list the tasks without running them")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="keep only matching files")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out matching paths")
    p.add_argument("--hidden", action="store_true", help="include hidden files and folders")
    p.add_argument("--no-recursive", action="store_true", help="do not walk into sub-folders")
    p.add_argument(
        "--include-outputs",
        action="store_true",
        help="also walk Brigade's own output folders (brigade-JOB) found inside the folders given",
    )
    p.add_argument("--start-method", choices=("spawn", "forkserver"), default=None, help=argparse.SUPPRESS)
    output_args.add_arguments(p)
    store_args.add_arguments(p)
    cluster_args.add_arguments(p)
    p.set_defaults(handler=run_command)


def _check_args(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    """Return the job's checked parameters, and whether it may write files with them."""
    from core.cli import UsageError

    if args.workers < 0:
        raise UsageError("--workers must be 0 (one per core) or more")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    preset: dict[str, Any] = {}
    if args.preset is not None:
        from core.presets import PresetError, PresetStore

        try:
            chosen = PresetStore.open().get(args.preset)
        except PresetError as exc:
            raise UsageError(str(exc)) from None
        if args.job is not None and args.job != chosen.job:
            raise UsageError(f"preset {chosen.name!r} is for the job {chosen.job!r}, not {args.job!r}")
        args.job, preset = chosen.job, dict(chosen.params)
    if args.job is None:
        raise UsageError("give the job to run: --job NAME (or --preset NAME)")
    try:
        cls = processor_class(args.job)
        given = parse_assignments(cls.params, args.params)  # every parameter, defaults filled in
        named = {item.partition("=")[0].strip() for item in args.params}
        params = resolve_params(cls.params, {**preset, **{k: v for k, v in given.items() if k in named}})
    except (ParamError, UnknownJobError) as exc:
        raise UsageError(str(exc)) from None
    return params, cls.writes_outputs and cls.writes_with(params)


def _discover(args: argparse.Namespace) -> Discovery:
    # Imported here, after the engine started: its workers start meanwhile.
    from core.discovery import Filters, discover, display_path

    filters = Filters(
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        hidden=args.hidden,
        recursive=not args.no_recursive,
        outputs=args.include_outputs,
    )
    # No stat per file: workers report sizes as they run (the store keeps them then).
    found = discover(args.paths, filters, stat_files=False)
    for skipped in found.skipped:
        print(f"skipped {display_path(skipped.path)}: {skipped.reason}", file=sys.stderr)
    if found.outputs:
        n = len(found.outputs)
        folders = "folder" if n == 1 else "folders"
        print(
            f"left out {n} output {folders} of earlier runs (use --include-outputs to walk them): "
            + ", ".join(display_path(p) for p in found.outputs[:3])
            + (", ..." if n > 3 else ""),
            file=sys.stderr,
        )
    return found


def run_command(args: argparse.Namespace) -> int:
    """Discover, run, report; return 0 if every task succeeded, else 1."""
    params, writes = _check_args(args)
    options = BatchOptions(timeout=args.timeout, retries=args.retries)
    output = output_args.output_from_args(args, writes)
    if args.dry_run:
        found = _discover(args)
        return output_args.print_dry_run(_spec(args, params, found, options, output))
    config = EngineConfig(workers=args.workers, start_method=args.start_method)
    recorder = store_args.open_recorder(args)
    engine = cluster_args.make_engine(args, config, recorder)
    # Workers start up while the folders are walked.
    engine.start()
    try:
        found = _discover(args)
        spec = _spec(args, params, found, options, output)
        output_args.check_outputs(spec)
    except BaseException:
        engine.shutdown()
        raise
    from core.cli.progress import Printer

    printer = Printer(found.paths, found.sizes, json_lines=args.json)
    return run_batch(engine, spec, printer, bad_inputs=len(found.skipped), recorder=recorder)


def _spec(
    args: argparse.Namespace, params: dict[str, Any], found: Discovery, options: BatchOptions, output: Any
) -> BatchSpec:
    return BatchSpec(
        args.job, params, found.paths, options, sizes=found.sizes, output=output, mtimes=found.mtimes
    )


def run_batch(
    engine: Backend, spec: BatchSpec, printer: Printer, bad_inputs: int = 0, recorder: Recorder | None = None
) -> int:
    """Run ``spec`` on ``engine`` with live progress; return the exit code."""
    engine.add_listener(printer)
    interrupts = _Interrupts(engine, printer)
    started = time.monotonic()
    with interrupts.installed():
        engine.start()
        try:
            handle = engine.submit(spec)
            while handle.wait(0.1 if printer.tty else 0.5) is None:
                printer.tick()
        finally:
            engine.shutdown(interrupt=True, timeout=0)
    printer.drain()
    printer.clear_line()
    stopped = bool(handle.result and handle.result.stopped)
    summary = printer.summary(time.monotonic() - started, stopped)
    note, incomplete = store_args.history_outcome(recorder, handle.batch_id)
    print(summary + note, file=sys.stderr)
    if interrupts.count:
        return 130
    if incomplete:
        return ExitCode.HISTORY_INCOMPLETE
    bad = printer.counts[TaskState.FAILED] + printer.counts[TaskState.CANCELLED]
    return 1 if bad or bad_inputs else 0


class _Interrupts:
    """Ctrl-C once: start nothing new, let running tasks finish. Twice: cancel them."""

    def __init__(self, engine: Backend, printer: Printer) -> None:
        self.engine = engine
        self.printer = printer
        self.count = 0

    def __call__(self, signum: int, frame: Any) -> None:
        self.count += 1
        self.printer.clear_line()
        if self.count == 1:
            print("\nstopping: running tasks finish (Ctrl-C again to cancel them)", file=sys.stderr)
            self.engine.stop()
        else:
            print("\ncancelling running tasks", file=sys.stderr)
            self.engine.cancel(list(self.printer.running))

    def installed(self) -> Any:
        import contextlib

        @contextlib.contextmanager
        def scope() -> Any:
            previous = signal.signal(signal.SIGINT, self)
            try:
                yield
            finally:
                signal.signal(signal.SIGINT, previous)

        return scope()
