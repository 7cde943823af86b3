"""Lines of text a worker makes: a task's end as one line, and log lines cut to a bounded size.

A task's end as one line (``EngineConfig.lines``): workers make the lines in
parallel; whoever prints them (``brigade-cli run``) only writes them out.

A log line is cut to ``LINE_LIMIT`` characters where the worker gets it (a
program's output as it is read, a processor's log record), so a program that
writes a 400 MB line with no newline costs neither the worker nor the app
more than a bounded buffer; the cut says how many characters it left out.
Imported by workers, by the CLI and by the store.
"""

from __future__ import annotations

import codecs
import json
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from core.model import Failure, TaskState

RESULT = "result"  # a done task's ``Processor.result_line``
JSON = "json"  # a JSON record of any task that ended

LINE_LIMIT = 64 * 1024
"""Characters of one log line kept; the rest is cut, and the cut says how much."""
# A line is cut only when it is longer than the limit and the room of the marker: a line cut
# once (in the worker) passes every later cut unchanged.
_MARKER_ROOM = len(f"... {2**63} characters cut")
_HEAD_BYTES = 4 * LINE_LIMIT  # UTF-8 takes at most 4 bytes a character
_PIECE_BYTES = 64 * 1024  # read at a time from the part of a line that is cut


def cut_line(text: str, limit: int = LINE_LIMIT) -> str:
    """``text``, or if longer than ``limit`` characters and the marker: its start and the marker."""
    if len(text) <= limit + _MARKER_ROOM:
        return text
    return with_cut(text[:limit], len(text) - limit)


def with_cut(kept: str, cut: int) -> str:
    """``kept``, the start of a line, followed by how many characters were cut after it."""
    return f"{kept}... {cut} characters cut"


def read_lines(stream: IO[bytes]) -> Iterator[str]:
    """The lines of a program's output as text (UTF-8, bad bytes replaced), each cut by ``cut_line``.

    Memory stays bounded whatever the program writes: of a line longer than
    the limit only its first characters are kept, the rest is read in pieces
    and counted.
    """
    while True:
        raw = stream.readline(_HEAD_BYTES)
        if not raw:
            return
        if raw.endswith(b"\n") or len(raw) < _HEAD_BYTES:  # the whole line (or the output's last)
            yield cut_line(raw.decode(errors="replace").rstrip("\r\n"))
            continue
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        head = decoder.decode(raw)
        cut, rest = len(head) - LINE_LIMIT, ""  # the rest is kept only while the line fits
        while True:
            piece = stream.readline(_PIECE_BYTES)
            end = not piece or piece.endswith(b"\n")
            text = decoder.decode(piece.rstrip(b"\r\n") if end else piece, final=end)
            cut += len(text)
            rest = rest + text if cut <= _MARKER_ROOM else ""
            if end:
                break
        yield with_cut(head[:LINE_LIMIT], cut) if cut > _MARKER_ROOM else head + rest


# ASCII, so any file name prints anywhere; repr for what JSON cannot hold (bytes in a result).
# No check for circular references: a result is plain data (``context.plain``), which holds none,
# and the check would cost a lookup per container of every record.
_ENCODER = json.JSONEncoder(ensure_ascii=True, check_circular=False, default=repr)


def json_record(
    task_id: int,
    path: str,
    state: TaskState,
    result: Any,
    failure: Failure | None,
    attempt: int,
    duration: float,
    outputs: Sequence[str],
    log_dropped: int,
) -> str:
    """One task as a line of JSON (ASCII: any file name prints anywhere)."""
    record = {
        "task": task_id,
        "path": path,
        "state": state.label,
        "result": result,
        "reason": failure.describe() if failure else None,
        "attempts": attempt,
        "duration": round(duration, 6),
        "outputs": list(outputs),
        "log_dropped": log_dropped,
    }
    return _ENCODER.encode(record)
