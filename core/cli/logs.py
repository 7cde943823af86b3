"""Where ``brigade-cli`` keeps what the terminal shows in one line: tracebacks, in a log file."""

from __future__ import annotations

import logging
import os


def log_path() -> str:
    """The CLI's log file: ``$BRIGADE_LOG`` if set, else ``brigade-cli.log`` in the user log folder."""
    from core.paths import log_dir

    return os.environ.get("BRIGADE_LOG") or os.path.join(log_dir(), "brigade-cli.log")


class _AppendHandler(logging.Handler):
    """Appends each record to ``log_path()``, made (with its folder) only when there is something to log.

    The path is looked up then too: a run that logs nothing never loads what finds the user log folder.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + "\n"
            path = log_path()
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "a", encoding="utf-8", errors="backslashreplace") as f:
                f.write(text)
        except Exception:  # noqa: BLE001 - logging must never end the run
            self.handleError(record)


def log_to_file() -> None:
    """Send the error that ends a run (with its traceback) to ``log_path()``, not the terminal.

    The terminal gets one line from the command instead.
    """
    logger = logging.getLogger("brigade.fault")
    if not any(isinstance(h, _AppendHandler) for h in logger.handlers):
        logger.addHandler(_AppendHandler())
    logger.propagate = False


def level_of(name: str) -> int:
    """The ``logging`` level called ``name`` (one of ``LOG_LEVELS``)."""
    return int(getattr(logging, name))
