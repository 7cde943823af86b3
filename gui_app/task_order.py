"""Arrangements of the tasks table (the rows a filter keeps, in a sort's order), made off the GUI thread.

``list.sort`` holds the interpreter lock for the whole sort, so sorting a
million rows freezes the window even from another thread. Here the GUI
thread only takes a snapshot of what keys and filters are made of (copies of
the model's compact arrays; the batches' path lists, which never change),
and a worker thread arranges the rows a piece at a time: it sorts pieces of
``PIECE`` rows (each sort holds the lock briefly) and merges them with
``heapq.merge``, whose Python steps let the GUI thread run in between.

File names sort naturally (``note_2`` before ``note_10``) and without regard
to case, as a file manager lists them.
"""

from __future__ import annotations

import heapq
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from core.model import TaskState

PIECE = 20_000  # rows sorted or filtered by one call into C, which holds the interpreter lock
DIGITS = re.compile(r"\d+")
DIGIT_WIDTH = 20  # digits a number of a file name is padded to, so 2 sorts before 10

Keys = Sequence[Any]  # a sort key per source row


def natural_key(name: str) -> str:
    """``name`` folded to lower case, its numbers padded: plain comparison then sorts naturally."""
    return DIGITS.sub(_pad, name.lower())


def _pad(match: re.Match[str]) -> str:
    return match.group().zfill(DIGIT_WIDTH)


def sorted_rows(rows: Sequence[int], keys: Keys, descending: bool) -> list[int]:
    """``rows`` in the order of their keys, sorted a piece at a time; equal keys keep their order."""
    key = keys.__getitem__
    pieces = [sorted(rows[i : i + PIECE], key=key, reverse=descending) for i in range(0, len(rows), PIECE)]
    if len(pieces) == 1:
        return pieces[0]
    # heapq.merge takes equal keys from earlier pieces first, in either direction: the sort stays stable.
    return list(heapq.merge(*pieces, key=key, reverse=descending))


def kept(rows: Sequence[int], mask: bytes) -> list[int]:
    """The rows whose byte in ``mask`` is not zero, filtered a piece at a time."""
    out: list[int] = []
    for i in range(0, len(rows), PIECE):
        piece = rows[i : i + PIECE]
        out.extend(compress(piece, map(mask.__getitem__, piece)))
    return out


def state_mask(states: bytes, allowed: bytes) -> bytes:
    """A byte per row: 1 where the row's state is one of ``allowed``."""
    table = bytearray(256)
    for s in allowed:
        table[s] = 1
    return states.translate(table)


def numeric_keys(
    progress_column: bool, state: bytes, progress: bytes, started: array, durations: array, now: float
) -> list[float]:
    """``TasksModel.progress()`` (or ``duration()``) of every row, from copies of its arrays."""
    running, done = TaskState.RUNNING, TaskState.DONE
    if progress_column:
        return [
            (-1 if p == 255 else p) if s == running else (100 if s == done else -1)
            for s, p in zip(state, progress, strict=True)
        ]
    return [
        max(0.0, now - t) if s == running and t else d
        for s, t, d in zip(state, started, durations, strict=True)
    ]


def result_of(row: int, texts: dict[int, str], details: dict[int, Any]) -> str:
    """``TasksModel.result_text`` over copies of its dicts (a worker thread reads them)."""
    d = details.get(row)
    if d is not None and d.failure is not None:
        return d.failure.describe()
    return texts.get(row, "")


@dataclass(slots=True, frozen=True)
class Arrangement:
    """What the proxy shows: ``rows`` (source rows in view order), ``inv`` (view row of each source row).

    ``order`` is every source row in the sort's order (``None`` unsorted),
    kept so that a new filter needs no new sort.
    """

    generation: int
    rows: array
    inv: array
    order: list[int] | None


@dataclass(slots=True, frozen=True)
class ArrangeJob:
    """One arrangement to make, from a snapshot taken on the GUI thread (see the module docstring).

    ``keys`` builds the sort keys (``None``: keep ``order``, or no sort);
    ``states`` and ``allowed`` filter by state; ``span`` keeps one batch's
    rows; ``accepts`` filters by text.
    """

    generation: int
    rows: int
    keys: Callable[[], Keys] | None
    order: list[int] | None
    descending: bool
    states: bytes
    allowed: bytes | None
    span: range | None
    accepts: Callable[[int], bool] | None

    def run(self) -> Arrangement:
        """Sort (if asked), filter and index the rows; any thread."""
        order = self.order
        if self.keys is not None:
            order = sorted_rows(range(self.rows), self.keys(), self.descending)
        rows: Sequence[int] = order if order is not None else range(self.rows)
        if self.span is not None:
            lo, hi = self.span.start, self.span.stop
            rows = rows[lo:hi] if order is None else [r for r in rows if lo <= r < hi]
        if self.allowed is not None:
            rows = kept(rows, state_mask(self.states, self.allowed))
        if self.accepts is not None:
            rows = [r for r in rows if self.accepts(r)]
        inv = array("q", [-1]) * self.rows
        for v, r in enumerate(rows):
            inv[r] = v
        return Arrangement(self.generation, array("q", rows), inv, order)
