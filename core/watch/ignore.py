"""Which paths of a watched folder are inputs: the rule's globs and the names never worth a task."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from core.watch.rule import WatchRule

# Downloads still being written by a browser, and office programs' lock files. Dot-files are
# ignored too, which covers Brigade's own temporary outputs (``.<pid>-<start>-<host>-<n>.brigade-tmp``).
DEFAULT_IGNORES = ("*.part", "*.crdownload", "~$*")
# Brigade's own output folders beside each input (``brigade-{job}``).
OUTPUT_FOLDERS = ("brigade-*",)


@dataclass(frozen=True, slots=True)
class PathFilter:
    """Answers "is this path an input of the rule?" without touching the disk."""

    root: str
    recursive: bool
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    folder_names: tuple[str, ...]
    subtrees: tuple[str, ...]

    @classmethod
    def of(cls, rule: WatchRule) -> PathFilter:
        names = OUTPUT_FOLDERS + rule.output_folder_names()
        return cls(rule.folder, rule.recursive, rule.include, rule.exclude, names, rule.output_subtrees())

    def wants_file(self, path: str) -> bool:
        """Whether ``path`` (absolute, under ``root``) is a file the rule may run on."""
        rel = self.relative(path)
        if rel is None:
            return False
        parts = rel.split(os.sep)
        if not self.recursive and len(parts) > 1:
            return False
        if not all(self.wants_folder_name(p) for p in parts[:-1]) or self.in_subtree(path):
            return False
        name = parts[-1]
        if name.startswith(".") or _matches(name, rel, DEFAULT_IGNORES):
            return False
        if self.exclude and _matches(name, rel, self.exclude):
            return False
        return not self.include or _matches(name, rel, self.include)

    def wants_folder(self, path: str) -> bool:
        """Whether the scan walks into the folder ``path``."""
        rel = self.relative(path)
        if rel is None or not self.recursive:
            return False
        if not all(self.wants_folder_name(p) for p in rel.split(os.sep)) or self.in_subtree(path):
            return False
        return not (self.exclude and _matches(os.path.basename(path), rel, self.exclude))

    def wants_folder_name(self, name: str) -> bool:
        return not name.startswith(".") and not _matches(name, name, self.folder_names)

    def in_subtree(self, path: str) -> bool:
        return any(path == s or path.startswith(s + os.sep) for s in self.subtrees)

    def relative(self, path: str) -> str | None:
        """``path`` relative to the root, or ``None`` when it is the root or outside it."""
        if not path.startswith(self.root.rstrip(os.sep) + os.sep):
            return None
        return path[len(self.root.rstrip(os.sep)) + 1 :]


def _matches(name: str, rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)
