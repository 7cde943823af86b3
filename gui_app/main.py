"""Entry point of the ``brigade`` desktop app."""

from __future__ import annotations

import multiprocessing
import os
import sys


def has_screen() -> bool:
    """Whether a window can be shown (or Qt was told to draw offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def main(argv: list[str] | None = None) -> int:
    """Start the app; without a screen (or with ``--self-test``) run the self-test."""
    # First, so a frozen executable started as a worker becomes that worker.
    multiprocessing.freeze_support()
    args = sys.argv[1:] if argv is None else argv
    if "--self-test" in args or not has_screen():
        from core.engine.start import default_start_method
        from core.selftest import run_self_test

        if "--self-test" not in args:
            print("brigade: no screen found; running the headless self-test instead", file=sys.stderr)
        # Workers start as the window starts them (it runs threads): from the fork server on Linux.
        return run_self_test(start_method=default_start_method())
    from gui_app.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
