"""Run ``brigade-cli`` with a real fault injected into its engine thread (for tests/test_cli.py).

``python -m tests.cli_faults FAULT ARGS...``: FAULT is

- ``raise``: the engine's dispatch raises once its first task has started;
- ``deaf``: the engine thread blocks for good when asked to stop (it never answers Ctrl-C).
"""

from __future__ import annotations

import sys
import threading

from core.cli import main
from core.engine.engine import Engine


def _raise_after_first_start() -> None:
    real = Engine._dispatch

    def dispatch(self: Engine) -> None:
        if any(run.counts[1] or run.counts[2] for run in self._batches.values()):  # running or done
            raise RuntimeError("injected fault")
        real(self)

    Engine._dispatch = dispatch  # type: ignore[method-assign]


def _deaf_to_stop() -> None:
    never = threading.Event()

    def stop(self: Engine, interrupt: bool, timeout: float | None) -> None:
        never.wait()

    Engine._cmd_stop = stop  # type: ignore[method-assign]


if __name__ == "__main__":
    {"raise": _raise_after_first_start, "deaf": _deaf_to_stop}[sys.argv[1]]()
    sys.exit(main(sys.argv[2:]))
