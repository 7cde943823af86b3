"""Command-line options that choose the job store (history) of a run."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # no ``typing`` at run time: ``run`` loads this module before its first task
if TYPE_CHECKING:
    import argparse
    from typing import Any

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
    goes on without history.
    """
    if getattr(args, "no_history", False):
        return None
    # The recorder's own modules only: not the history's readers (``JobStore``).
    from core.store.errors import StoreError
    from core.store.location import default_db_path
    from core.store.recorder import StoreRecorder

    try:
        # Its connection, opened here, is the one the engine writes through.
        return StoreRecorder.open(getattr(args, "db", None) or default_db_path())
    except StoreError as exc:
        print(f"history disabled: {exc}", file=sys.stderr)
        return None


def batch_note(recorder: Recorder | None, batch_id: int | None) -> str:
    """The end of ``run``'s summary line: which history batch holds the run, if any."""
    if recorder is None or batch_id is None or getattr(recorder, "error", None):
        return ""
    return f"; batch {batch_id} in history"
