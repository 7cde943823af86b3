"""Build the Windows installer ``Brigade-<version>-setup.exe`` (Inno Setup) and a portable .zip.

The installer's script is ``windows/brigade.iss``; this module finds
``ISCC.exe`` and passes it the version and the folders. The portable
``Brigade-<version>-windows-x64.zip`` is the same folder to unpack and run
anywhere, without installing (no Start-menu entry, no PATH entry).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
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


def build_portable_zip(bundle: Path, version: str, out_dir: Path) -> Path:
    """Zip ``bundle`` as ``Brigade-<version>/`` into ``Brigade-<version>-windows-x64.zip``."""
    out = out_dir / f"Brigade-{version}-windows-x64.zip"
    top = f"Brigade-{version}"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(bundle).as_posix()}")
    return out
