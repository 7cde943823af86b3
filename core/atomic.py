"""Write an output file so that it appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # no ``typing`` at run time: workers load this module before their first task
if TYPE_CHECKING:
    from typing import IO, Any

TEMP_SUFFIX = ".brigade-tmp"


def temp_name_for(target: str) -> tuple[str, str]:
    """Return the folder and name prefix of temporary files for ``target``."""
    folder, name = os.path.split(os.path.abspath(target))
    return folder, f".{name}."


@contextlib.contextmanager
def atomic_output(
    target: str,
    mode: str = "wb",
    *,
    replace: bool = True,
    on_temp: Callable[[str, bool], None] | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file in ``target``'s folder; move it into place on success.

    The temporary file lives in the same folder so that ``os.replace`` is a
    rename on one file system, which is atomic: readers see the old file or the
    new one, never half of one.

    Parameters
    ----------
    target
        The final path.
    mode
        ``"wb"`` or ``"w"`` (text, UTF-8).
    replace
        When false, an existing ``target`` raises ``FileExistsError`` and is
        left untouched.
    on_temp
        Called with ``(temp_path, True)`` once the temporary file exists and
        ``(temp_path, False)`` once it is gone or renamed; the worker uses it
        to remove the file if the process is stopped mid-write.
    """
    if "w" not in mode:
        raise ValueError("atomic_output writes new files: use a 'w' mode")
    folder, prefix = temp_name_for(target)
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=folder)
    if on_temp:
        on_temp(temp, True)
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        _move_into_place(temp, target, replace)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        if on_temp:
            on_temp(temp, False)


def _move_into_place(temp: str, target: str, replace: bool) -> None:
    if replace:
        os.replace(temp, target)
        return
    try:
        # A hard link fails if the target exists, so no other writer is clobbered
        # between a check and the rename.
        os.link(temp, target)
    except (OSError, NotImplementedError) as exc:
        if isinstance(exc, FileExistsError):
            raise
        if os.path.lexists(target):
            raise FileExistsError(target) from exc
        os.replace(temp, target)
        return
    os.unlink(temp)
