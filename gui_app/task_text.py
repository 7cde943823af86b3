"""The texts of the tasks table: paths below the dropped folders, results on one line, durations.

Plain functions, shared by the table, the status bar and the history panel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.discovery import display_path
from core.model import TaskState
from gui_app.i18n import arg

MAX_ROOTS = 64  # more dropped folders than this: paths show as folder/name (a lookup per painted cell)


def state_names() -> dict[TaskState, str]:
    """Each task state as the window names it (the table's State column, the status bar), translated."""
    return {
        TaskState.QUEUED: QCoreApplication.translate("TasksModel", "queued"),
        TaskState.RUNNING: QCoreApplication.translate("TasksModel", "running"),
        TaskState.DONE: QCoreApplication.translate("TasksModel", "done"),
        TaskState.FAILED: QCoreApplication.translate("TasksModel", "failed"),
        TaskState.CANCELLED: QCoreApplication.translate("TasksModel", "cancelled"),
        TaskState.SKIPPED: QCoreApplication.translate("TasksModel", "skipped"),
    }


def finished_text(counts: Mapping[TaskState, int], seconds: float) -> str:
    """How a batch ended, for its notification: done, failed, cancelled, and skipped when some were."""
    done, failed, cancelled, skipped = (
        counts.get(s, 0) for s in (TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED, TaskState.SKIPPED)
    )
    if skipped:  # said only then: most batches skip nothing
        template = QCoreApplication.translate(
            "MainWindow", "%1 done, %2 failed, %3 cancelled, %4 skipped in %5 s"
        )
        return arg(template, done, failed, cancelled, skipped, f"{seconds:.1f}")
    template = QCoreApplication.translate("MainWindow", "%1 done, %2 failed, %3 cancelled in %4 s")
    return arg(template, done, failed, cancelled, f"{seconds:.1f}")


def batch_roots(roots: Iterable[str]) -> tuple[str, ...]:
    """The dropped folders as prefixes (``/a/b/``), longest first, so the nearest root matches."""
    folders = [os.path.join(os.path.abspath(r), "") for r in roots if os.path.isdir(r)]
    if len(folders) > MAX_ROOTS:
        return ()
    return tuple(sorted(set(folders), key=len, reverse=True))


def one_line(value: Any) -> str:
    """A value on one line: a text of several lines shows its last non-empty one (a program's verdict)."""
    text = f"{value}"
    if "\n" not in text:
        return text
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def result_text(result: dict[str, Any] | None, columns: Sequence[str] = ()) -> str:
    """One short line for the Result column: the job's result columns, else every field."""
    if not result:
        return ""
    keys = [k for k in columns if k in result] or list(result)
    return "  ".join(one_line(result[k]) if len(keys) == 1 else f"{k}={one_line(result[k])}" for k in keys)


def short_path(path: str) -> str:
    """The file name and its folder (``photos/IMG_0001.jpg``); the full path is in the tooltip."""
    parent, name = os.path.split(path)
    folder = os.path.basename(parent)
    return display_path(f"{folder}/{name}" if folder else name)


def duration_text(seconds: float | None) -> str:
    """``"0.42 s"``, ``"12.3 s"``, ``"3 min 04 s"``, ``"2 h 05 min"``; empty for ``None``.

    The one format of durations in the window: the tasks table, the status bar and history.
    """
    if seconds is None:
        return ""
    if seconds < 60:
        return _tr_duration("%1 s").replace("%1", f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}")
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return _tr_duration("%1 min %2 s").replace("%1", str(minutes)).replace("%2", f"{secs:02d}")
    hours, minutes = divmod(minutes, 60)
    return _tr_duration("%1 h %2 min").replace("%1", str(hours)).replace("%2", f"{minutes:02d}")


# Marked for lupdate here, translated when shown (the language may change after import).
_DURATION_FORMS = (
    QT_TRANSLATE_NOOP("duration", "%1 s"),
    QT_TRANSLATE_NOOP("duration", "%1 min %2 s"),
    QT_TRANSLATE_NOOP("duration", "%1 h %2 min"),
)


def _tr_duration(text: str) -> str:
    return QCoreApplication.translate("duration", text)
