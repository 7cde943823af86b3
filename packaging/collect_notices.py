"""Collect the third-party notices at build time and write them into the bundle.

The Python distributions, Python and Qt come from ``gui_app.notices`` (the
installed metadata). On Linux the bundle also carries libraries PyInstaller
copied from the build machine (OpenSSL, libffi, SQLite, the xcb-util family,
libxkbcommon, ...) and the ICU that Qt was built with; their notices are the
Debian ``copyright`` files of the packages that own them (or, for ICU, of the
system's ICU package, same upstream and licence). The spec calls this before
``COLLECT``, so the notices are part of the bundle on every OS (inside
Brigade.app too).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from gui_app.notices import BUNDLE_FOLDER, Notice, collect_notices, write_notices

DOC = Path("/usr/share/doc")
VENDORED = re.compile(r"-[0-9a-f]{8}\.so")


def write_bundle_notices(binaries: list[str], folder: Path) -> list[tuple[str, str, str]]:
    """Write the notices of a bundle into ``folder``; return them as PyInstaller TOC entries.

    ``binaries`` are the source paths of the libraries the bundle copies; the
    entries put the notices under ``licences/`` in the bundle.
    """
    notices = collect_notices()
    if sys.platform.startswith("linux"):
        notices += system_library_notices(binaries)
    write_notices(notices, folder)
    return [(f"{BUNDLE_FOLDER}/{p.name}", str(p), "DATA") for p in sorted(folder.iterdir())]


def system_library_notices(binaries: list[str]) -> list[Notice]:
    """Notices of the Debian packages owning the system libraries among ``binaries`` (source paths)."""
    from make_deb import _aliases

    # Vendored into a wheel (libjpeg-31e2ca52.so...) or the build's own Python: covered by their notices.
    system = [
        path
        for path in binaries
        if path.startswith(("/usr/", "/lib")) and not VENDORED.search(Path(path).name)
    ]
    packages = _owners({alias for path in system for alias in _aliases(path)})
    if any(Path(path).name.startswith("libicuuc.so") for path in binaries):
        packages |= _installed("libicu[0-9]*")  # Qt's own ICU: the same upstream and licence
    notices = []
    for package in sorted(packages):
        copyright_file = DOC / package / "copyright"
        if copyright_file.is_file():
            text = copyright_file.read_text(encoding="utf-8", errors="replace")
            notices.append(Notice(package, _version(package), "see text (Debian copyright file)", text))
    return notices


def _owners(files: set[str]) -> set[str]:
    if not files:
        return set()
    out = subprocess.run(["dpkg", "-S", *sorted(files)], capture_output=True, text=True).stdout
    return {line.split(":", 1)[0].split(",")[0].strip() for line in out.splitlines() if ": " in line}


def _installed(pattern: str) -> set[str]:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\n", pattern],
        capture_output=True,
        text=True,
    ).stdout
    return {line.split()[0] for line in out.splitlines() if line.split()[1:2] == ["ii"]}


def _version(package: str) -> str:
    return subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True
    ).stdout.strip()
