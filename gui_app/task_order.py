"""Sort orders of the tasks table, computed off the GUI thread.

Sorting a million rows with ``list.sort`` holds the interpreter lock for the
whole sort, so even on another thread it would freeze the window. Here the
GUI thread only takes a snapshot of what the keys are made of (copies of the
model's compact arrays, references to the batches' path lists, which never
change); a worker thread builds the keys as numpy arrays, a piece at a time,
and ``numpy.argsort`` sorts them without holding the lock.

File names sort naturally (``note_2`` before ``note_10``) and without regard
to case, as a file manager lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.model import TaskState

PIECE = 50_000  # names turned into a numpy array at once: each such call holds the lock
DIGITS = re.compile(r"\d+")
DIGIT_WIDTH = 20  # digits a number of a file name is padded to, so 2 sorts before 10


def natural_key(name: str) -> str:
    """``name`` folded to lower case, its numbers padded: plain comparison then sorts naturally."""
    return DIGITS.sub(_pad, name.lower())


def _pad(match: re.Match[str]) -> str:
    return match.group().zfill(DIGIT_WIDTH)


def text_keys(texts: Sequence[str]) -> np.ndarray:
    """Texts as one numpy array of UTF-8 bytes (whose order is the texts' order), made a piece at a time."""
    if not texts:
        return np.array([], dtype="S1")
    pieces = [
        np.array([t.encode("utf-8", "surrogatepass") for t in texts[i : i + PIECE]])
        for i in range(0, len(texts), PIECE)
    ]
    return np.concatenate(pieces)


def argsort(keys: np.ndarray, descending: bool) -> np.ndarray:
    """Rows in the order of ``keys``; equal keys keep their order either way (as ``sorted`` does)."""
    if not descending:
        return np.argsort(keys, kind="stable")
    last = len(keys) - 1
    return last - np.argsort(keys[::-1], kind="stable")[::-1]


def numeric_keys(
    progress_column: bool,
    state: np.ndarray,
    progress: np.ndarray,
    started: np.ndarray,
    durations: np.ndarray,
    now: float,
) -> np.ndarray:
    """``TasksModel.progress()`` (or ``duration()``) of every row at once, from copies of its arrays."""
    running = state == TaskState.RUNNING
    if progress_column:
        shown = np.where(progress == 255, -1, progress.astype(np.int16))
        return np.where(running, shown, np.where(state == TaskState.DONE, 100, -1))
    return np.where(running & (started > 0), np.maximum(0.0, now - started), durations)


def result_of(row: int, texts: dict[int, str], details: dict[int, Any]) -> str:
    """``TasksModel.result_text`` over copies of its dicts (a worker thread reads them)."""
    d = details.get(row)
    if d is not None and d.failure is not None:
        return d.failure.describe()
    return texts.get(row, "")


@dataclass(slots=True, frozen=True)
class OrderJob:
    """One sort to run on a worker thread.

    ``keys`` builds the key array from a snapshot taken on the GUI thread;
    ``rows`` is how many rows the table had then; ``generation`` tells the
    result of the newest request from those it replaced.
    """

    keys: Callable[[], np.ndarray]
    descending: bool
    rows: int
    generation: int

    def run(self) -> tuple[int, np.ndarray]:
        """The source rows in sorted order (worker thread), with the job's generation."""
        return self.generation, argsort(self.keys(), self.descending)
