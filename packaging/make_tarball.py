"""Build the portable Linux archive: ``brigade-<version>-linux-<machine>.tar.gz``.

It unpacks to one folder that runs from wherever it is put::

    brigade-<version>/brigade, brigade-cli, _internal/   the bundle
    brigade-<version>/share/                             desktop entry and icons, to copy
                                                         into ~/.local/share if wanted
"""

from __future__ import annotations

import platform
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def _owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # The build machine's user and group mean nothing to whoever unpacks the archive.
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_tarball(bundle: Path, version: str, out_dir: Path) -> Path:
    """Pack ``bundle`` (and the desktop files) into a ``.tar.gz`` in ``out_dir``."""
    top = f"brigade-{version}"
    out = out_dir / f"{top}-linux-{platform.machine()}.tar.gz"
    share = {
        ASSETS / "brigade.desktop": "share/applications/io.brigade.Brigade.desktop",
        ASSETS / "io.brigade.Brigade.metainfo.xml": "share/metainfo/io.brigade.Brigade.metainfo.xml",
        ASSETS / "icons" / "brigade.svg": "share/icons/hicolor/scalable/apps/brigade.svg",
        ASSETS / "icons" / "brigade-256.png": "share/icons/hicolor/256x256/apps/brigade.png",
    }
    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        tar.add(bundle, arcname=top, filter=_owned_by_root)
        for source, name in share.items():
            tar.add(source, arcname=f"{top}/{name}", filter=_owned_by_root)
    return out
