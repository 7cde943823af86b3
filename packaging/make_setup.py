"""Build the Windows installer ``Brigade-<version>-setup.exe`` with Inno Setup.

The script is ``windows/brigade.iss``; this module only finds ``ISCC.exe`` and
passes it the version and the folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def find_iscc() -> str:
    """Path of Inno Setup's command-line compiler."""
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        candidate = Path(base or "C:/") / "Inno Setup 6" / "ISCC.exe"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("Inno Setup 6 not found: install it (choco install innosetup) or put ISCC.exe on PATH")


def build_setup(bundle: Path, version: str, out_dir: Path) -> Path:
    """Compile ``windows/brigade.iss`` into ``out_dir``; return the setup executable."""
    subprocess.run(
        [
            find_iscc(),
            f"/DAppVersion={version}",
            f"/DSourceDir={bundle}",
            f"/DIconFile={ROOT / 'assets' / 'icons' / 'brigade.ico'}",
            f"/O{out_dir}",
            str(HERE / "windows" / "brigade.iss"),
        ],
        check=True,
    )
    return out_dir / f"Brigade-{version}-setup.exe"
