"""Export a batch as CSV or JSON: one row per task, with the job's result columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, TextIO

from core.discovery import display_path
from core.store.errors import StoreError
from core.store.rows import BatchRow, TaskRow

FORMATS = ("csv", "json")
BASE_COLUMNS = ("task", "index", "path", "state", "reason", "attempts", "duration", "outputs", "changed")
_SNIFF = 1000  # tasks looked at for result keys when the job cannot say


def export_batch(batch: BatchRow, tasks: Iterable[TaskRow], fmt: str, stream: TextIO) -> int:
    """Write every task of ``batch`` to ``stream``; return the number of rows."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "json":
        return _json(batch, tasks, stream)
    return _csv(batch, tasks, stream)


def base_record(t: TaskRow) -> dict[str, Any]:
    """The job-independent fields of a task."""
    duration = t.duration
    return {
        "task": t.id,
        "index": t.index,
        "path": t.path,
        "state": t.label,
        "reason": t.reason,
        "attempts": t.attempts,
        "duration": round(duration, 6) if duration is not None else None,
        "outputs": list(t.outputs),
        "changed": t.changed,
    }


def result_columns(batch: BatchRow, first: list[TaskRow]) -> list[str]:
    """The job's declared result columns, else the keys seen in the first results."""
    try:
        from core.registry import processor_class

        declared = list(processor_class(batch.job).result_columns)
    except Exception:  # noqa: BLE001 - a job that no longer loads still exports
        declared = []
    if declared:
        return declared
    keys: dict[str, None] = {}
    for t in first:
        keys.update(dict.fromkeys(_fields(t.result)))
    return list(keys)


def _fields(result: Any) -> dict[str, Any]:
    """A result as columns: a mapping's keys, any other JSON value in one ``result`` column."""
    if result is None:
        return {}
    return result if isinstance(result, dict) else {"result": result}


def _csv(batch: BatchRow, tasks: Iterable[TaskRow], stream: TextIO) -> int:
    it = iter(tasks)
    first = list(islice(it, _SNIFF))
    extra = result_columns(batch, first)
    writer = csv.writer(stream)
    writer.writerow([*BASE_COLUMNS, *(c for c in extra if c not in BASE_COLUMNS)])
    n = 0
    for t in chain(first, it):
        rec = base_record(t)
        # Undecodable bytes in names are shown as \xNN: CSV is for people and spreadsheets.
        rec["path"] = display_path(t.path)
        rec["outputs"] = ";".join(display_path(o) for o in t.outputs)
        result = _fields(t.result)
        row = [rec[c] for c in BASE_COLUMNS] + [_cell(result.get(c)) for c in extra if c not in BASE_COLUMNS]
        writer.writerow(["" if v is None else v for v in row])
        n += 1
    return n


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _json(_batch: BatchRow, tasks: Iterable[TaskRow], stream: TextIO) -> int:
    # Streamed as an array so a million tasks never sit in memory at once; ASCII
    # escapes keep undecodable names exact (``\udcxx``) in any output encoding.
    stream.write("[")
    n = 0
    for rec in _records(tasks):
        stream.write(",\n" if n else "\n")
        stream.write(json.dumps(rec, ensure_ascii=True, default=_json_default))
        n += 1
    stream.write("\n]\n" if n else "]\n")
    return n


def _records(tasks: Iterable[TaskRow]) -> Iterator[dict[str, Any]]:
    for t in tasks:
        rec = base_record(t)
        rec["result"] = t.result
        yield rec


def _json_default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return obj.hex()
    raise TypeError(f"{type(obj).__name__} is not JSON data")
