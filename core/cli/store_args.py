"""Command-line options that choose the job store (history) of a run."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from core.engine import Recorder


def add_arguments(parser: Any) -> None:
    """Add the history options to ``parser``."""
    add_db_argument(parser)
    parser.add_argument("--no-history", action="store_true", help="do not record this run in the history")


def add_db_argument(parser: Any) -> None:
    """Add ``--db PATH`` (the history commands take it too)."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None,
        help="history database (default: $BRIGADE_DB, else history.sqlite3 in the user data folder)",
    )


def open_recorder(args: argparse.Namespace) -> Recorder | None:
    """Return the recorder that keeps this run's history, or ``None``.

    When the database cannot be used, one line says so on stderr and the run
    goes on without history. Each write problem met during the run is printed
    once, as one line, when it first happens.
    """
    if getattr(args, "no_history", False):
        return None
    from core.store.errors import StoreError
    from core.store.location import default_db_path
    from core.store.recorder import StoreRecorder

    try:
        # Its connection, opened here, is the one the engine writes through.
        recorder = StoreRecorder.open(getattr(args, "db", None) or default_db_path())
    except StoreError as exc:
        print(f"history disabled: {exc}", file=sys.stderr)
        return None
    recorder.add_problem_listener(_print_problem)
    return recorder


def _print_problem(line: str) -> None:
    """Print a history write problem (on the engine thread, as it happens)."""
    print(f"history: {line}", file=sys.stderr, flush=True)


def history_outcome(recorder: Recorder | None, batch_id: int | None) -> tuple[str, bool]:
    """The end of ``run``'s summary line, and whether the run's history is incomplete.

    "batch N in history" only when the whole batch is committed there.
    """
    if recorder is None or batch_id is None:
        return "", False  # a run without history does not load the store to say so
    from core.store.recorder import StoreRecorder

    if not isinstance(recorder, StoreRecorder) or recorder.error:
        return "", False
    if recorder.complete(batch_id):
        return f"; batch {batch_id} in history", False
    if batch_id < 0:
        return "; not in history (the database refused it)", True
    return f"; history incomplete: batch {batch_id} lacks what could not be written", True
