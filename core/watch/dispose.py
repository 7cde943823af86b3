"""What becomes of an input once its task ended: kept, moved to a done or failed folder, or deleted."""

from __future__ import annotations

import os
import shutil

from core.output import unique_names


def move_below(path: str, root: str, folder: str) -> str:
    """Move ``path`` to the same place below ``folder`` as it has below ``root``; return where.

    An existing file of that name is kept: the moved one gets ``name (1).ext``.
    """
    rel = os.path.relpath(path, root)
    wanted = os.path.join(folder, rel if not rel.startswith(os.pardir) else os.path.basename(path))
    os.makedirs(os.path.dirname(wanted), exist_ok=True)
    for candidate in unique_names(wanted):
        if not os.path.lexists(candidate):
            shutil.move(path, candidate)
            return candidate
    raise FileExistsError(f"no free name for {wanted}")
