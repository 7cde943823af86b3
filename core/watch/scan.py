"""The walk of a watched folder, one file at a time, so a scan can pause when the rule is busy."""

from __future__ import annotations

import os
from collections.abc import Iterator

from core.watch.ignore import PathFilter


def walk(root: str, wanted: PathFilter) -> Iterator[str]:
    """Yield the files below ``root`` that ``wanted`` takes, folder by folder.

    Symlinked folders are not followed (a link to an ancestor would loop);
    an unreadable folder is passed over: the next scan tries it again.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        # Entries are read as they are used: a folder of 100,000 files is never one list.
        with entries:
            for entry in entries:
                path = entry.path
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if wanted.wants_folder(path):
                            stack.append(path)
                    elif entry.is_file() and wanted.wants_file(path):
                        yield path
                except OSError:
                    continue
