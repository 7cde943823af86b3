"""Build the Debian packages of a Linux bundle with ``dpkg-deb``: ``brigade-cli`` and ``brigade``.

``brigade-cli`` is what a server or a script needs: the engine, the jobs, the
history and ``brigade-cli``, without Qt or the graphics stack. ``brigade`` adds
the window (Qt, the graphs) and depends on ``brigade-cli`` of the same version.
Both install into one folder, each with its own files (the spec writes the
list of the CLI's, ``brigade-cli.files``, beside the bundle)::

    /opt/brigade/                      the PyInstaller bundle (brigade, brigade-cli, _internal/)
    /usr/bin/brigade-cli               (brigade-cli) symlink into /opt/brigade
    /usr/bin/brigade                   (brigade) symlink into /opt/brigade
    /usr/share/applications/io.brigade.Brigade.desktop, metainfo, hicolor icons  (brigade)
    /usr/share/doc/<package>/copyright  MIT, and the list of the third-party components

``Depends`` of each lists the packages that provide the system libraries its
files link to but the bundle does not carry (found the way ``dpkg-shlibdeps``
does: soname -> file -> owning package), and the lowest glibc the symbols ask
for. No maintainer scripts: the desktop database and icon cache are refreshed
by the triggers of desktop-file-utils and hicolor-icon-theme.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
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


def _elf_files(where: Path | list[Path]) -> list[Path]:
    """The ELF files under the folder ``where``, or among the paths ``where``."""
    found = []
    for path in where.rglob("*") if isinstance(where, Path) else where:
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def system_sonames(files: list[Path], carried: set[str]) -> set[str]:
    """Sonames the ELF ``files`` link to that are not among the ``carried`` ones."""
    needed: set[str] = set()
    for path in files:
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


def glibc_floor(files: Path | list[Path]) -> str:
    """The newest ``GLIBC_x.y`` symbol version any of the ELF ``files`` (or a folder's) asks for."""
    best = (2, 17, 0)
    for path in _elf_files(files) if isinstance(files, Path) else files:
        for match in GLIBC_RE.finditer(path.read_bytes()):
            best = max(best, tuple(int(g or 0) for g in match.groups()))  # type: ignore[arg-type]
    return ".".join(str(n) for n in (best if best[2] else best[:2]))


@dataclass(frozen=True, slots=True)
class Package:
    """One of the two packages: its name, description and share of the bundle."""

    name: str
    summary: str
    description: str
    files: list[str]  # paths relative to the bundle
    recommends: tuple[str, ...] = ()


DESCRIPTION = (
    " Drop files and folders onto Brigade's window, pick a job (checksums,\n"
    " compression, image resizing, text conversion, a command on each file)\n"
    " and press Start: a pool of worker processes does the work on every core,\n"
    " with live progress, logs and history.\n"
)


def packages(bundle: Path, cli_files: set[str]) -> tuple[Package, Package]:
    """Split the bundle: the CLI's files (and the licence notices) and the window's."""
    every = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if not p.is_dir())
    cli = [f for f in every if f in cli_files or f.startswith("_internal/licences/")]
    taken = set(cli)
    cli_package = Package(
        "brigade-cli",
        "batch file jobs on every core, from a terminal",
        DESCRIPTION + " This package holds the engine, the jobs, the history and the\n"
        " brigade-cli command; it needs no display. The window is in 'brigade'.",
        cli,
    )
    gui_package = Package(
        "brigade",
        "desktop task manager for batch file jobs",
        DESCRIPTION + " This package holds the window; brigade-cli runs the same jobs from a terminal.",
        [f for f in every if f not in taken],
        RECOMMENDS,
    )
    return cli_package, gui_package


def control_text(
    version: str,
    arch: str,
    installed_kib: int,
    depends: list[str],
    package: Package | None = None,
) -> str:
    """The ``DEBIAN/control`` file of ``package`` (default: the window's, with every Recommends)."""
    name, summary = (
        (package.name, package.summary)
        if package
        else ("brigade", "desktop task manager for batch file jobs")
    )
    description = package.description if package else DESCRIPTION.rstrip("\n")
    recommends = package.recommends if package else RECOMMENDS
    fields = {
        "Package": name,
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(depends),
        "Recommends": ", ".join(r for r in recommends if r not in depends),
        "Section": "utils",
        "Priority": "optional",
        "Homepage": "https://github.com/brigade-app/brigade",
        "Description": f"{summary}\n{description}",
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value)


def copyright_text(bundle: Path) -> str:
    """``copyright``: Brigade's MIT licence and where the third-party notices are."""
    from gui_app.notices import BUNDLE_FOLDER, read_notices

    components = "".join(
        f" {n.name} {n.version}: {n.licence}\n" for n in read_notices(bundle / "_internal" / BUNDLE_FOLDER)
    )
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: Brigade\n\n"
        "Files: *\nCopyright: Brigade developers\nLicense: MIT\n"
        "Comment: /opt/brigade also holds these third-party components, each under its\n"
        " own licence; their notices and full licence texts are in\n"
        f" /{PREFIX}/_internal/{BUNDLE_FOLDER}/ (one file each) and in Help > About > Licences.\n"
        " .\n" + components
    )


def _stage(bundle: Path, stage: Path, package: Package) -> None:
    for rel in package.files:
        target = stage / PREFIX / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(bundle / rel, target, follow_symlinks=False)
    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for name in ("brigade", "brigade-cli"):
        if name in package.files:
            (usr_bin / name).symlink_to(f"/{PREFIX}/{name}")
    share = stage / "usr" / "share"
    doc = share / "doc" / package.name
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(copyright_text(bundle))
    if "brigade" in package.files:
        _stage_desktop(share)


def _stage_desktop(share: Path) -> None:
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


def depends_of(bundle: Path, package: Package, version: str) -> list[str]:
    """``Depends`` of ``package``: glibc, the owners of the system libraries it links to, the CLI."""
    elf = _elf_files([bundle / f for f in package.files])
    carried = {p.name for p in bundle.rglob("*.so*")}
    owners, unresolved = owning_packages(system_sonames(elf, carried))
    if unresolved:
        missing = ", ".join(sorted(unresolved))
        print(f"make_deb: {package.name}: not on this machine (left to Recommends): {missing}")
    depends = [f"libc6 (>= {glibc_floor(elf)})", *sorted(owners - {"libc6"})]
    if package.name != "brigade-cli":
        depends.insert(0, f"brigade-cli (= {version})")
    return depends


def build_debs(bundle: Path, version: str, out_dir: Path, cli_files: set[str]) -> list[Path]:
    """Build ``brigade-cli_<v>_<arch>.deb`` and ``brigade_<v>_<arch>.deb`` into ``out_dir``."""
    if shutil.which("dpkg-deb") is None:
        raise RuntimeError("dpkg-deb not found: the .deb is built on Debian or Ubuntu")
    arch = deb_architecture()
    built = []
    for package in packages(bundle, cli_files):
        out = out_dir / f"{package.name}_{version}_{arch}.deb"
        with tempfile.TemporaryDirectory(prefix="brigade-deb-") as tmp:
            stage = Path(tmp) / "root"
            _stage(bundle, stage, package)
            debian = stage / "DEBIAN"
            debian.mkdir()
            depends = depends_of(bundle, package, version)
            (debian / "control").write_text(control_text(version, arch, _tree_kib(stage), depends, package))
            _normalise_modes(stage)
            subprocess.run(
                ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        built.append(out)
    return built
