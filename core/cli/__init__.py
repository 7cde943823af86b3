"""``brigade-cli``: the engine without a window.

Each sub-command lives in its own module with a ``register(subparsers)``
function; this module only assembles them.
"""

from __future__ import annotations

import multiprocessing
import sys
from typing import TYPE_CHECKING

from core.cli.exitcodes import ExitCode

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence


# The module that registers each sub-command. A command line names one, and only
# that module is loaded and registered: the others would cost every run their
# imports and parser building (a few milliseconds before the first task).
_OWNERS = {
    "run": "run",
    "jobs": "jobs",
    "cluster": "cluster",
    "watch": "watch",
    **dict.fromkeys(("history", "show", "log", "export", "prune", "resume", "retry"), "history"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the parser with every sub-command registered, or only ``command``'s module's."""
    import argparse
    import importlib

    from core import __version__
    from core.cli.exitcodes import EXIT_CODES_HELP

    parser = argparse.ArgumentParser(
        prog="brigade-cli",
        description="Run Brigade's batch file jobs from a terminal.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"brigade {__version__}")
    parser.add_argument("--self-test", action="store_true", help="run every job on generated files and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    owner = _OWNERS.get(command or "")
    for name in [owner] if owner else ["run", "jobs", "history", "watch", "cluster"]:
        importlib.import_module(f"core.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``brigade-cli``; returns the exit code."""
    # First, so a frozen executable started as a worker becomes that worker.
    multiprocessing.freeze_support()
    from core.engine.start import spare_main_reimport

    spare_main_reimport("core.cli.__main__")
    for stream in (sys.stdout, sys.stderr):
        # Undecodable file names must print, not crash the run.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(errors="backslashreplace")
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list == ["--version"]:  # as the parser's own option says it, without building every sub-command
        from core import __version__

        print(f"brigade {__version__}")
        return ExitCode.OK
    if args_list == ["--self-test"]:
        from core.selftest import run_self_test

        return run_self_test()
    parser = build_parser(args_list[0] if args_list else None)
    args = parser.parse_args(args_list)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        parser.exit(ExitCode.USAGE, f"brigade-cli: error: {exc}\n")
    except BrokenPipeError:
        # The reader (``| head``) went away; say nothing more.
        sys.stderr.close()
        return ExitCode.OK


def console_main() -> None:
    """Entry point of the ``brigade-cli`` executable: ``main()``, then exit with its code.

    The process ends right after, so its objects are frozen out of the
    interpreter's last garbage collection, which would only walk what exit
    frees anyway; callers of ``main()`` in a longer-lived process keep the
    usual behaviour.
    """
    code = main()
    import gc

    gc.freeze()
    sys.exit(code)


class UsageError(Exception):
    """A mistake in the command line: printed, exit code 2."""


if __name__ == "__main__":
    sys.exit(main())
