r"""Path mapping: the desktop calls a share ``D:\data``, the workers call it ``/mnt/data``.

Tasks ship paths, not file contents; the workers read the same files from a
shared filesystem, under their own names for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_WINDOWS = re.compile(r"^([A-Za-z]:|\\\\)")


def _windowsy(path: str) -> bool:
    return bool(_WINDOWS.match(path)) or ("\\" in path and "/" not in path)


def _norm(path: str) -> str:
    """Compare form: forward slashes, no trailing slash, case-folded for Windows paths."""
    if _windowsy(path):
        return path.replace("\\", "/").rstrip("/").casefold()
    return path.rstrip("/") if path != "/" else path


def _join(prefix: str, rest: str) -> str:
    """``prefix`` + ``rest`` (a remainder with either separator) in ``prefix``'s style."""
    sep = "\\" if _windowsy(prefix) else "/"
    rest = rest.replace("\\", "/").lstrip("/")
    if sep == "\\":
        rest = rest.replace("/", "\\")
    if not rest:
        return prefix
    return prefix.rstrip("/\\") + sep + rest


@dataclass(frozen=True, slots=True)
class PathMap:
    """Prefix pairs (desktop, worker); the longest matching prefix wins."""

    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> PathMap:
        """Build from ``SRC=DST`` strings (``ValueError`` for a malformed one)."""
        pairs = []
        for item in items:
            src, sep, dst = item.partition("=")
            if not sep or not src.strip() or not dst.strip():
                raise ValueError(f"a path map is SRC=DST (desktop path = worker path), not {item!r}")
            pairs.append((src.strip(), dst.strip()))
        return cls(tuple(pairs))

    @classmethod
    def from_pairs(cls, pairs: Iterable[Iterable[str]]) -> PathMap:
        return cls(tuple((str(a), str(b)) for a, b in pairs))

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def as_pairs(self) -> list[list[str]]:
        return [[a, b] for a, b in self.pairs]

    def to_worker(self, path: str) -> str:
        """The worker's name for a desktop ``path`` (unchanged when no prefix matches)."""
        return self._map(path, self.pairs)

    def to_local(self, path: str) -> str:
        """The desktop's name for a worker ``path``."""
        return self._map(path, tuple((b, a) for a, b in self.pairs))

    def map_values(self, data: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """Map the string values of a flat policy dict (output folders) to worker paths."""
        if not data or not self.pairs:
            return data
        return {k: self.to_worker(v) if isinstance(v, str) else v for k, v in data.items()}

    @staticmethod
    def _map(path: str, pairs: tuple[tuple[str, str], ...]) -> str:
        best: tuple[int, str, str] | None = None
        key = _norm(path)
        for src, dst in pairs:
            prefix = _norm(src)
            matches = key == prefix or key.startswith(prefix.rstrip("/") + "/")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), src, dst)
        if best is None:
            return path
        # The remainder keeps the original spelling (case) of the input path.
        cut = len(best[1].rstrip("/\\")) if best[1] not in ("/", "\\") else 0
        return _join(best[2], path[cut:])
