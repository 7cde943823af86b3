r"""How values cross into SQLite and back unchanged.

SQLite text must be valid UTF-8, but a path from ``os.fsdecode`` may hold
surrogate escapes for bytes that are not. Such a string is stored as a BLOB
of its ``os.fsencode`` bytes and read back with ``os.fsdecode``; every other
string stays readable TEXT. JSON columns are written with ``ensure_ascii`` so
lone surrogates travel as ``\\udcxx`` escapes, and bytes as ``{"$bytes": base64}``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from core.model import BatchOptions, Failure, FailureKind


def text_in(value: str) -> str | bytes:
    """Return ``value`` as SQLite can store it losslessly (TEXT, or BLOB)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        try:
            return os.fsencode(value)
        except UnicodeEncodeError:  # a surrogate os.fsdecode never makes: keep it visible
            return value.encode("utf-8", "backslashreplace").decode("ascii")


def text_out(value: str | bytes) -> str:
    """Inverse of :func:`text_in`."""
    return os.fsdecode(value) if isinstance(value, bytes) else value


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        import base64  # only when a result holds bytes

        return {"$bytes": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    raise TypeError(f"{type(obj).__name__} cannot be stored in history")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$bytes" in obj:
        import base64

        return base64.b64decode(obj["$bytes"])
    return obj


_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=_default)


def dumps(value: Any) -> str | None:
    """JSON text of plain data (``None`` stays NULL).

    Raises
    ------
    TypeError, ValueError
        ``value`` holds something that is not plain data (the message names it).
    """
    if value is None:
        return None
    return _ENCODER.encode(value)


def loads(text: str | None) -> Any:
    """Inverse of :func:`dumps`."""
    return None if text is None else json.loads(text, object_hook=_hook)


def failure_in(failure: Failure | None) -> str | None:
    """JSON text of a failure."""
    if failure is None:
        return None
    return dumps(
        {
            "kind": failure.kind.value,
            "message": failure.message,
            "exc_type": failure.exc_type,
            "traceback": failure.traceback,
            "exit_code": failure.exit_code,
            "retryable": failure.retryable,
            "poison": failure.poison,
        }
    )


def failure_out(text: str | None) -> Failure | None:
    """Inverse of :func:`failure_in`."""
    data = loads(text)
    if not data:
        return None
    return Failure(
        FailureKind(data["kind"]),
        data.get("message", ""),
        data.get("exc_type"),
        data.get("traceback"),
        data.get("exit_code"),
        bool(data.get("retryable")),
        bool(data.get("poison")),
    )


def options_in(options: BatchOptions) -> str:
    """JSON text of a batch's run options."""
    return (
        dumps(
            {
                "timeout": options.timeout,
                "retries": options.retries,
                "poison_after": options.poison_after,
                "log_limit": options.log_limit,
            }
        )
        or "{}"
    )


def options_out(text: str | None) -> BatchOptions:
    """Inverse of :func:`options_in` (unknown keys from newer versions are ignored)."""
    data: Mapping[str, Any] = loads(text) or {}
    fields = ("timeout", "retries", "poison_after", "log_limit")
    return BatchOptions(**{k: data[k] for k in fields if k in data})
