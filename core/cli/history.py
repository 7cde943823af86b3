"""History sub-commands: ``history``, ``show``, ``log``, ``export``, ``prune``, ``resume``, ``retry``."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

from core.cli import cluster_args, store_args
from core.cli.progress import tasks_text
from core.model import TaskState

# These commands are registered on every ``run``: what only they use (dates,
# JSON, path display) is imported inside them.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from core.model import BatchSpec

STATE_NAMES = [s.label for s in TaskState] + ["interrupted"]
MAX_ID = 2**63 - 1  # SQLite's largest integer


def _check_numbers(args: argparse.Namespace) -> None:
    """Ids and counts SQLite can hold, or one line and exit 2 (not a traceback)."""
    from core.cli import UsageError

    for name, low in (("batch", 1), ("task", 1), ("limit", 0), ("offset", 0), ("keep", 0)):
        value = getattr(args, name, None)
        if value is not None and not low <= value <= MAX_ID:
            raise UsageError(f"{name} {value} is out of range ({low} to {MAX_ID})")


def register(sub: Any) -> None:
    """Add the history sub-commands."""
    p = sub.add_parser("history", help="list past batches with counts and durations")
    p.add_argument("--limit", type=int, default=50, help="batches to list (newest first)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    _common(p, history_command)

    p = sub.add_parser("show", help="list the tasks of a batch")
    p.add_argument("batch", type=int, metavar="BATCH")
    p.add_argument(
        "--state", action="append", choices=STATE_NAMES, help="only tasks in this state (repeatable)"
    )
    p.add_argument("--limit", type=int, default=None, help="at most this many tasks")
    p.add_argument("--offset", type=int, default=0, help="skip this many tasks first")
    _common(p, show_command)

    p = sub.add_parser("log", help="print the stored log lines of a task")
    p.add_argument("task", type=int, metavar="TASK")
    p.add_argument("--limit", type=int, default=None, help="at most this many lines")
    _common(p, log_command)

    p = sub.add_parser("export", help="write a batch's tasks as CSV or JSON")
    p.add_argument("batch", type=int, metavar="BATCH")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    _common(p, export_command)

    p = sub.add_parser("prune", help="delete old batches from the history")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="batches created more than DAYS ago")
    p.add_argument("--keep", type=int, metavar="N", help="keep only the newest N batches")
    _common(p, prune_command)

    p = sub.add_parser(
        "resume", help="run the queued and interrupted tasks of a batch (done tasks never run)"
    )
    p.add_argument("batch", type=int, metavar="BATCH")
    _run_options(p, resume_command)

    p = sub.add_parser("retry", help="run the failed (or cancelled) tasks of a batch again")
    p.add_argument("batch", type=int, metavar="BATCH")
    p.add_argument("--failed", action="store_true", help="retry failed tasks (the default)")
    p.add_argument("--cancelled", action="store_true", help="retry cancelled tasks")
    _run_options(p, retry_command)


def _common(p: Any, handler: Any) -> None:
    store_args.add_db_argument(p)
    p.set_defaults(handler=handler)


def _run_options(p: Any, handler: Any) -> None:
    p.add_argument("--workers", "-w", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--json", action="store_true", help="print one JSON line per task on stdout")
    p.add_argument(
        "--no-recheck",
        action="store_true",
        help="do not stat done tasks' inputs to run the changed ones again",
    )
    cluster_args.add_arguments(p, " (default: where the batch ran; 'here': this computer)")
    _common(p, handler)


@contextlib.contextmanager
def _store(args: argparse.Namespace) -> Iterator[Any]:
    """The history, opened without creating it (these commands read it; resume and retry need it)."""
    from core.cli import UsageError
    from core.store import JobStore, StoreError

    _check_numbers(args)
    try:
        store = JobStore.open(args.db, create=False)
    except StoreError as exc:
        raise UsageError(f"history unavailable: {exc}") from None
    with store, _quiet_pipe():
        yield store


@contextlib.contextmanager
def _quiet_pipe() -> Iterator[None]:
    """A reader that closed its end of the pipe (``show 5 | head``) ends the command quietly."""
    import os

    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at nothing so that flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# ------------------------------------------------------------------ reading
def _when(t: float | None) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S") if t else "-"


def _secs(s: float | None) -> str:
    return "-" if s is None else f"{s:.1f} s"


def history_command(args: argparse.Namespace) -> int:
    """List batches, newest first."""
    import json
    import os

    from core.store import default_db_path

    if args.db is None and not os.path.exists(default_db_path()):
        print("no batches in the history", file=sys.stderr)  # nothing run yet: nothing is created
        return 0

    with _store(args) as store:
        rows = store.batches(args.limit)
    if args.json:
        out = [
            {
                "batch": b.id,
                "job": b.job,
                "status": b.status,
                "created": b.created,
                "finished": b.finished,
                "total": b.total,
                "counts": b.label_counts(),
                "duration": b.duration,
                "params": b.params,
                "extra": b.extra,
                "where": cluster_args.where_it_ran(b.extra),
            }
            for b in rows
        ]
        print(json.dumps(out, indent=2))
        return 0
    if not rows:
        print("no batches in the history", file=sys.stderr)
        return 0
    print(
        f"{'batch':>6}  {'created':19}  {'job':12}  {'status':11}  {'tasks':>7}  {'duration':>10}  "
        f"{'where':22}  counts"
    )
    for b in rows:
        counts = _counts_text(b)
        print(
            f"{b.id:>6}  {_when(b.created):19}  {b.job[:12]:12}  {b.status:11}  {b.total:>7}  "
            f"{_secs(b.duration):>10}  {cluster_args.where_it_ran(b.extra):22}  {counts}"
        )
    return 0


def _counts_text(batch: Any) -> str:
    """``"3 done, 1 interrupted"``: a task's label counts, as ``show`` labels each task."""
    return ", ".join(f"{n} {label}" for label, n in batch.label_counts().items()) or "-"


def show_command(args: argparse.Namespace) -> int:
    """List the tasks of a batch, optionally filtered by state."""
    from core.cli import UsageError

    wanted = set(args.state or ())
    with _store(args) as store:
        batch = store.batch(args.batch)
        if batch is None:
            raise UsageError(f"no batch {args.batch} in the history")
        states = {s for s in TaskState if s.label in wanted}
        interrupted = None
        if "interrupted" in wanted:
            states.add(TaskState.FAILED)
            interrupted = True if "failed" not in wanted else None
        elif "failed" in wanted:
            interrupted = False
        rows = store.tasks(args.batch, states or None, args.limit, args.offset, interrupted=interrupted)
        where = cluster_args.where_it_ran(batch.extra)
        print(
            f"batch {batch.id}: {batch.job}, {batch.status}, {tasks_text(batch.total)}: "
            f"{_counts_text(batch)}; ran {where}",
            file=sys.stderr,
        )
        print(f"{'task':>8}  {'state':11}  {'try':>3}  {'duration':>9}  path  result or reason")
        for t in rows:
            flag = "  [input changed]" if t.changed else ""
            print(
                f"{t.id:>8}  {t.label:11}  {t.attempts:>3}  {_secs(t.duration):>9}  "
                f"{escape_path(t.path)}  {_outcome(t)}{flag}"
            )
    return 0


def _outcome(task: Any) -> str:
    """A task's result in one line, or why it failed or was skipped."""
    import json

    if task.reason:
        return escape_text(task.reason)
    result = task.result
    if result is None:
        return "-"
    if isinstance(result, dict):
        for key in ("reason", "skipped", "digest", "output", "line"):
            if key in result:
                return escape_text(str(result[key]))
    text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    return escape_text(text if len(text) <= 200 else text[:200] + "...")


def escape_path(path: str) -> str:
    r"""``path`` printable on one line, escaped as ``ls -b`` does (``\n``, ``\ ``, ``\303``)."""
    import os

    raw = os.fsencode(path)
    out = []
    for char in raw.decode("utf-8", "surrogateescape"):
        code = ord(char)
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\{code - 0xDC00:03o}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append("".join(f"\\{b:03o}" for b in char.encode("utf-8")))
    return "".join(out)


def escape_text(text: str) -> str:
    """``text`` on one line: control characters escaped like ``escape_path``, spaces kept."""
    return escape_path(text).replace("\\ ", " ")


_C_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\\": "\\\\",
    " ": "\\ ",
}


def log_command(args: argparse.Namespace) -> int:
    """Print a task's stored log lines."""
    import datetime

    from core.cli import UsageError

    with _store(args) as store:
        task = store.task(args.task)
        if task is None:
            raise UsageError(f"no task {args.task} in the history")
        lines = store.log_lines(args.task, args.limit)

    def clock(when: float) -> str:
        return datetime.datetime.fromtimestamp(when).strftime("%H:%M:%S.%f")[:-3]

    for line in lines:
        print(f"{clock(line.time)}  #{line.attempt}  {_level_name(line.level):7}  {line.text}")
    if task.failure is not None:
        # Why the task ended, as the window's log panel shows it: its last word.
        when = clock(task.ended) if task.ended else " " * 12
        print(f"{when}  #{task.attempts}  {task.state.label.upper():7}  {task.failure.describe()}")
        if task.failure.traceback:
            print(task.failure.traceback.rstrip("\n"))
    if task.log_dropped:
        print(f"({task.log_dropped} more lines were over the limit and not kept)", file=sys.stderr)
    return 0


def _level_name(level: int) -> str:
    import logging

    return str(logging.getLevelName(level))


def export_command(args: argparse.Namespace) -> int:
    """Write a batch as CSV or JSON to stdout or a file."""
    from core.cli import UsageError
    from core.store import StoreError

    with _store(args) as store:
        try:
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    n = store.export(args.batch, args.format, out)
            else:
                n = store.export(args.batch, args.format, sys.stdout)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        # Inside the block: a reader that left early (``| head``) ends it before this line.
        print(f"{tasks_text(n)} exported", file=sys.stderr)
    return 0


def prune_command(args: argparse.Namespace) -> int:
    """Delete old batches."""
    from core.cli import UsageError

    if args.older_than is None and args.keep is None:
        raise UsageError("say what to prune: --older-than DAYS and/or --keep N")
    with _store(args) as store:
        n = store.prune(older_than_days=args.older_than, keep=args.keep)
    print(f"{n} batches deleted", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ running again
def resume_command(args: argparse.Namespace) -> int:
    """Run the queued and interrupted tasks of a batch, and the done ones whose input changed."""
    return _run_again(
        args, lambda store, changed: store.resume_spec(args.batch, changed=changed), "to resume"
    )


def retry_command(args: argparse.Namespace) -> int:
    """Run the failed and/or cancelled tasks of a batch again, and the done ones whose input changed."""
    failed = args.failed or not args.cancelled

    def make(store: Any, changed: list[int]) -> Any:
        return store.retry_spec(args.batch, failed=failed, cancelled=args.cancelled, changed=changed)

    return _run_again(args, make, "to retry")


def _run_again(args: argparse.Namespace, make_spec: Any, what: str) -> int:
    from core.cli import UsageError
    from core.cli.progress import Printer
    from core.cli.run import check_workers, run_batch
    from core.engine import EngineConfig, lines
    from core.store import StoreError

    check_workers(args.workers)
    with _store(args) as store:
        if store.batch(args.batch) is None:
            raise UsageError(f"no batch {args.batch} in the history")
        try:
            changed = [] if args.no_recheck else store.changed_inputs(args.batch)
            spec: BatchSpec | None = make_spec(store, changed)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        recorder = store.recorder()
    if spec is None:
        print(f"batch {args.batch}: nothing {what}", file=sys.stderr)
        return 0
    # Each task's line made by the workers, in the job's own form, as ``run`` prints it.
    config = EngineConfig(workers=args.workers, lines=lines.JSON if args.json else lines.RESULT)
    engine, spec, where = cluster_args.rerun_engine(args, spec, config, recorder)
    note = f" ({len(changed)} of them done before: their input changed since)" if changed else ""
    print(f"batch {args.batch}: running {tasks_text(len(spec.paths))} again {where}{note}", file=sys.stderr)
    printer = Printer(spec.paths, spec.sizes, json_lines=args.json, job=spec.job)
    return run_batch(engine, spec, printer, recorder=recorder)
