"""What ``brigade-cli run`` prints while a batch runs.

stdout carries one line per done task in the job's own form (``--json``: one
JSON record per task), so it can be redirected (``> SUMS``); stderr carries
failures, progress and the summary. The listener runs on the engine thread and
only counts and queues; the main thread prints, so a slow terminal never holds
up the engine.

The lines themselves are made by the workers that ran the tasks, in parallel.
The engine thread joins the lines of each delivery into one block of text and
lets the events go; the main thread writes the blocks out. No task's event
waits for the main thread, and nothing is handled line by line after the
engine thread::

    workers: task ends -> its line      engine thread: lines of a delivery -> one block
    main thread: blocks -> one write to stdout (every tick, and at the end)
"""

from __future__ import annotations

import collections
import os
import sys
import time
from typing import TYPE_CHECKING

from core.discovery import display_path
from core.events import BatchAccepted, TaskFinished, TasksCancelled, TaskStarted
from core.model import TaskState, task_index

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO, Any

    from core.events import Event
    from core.model import TaskId

BAR_WIDTH = 24
_FAILED, _DONE, _SKIPPED = TaskState.FAILED, TaskState.DONE, TaskState.SKIPPED
FAILURE_LINES = 50  # a batch where every file fails the same way should not flood the terminal
PIPE_SECONDS = 10.0  # stderr not a terminal: a progress line this often...
PIPE_FRACTION = 0.1  # ...or each time this share of the tasks has ended, whichever comes first


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
    """Counts events (engine thread) and prints lines, progress and the summary (main thread).

    ``mode`` is ``"lines"`` (each done task's result line on stdout), ``"json"``
    (a JSON record per task on stdout) or ``"quiet"`` (the summary only).
    ``json_lines=True`` is ``mode="json"``.
    """

    def __init__(
        self,
        paths: Sequence[str],
        sizes: Sequence[int] | None,
        *,
        json_lines: bool = False,
        mode: str = "lines",
        job: str | None = None,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.paths = paths
        self.sizes = sizes
        self.mode = "json" if json_lines else mode
        self.json_lines = self.mode == "json"
        self.job = job
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.tty = self.err.isatty()
        self.ids: Sequence[TaskId] = ()
        self.total = len(paths)
        # A list indexed by state: an enum as a dict key costs a Python-level hash per task.
        self.counts = [0] * len(TaskState)
        self.bytes_done = 0
        self.running: set[TaskId] = set()
        # Engine thread -> main thread. Appends and pops at either end of a deque are thread-safe.
        self.blocks: collections.deque[str] = collections.deque()  # lines made by the workers
        self.finished: collections.deque[TaskFinished] = collections.deque()  # ends needing a word here
        self.clock = time.monotonic  # seconds; replaceable, for tests of the pacing
        self.started = self.clock()
        self.last_line = 0.0
        self.last_done = 0
        self.failures_shown = 0
        self.skip_reasons: collections.Counter[str] = collections.Counter()
        self._line_of: Any = None

    # Engine thread -------------------------------------------------------
    def __call__(self, events: list[Event]) -> None:
        """Listener: count, and queue the lines of ended tasks as one block. Called on the engine thread."""
        # Twice per task (tens of thousands a second): names are looked up once per call.
        running, counts, sizes, finished = self.running, self.counts, self.sizes, self.finished
        every_end, done_only = self.mode == "json", self.mode == "lines"
        lines: list[str] = []
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
                if state is _SKIPPED:
                    finished.append(ev)  # its reason is counted for the summary
                if every_end or (done_only and state is _DONE):
                    if ev.line is not None:
                        lines.append(ev.line)
                    elif state is not _SKIPPED:
                        finished.append(ev)  # no line from a worker: made on the main thread
                elif state is _FAILED and done_only:
                    finished.append(ev)  # said on stderr
            elif type(ev) is TasksCancelled:
                counts[TaskState.CANCELLED] += ev.count  # never started: no bytes done
                if every_end:
                    finished.extend(ev.each())  # a JSON record for each, made on the main thread
            elif type(ev) is BatchAccepted:
                self.ids = ev.task_ids
        self.bytes_done += done_bytes
        if lines:
            self.blocks.append("\n".join(lines))

    def index(self, task_id: TaskId) -> int:
        return task_index(self.ids, task_id)

    # Main thread ---------------------------------------------------------
    def drain(self) -> None:
        """Print what the engine thread queued: blocks of lines on stdout, failures on stderr."""
        blocks, finished, mode = self.blocks, self.finished, self.mode
        texts: list[str] = []
        while blocks:
            texts.append(blocks.popleft())
        while finished:
            ev = finished.popleft()
            if ev.state is _SKIPPED:
                self.count_skip(ev)
                if mode == "json" and ev.line is None:
                    texts.append(self.task_record(ev))
            elif mode == "json":
                texts.append(self.task_record(ev))
            elif ev.state is _DONE:
                texts.append(self.result_line(ev))
            else:
                self.print_failure(ev)
        if texts:
            self.write_lines(texts)

    def write_lines(self, lines: list[str]) -> None:
        """Write lines (or blocks of them) to stdout as the file system's bytes.

        A name that is not UTF-8 stays itself.
        """
        text = "\n".join(lines) + "\n"
        buffer = getattr(self.out, "buffer", None)
        if buffer is not None:
            self.out.flush()
            buffer.write(os.fsencode(text))
            buffer.flush()  # a reader of a pipe sees each batch as it ends, not at exit
        else:
            self.out.write(text)
            self.out.flush()

    def count_skip(self, ev: TaskFinished) -> None:
        self.skip_reasons[_reason_kind(ev.result.get("reason") if ev.result else None)] += 1

    def result_line(self, ev: TaskFinished) -> str:
        """The line of a done task whose worker made none (a cluster's, say)."""
        if self._line_of is None:
            from core.processor import Processor
            from core.registry import processor_class

            try:
                self._line_of = processor_class(self.job).result_line if self.job else None
            except Exception:  # noqa: BLE001 - an unloadable job still gets the default form
                self._line_of = None
            self._line_of = self._line_of or Processor.result_line
        path = self.paths[self.index(ev.task_id)]
        return self._line_of(path, ev.result) or path

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

    def task_record(self, ev: TaskFinished) -> str:
        """The JSON line of a task whose worker made none (ended by the engine, or on a cluster)."""
        from core.engine.lines import json_record

        path = self.paths[self.index(ev.task_id)]
        fields = (ev.attempt, ev.duration, ev.outputs, ev.log_dropped)
        return json_record(ev.task_id, path, ev.state, ev.result, ev.failure, *fields)

    def status(self) -> str:
        done = sum(self.counts)
        elapsed = max(1e-9, self.clock() - self.started)
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
        """Print queued lines, then redraw the progress line (terminal) or print one now and then (pipe)."""
        self.drain()
        if self.mode == "quiet":
            return
        now = self.clock()
        if self.tty:
            self.err.write("\r" + self.status() + "\033[K")
            self.err.flush()
            return
        done = sum(self.counts)
        due = now - max(self.last_line, self.started) >= PIPE_SECONDS
        if due or done - self.last_done >= max(1, PIPE_FRACTION * self.total):
            self.last_line, self.last_done = now, done
            print(self.status(), file=self.err)

    def clear_line(self) -> None:
        if self.tty and self.mode != "quiet":
            self.err.write("\r\033[K")

    def bad(self) -> int:
        """Tasks that make the exit code 1: failed, cancelled, skipped or never ended."""
        c = self.counts
        ended_badly = c[TaskState.FAILED] + c[TaskState.CANCELLED] + c[TaskState.SKIPPED]
        return ended_badly + (self.total - sum(c))

    def summary(self, elapsed: float, stopped: bool) -> str:
        """One line: what ended how, and why anything was not done (skip reasons counted)."""
        reasons, counts = self.skip_reasons, self.counts
        parts = []
        for s in TaskState:
            if not counts[s]:
                continue
            part = f"{counts[s]} {s.label}"
            if s is _SKIPPED and reasons:
                part += " (" + ", ".join(_counted(n, why) for why, n in reasons.most_common()) + ")"
            parts.append(part)
        left = self.total - sum(self.counts)
        if left:
            parts.append(f"{left} not started")
        rate = sum(self.counts) / elapsed if elapsed > 0 else 0.0
        head = "stopped" if stopped else "finished"
        what = ", ".join(parts) or "nothing to do"
        return f"{head}: {tasks_text(self.total)}: {what} in {elapsed:.2f} s ({rate_text(rate)} files/s)"


def tasks_text(n: int) -> str:
    """``n`` tasks, in the singular for one: "1 task", "3 tasks"."""
    return f"{n} task" if n == 1 else f"{n} tasks"


def rate_text(rate: float) -> str:
    """A rate of files a second, with a decimal below 10 so that a slow batch never reads as 0."""
    return f"{rate:.1f}" if rate < 10 else f"{rate:,.0f}"


def _reason_kind(reason: str | None) -> str:
    """The kind of a skip reason, for counting: "a FIFO (named pipe): never opened" -> "a FIFO"."""
    if not reason:
        return "no reason given"
    return reason.split(":", 1)[0].split(" (", 1)[0].strip()


def _counted(n: int, kind: str) -> str:
    """``"2 FIFOs"``: a kind named with an article ("a FIFO") is a noun, counted in the plural."""
    for article in ("a ", "an "):
        if kind.startswith(article):
            noun = kind[len(article) :]
            return f"{n} {noun}s" if n > 1 else f"{n} {noun}"
    return f"{n} {kind}"  # "output exists", "unreadable": not a noun
