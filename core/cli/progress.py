"""What ``brigade-cli run`` prints while a batch runs.

The listener runs on the engine thread and only counts and queues; the main
thread prints, so a slow terminal never holds up the engine.
"""

from __future__ import annotations

import collections
import sys
import time

from core.discovery import display_path
from core.events import BatchAccepted, TaskFinished, TaskStarted
from core.model import TaskState, task_index

TYPE_CHECKING = False  # no ``typing`` at run time: ``run`` loads this module before its first task
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO, Any

    from core.events import Event
    from core.model import TaskId

BAR_WIDTH = 24
_FAILED = TaskState.FAILED
FAILURE_LINES = 50  # a batch where every file fails the same way should not flood the terminal


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


class Printer:
    """Counts events (engine thread) and renders progress (main thread)."""

    def __init__(
        self,
        paths: Sequence[str],
        sizes: Sequence[int] | None,
        *,
        json_lines: bool,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.paths = paths
        self.sizes = sizes
        self.json_lines = json_lines
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.tty = self.err.isatty()
        self.ids: Sequence[TaskId] = ()
        self.total = len(paths)
        # A list indexed by state: an enum as a dict key costs a Python-level hash per task.
        self.counts = [0] * len(TaskState)
        self.bytes_done = 0
        self.running: set[TaskId] = set()
        self.finished: collections.deque[TaskFinished] = collections.deque()
        self.started = time.monotonic()
        self.last_line = 0.0
        self.failures_shown = 0

    # Engine thread -------------------------------------------------------
    def __call__(self, events: list[Event]) -> None:
        """Listener: count and queue finished tasks. Called on the engine thread."""
        # Twice per task (tens of thousands a second): names are looked up once per call.
        running, counts, sizes, keep_all = self.running, self.counts, self.sizes, self.json_lines
        done_bytes = 0
        for ev in events:
            if type(ev) is TaskStarted:
                running.add(ev.task_id)
            elif type(ev) is TaskFinished:
                running.discard(ev.task_id)
                state = ev.state
                counts[state] += 1
                if sizes is not None:
                    done_bytes += sizes[self.index(ev.task_id)]
                elif ev.size > 0:
                    done_bytes += ev.size
                if keep_all or state == _FAILED:
                    self.finished.append(ev)
            elif type(ev) is BatchAccepted:
                self.ids = ev.task_ids
        self.bytes_done += done_bytes

    def index(self, task_id: TaskId) -> int:
        return task_index(self.ids, task_id)

    # Main thread ---------------------------------------------------------
    def drain(self) -> None:
        """Print the queued per-task lines (JSON, or failures)."""
        flush = False
        while self.finished:
            ev = self.finished.popleft()
            if self.json_lines:
                import json  # only for --json

                print(json.dumps(self.task_record(ev), ensure_ascii=True), file=self.out)
                flush = True
            else:
                self.print_failure(ev)
        if flush:
            # A reader of the JSON lines (a pipe) sees each batch as it ends, not at exit.
            self.out.flush()

    def print_failure(self, ev: TaskFinished) -> None:
        """One line per failed task, up to ``FAILURE_LINES``; the rest are counted in the summary."""
        self.failures_shown += 1
        if self.failures_shown > FAILURE_LINES:
            return
        self.clear_line()
        path = display_path(self.paths[self.index(ev.task_id)])
        reason = ev.failure.describe() if ev.failure else "failed"
        print(f"FAILED {path}: {reason}", file=self.err)
        if self.failures_shown == FAILURE_LINES:
            print("(further failures are not listed: see --json or 'brigade-cli show')", file=self.err)

    def task_record(self, ev: TaskFinished) -> dict[str, Any]:
        """One task as a JSON-able record."""
        return {
            "task": ev.task_id,
            "path": self.paths[self.index(ev.task_id)],
            "state": ev.state.label,
            "result": ev.result,
            "reason": ev.failure.describe() if ev.failure else None,
            "attempts": ev.attempt,
            "duration": round(ev.duration, 6),
            "outputs": list(ev.outputs),
            "log_dropped": ev.log_dropped,
        }

    def status(self) -> str:
        done = sum(self.counts)
        elapsed = max(1e-9, time.monotonic() - self.started)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate > 0 else 0.0
        frac = done / self.total if self.total else 1.0
        fill = int(frac * BAR_WIDTH)
        parts = [
            f"[{'#' * fill}{'.' * (BAR_WIDTH - fill)}] {done}/{self.total}",
            f"failed {self.counts[TaskState.FAILED]}",
            f"{rate:.0f} files/s",
        ]
        if self.bytes_done:
            parts.append(f"{_size(self.bytes_done / elapsed)}/s")
        parts.append(f"ETA {_duration(eta)}")
        return "  ".join(parts)

    def tick(self) -> None:
        """Redraw the progress line (terminal) or print one every 5 s (pipe)."""
        self.drain()
        now = time.monotonic()
        if self.tty:
            self.err.write("\r" + self.status() + "\033[K")
            self.err.flush()
        elif now - self.last_line >= 5.0:
            self.last_line = now
            print(self.status(), file=self.err)

    def clear_line(self) -> None:
        if self.tty:
            self.err.write("\r\033[K")

    def summary(self, elapsed: float, stopped: bool) -> str:
        parts = [f"{self.counts[s]} {s.label}" for s in TaskState if self.counts[s]]
        left = self.total - sum(self.counts)
        if left:
            parts.append(f"{left} not started")
        rate = sum(self.counts) / elapsed if elapsed > 0 else 0.0
        head = "stopped" if stopped else "finished"
        what = ", ".join(parts) or "nothing to do"
        return f"{head}: {self.total} tasks: {what} in {elapsed:.2f} s ({rate:.0f} files/s)"
