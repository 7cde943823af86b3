"""Strip debug symbols from the shared libraries of a Linux bundle.

PyInstaller's own ``strip`` option strips every binary, which corrupts the
libraries that auditwheel vendored into ``numpy.libs`` and ``pillow.libs``
(their program headers were moved by patchelf, and strip rejects or breaks
them: "ELF load command address/offset not page-aligned"). Here those are left
alone; everything else (the Python runtime, extension modules, zstandard's
debug build) loses its symbols, which halves the bundle. The executables are
never touched: PyInstaller appends the application archive to them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == ELF_MAGIC


def candidates(internal: Path) -> list[Path]:
    """The shared libraries under ``internal`` that are safe to strip."""
    found = []
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        if any(part.endswith(".libs") for part in path.relative_to(internal).parts):
            continue
        if _is_elf(path):
            found.append(path)
    return found


def strip_bundle(bundle: Path) -> int:
    """Strip the bundle's libraries in place; return the number of bytes saved."""
    tool = shutil.which("strip")
    if tool is None:
        print("bundle_strip: no 'strip' found; the bundle keeps its debug symbols")
        return 0
    files = candidates(bundle / "_internal")
    before = sum(p.stat().st_size for p in files)
    for start in range(0, len(files), 200):
        subprocess.run([tool, "--strip-unneeded", *map(str, files[start : start + 200])], check=True)
    return before - sum(p.stat().st_size for p in files)
