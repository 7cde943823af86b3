"""Build Brigade's bundle and installer for the OS this runs on: the one build command.

    python packaging/build.py            # bundle + installer(s) into dist/
    python packaging/build.py --bundle-only
    python packaging/build.py --reuse-bundle   # installers from the existing dist/ bundle

Linux: ``dist/brigade/`` and ``brigade_<v>_<arch>.deb`` + ``brigade-<v>-linux-<m>.tar.gz``.
Windows: ``dist/brigade/`` and ``Brigade-<v>-setup.exe`` (Inno Setup 6).
macOS: ``dist/Brigade.app`` and ``Brigade-<v>.dmg`` (signed/notarised when configured).

Every artifact, with its size, is listed in ``dist/artifacts.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(HERE / "hooks")]

from core import __version__  # noqa: E402 - one version, read from the package


def tree_bytes(path: Path) -> int:
    """Total size of the regular files under ``path`` (what unpacking takes)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_bundle(dist: Path, work: Path) -> Path:
    """Run PyInstaller on ``brigade.spec``; return the bundle (folder or .app)."""
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(dist), "--workpath", str(work), str(HERE / "brigade.spec"),
        ],
        check=True,
        cwd=ROOT,
    )  # fmt: skip
    return bundle_path(dist)


def bundle_path(dist: Path) -> Path:
    """Where PyInstaller put the bundle on this OS."""
    return dist / "Brigade.app" if sys.platform == "darwin" else dist / "brigade"


def build_installers(bundle: Path, dist: Path) -> list[Path]:
    """Make this OS's installer(s) from ``bundle``."""
    if sys.platform.startswith("linux"):
        from make_deb import build_debs
        from make_tarball import build_tarball

        cli_files = set((dist / "brigade-cli.files").read_text().split("\n")) - {""}
        return [*build_debs(bundle, __version__, dist, cli_files), build_tarball(bundle, __version__, dist)]
    if sys.platform == "win32":
        from make_setup import build_portable_zip, build_setup

        return [build_setup(bundle, __version__, dist), build_portable_zip(bundle, __version__, dist)]
    if sys.platform == "darwin":
        from make_dmg import build_dmg

        return [build_dmg(bundle, __version__, dist)]
    raise SystemExit(f"no installer for {sys.platform}")


def write_report(dist: Path, bundle: Path, artifacts: list[Path], seconds: float) -> dict[str, object]:
    """Write and return ``artifacts.json``: what was built, and how big it is."""
    report: dict[str, object] = {
        "version": __version__,
        "platform": sys.platform,
        "bundle": str(bundle),
        "bundle_bytes": tree_bytes(bundle),
        "artifacts": [{"path": str(p), "bytes": p.stat().st_size} for p in artifacts],
        "seconds": round(seconds, 1),
    }
    (dist / "artifacts.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="scratch folder")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--bundle-only", action="store_true", help="build the bundle, no installer")
    mode.add_argument("--reuse-bundle", action="store_true", help="make installers from the existing bundle")
    args = parser.parse_args(argv)
    started = time.monotonic()
    dist = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    if args.reuse_bundle:
        bundle = bundle_path(dist)
        if not bundle.exists():
            parser.error(f"no bundle at {bundle}; build it first")
    else:
        bundle = build_bundle(dist, args.work.resolve())
    artifacts = [] if args.bundle_only else build_installers(bundle, dist)
    report = write_report(dist, bundle, artifacts, time.monotonic() - started)
    print(f"bundle     {bundle}  {report['bundle_bytes'] / 2**20:.1f} MiB unpacked")
    for path in artifacts:
        print(f"installer  {path}  {path.stat().st_size / 2**20:.1f} MiB")
    print(f"built in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
