"""``brigade-cli run``: run one job over files and folders."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

from core.cli import cluster_args, output_args, store_args
from core.cli.exitcodes import EXIT_CODES_HELP, ExitCode
from core.engine import EngineConfig, lines
from core.engine.wire import MAX_WORKERS
from core.model import BatchOptions, BatchSpec
from core.params import ParamError, parse_assignments, resolve_params
from core.registry import UnknownJobError, processor_class

if TYPE_CHECKING:
    from typing import Any

    from core.backend import Backend
    from core.cli.progress import Printer
    from core.discovery import Discovery
    from core.engine import Recorder

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
ANSWER_WITHIN = 2.0  # seconds the engine has to answer a Ctrl-C before the next one kills the workers

RUN_HELP = (
    EXIT_CODES_HELP
    + """
output: one line per done task on stdout, in the job's own form (checksum:
exactly sha256sum's, so 'brigade-cli run --job checksum DIR > SUMS' then
'sha256sum -c SUMS' works); failures, progress and the summary on stderr.
Ctrl-C once: start no new task; twice: cancel the running ones; a third time
(or a second when the engine does not answer within 2 s): kill the workers
and exit at once."""
)


def register(sub: Any) -> None:
    """Add the ``run`` sub-command."""
    p = sub.add_parser(
        "run",
        help="run a job on files and folders",
        description="Run a job on files and folders.",
        epilog=RUN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (walked recursively)")
    p.add_argument("--job", "-j", help="job name (see 'brigade-cli jobs'); optional with --preset")
    p.add_argument(
        "-p", dest="params", action="append", default=[], metavar="KEY=VALUE", help="job parameter (once)"
    )
    p.add_argument(
        "--preset",
        metavar="NAME",
        help="the job and parameters of a preset saved in the window; -p overrides",
    )
    p.add_argument(
        "--workers",
        "-w",
        type=int,
        default=0,
        help=f"worker processes, 1 to {MAX_WORKERS} (default: one per core)",
    )
    p.add_argument("--timeout", type=float, default=None, help="seconds a task may run (a positive number)")
    p.add_argument("--retries", type=int, default=0, help="runs again after a retryable failure")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON record per task on stdout")
    out.add_argument("--quiet", "-q", action="store_true", help="print only the summary (and errors)")
    p.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="WARNING",
        help="least level of other libraries' lines kept in task logs (default WARNING)",
    )
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

    check_workers(args.workers)
    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout > 0):
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout}")
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    _check_params_once(args.params)
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
    _check_paths(args.paths)
    return params, cls.writes_outputs and cls.writes_with(params)


def check_workers(count: int) -> None:
    """Refuse (exit 2) a worker count outside 0 (one per core) to ``MAX_WORKERS``."""
    from core.cli import UsageError

    if not 0 <= count <= MAX_WORKERS:
        raise UsageError(f"--workers must be 1 to {MAX_WORKERS} (or 0: one per core), not {count}")


def _check_params_once(assignments: list[str]) -> None:
    """Refuse a parameter given twice: which value was meant is not ours to guess."""
    from core.cli import UsageError

    seen: dict[str, str] = {}
    for item in assignments:
        key, _, value = item.partition("=")
        key = key.strip()
        if key in seen:
            raise UsageError(f"parameter '{key}' is given twice ({seen[key]!r} and {value!r}): give it once")
        seen[key] = value


def _check_paths(paths: list[str]) -> None:
    """Refuse a command-line path that does not exist, before anything starts or is recorded."""
    from core.cli import UsageError
    from core.discovery import display_path

    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{display_path(path)}: no such file or directory")


def _discover(args: argparse.Namespace, quiet: bool) -> Discovery:
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
    if not quiet:
        for skipped in found.skipped:
            print(f"skipped {display_path(skipped.path)}: {skipped.reason}", file=sys.stderr)
    if found.outputs and not quiet:
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
    """Discover, run, report; return the exit code (see ``EXIT_CODES_HELP``)."""
    from core.cli.logs import level_of

    params, writes = _check_args(args)
    options = BatchOptions(timeout=args.timeout, retries=args.retries)
    output = output_args.output_from_args(args, writes)
    if args.dry_run:
        found = _discover(args, quiet=False)
        return output_args.print_dry_run(_spec(args, params, found, options, output))
    mode = "json" if args.json else "quiet" if args.quiet else "lines"
    config = EngineConfig(
        workers=args.workers,
        start_method=args.start_method,
        log_level=level_of(args.log_level),
        lines={"json": lines.JSON, "lines": lines.RESULT}.get(mode),  # made by the workers
    )
    recorder = store_args.open_recorder(args)
    try:
        engine = cluster_args.make_engine(args, config, recorder)
    except KeyboardInterrupt:  # Ctrl-C while connecting to a cluster: nothing ran
        print("\ninterrupted", file=sys.stderr)
        return 130
    # Workers start up while the folders are walked.
    engine.start()
    try:
        found = _discover(args, quiet=args.quiet)
        spec = _spec(args, params, found, options, output)
        output_args.check_outputs(spec)
    except BaseException:
        engine.shutdown()
        raise
    from core.cli.progress import Printer

    # What the walk could not use is in the batch too, ended skipped: the summary and the history agree.
    spec = spec.with_skipped([(s.path, s.reason) for s in found.skipped])
    printer = Printer(spec.paths, spec.sizes, mode=mode, job=args.job)
    return run_batch(engine, spec, printer, recorder=recorder)


def _spec(
    args: argparse.Namespace, params: dict[str, Any], found: Discovery, options: BatchOptions, output: Any
) -> BatchSpec:
    return BatchSpec(
        args.job, params, found.paths, options, sizes=found.sizes, output=output, mtimes=found.mtimes
    )


def run_batch(engine: Backend, spec: BatchSpec, printer: Printer, recorder: Recorder | None = None) -> int:
    """Run ``spec`` on ``engine`` with live progress; return the exit code."""
    from core.cli.logs import log_path, log_to_file

    log_to_file()
    engine.add_listener(printer)
    interrupts = _Interrupts(engine, printer)
    started = time.monotonic()
    with interrupts.installed():
        engine.start()
        try:
            handle = engine.submit(spec)
            # Lines reach stdout within 0.1 s of their task's end, so a run killed
            # outright (SIGKILL) has printed nearly every task the history holds.
            while handle.wait(0.1) is None:
                printer.tick()
        except RuntimeError:
            pass  # the engine stopped on an error: said below
        finally:
            engine.shutdown(interrupt=True, timeout=0)
    printer.drain()
    printer.clear_line()
    stopped = bool(handle.result is None or handle.result.stopped)
    summary = printer.summary(time.monotonic() - started, stopped)
    fault = getattr(engine, "fault", None)
    note, incomplete = store_args.history_outcome(recorder, handle.batch_id)
    print(summary + ("" if fault else note), file=sys.stderr)
    if fault is not None:
        batch = handle.batch_id if recorder else None
        resume = f"; resume with: brigade-cli resume {batch}" if batch else ""
        print(
            f"brigade-cli: the engine stopped on an unexpected error: {fault.message} "
            f"(traceback in {log_path()}){resume}",
            file=sys.stderr,
        )
        return ExitCode.ENGINE_ERROR
    if interrupts.count:
        return ExitCode.INTERRUPTED
    if getattr(engine, "lost", None):  # the cluster said why, in one line
        return ExitCode.CLUSTER_LOST
    if incomplete:
        return ExitCode.HISTORY_INCOMPLETE
    return ExitCode.FAILED if printer.bad() else ExitCode.OK


class _Interrupts:
    """Ctrl-C, pressed again and again, says more and more firmly "stop now".

    Once: start no new task, let running ones finish. Twice: cancel them.
    A third time, or a second when the engine did not answer the first within
    ``ANSWER_WITHIN`` seconds: the workers are killed and the process exits at
    once, whatever the engine thread is doing (a store can resume the batch).
    """

    def __init__(self, engine: Backend, printer: Printer) -> None:
        self.engine = engine
        self.printer = printer
        self.count = 0
        self.answered = threading.Event()
        self.first_at = 0.0

    def __call__(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            # Before any output: a second press can run this handler again inside this one,
            # and must then see when the first press came.
            self.first_at = time.monotonic()
        self.printer.clear_line()
        if self.count == 1:
            print("\nstopping: running tasks finish (Ctrl-C again to cancel them)", file=sys.stderr)
            self.engine.stop()
            self.engine.call(self.answered.set)
        elif self.count == 2 and self._engine_answered():
            print("\ncancelling running tasks (Ctrl-C again to kill them and exit)", file=sys.stderr)
            self.engine.cancel(list(self.printer.running))
        else:
            self.kill_and_exit()

    def _engine_answered(self) -> bool:
        return self.answered.is_set() or time.monotonic() - self.first_at < ANSWER_WITHIN

    def kill_and_exit(self) -> None:
        """Stop every worker (they remove their temporary files first) and exit now."""
        print("\nkilling the workers and exiting", file=sys.stderr)
        for pid in _own_workers(self.engine):
            # TERM: a worker removes its temporary outputs and its task's processes, then dies;
            # one that cannot sees its engine's end of the pipe close, and exits.
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.INTERRUPTED)

    def installed(self) -> Any:
        @contextlib.contextmanager
        def scope() -> Any:
            previous = signal.signal(signal.SIGINT, self)
            try:
                yield
            finally:
                signal.signal(signal.SIGINT, previous)

        return scope()


def _own_workers(engine: Backend) -> tuple[int, ...]:
    """The worker pids this process started: not those of a Dask cluster someone else runs here."""
    if getattr(engine, "cluster", None) is not None and getattr(engine, "local_cluster", None) is None:
        return ()
    return engine.worker_pids
