"""Build the Debian package of a Linux bundle with ``dpkg-deb``.

Layout of the package::

    /opt/brigade/                      the PyInstaller bundle (brigade, brigade-cli, _internal/)
    /usr/bin/brigade, brigade-cli      symlinks into /opt/brigade
    /usr/share/applications/io.brigade.Brigade.desktop
    /usr/share/metainfo/io.brigade.Brigade.metainfo.xml
    /usr/share/icons/hicolor/*/apps/brigade.{png,svg}

``Depends`` lists the packages that provide the system libraries the bundle
links to but does not carry (found the way ``dpkg-shlibdeps`` does: soname ->
file -> owning package), and the lowest glibc the bundle's symbols ask for.
No maintainer scripts: the desktop database and icon cache are refreshed by the
triggers of desktop-file-utils and hicolor-icon-theme.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
APP_ID = "io.brigade.Brigade"
PREFIX = "opt/brigade"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MAINTAINER = "Brigade developers <brigade@users.noreply.github.com>"
# Needed only to show a window on X11, and often missing from minimal systems that
# run the CLI alone: recommended, so a server install does not pull in X.
RECOMMENDS = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-xinerama0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
)
GLIBC_RE = re.compile(rb"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?\x00")


def deb_architecture() -> str:
    """The Debian name of this machine's architecture (``amd64``, ``arm64``)."""
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def system_sonames(bundle: Path) -> set[str]:
    """Sonames the bundle's binaries link to that the bundle does not carry."""
    carried = {p.name for p in bundle.rglob("*.so*")}
    needed: set[str] = set()
    for path in _elf_files(bundle):
        needed |= _needed(path)
    return {name for name in needed - carried if not name.startswith("ld-linux")}


def _ldconfig_paths() -> dict[str, str]:
    """Soname -> path of the libraries the dynamic linker knows, this machine's ABI first."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    abi = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(platform.machine(), "")
    paths: dict[str, str] = {}
    for name, flags, path in re.findall(r"^\s*(\S+) \(([^)]*)\)(?: [^=]*)? => (\S+)$", out, re.M):
        if abi and abi not in flags:
            continue  # another ABI's copy (i386 beside amd64)
        paths.setdefault(name, path)
    return paths


def _aliases(path: str) -> set[str]:
    # dpkg records a file under one spelling; with merged /usr the linker may know
    # another (/lib vs /usr/lib), and the soname is often a symlink to the real file.
    real = os.path.realpath(path)
    found = {path, real}
    for p in (path, real):
        found.add(p[4:] if p.startswith("/usr/") else "/usr" + p)
    return found


def owning_packages(sonames: set[str]) -> tuple[set[str], set[str]]:
    """Map sonames to the Debian packages that own them; also return those not found."""
    located = _ldconfig_paths()
    files = {alias for name in sonames if name in located for alias in _aliases(located[name])}
    missing = {name for name in sonames if name not in located}
    packages: set[str] = set()
    if files:
        out = subprocess.run(["dpkg", "-S", *sorted(files)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            owner = line.split(":", 1)[0].split(",")[0].strip()
            if owner and " " not in owner:
                packages.add(owner)
    return packages, missing


def glibc_floor(bundle: Path) -> str:
    """The newest ``GLIBC_x.y`` symbol version any binary of the bundle asks for."""
    best = (2, 17, 0)
    for path in _elf_files(bundle):
        for match in GLIBC_RE.finditer(path.read_bytes()):
            best = max(best, tuple(int(g or 0) for g in match.groups()))  # type: ignore[arg-type]
    return ".".join(str(n) for n in (best if best[2] else best[:2]))


def control_text(version: str, arch: str, installed_kib: int, depends: list[str]) -> str:
    """The ``DEBIAN/control`` file."""
    fields = {
        "Package": "brigade",
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(depends),
        "Recommends": ", ".join(r for r in RECOMMENDS if r not in depends),
        "Section": "utils",
        "Priority": "optional",
        "Homepage": "https://github.com/brigade-app/brigade",
        "Description": "desktop task manager for batch file jobs\n"
        " Drop files and folders onto Brigade's window, pick a job (checksums,\n"
        " compression, image resizing, text conversion, a command on each file)\n"
        " and press Start: a pool of worker processes does the work on every core,\n"
        " with live progress, logs and history. brigade-cli runs the same jobs\n"
        " from a terminal.",
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


def _stage(bundle: Path, stage: Path) -> None:
    shutil.copytree(bundle, stage / PREFIX, symlinks=True)
    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for name in ("brigade", "brigade-cli"):
        (usr_bin / name).symlink_to(f"/{PREFIX}/{name}")
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(ASSETS / "brigade.desktop", share / "applications" / f"{APP_ID}.desktop")
    (share / "metainfo").mkdir(parents=True)
    shutil.copyfile(ASSETS / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copyfile(ASSETS / "icons" / f"brigade-{size}.png", target / "brigade.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(ASSETS / "icons" / "brigade.svg", hicolor / "scalable" / "apps" / "brigade.svg")
    doc = share / "doc" / "brigade"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("Brigade\nLicense: MIT\n")


def _normalise_modes(stage: Path) -> None:
    # dpkg keeps the modes it is given; a umask of 077 on the build machine must not
    # produce a package only root can run.
    for path in stage.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if os.access(path, os.X_OK) else 0o644)


def _tree_kib(stage: Path) -> int:
    return sum(p.stat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink()) // 1024


def build_deb(bundle: Path, version: str, out_dir: Path) -> Path:
    """Build ``brigade_<version>_<arch>.deb`` from ``bundle`` into ``out_dir``."""
    if shutil.which("dpkg-deb") is None:
        raise RuntimeError("dpkg-deb not found: the .deb is built on Debian or Ubuntu")
    arch = deb_architecture()
    packages, unresolved = owning_packages(system_sonames(bundle))
    if unresolved:
        print(f"make_deb: not on this machine (left to Recommends): {', '.join(sorted(unresolved))}")
    depends = [f"libc6 (>= {glibc_floor(bundle)})", *sorted(packages - {"libc6"})]
    out = out_dir / f"brigade_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="brigade-deb-") as tmp:
        stage = Path(tmp) / "root"
        _stage(bundle, stage)
        debian = stage / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(control_text(version, arch, _tree_kib(stage), depends))
        _normalise_modes(stage)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out
